"""The link and citation checker: sources, bibliography and the built site, in one pass.

``run(Options(...))`` returns every finding; it raises ConfigError only when the project cannot be
checked at all (unreadable mkdocs.yml, no bng-citations plugin naming the bibliography). Any other
bad input becomes a finding and the remaining checks still run: a malformed or duplicate entry in
the bibliography, invalid front matter or study records, a plugin refusing one page (PluginError)
do not hide the link and citation findings on the other pages (build.py goes on past them, where
``mkdocs build`` stops at the first). After ``mkdocs build`` it reads the site that build wrote
instead of building its own, as long as the build's record holds (record.py).

Finding codes (the word in brackets at the end of each line of output):

* citations: citation-unknown-key, citation-malformed-key, citation-syntax, citation-wrapped, citation-not-rendered, bib-unused (info;
  silence with ``keep-unused = {reason}``)
* bibliography: bib-syntax, bib-duplicate-key, bib-duplicate-field, bib-same-work, bib-missing-field
  (a warning for ``metadata-status = {unverified}``), bib-doi, bib-doi-case, bib-pmid, bib-pmcid,
  bib-isbn, bib-url, bib-year, bib-urldate, bib-key-convention, bib-field-value, bib-entry-type,
  bib-missing, bib-unreadable
* studies: study-unknown-key, study-missing-record (warning), study-records-few, citation-unidentified
* pages: front-matter, review-stale (warning; ``--review-months``), review-date, page-unreadable
* nutrient-page template (template.py, errors; with bng-nutrients' ``template: true``): template-heading, template-verdict,
  template-placeholder, template-references, template-evidence, template-nutrient-id, citation-missing,
  editors-workings (on every reader page but Sources and Bibliography, front matter included), intake-in-prose
* copied-sentence (copying.py, error): eight words in a row repeating a source article
* site: link-broken, build-failed, build-warning (an error when mkdocs.yml says ``strict: true``)
* raw HTML and links (html_policy.py, errors): html-element, html-attribute (in raw HTML and attr_list's
  ``{: }``), html-url-scheme, html-comment (one a browser ends early), link-unsafe-scheme (a built
  link to javascript:, data: and the like, e.g. a Markdown ``[x](javascript:…)``)
* ``--online``: online-broken (error), online-timeout, online-rate-limited, online-blocked,
  online-error (warnings), online-redirected, online-unverifiable (info); online-unreachable
  (error, once, instead of a finding per link when the network is down)
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from boneguide import mkdocs_run
from boneguide.checks import build, content, record
from boneguide.checks.model import ConfigError, Finding, sort_findings
from boneguide.diagnostics import display_path
from boneguide.mkdocs_run import LogMessage
from boneguide.site import citations as citations_plugin
from boneguide.site.nutrients import load_studies

__all__ = ["ConfigError", "Finding", "Options", "Result", "run"]

NUTRIENT_PLUGIN = "bng-nutrients"
CITATION_PLUGIN = "bng-citations"
SOURCES_PLUGIN = "bng-sources"
# mkdocs-bibtex, whose page syntax and bib_file option bng-citations keeps: the checker still checks
# a project that renders citations with it.
MKDOCS_BIBTEX_PLUGIN = "bibtex"
# What these loggers say at WARNING or above, the checker reports itself, at the line and with a
# suggestion: bng-citations logs only unknown keys and bibliography problems.
_COVERED_LOGGERS = frozenset({citations_plugin.log.logger.name})
# mkdocs-bibtex logs more than citation problems under its name: its citation messages by wording.
_MKDOCS_BIBTEX_LOGGER = "mkdocs.plugins.mkdocs-bibtex"
_MKDOCS_BIBTEX_COVERED = re.compile(
    r"unknown (citation|reference) key|Citing unknown reference|Affixes not supported"
)


@dataclass
class Options:
    config_file: Path
    online: bool = False
    review_months: int = 24
    cache_path: Path | None = None  # default: build/linkcheck-cache.json beside mkdocs.yml
    cache_days: int = 7
    today: dt.date = field(default_factory=dt.date.today)
    online_settings: Any = None  # an online.Settings, for tests
    # Results that depend only on file contents (the bibliography's checks, formatted entries) are
    # kept here between runs; default build/check-cache beside mkdocs.yml; False: no cache.
    cache_dir: Path | Literal[False] | None = None
    full_theme: bool = False  # every page with the whole theme and every plugin (checks/build.py)
    # Read the project's own built site when `mkdocs build` left a record that still holds (record.py).
    reuse_build: bool = True
    serial: bool = False  # content checks in this process, after the build (default: beside it, content.py)


@dataclass
class Result:
    findings: list[Finding]
    timings: dict[str, float]
    # Which site was checked: the one `mkdocs build` left (and when), or a build of its own (why).
    site: str = ""


def bibliography_path(config: Any, project_dir: Path) -> Path:
    """The .bib file the citation plugin renders from: bng-citations' bib_file (else mkdocs-bibtex's).

    Read through the plugin itself, not from the first plugin that happens to have a bib_file
    option: bng-sources and bng-nutrients have one too, with a default that need not be the same.
    """
    for name in (CITATION_PLUGIN, MKDOCS_BIBTEX_PLUGIN):
        plugin = config["plugins"].get(name)
        if plugin is None:
            continue
        value = getattr(plugin, "config", {}).get("bib_file")
        if isinstance(value, str) and value.strip():
            return (project_dir / value).resolve()
        raise ConfigError(f"no bibliography named in mkdocs.yml: the {name} plugin has no 'bib_file' option")
    raise ConfigError(
        f"no bibliography named in mkdocs.yml: no {CITATION_PLUGIN} plugin "
        f"(plugins: - {CITATION_PLUGIN}: bib_file: references.bib)"
    )


def _cache_formatted_entries(config: Any, cache_dir: Path) -> None:
    """Give the citation plugin a disk cache for this build when the project configures none."""
    plugin_config = getattr(config["plugins"].get(CITATION_PLUGIN), "config", None)
    if plugin_config is not None and not plugin_config.get("cache_dir"):
        plugin_config["cache_dir"] = str(cache_dir)


def _plugin_option(config: Any, plugin_name: str, name: str, default: Any = None) -> Any:
    """An option of a plugin as the plugin holds it (its defaults applied); ``default`` without the plugin."""
    return getattr(config["plugins"].get(plugin_name), "config", {}).get(name, default)


def _nutrient_pages_prefix(config: Any) -> str | None:
    pages_dir = _plugin_option(config, NUTRIENT_PLUGIN, "pages_dir")
    return None if pages_dir is None else str(pages_dir).strip("/") + "/"


def _sources_dir(config: Any, project_dir: Path) -> Path | None:
    sources_dir = _plugin_option(config, SOURCES_PLUGIN, "sources_dir")
    return None if sources_dir is None else (project_dir / str(sources_dir)).resolve()


def _markdown_files(config: Any, docs_dir: Path, project_dir: Path) -> list[tuple[str, Path, str]]:
    """docs_dir's Markdown files, but hidden and excluded ones: src_uri, path, display path."""
    exclude = config.get("exclude_docs")
    found = []
    for path in sorted(docs_dir.rglob("*.md")):
        src_uri = path.relative_to(docs_dir).as_posix()
        if any(part.startswith(".") for part in Path(src_uri).parts):
            continue
        if exclude is not None and exclude.match_file(src_uri):
            continue
        found.append((src_uri, path, display_path(path, project_dir)))
    return found


def _is_covered(warning: LogMessage) -> bool:
    """A warning about something the checker reports itself (by who logged it, not how it is worded)."""
    if warning.logger in _COVERED_LOGGERS:
        return True
    return warning.logger == _MKDOCS_BIBTEX_LOGGER and bool(_MKDOCS_BIBTEX_COVERED.search(warning.text))


def _build_warning_finding(
    warning: LogMessage, docs_prefix: str, config_display: str, strict: bool
) -> Finding:
    """A warning MkDocs logged; an error when the project builds strictly, since that build fails on it."""
    message = warning.text
    match = re.search(r"(?:Doc file|page) '([^']+\.md)'", message)
    path = f"{docs_prefix}{match[1]}" if match else config_display
    text = " ".join(message.split())
    suffix = " (fails the strict build)" if strict else ""
    return Finding(path, 0, 0, "error" if strict else "warning", "build-warning", f"MkDocs: {text}{suffix}")


def run(options: Options) -> Result:
    with tempfile.TemporaryDirectory(prefix="bng-check-") as temporary:
        return _run(options, Path(temporary) / "site")


def _run(options: Options, site_dir: Path) -> Result:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    config_file = options.config_file.resolve() if options.config_file.exists() else options.config_file
    try:
        config = mkdocs_run.load(config_file)
    except mkdocs_run.ConfigLoadError as error:
        raise ConfigError(str(error)) from None
    project_site_dir = Path(config["site_dir"])  # what mkdocs.yml names; its own build goes elsewhere
    config["site_dir"] = str(site_dir)
    timings["config_seconds"] = time.perf_counter() - started  # mostly importing MkDocs and the plugins
    project_dir = config_file.parent
    cache_dir = None if options.cache_dir is False else options.cache_dir or project_dir / record.CHECK_CACHE
    if cache_dir is not None:
        _cache_formatted_entries(config, cache_dir / "citations")
    config_display = display_path(config_file, project_dir)
    docs_dir = Path(config["docs_dir"])
    docs_prefix = display_path(docs_dir, project_dir) + "/"

    built_site, not_reused = None, "--full-theme" if options.full_theme else "--rebuild"
    if options.reuse_build and not options.full_theme:
        built_site, not_reused = record.reusable(config_file, project_site_dir, config.get("site_url"))
    if built_site is not None:
        site_dir = built_site.site_dir

    bib_path = bibliography_path(config, project_dir)
    project = content.Project(
        bib_path,
        display_path(bib_path, project_dir),
        # --online reads fields the cached (slim) result lacks: it always parses afresh.
        None if options.online else cache_dir,
        _markdown_files(config, docs_dir, project_dir),
        docs_prefix,
        _nutrient_pages_prefix(config),
        site_dir,
        config.get("site_url"),
        options.review_months,
        options.today,
        collect_external=options.online,
        sources_dir=_sources_dir(config, project_dir),
        template_rules=bool(_plugin_option(config, NUTRIENT_PLUGIN, "template", False)),
        min_study_records=_plugin_option(config, NUTRIENT_PLUGIN, "min_study_records", {}),
    )
    in_process = content.ContentChecks(project)
    checks: content.ContentChecks | content.Background = in_process
    # Beside a build only: with the site already built there is nothing to overlap.
    if options.serial or built_site is not None or not content.can_run_in_background():
        in_process.prepare()
    else:
        checks = content.Background(in_process)  # before the build starts any thread or process
    strict = bool(config.get("strict"))  # the project's own setting; the checker's build is never strict
    try:
        if built_site is None:
            result = build.build(config, full_theme=options.full_theme, on_page_built=checks.add_page)
            timings["build_seconds"] = result.seconds
            plugin = config["plugins"].get(NUTRIENT_PLUGIN)
            validated = getattr(plugin, "nutrients", {})
            studies = list(getattr(plugin, "studies", []))
        else:
            # A strict build made it without a warning: its pages, as written; the front matter is
            # validated by the checks themselves (validated={}); the study records read as the plugin does.
            result = build.BuildResult()
            for page in built_site.pages:
                output = (site_dir / page.dest_uri).read_text(encoding="utf-8")
                in_process.add_page(page, output, content_only=page.dest_uri not in built_site.full_theme)
            validated = {}
            studies_dir = _plugin_option(config, NUTRIENT_PLUGIN, "studies_dir")
            studies = load_studies(project_dir / studies_dir, project_dir)[0] if studies_dir else []
        after_build = time.perf_counter()
        outcome = checks.finish(site_built=not result.error, validated=validated, studies=studies)
    finally:
        if isinstance(checks, content.Background):
            checks.close()
    findings = outcome.findings
    findings += [
        _build_warning_finding(w, docs_prefix, config_display, strict)
        for w in result.warnings
        if not _is_covered(w)
    ]
    # A plugin refused its input (say, invalid front matter): `mkdocs build` stops there, the
    # checker's build went on without that step, so the other pages' links and citations were checked.
    findings += [
        replace(
            failure,
            path=display_path(Path(failure.path), project_dir) if failure.path else config_display,
            message=f"the site does not build: {failure.message} (the checker built and checked the rest of the site)",
        )
        for failure in result.plugin_errors
    ]
    if result.error:
        findings.append(
            Finding(
                config_display,
                0,
                0,
                "error",
                "build-failed",
                f"the site does not build: {result.error} (links and rendered citations were not checked)",
            )
        )
    timings["site_checks_seconds"] = time.perf_counter() - after_build  # what the build left to check

    if options.online:
        from boneguide.checks import online

        online_started = time.perf_counter()
        cache_path = options.cache_path or project_dir / record.LINKCHECK_CACHE
        findings += online.check(
            outcome.external,
            cache_path,
            settings=options.online_settings,
            cache_days=options.cache_days,
            today=options.today,
            verdict_path=config_display,
        )
        timings["online_seconds"] = time.perf_counter() - online_started

    timings["total_seconds"] = time.perf_counter() - started
    timings["check_seconds_excluding_build"] = (
        timings["total_seconds"] - timings.get("build_seconds", 0.0) - timings["config_seconds"]
    )
    site = (
        f"the site mkdocs build wrote at {built_site.written} ({display_path(built_site.site_dir, project_dir)})"
        if built_site is not None
        else f"a build of its own ({not_reused})"
    )
    return Result(sort_findings(findings), timings, site)
