"""The checks of the content: the bibliography, each Markdown source, each built page.

They need nothing from MkDocs but each page's Markdown stages and HTML, so ``Background`` runs them
in a second process while MkDocs builds the pages in this one, and is given each page as it is
built: on a 1000-page project with 10,000 entries, parsing the bibliography and reading back the
HTML took as long as the build (issue 10). ``ContentChecks`` on its own does the same work in this
process (one core, or no ``fork``).
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from boneguide.bibfile import BibFile
from boneguide.checks import bibliography, build, citations, copying, html_policy, links, pages
from boneguide.checks import studies as study_checks
from boneguide.checks.build import PageRecord
from boneguide.checks.model import Finding, Target
from boneguide.citesyntax import is_well_formed_key


@dataclass
class SourcePage:
    path: Path
    display: str
    text: str | None
    is_nutrient_page: bool
    uses: list[citations.CitationUse] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


@dataclass
class Project:
    """What the content checks need to know of the project, read from its config before the build."""

    bib_path: Path
    bib_display: str
    bib_cache: Path | None  # where the bibliography's findings are kept between runs (load_and_check)
    markdown_files: list[tuple[str, Path, str]]  # src_uri, path, display path
    docs_prefix: str  # display path of docs_dir, with a trailing slash
    nutrient_prefix: str | None  # src_uri prefix of nutrient pages, if the nutrients plugin is on
    site_dir: Path
    site_url: str | None
    review_months: int
    today: Any  # datetime.date
    collect_external: bool  # locate external links, for the online check
    sources_dir: Path | None = None  # the source articles' folders, with their fingerprints (copying.py)
    template_rules: bool = False  # hold nutrient pages to the template (template.py)
    min_study_records: dict[str, int] = field(default_factory=dict)  # per nutrient id, or "default"


@dataclass
class Outcome:
    findings: list[Finding]
    # With collect_external: the links on the built pages, then the entries' URLs and identifiers.
    external: list[Target]


@dataclass
class _BuiltPage:
    record: PageRecord
    html: bytes  # as MkDocs writes it, to tell whether a plugin rewrote the file afterwards
    parsed: links.HtmlPage
    expected: Counter[str]  # citations its Markdown held (citations.stage_counts)
    findings: list[Finding]


class ContentChecks:
    """The bibliography and the sources first (prepare), then each page as it is built (add_page), then finish."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.bib = BibFile(project.bib_path, project.bib_display)
        self.bib_findings: list[Finding] = []
        self.known_keys: set[str] = set()
        self.sources: dict[str, SourcePage] = {}
        self.built: dict[str, _BuiltPage] = {}  # by dest_uri

    def prepare(self) -> None:
        project = self.project
        self.bib, self.bib_findings = bibliography.load_and_check(
            project.bib_path, project.bib_display, project.today, project.bib_cache
        )
        self.known_keys = set(self.bib.entries)
        fingerprints = copying.load_fingerprints(project.sources_dir) if project.sources_dir else {}
        prefix = project.nutrient_prefix
        for src_uri, path, display in project.markdown_files:
            is_nutrient = (
                prefix is not None and src_uri.startswith(prefix) and not src_uri.endswith("index.md")
            )
            page = SourcePage(path, display, None, is_nutrient)
            self.sources[src_uri] = page
            try:
                page.text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                page.findings.append(
                    Finding(display, 0, 0, "error", "page-unreadable", f"cannot read the page: {error}")
                )
                continue
            page.uses = citations.page_citations(page.text, display)
            page.findings += html_policy.check_page(page.text, display)
            page.findings += copying.check_page(display, page.text, fingerprints)

    def _source(self, record: PageRecord) -> tuple[str, list[citations.CitationUse]]:
        page = self.sources.get(record.src_uri)
        return (page.display, page.uses) if page else (f"{self.project.docs_prefix}{record.src_uri}", [])

    def _rendered_findings(
        self, record: PageRecord, parsed: links.HtmlPage, expected: Counter[str]
    ) -> list[Finding]:
        display, uses = self._source(record)
        return citations.check_rendered(record, parsed.tags, uses, display, self.known_keys, expected)

    def add_page(self, record: PageRecord, output: str, *, content_only: bool = False) -> None:
        """A page as MkDocs is about to write it (its post_page output); ``content_only``: check only
        its content block (build.content_region), as the checker's own build skims the theme."""
        html = output.encode("utf-8", errors="xmlcharrefreplace")  # as MkDocs encodes it
        parsed = links.parse_html(build.content_region(output) if content_only else html)
        expected = citations.stage_counts(record)
        findings = self._rendered_findings(record, parsed, expected)
        self.built[record.dest_uri] = _BuiltPage(record, html, parsed, expected, findings)

    def finish(
        self, *, site_built: bool, validated: dict[str, Any], studies: list[dict[str, Any]]
    ) -> Outcome:
        """Checks that need every page: links between them, keys no page cites, the front matter.

        ``validated``: the nutrient pages' front matter, as the nutrients plugin validated it;
        ``studies``: the study records it read (studies/*.yml).
        """
        findings = self.bib_findings + [f for page in self.sources.values() for f in page.findings]
        all_uses = [use for page in self.sources.values() for use in page.uses]
        findings += citations.check_keys(all_uses, self.bib)
        findings += self._front_matter_findings(validated)
        texts = [
            (uri, page.display, page.text) for uri, page in self.sources.items() if page.text is not None
        ]
        project = self.project
        findings += study_checks.check(
            studies, texts, project.nutrient_prefix, self.bib, project.min_study_records
        )
        typed_keys = {use.key for use in all_uses}
        cited = set(typed_keys)  # and the keys plugins generate, below
        external: list[Target] = []
        if site_built:
            external = self._built_pages_findings(findings, cited, typed_keys)
        if self.bib.readable:
            findings += citations.check_unused(self.bib, cited)
        if self.project.collect_external:
            from boneguide.checks import online

            external += online.bibliography_targets(self.bib)
        return Outcome(findings, external)

    def _built_pages_findings(
        self, findings: list[Finding], cited: set[str], typed_keys: set[str]
    ) -> list[Target]:
        """Adds the built pages' findings and generated keys; returns their external links."""
        parsed_as_written = {dest: (page.html, page.parsed) for dest, page in self.built.items()}
        html_pages, unreadable = links.load_pages(self.project.site_dir, parsed_as_written)
        findings += unreadable
        locations: dict[str, tuple[str, str | None]] = {}
        for dest_uri, built in self.built.items():
            record = built.record
            source = self.sources.get(record.src_uri)
            display, uses = self._source(record)
            locations[dest_uri] = (display, source.text if source else None)
            final = html_pages.get(dest_uri)
            if final is not None and final is not built.parsed:  # a plugin rewrote it after post_page
                built.findings = self._rendered_findings(record, final, built.expected)
            if final is not None:  # not written (empty output): no citation to look for
                findings += built.findings
            cited |= set(built.expected)
            own = {u.key for u in uses}
            for key in sorted(set(built.expected) - own - typed_keys):
                if self.bib.readable and is_well_formed_key(key) and key not in self.known_keys:
                    findings.append(
                        Finding(
                            display,
                            0,
                            0,
                            "error",
                            "citation-unknown-key",
                            f"a plugin generated a citation of unknown key '{key}' on this page",
                        )
                    )
        site_links = links.check_site(
            self.project.site_dir,
            html_pages,
            self.project.site_url,
            locations,
            collect_external=self.project.collect_external,
        )
        # A raw tag's unsafe URL is already reported at the tag (html-url-scheme); the built page's
        # check of the same link is there for Markdown links, which the raw-HTML scan does not see.
        at_tags = {(f.path, f.line) for f in findings if f.code == "html-url-scheme"}
        findings += [
            f
            for f in site_links.findings
            if not (f.code == "link-unsafe-scheme" and (f.path, f.line) in at_tags)
        ]
        return site_links.external

    def _front_matter_findings(self, validated: dict[str, Any]) -> list[Finding]:
        # The nutrients plugin validated every nutrient page it holds during the build; validating
        # those again would cost as much as the rest of the checks (YAML is slow), so only the pages
        # it did not accept (or all, without the plugin) are validated here.
        findings = []
        for src_uri, page in self.sources.items():
            if page.text is None:
                continue
            findings += pages.check_page(
                page.path,
                page.display,
                page.text,
                is_nutrient_page=page.is_nutrient_page,
                template_rules=self.project.template_rules,
                review_months=self.project.review_months,
                today=self.project.today,
                validated=validated.get(src_uri),
            )
        return findings


class ChildTraceback(Exception):
    """The content checks' own traceback, shown as the cause (as concurrent.futures does for its workers)."""

    def __str__(self) -> str:
        return "\n" + str(self.args[0])


class Background:
    """A ContentChecks in a forked process, fed each page as it is built; finish() waits for its outcome."""

    def __init__(self, checks: ContentChecks) -> None:
        context = multiprocessing.get_context("fork")  # the child starts with what this one imported
        self._inbox: Any = context.Queue()
        self._outbox: Any = context.Queue()
        self._process = context.Process(
            target=_serve, args=(checks, self._inbox, self._outbox), name="bng-content-checks", daemon=True
        )
        self._process.start()

    def add_page(self, record: PageRecord, output: str) -> None:
        self._inbox.put(("page", record, output))

    def finish(self, **arguments: Any) -> Outcome:
        """ContentChecks.finish(**arguments), in the process."""
        self._inbox.put(("finish", arguments))
        while True:
            try:
                status, payload = self._outbox.get(timeout=0.5)
                break
            except queue.Empty:
                if not self._process.is_alive() and self._outbox.empty():
                    raise RuntimeError(
                        f"the content checks' process ended without a result (exit code {self._process.exitcode})"
                    ) from None
        self._process.join()
        if status == "failed":
            last_line = payload.strip().splitlines()[-1]
            raise RuntimeError(f"in the content checks' process: {last_line}") from ChildTraceback(payload)
        return payload

    def close(self) -> None:
        """Stop the process if it is still running (the build or finish raised)."""
        if self._process.is_alive():
            self._process.terminate()
            self._process.join()
        self._inbox.close()
        self._outbox.close()


def _serve(checks: ContentChecks, inbox: Any, outbox: Any) -> None:
    try:
        checks.prepare()  # while the first pages build; they wait in the queue
        while True:
            kind, *arguments = inbox.get()
            if kind == "page":
                checks.add_page(*arguments)
            else:
                outbox.put(("done", checks.finish(**arguments[0])))
                return
    except BaseException:  # reported by the parent, which raises it there
        outbox.put(("failed", traceback.format_exc()))


def can_run_in_background() -> bool:
    """Worth a second process: two cores or more, and fork (the child starts with what we loaded)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores >= 2 and "fork" in multiprocessing.get_all_start_methods()
