"""Build the site with the project's own config, remembering each page's Markdown at every step.

The build runs in this process through MkDocs' Python API, so the checker sees the Markdown as each
plugin received it: citations that a plugin generates (intake tables from front matter) are checked
like hand-written ones, whatever plugin renders them later.

Two shortcuts keep the check fast on a large site (issue 10), both undone by ``full_theme``:

* The theme around the content (header, tabs, navigation, footer, head) is the same on every
  page but for relative paths, and Material renders it anew for each page: it is rendered in full
  on one page per template and folder depth (where its relative links could differ) and left out
  of the others, which keep their content block (page content, tags, edit action, the overrides'
  additions) and the announcement bar. Navigation links come from MkDocs' nav, which MkDocs
  validates itself.
* The search plugin is left out: it writes search_index.json, which holds no links to check.

One bad input must not hide the findings on every other page (issue 18): a plugin that raises
PluginError (the error MkDocs plugins raise for bad input, such as invalid front matter) has its
message recorded and the build goes on without that step's result, where ``mkdocs build`` would stop.
"""

from __future__ import annotations

import functools
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, DictLoader
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError

from boneguide import mkdocs_run
from boneguide.checks.model import Finding
from boneguide.mkdocs_run import LogMessage


@dataclass
class PageRecord:
    src_uri: str  # relative to docs_dir
    dest_uri: str  # relative to site_dir
    # The Markdown given to each page_markdown handler, then the result.
    stages: list[str] = field(default_factory=list)
    # Per key, the most citations the stages held (citations.stage_counts), when read from a record
    # of another build (record.py) rather than from the stages.
    citation_counts: Counter[str] | None = None


@dataclass
class BuildResult:
    warnings: list[LogMessage] = field(default_factory=list)  # WARNING and above
    error: str | None = None  # the build stopped: nothing after this point was built
    # PluginErrors the build went past, at the input file and line the error names ("" and 0: unknown)
    plugin_errors: list[Finding] = field(default_factory=list)
    seconds: float = 0.0


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def _plugin_failure(error: PluginError) -> Finding:
    message = _one_line(error)
    cause: BaseException | None = error
    while cause is not None:  # plugins raise PluginError from the input's own located error
        path, line = getattr(cause, "path", None), getattr(cause, "line", None)
        if isinstance(path, Path) and isinstance(line, int):
            return Finding(str(path), line, 0, "error", "build-failed", message)
        cause = cause.__cause__
    return Finding("", 0, 0, "error", "build-failed", message)


class _KeepGoing:
    """Wraps the project's event handlers so that a plugin's PluginError does not end the build.

    The failing handler's event goes on with its input unchanged (MkDocs keeps an event's item when
    a handler returns None). A plugin that failed may fail again on the state it was left in (say,
    on_files stopped before it read the data its page events use): anything it raises afterwards
    is a consequence of the failure already recorded, and is dropped too.
    """

    def __init__(self) -> None:
        self.errors: list[Finding] = []
        self._failed: set[int] = set()  # id() of each plugin (or hook module) that raised PluginError

    def wrap(self, handler: Callable[..., Any]) -> Callable[..., Any]:
        owner = id(getattr(handler, "__self__", None) or getattr(handler, "__module__", handler))

        @functools.wraps(handler)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return handler(*args, **kwargs)
            except PluginError as error:
                if owner not in self._failed:
                    self._failed.add(owner)
                    self.errors.append(_plugin_failure(error))
                return None
            except Exception:
                if owner in self._failed:
                    return None
                raise

        return guarded


def record_stages(events: dict[str, list[Callable[..., Any]]], pages: dict[str, PageRecord]) -> None:
    """Each page's record in ``pages`` gets the Markdown each page_markdown handler was given, then
    the result: wraps the handlers registered now, and one added after them that changes nothing."""

    def recording(handler: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(handler)
        def record(markdown: str, *, page: Any, **kwargs: Any) -> Any:
            _page_record(page, pages).stages.append(markdown)
            return handler(markdown, page=page, **kwargs)

        return record

    handlers = [*events["page_markdown"], lambda markdown, **_: markdown]
    events["page_markdown"] = [recording(handler) for handler in handlers]


def _page_record(page: Any, pages: dict[str, PageRecord]) -> PageRecord:
    file = page.file
    if file.src_uri not in pages:
        pages[file.src_uri] = PageRecord(file.src_uri, file.dest_uri)
    return pages[file.src_uri]


SKIM_PREFIX = "bng-check-content-only/"
# Material's blocks outside the page content (base.html); a block a template lacks is ignored.
SKIMMED_BLOCKS = (
    "site_meta", "htmltitle", "styles", "libs", "fonts", "extrahead", "analytics", "hero",
    "header", "tabs", "site_nav", "footer", "scripts", "config", "outdated",
)  # fmt: skip
_SKIM_TEMPLATE = '{%% extends "%s" %%}' + "".join(
    f"{{%% block {b} %%}}{{%% endblock %%}}" for b in SKIMMED_BLOCKS
)
# bng-csp only rewrites finished pages (a policy meta); checking would parse each page twice.
SKIPPED_PLUGINS = ("search", "material/search", "bng-csp")


class _ThemeSkim:
    """Page events that route all but one page per (template, folder depth) to a content-only template."""

    def __init__(self) -> None:
        self.templates: dict[str, str] = {}
        self.seen: set[tuple[str, int]] = set()

    def page_content(self, html: str, *, page: Any, **_: Any) -> str:
        template = str(page.meta.get("template", "main.html"))
        if template.startswith(SKIM_PREFIX):  # the event can run twice for a page (Bibliography)
            return html
        depth = page.file.dest_uri.count("/")
        if (template, depth) in self.seen:
            page.meta["template"] = SKIM_PREFIX + template
            self.templates[SKIM_PREFIX + template] = _SKIM_TEMPLATE % template
        else:
            self.seen.add((template, depth))
        return html

    def env(self, env: Any, **_: Any) -> Any:
        env.loader = ChoiceLoader([DictLoader(self.templates), env.loader])
        return env


def content_region(html: str) -> str:
    """What a skimmed page keeps, read from a page built with the whole theme: Material's content
    block (the page's <article>), at its own line numbers; the whole page if it has none."""
    start = html.find('<article class="md-content__inner')
    end = html.rfind("</article>")
    if start < 0 or end < start:
        return html
    return "\n" * html.count("\n", 0, start) + html[start : end + len("</article>")]


def _skip_plugins(config: MkDocsConfig) -> None:
    skipped = [config.plugins.pop(name) for name in SKIPPED_PLUGINS if name in config.plugins]
    for handlers in config.plugins.events.values():
        handlers[:] = [h for h in handlers if getattr(h, "__self__", None) not in skipped]


def build(
    config: MkDocsConfig, *, full_theme: bool, on_page_built: Callable[[PageRecord, str], None]
) -> BuildResult:
    """Build a loaded config into its site_dir (not strict: every warning is collected, none aborts).

    ``on_page_built`` gets each page's record and HTML as MkDocs is about to write it, after every
    plugin's post_page (a plugin may still rewrite the file later, in post_build).
    """
    config["strict"] = False
    if not full_theme:
        _skip_plugins(config)  # before the handlers below are wrapped
    events = config.plugins.events
    keep_going = _KeepGoing()  # the project's handlers only: ours, added below, never fail on input
    for handlers in events.values():
        handlers[:] = [keep_going.wrap(handler) for handler in handlers]
    # The checker checks every link and anchor itself, on the built HTML and with the line it was
    # written on: MkDocs' own link validation would only repeat those findings in other words.
    config["validation"]["links"]["not_found"] = logging.DEBUG
    config["validation"]["links"]["anchors"] = logging.DEBUG
    pages: dict[str, PageRecord] = {}  # by src_uri
    record_stages(events, pages)

    def built(output: str, *, page: Any, **_: Any) -> str:
        on_page_built(_page_record(page, pages), output)
        return output

    events["post_page"].append(built)
    if not full_theme:
        skim = _ThemeSkim()
        events["page_content"].append(skim.page_content)
        events["env"].append(skim.env)

    start = time.perf_counter()
    error = None
    with mkdocs_run.collected_warnings() as logged:
        try:
            mkdocs_run.build(config)
        except Exception as failure:  # any plugin may fail on bad input; report it, keep checking the sources
            error = _one_line(failure)
    seconds = time.perf_counter() - start
    warnings = list(logged)
    if error and error.startswith("Aborted") and warnings:
        # MkDocs logs the reason, then raises a bare "Aborted with a BuildError!".
        error = " ".join(warnings.pop().text.split())
    return BuildResult(warnings, error, keep_going.errors, seconds)
