"""MkDocs plugin ``bng-citations``: ``[@key]`` citations -> numbered links, per-page reference lists.

Why our own plugin rather than mkdocs-bibtex 4.4.0 (archived in 2025): measured on this project
(issue 10), the stock plugin without CSL formats every cited entry again on every page (about
2.5 ms a citation, no cache), so citations cost 1.75-1.9x the whole build; it prints ``[@a; @b]``
as "34", lower-cases titles, ignores ``pmid`` and prints ``\\url{}`` literally, and its
``\\full_bibliography`` depends on page order. We keep its page syntax (``[@key]``, ``[@a; @b]``,
the ``\\bibliography`` placeholder, the ``bib_file`` option) but subclass nothing: its ``on_config``
builds a registry (and imports pypandoc, requests, validators) that we would throw away, so a thin
replacement on pybtex is less code than overriding it. What we do differently:

* the bibliography is parsed and every entry formatted once per build, and not again in
  ``mkdocs serve`` unless ``references.bib`` changed (stat check); formatted entries are also
  cached on disk by content hash (``cache_dir``), so repeated builds skip pybtex entirely;
* on a cold cache, pybtex (about 0.4 ms an entry, 4 s for 10,000, plus 2 s of formatting) runs
  in a second process while this one renders the pages: citations are numbered and checked
  against a quick regex scan of the keys; the citation links, the page's reference list and each
  entry's text wait in slots (HTML comments) filled in the page's final HTML (``on_post_page``,
  after search indexing, which then parses less markup). Nothing waits for the worker before the
  Bibliography page, which is moved to the end of the build and expanded there: pages built while
  it was still busy get their entry text at ``on_post_build`` (a rewrite of those files only);
* per page we only substitute pre-formatted HTML: cost per citation is a dict lookup.

Markup contract (the checker and tests rely on it; keep it stable):

* each citation is ``<a class="footnote-ref bng-cite__ref" id="cite-<key>-<n>" href="#ref-<key>"
  data-citation-key="<key>">N</a>`` where ``n`` counts that key's citations on the page (1, 2, ...)
  and ``N`` is the key's number on the page (order of first use). A group ``[@a; @b]`` is one
  ``<span class="bng-cite">`` holding "[1, 2]", each number its own link.
* the page's list is ``<ol class="bng-references">`` of ``<li id="ref-<key>" data-reference-key=
  "<key>">`` each with ``<p class="bng-ref">`` (the entry) and ``<p class="bng-ref__back">``
  (one back-link per citation, to ``#cite-<key>-<n>``). ``footnote-ref`` makes Material's
  ``content.footnote.tooltips`` show the entry on hover and keyboard focus.
* ids are unique within a page only (mkdocs-print-site-plugin prefixes them per page).
* ``site/data/citations.json`` records every citation: key -> page, section anchor, citation id.
"""

from __future__ import annotations

import difflib
import html
import json
import multiprocessing
import os
import re
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol, cast

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from mkdocs.config import base, config_options
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from pybtex.database import BibliographyData

from boneguide import CACHE_VERSIONS, bibfile, files, references_format
from boneguide.citesyntax import find_citations, line_in_source
from boneguide.references_format import CitedAt, FormattedBibliography, FormattedEntry
from boneguide.site import bibliography_page

log = get_plugin_logger("bng-citations")

HEADING_OR_CITE = re.compile(r'<h([1-6])\b[^>]*\bid="([^"]+)"[^>]*>(.*?)</h\1>|<!--bng-cite:(\d+)-->', re.S)
TAG = re.compile(r"<[^>]+>")


class CitationsConfig(base.Config):
    bib_file = config_options.Type(str)
    bib_command = config_options.Type(str, default="\\bibliography")
    bibliography_page = config_options.Type(str, default="bibliography.md")
    downloads_dir = config_options.Type(str, default="downloads")
    cache_dir = config_options.Optional(config_options.Type(str))  # relative to mkdocs.yml
    usage_json = config_options.Type(str, default="data/citations.json")
    # Off for readers: metadata badges, citation keys, source-article provenance and the
    # "cited on the site only" filter are editors' workings (`mkdocs serve` with it on to see them).
    editors_view = config_options.Type(bool, default=False)
    # Parse and format references.bib in a second process while pages render (see module docstring).
    parallel = config_options.Type(bool, default=True)
    # Starting the second process costs about a second: below this size, parsing here is quicker.
    parallel_from_entries = config_options.Type(int, default=2000)


@dataclass(frozen=True)
class PageCite:
    html: str
    ids: list[tuple[str, str]]  # (key, cite-<key>-<n>) of each link in it


@dataclass
class LateHtml:
    """A page's citations and reference list, put into its HTML after search indexing."""

    cites: list[PageCite]
    references: str


class PrintedPage(Protocol):
    """A page as mkdocs-print-site-plugin leaves it: with ``html``, its own copy of the page's HTML
    for the PDF (an attribute MkDocs' ``Page`` does not declare)."""

    html: str


@dataclass
class PageCitations:
    order: dict[str, int] = field(default_factory=dict)  # key -> number on this page
    occurrences: dict[str, int] = field(default_factory=dict)  # key -> citations so far


def _parse(path: Path) -> tuple[BibliographyData, list[str]]:
    """The entries pybtex can read, and a "file:line: reason" for each problem in the file.

    A bad entry (a duplicate key, a missing brace) must not stop the build: `mkdocs serve` would
    show nothing, and the checker would see no page; the other entries are still read.
    """
    try:
        data, problems = bibfile.read_data(path)
    except OSError as error:
        raise PluginError(f"{path}: cannot read the bibliography: {error}") from None
    return data, [str(problem) for problem in problems]


def _signature(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


# The cached output depends on the .bib bytes, the package's code and CACHE_VERSIONS (files.cache_file).
CACHE_KEEP = 4  # newest cache files kept per folder (one per bibliography a project builds)


def _cache_file(path: Path, cache_dir: Path) -> Path:
    return files.cache_file(cache_dir, "", [path.read_bytes()])


def cached_bibliography(path: Path, cache_dir: Path | None) -> FormattedBibliography | None:
    """The formatted bibliography from the disk cache, if it holds these exact bytes."""
    if cache_dir is None:
        return None
    cache_file = _cache_file(path, cache_dir)
    if not cache_file.is_file():
        return None
    payload = files.read_cache(cache_file)
    try:
        entries = {
            key: FormattedEntry(
                **{
                    **fields,
                    "sort_key": tuple(fields["sort_key"]),
                    "cited_in": tuple(tuple(pair) for pair in fields["cited_in"]),
                }
            )
            for key, fields in payload["entries"].items()
        }
        csl_json, problems = payload["csl_json"], list(payload["problems"])
    except (KeyError, TypeError):  # a stale or torn cache is only a lost speed-up
        log.debug("ignoring unreadable citation cache %s", cache_file)
        return None
    return FormattedBibliography(path, _signature(path), entries, csl_json, problems)


def load_bibliography(path: Path, cache_dir: Path | None = None) -> FormattedBibliography:
    """Parse and format every entry; reuse the disk cache when the file's bytes are unchanged."""
    signature = _signature(path)
    cached = cached_bibliography(path, cache_dir)
    if cached is not None:
        return cached
    cache_file = _cache_file(path, cache_dir) if cache_dir is not None else None
    data, problems = _parse(path)
    entries = {key: references_format.format_entry(key, entry) for key, entry in data.entries.items()}
    csl = [references_format.to_csl_json(key, entry) for key, entry in data.entries.items()]
    # One entry per line: compact for 10,000 entries, still diffable.
    csl_json = "[\n" + ",\n".join(json.dumps(item, ensure_ascii=False) for item in csl) + "\n]\n"
    if cache_file is not None:
        payload = {
            "versions": list(CACHE_VERSIONS),
            "entries": {key: asdict(entry) for key, entry in entries.items()},
            "csl_json": csl_json,
            "problems": problems,
        }
        if not files.write_cache(cache_file, payload, keep=CACHE_KEEP):
            log.debug("could not write citation cache %s", cache_file)
    return FormattedBibliography(path, signature, entries, csl_json, problems)


# Tests name a file here to hold the worker until the build first waits for it (the file appears
# then), so that the pages built before are built without their entries, on any machine's speed.
WORKER_GATE = "BNG_CITATIONS_TEST_WORKER_GATE"


def _load_in_worker(path: Path, cache_dir: Path | None) -> FormattedBibliography:
    if gate := os.environ.get(WORKER_GATE):
        deadline = time.monotonic() + 60
        while not Path(gate).exists() and time.monotonic() < deadline:
            time.sleep(0.01)
    return load_bibliography(path, cache_dir)


def citation_html(keys: list[str], page_state: PageCitations) -> PageCite:
    links, ids = [], []
    for key in keys:
        number = page_state.order.setdefault(key, len(page_state.order) + 1)
        occurrence = page_state.occurrences.get(key, 0) + 1
        page_state.occurrences[key] = occurrence
        cite_id = f"cite-{key}-{occurrence}"
        ids.append((key, cite_id))
        links.append(
            f'<a class="footnote-ref bng-cite__ref" id="{cite_id}" href="#ref-{key}" '
            f'data-citation-key="{key}" aria-label="Reference {number}">{number}</a>'
        )
    # Brackets as entities: Markdown must not read "[...]" around our links as link syntax.
    return PageCite('<span class="bng-cite">&#91;' + ", ".join(links) + "&#93;</span>", ids)


def _backref_label(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(97 + remainder) + letters
    return letters


ENTRY_SLOT = re.compile(r"<!--bng-ref:([a-z0-9]+)-->")
LIST_SLOT = "<!--bng-references-->"
PAGE_SLOT = re.compile(r"<!--bng-(?:cite:(\d+)|references)-->")  # a citation's links, or the list


def reference_list_html(page_state: PageCitations) -> str:
    """The page's list, each entry's text left as a slot (``<!--bng-ref:key-->``) filled later."""
    items = []
    for key, number in page_state.order.items():
        count = page_state.occurrences[key]
        if count == 1:
            back = f'<a href="#cite-{key}-1" aria-label="Back to citation {number} in the text">↩</a>'
        else:
            back = "↩ " + " ".join(
                f'<a href="#cite-{key}-{n}" aria-label="Back to citation {number}, use {n} of {count}">'
                f"{_backref_label(n - 1)}</a>"
                for n in range(1, count + 1)
            )
        items.append(
            f'<li id="ref-{key}" value="{number}" data-reference-key="{key}">'
            f'<p class="bng-ref"><!--bng-ref:{key}--></p><p class="bng-ref__back">{back}</p></li>'
        )
    return '<ol class="bng-references">\n' + "\n".join(items) + "\n</ol>"


FRAGMENT_OPEN, FRAGMENT_CLOSE = "\ue010", "\ue011"  # private-use characters: never in a page
FRAGMENT = re.compile(f"{FRAGMENT_OPEN}(\\d+){FRAGMENT_CLOSE}")


class _StashPreprocessor(Preprocessor):
    def __init__(self, md: Markdown, plugin: CitationsPlugin) -> None:
        super().__init__(md)
        self.plugin = plugin

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if FRAGMENT_OPEN not in text:
            return lines
        fragments = self.plugin._fragments
        return FRAGMENT.sub(lambda m: self.md.htmlStash.store(fragments[int(m[1])]), text).split("\n")


class StashFragments(Extension):
    """Hands our HTML to Python-Markdown's raw-HTML stash before its HTML block parser runs.

    Raw HTML typed into the Markdown would work too, but Python-Markdown then runs html.parser
    over the whole page, about 30 ms a page with ten citations: more than the rest of our work.
    """

    def __init__(self, plugin: CitationsPlugin) -> None:
        super().__init__()
        self.plugin = plugin

    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.register(_StashPreprocessor(md, self.plugin), "bng_citations_stash", 25)


class CitationsPlugin(BasePlugin[CitationsConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self._bibliography: FormattedBibliography | None = None
        self._pending: Future[FormattedBibliography] | None = None
        self._known_keys: set[str] = set()
        self._csl_file: File | None = None
        self.cited_at: dict[str, list[CitedAt]] = {}
        self.pages: dict[str, Page] = {}
        self.cited_lines: dict[tuple[str, str], int] = {}  # (src_uri, key) -> line, for late checks
        # (src_uri, key) rendered while the worker was busy, on the quick key scan's word alone.
        self._unconfirmed: set[tuple[str, str]] = set()
        self.files: Files | None = None
        self._bibliography_slots: dict[str, str] = {}
        self._fragments: list[str] = []  # the current page's HTML, handed to StashFragments
        self._late_html: dict[str, LateHtml] = {}  # by src_uri: what goes into the slots
        # Built while the worker was busy: entry text is filled in at on_post_build.
        self._unfilled_pages: list[PrintedPage] = []
        self._search_summaries: dict[str, str] = {}  # by src_uri: summary HTML added for indexing only
        self._unfilled_files: list[Path] = []

    @property
    def bibliography(self) -> FormattedBibliography:
        """The formatted bibliography (from on_config on), waiting for the worker if it is still busy."""
        if self._pending is not None:
            if gate := os.environ.get(WORKER_GATE):
                Path(gate).touch()
            pending, self._pending = self._pending, None
            try:
                bibliography = pending.result()
            except PluginError:
                raise
            except Exception as error:  # e.g. the worker could not start: do the work here
                log.debug("citation worker failed (%s); parsing in this process", error)
                bibliography = load_bibliography(self._bib_path, self._cache_dir)
            self._use(bibliography)
        assert self._bibliography is not None
        return self._bibliography

    def _use(self, bibliography: FormattedBibliography) -> None:
        """Render with ``bibliography`` and log what is wrong in it."""
        self._bibliography = bibliography
        self._known_keys = set(bibliography.entries)
        for problem in bibliography.problems:
            log.error(problem)

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Defining on_startup keeps this object across `mkdocs serve` rebuilds, and its cache."""

    def on_config(self, config: Any) -> Any:
        config_dir = Path(config.config_file_path).parent
        bib_path = (config_dir / self.config.bib_file).resolve()
        if not bib_path.is_file():
            raise PluginError(f"{config.config_file_path}: bng-citations bib_file {bib_path} does not exist")
        if not any(isinstance(e, StashFragments) for e in config.markdown_extensions):
            config.markdown_extensions.append(StashFragments(self))
        self._bib_path = bib_path
        # `mkdocs serve` watches only docs_dir and mkdocs.yml by itself: rebuild on a bibliography edit too.
        if str(bib_path) not in config["watch"]:
            config["watch"].append(str(bib_path))
        self._cache_dir = (config_dir / self.config.cache_dir) if self.config.cache_dir else None
        current = self._bibliography if self._pending is None else None
        if current is not None and current.path == bib_path and current.signature == _signature(bib_path):
            self._use(current)  # every build says what is wrong, not only the first after the edit
            return config  # mkdocs serve, references.bib unchanged: nothing to parse or format
        self._bibliography = cached_bibliography(bib_path, self._cache_dir)
        if (
            self._bibliography is None
            and self.config.parallel
            and len(keys := bibfile.quick_keys(bib_path)) >= self.config.parallel_from_entries
        ):
            # pybtex needs ~0.4 ms an entry: 4 s for 10,000 entries. A second process does it
            # while this one renders pages; nothing waits for it before the Bibliography page.
            self._known_keys = keys
            pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            self._pending = pool.submit(_load_in_worker, bib_path, self._cache_dir)
            pool.shutdown(wait=False)  # returns now; the pool goes once the future is done
        else:
            self._use(self._bibliography or load_bibliography(bib_path, self._cache_dir))
        return config

    def _stash(self, fragment: str) -> str:
        """A token for HTML that Markdown must pass through untouched (see StashFragments)."""
        self._fragments.append(fragment)
        return f"{FRAGMENT_OPEN}{len(self._fragments) - 1}{FRAGMENT_CLOSE}"

    def on_files(self, files: Files, *, config: Any) -> Files:
        self.cited_at, self.pages, self.cited_lines, self._unconfirmed = {}, {}, {}, set()
        self._late_html = {}
        self._unfilled_pages, self._unfilled_files = [], []
        self.files = files
        downloads = self.config.downloads_dir.strip("/")
        files.append(File.generated(config, f"{downloads}/references.bib", abs_src_path=str(self._bib_path)))
        self._csl_file = File.generated(config, f"{downloads}/references.csl.json", content="")
        files.append(self._csl_file)
        # Render the Bibliography page last, so the worker has the whole bibliography ready by then.
        bibliography_file = files.get_file_from_path(self.config.bibliography_page)
        if bibliography_file is not None:
            files.remove(bibliography_file)
            files.append(bibliography_file)
        return files

    def _unknown_key(self, page: Page, key: str, line: int) -> str:
        """The warning for a key not in the bibliography; ``line`` is in the source file, 0 when
        the citation came from a table another plugin generated from front matter."""
        where = "" if line else " (in generated content)"
        close = difflib.get_close_matches(key, sorted(self._known_keys), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        what = f"unknown citation key '{key}'" if key else "empty citation key ('[@]' or ';;')"
        return f"{page.file.src_path}:{line or 1}: {what}{where} (not in {self.config.bib_file}){hint}"

    def on_page_markdown(self, markdown: str, *, page: Page, config: Any, files: Files) -> str:
        src_uri = page.file.src_uri
        self._fragments = []
        entries = self._known_keys
        state = PageCitations()
        cites: list[PageCite] = []
        pieces: list[str] = []
        position = 0
        reported: set[str] = set()
        citations = find_citations(markdown)
        # The source's own citations, to give each warning its line in the file the editor opens
        # (parsed once per page, and only for pages that cite anything).
        source_citations = find_citations(page.file.content_string) if citations else []
        for index, citation in enumerate(citations):
            known = [key for key in citation.keys if key in entries]
            if self._pending is not None:
                self._unconfirmed.update((src_uri, key) for key in known)
            for key in citation.keys:
                if (src_uri, key) not in self.cited_lines or (key not in entries and key not in reported):
                    # Located in the source file, not in this (front-matter-less, generated-into) text.
                    line = line_in_source(source_citations, citations, index) or 0
                    self.cited_lines.setdefault((src_uri, key), line)
                if key not in entries and key not in reported:
                    reported.add(key)  # once per page and key: the first place is enough to fix it
                    log.warning(self._unknown_key(page, key, line))
            pieces.append(markdown[position : citation.start])
            if known:
                # A slot, like the list: the search plugin need not parse the links (see on_post_page).
                cites.append(citation_html(known, state))
                pieces.append(self._stash(f"<!--bng-cite:{len(cites) - 1}-->"))
            else:
                pieces.append(html.escape(citation.raw))
            position = citation.end
        pieces.append(markdown[position:])
        markdown = "".join(pieces)
        references = ""
        if state.order:
            references = self._stash(LIST_SLOT)
            self._late_html[src_uri] = LateHtml(cites, reference_list_html(state))
            self.pages[src_uri] = page
        command = re.compile(rf"^[ \t]*{re.escape(self.config.bib_command)}[ \t]*$", re.M)
        markdown, placed = command.subn(lambda _m: "\n" + references + "\n", markdown)
        if references and not placed:
            markdown += "\n\n## References\n\n" + references + "\n"
        return markdown

    def on_page_content(self, html_text: str, *, page: Page, config: Any, files: Files) -> str:
        """Locate each citation under its section heading, for the Bibliography page's "cited in" links."""
        late = self._late_html.get(page.file.src_uri)
        if late is None:
            return html_text
        section_id, section_title = "", page.title or ""
        for match in HEADING_OR_CITE.finditer(html_text):
            if match.group(2):
                section_id = match.group(2)
                # Under the page's own h1 the page title says it all.
                heading = html.unescape(TAG.sub("", match.group(3))).replace("¶", "").strip()
                section_title = "" if match.group(1) == "1" else heading
            else:
                for key, cite_id in late.cites[int(match.group(4))].ids:
                    self.cited_at.setdefault(key, []).append(
                        CitedAt(page.file.src_uri, cite_id, section_id, section_title)
                    )
        return html_text

    def _late_checks(self, bibliography: FormattedBibliography) -> None:
        for src_uri, key in sorted(self._unconfirmed):
            # The quick key scan and pybtex can disagree only on a malformed entry: pybtex decides.
            if key not in bibliography.entries:
                # The key was known to the quick scan, so the page has a list and is in self.pages.
                log.warning(self._unknown_key(self.pages[src_uri], key, self.cited_lines[(src_uri, key)]))

    def _fill_page(self, text: str, src_uri: str) -> tuple[str, bool]:
        """Citation links and the reference list into their slots, in one pass over the page; and
        whether the entries' text is in too (not while the worker is busy: see on_post_build)."""
        late = self._late_html[src_uri]
        ready = self._pending is None or self._pending.done()  # the bibliography is had without waiting
        references = self._fill_entries(late.references) if ready else late.references
        return PAGE_SLOT.sub(lambda m: late.cites[int(m[1])].html if m[1] else references, text), ready

    def _fill_entries(self, text: str) -> str:
        entries = self.bibliography.entries
        editors = self.config.editors_view

        def entry_html(match: re.Match[str]) -> str:
            entry = entries.get(match[1])
            if entry is None:
                return ""
            return entry.html + entry.flag_html if editors else entry.html

        return ENTRY_SLOT.sub(entry_html, text)

    def _expand_bibliography_page(self, page: Page, config: Any) -> dict[str, str]:
        """Render the Bibliography page's Markdown again, now with a heading per kind of work; return
        its slots' HTML (bibliography_page.render_slots).

        Its headings need every entry's kind, so it is expanded last, when the worker has long
        finished, rather than when MkDocs first reads it (mid-build, where we would wait).
        """
        bibliography = self.bibliography
        assert self.files is not None
        if page.markdown is not None and bibliography_page.MARKER in page.markdown:
            page.markdown = bibliography_page.expand_markdown(page.markdown, page, bibliography, self.config)
            page.render(config, self.files)
            page.content = config.plugins.on_page_content(
                page.content, page=page, config=config, files=self.files
            )
        sources = self.files.get_file_from_path(bibliography_page.SOURCES_PAGE)
        return bibliography_page.render_slots(
            page,
            bibliography,
            self.cited_at,
            self.pages,
            sources.page if sources is not None else None,
            editors_view=self.config.editors_view,
        )

    @event_priority(50)  # early: other plugins (search, print-site) see the filled copy
    def on_page_context(self, context: Any, *, page: Page, config: Any, nav: Any) -> Any:
        src_uri = page.file.src_uri
        # mkdocs-print-site-plugin keeps its own copy of each page's HTML for the PDF: fill it too.
        printed = cast(PrintedPage, page)  # used only where page.html is a str
        if src_uri in self._late_html and isinstance(getattr(page, "html", None), str):
            printed.html, filled = self._fill_page(printed.html, src_uri)
            if not filled:
                self._unfilled_pages.append(printed)
        self._add_search_summary(page)
        if src_uri == self.config.bibliography_page:
            self._bibliography_slots = self._expand_bibliography_page(page, config)
            if isinstance(getattr(page, "html", None), str):
                printed.html = bibliography_page.fill(printed.html, self._bibliography_slots)
        return context

    def _add_search_summary(self, page: Page) -> None:
        """Put the page's summary where the search plugin (next) indexes the page's own entry.

        A nutrient page starts with its H1 and then "Key points", so its page-level search entry
        had no text and a result for the page itself showed only a title. The summary (front
        matter ``description``) goes after the H1 for indexing only; ``on_post_page`` takes it out
        of the HTML again, so readers and the PDF (which keeps its own copy) never see it twice.
        """
        summary = page.meta.get("description") if page.meta else None
        if not isinstance(summary, str) or not summary.strip() or not page.content:
            return
        marker = f'<p class="bng-search-summary">{html.escape(summary.strip(), quote=False)}</p>'
        if "</h1>" in page.content:
            page.content = page.content.replace("</h1>", "</h1>" + marker, 1)
            self._search_summaries[page.file.src_uri] = marker

    def on_post_page(self, output: str, *, page: Page, config: Any) -> str:
        """Reference lists go into the final HTML only, after the search plugin has indexed the page.

        Measured at 1000 pages x 10 citations, indexing every page's reference list cost about 8%
        of the build (the entry text), parsing the lists' and links' markup another 15%, and it put
        the same titles in search results once per citing page; readers search the bibliography
        with the Bibliography page's filter instead. Citation numbers ("[1, 2]") are not indexed.
        """
        if marker := self._search_summaries.pop(page.file.src_uri, None):
            output = output.replace(marker, "", 1)
        if page.file.src_uri in self._late_html:
            output, filled = self._fill_page(output, page.file.src_uri)
            if not filled:  # the worker is still formatting: this page's entries are filled at on_post_build
                self._unfilled_files.append(Path(page.file.abs_dest_path))
        if page.file.src_uri == self.config.bibliography_page and self._bibliography_slots:
            output = bibliography_page.fill(output, self._bibliography_slots)
            self._bibliography_slots = {}
        return output

    @event_priority(100)  # first: print-site's PDF page reads the page copies filled here
    def on_post_build(self, *, config: Any) -> None:
        bibliography = self.bibliography
        self._late_checks(bibliography)
        for page in self._unfilled_pages:
            page.html = self._fill_entries(page.html)
        for path in self._unfilled_files:
            path.write_text(self._fill_entries(path.read_text(encoding="utf-8")), encoding="utf-8")
        self._unfilled_pages, self._unfilled_files = [], []
        if self._csl_file is not None:
            # Written here, not when MkDocs copies files: the worker may still have been busy then.
            self._csl_file.content_string = bibliography.csl_json
            Path(self._csl_file.abs_dest_path).write_text(bibliography.csl_json, encoding="utf-8")
        target = Path(config["site_dir"]) / self.config.usage_json
        target.parent.mkdir(parents=True, exist_ok=True)
        usage = {
            key: [
                {
                    "page": self.pages[c.src_uri].url,
                    "src": c.src_uri,
                    "section": c.section_id,
                    "citation": c.cite_id,
                }
                for c in places
            ]
            for key, places in sorted(self.cited_at.items())
        }
        # One key a line: json's C encoder (indent= falls back to pure Python, 0.3 s at 10,000 keys).
        lines = [
            f"{json.dumps(key)}: {json.dumps(places, ensure_ascii=False)}" for key, places in usage.items()
        ]
        target.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
