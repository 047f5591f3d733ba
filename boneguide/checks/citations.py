"""Citations: every key exists, every citation is rendered in the built HTML, unused entries listed."""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from boneguide import frontmatter
from boneguide.bibfile import BibFile
from boneguide.checks.build import PageRecord
from boneguide.checks.html_scan import Tag
from boneguide.checks.model import Finding
from boneguide.citesyntax import find_citations, find_stray_citations, is_well_formed_key

# Front-matter fields that name bibliography keys (frontmatter.KEY_FIELDS and KEY_LISTS, which
# data_keys reads), in block or flow style: "source: key", "- {..., source: key}", "studies: [a, b]".
# A field starts a line (after any "- ") or follows the "{" or "," of a flow mapping.
_FIELD_START = r"(?:^[ \t]*(?:-[ \t]+)?|[{,][ \t]*)"
_FRONT_MATTER_KEY_FIELD = re.compile(
    _FIELD_START + rf"(?:{'|'.join(frontmatter.KEY_FIELDS)}):[ \t]*[\"']?(?P<key>[^\s\"',{{}}\[\]#]+)"
)
_FRONT_MATTER_KEY_LIST = re.compile(
    _FIELD_START + rf"(?:{'|'.join(frontmatter.KEY_LISTS)}):[ \t]*\[(?P<keys>[^\]\"'#]*)\]"
)
_LIST_ITEM = re.compile(r"[^\s,]+")


def _is_field(line: str, start: int) -> bool:
    """Not text: "…, source: x" in a quoted note or after a comment's "#" is no field."""
    before = line[:start]
    return before.count('"') % 2 == 0 and not re.search(r"(^|\s)#", before)


def _front_matter_keys(line: str) -> list[tuple[int, str]]:
    """(1-based column, key) of each key the line's fields name."""
    found = [
        (m.start("key") + 1, m["key"])
        for m in _FRONT_MATTER_KEY_FIELD.finditer(line)
        if _is_field(line, m.start())
    ]
    for match in _FRONT_MATTER_KEY_LIST.finditer(line):
        if _is_field(line, match.start()):
            found += [
                (match.start("keys") + k.start() + 1, k.group()) for k in _LIST_ITEM.finditer(match["keys"])
            ]
    return sorted(found)


@dataclass(frozen=True)
class CitationUse:
    path: str  # display path of the Markdown file
    line: int
    col: int
    key: str
    generated: bool = False  # in front matter, rendered by a plugin rather than typed in the prose
    stray: str = ""  # "[see @key]", "[-@key]", "@key": meant as a citation, printed as text
    wrapped: bool = False  # the first key of a citation broken across lines


def page_citations(text: str, display_path: str) -> list[CitationUse]:
    """Citations typed in a page: in its body, and in its front matter (which plugins render)."""
    raw_front, body, body_start = frontmatter.split_front_matter(text)
    uses: list[CitationUse] = []
    if raw_front is not None:
        for citation in find_citations(raw_front, line_offset=1, indented_code=False):
            uses += [
                CitationUse(display_path, citation.line, citation.column, k, True) for k in citation.keys
            ]
        for number, line in enumerate(raw_front.splitlines(), start=2):
            uses += [
                CitationUse(display_path, number, col, key, True) for col, key in _front_matter_keys(line)
            ]
    for citation in find_citations(body, line_offset=body_start - 1):
        wrapped = "\n" in citation.raw
        uses += [
            CitationUse(display_path, citation.line, citation.column, k, wrapped=wrapped and n == 0)
            for n, k in enumerate(citation.keys)
        ]
    for stray in find_stray_citations(body, line_offset=body_start - 1):
        uses.append(CitationUse(display_path, stray.line, stray.column, stray.key, stray=stray.raw))
    return uses


def _stray_message(use: CitationUse) -> str:
    if use.stray.startswith("["):
        return (
            f"'{use.stray}' is printed as text, not as a citation: prefixes, locators and '-@' are "
            f"not supported; write [@{use.key}] and put any words outside the brackets"
        )
    return (
        f"'{use.stray}' is printed as text, not as a citation: write [@{use.key}] to cite, or put it "
        "in `code` if it is not a citation"
    )


def _did_you_mean(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key.lower(), known, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_keys(uses: list[CitationUse], bib: BibFile) -> list[Finding]:
    known = sorted(bib.entries)
    findings = []
    for use in uses:
        where = "front-matter citation" if use.generated else "citation"
        if use.stray:
            findings.append(
                Finding(use.path, use.line, use.col, "error", "citation-syntax", _stray_message(use))
            )
            continue
        if use.wrapped:
            # Stock mkdocs-bibtex leaves a wrapped [@a;\n @b] as text; the pages stay buildable with it.
            findings.append(
                Finding(
                    use.path,
                    use.line,
                    use.col,
                    "error",
                    "citation-wrapped",
                    "this citation is broken across lines: keep each [@...] on one line "
                    "(mkdocs-bibtex prints a wrapped one as text)",
                )
            )
        if not is_well_formed_key(use.key):
            code = "citation-malformed-key"
            message = (
                f"{where} key '{use.key}' is malformed: keys are lowercase letters and digits only, "
                f"one '@' per key, groups separated by ';'"
            )
        elif bib.readable and use.key not in bib.entries:
            code = "citation-unknown-key"
            message = f"unknown {where} key '{use.key}': not in {bib.display_path}"
        else:
            continue
        message += _did_you_mean(use.key, known)
        findings.append(Finding(use.path, use.line, use.col, "error", code, message))
    return findings


def rendered_citation_counts(tags: Iterable[Tag]) -> Counter[str]:
    """How many rendered citations of each key a built page holds.

    THE one place that knows what a rendered citation looks like (renderer-agnostic on purpose):
    an element with ``data-citation-key="key"`` (boneguide/site/citations.py, our renderer, marks
    every citation so); on pages without any such attribute, an in-page link whose fragment has the
    key as a token, such as mkdocs-bibtex's footnote reference ``<a href="#fn:key">``; footnote
    back-links (class ``footnote-backref``) are not citations.
    """
    by_attribute: Counter[str] = Counter()
    by_href: Counter[str] = Counter()
    for tag in tags:
        values = tag.attributes
        if values.get("data-citation-key"):
            by_attribute.update(values["data-citation-key"].split())
        href = values.get("href", "")
        if tag.name == "a" and href.startswith("#") and "backref" not in values.get("class", ""):
            by_href.update(set(re.split(r"[^a-z0-9]+", href[1:])) - {""})
    return by_attribute if by_attribute else by_href


def stage_counts(record: PageRecord) -> Counter[str]:
    """Per key, the most citations the page's Markdown held at any plugin step (typed + generated)."""
    if record.citation_counts is not None:
        return record.citation_counts
    best: Counter[str] = Counter()
    for markdown in dict.fromkeys(record.stages):  # plugins that change nothing leave equal stages
        best |= Counter(k for c in find_citations(markdown) for k in c.keys)  # |: the larger count
    return best


def check_rendered(
    record: PageRecord,
    tags: Iterable[Tag],
    uses: list[CitationUse],
    display_path: str,
    known_keys: set[str],
    expected: Counter[str],
) -> list[Finding]:
    """Citations the page's Markdown held (``expected``: its stage_counts) but its HTML lacks.

    Unknown keys are reported elsewhere.
    """
    rendered = rendered_citation_counts(tags)
    findings = []
    for key, count in sorted(expected.items()):
        if key not in known_keys or rendered[key] >= count:
            continue
        positions = [u for u in uses if u.key == key and not u.stray] or [
            CitationUse(display_path, 1, 0, key, True)
        ]
        typed = any(not u.generated for u in positions)
        origin = "" if typed else " (generated by a plugin)"
        if rendered[key] == 0:
            where = positions if typed else positions[:1]
            message = (
                f"citation '{key}'{origin} does not appear as a rendered citation in the built "
                f"page {record.dest_uri}"
            )
        else:
            where = positions[-1:]
            message = (
                f"only {rendered[key]} of {count} citations of '{key}'{origin} appear rendered in the "
                f"built page {record.dest_uri}"
            )
        findings += [
            Finding(use.path, use.line, use.col, "error", "citation-not-rendered", message) for use in where
        ]
    return findings


def check_unused(bib: BibFile, cited: set[str]) -> list[Finding]:
    findings = []
    for key, entry in bib.entries.items():
        if key in cited or bib.value(key, "keep-unused"):
            continue
        findings.append(
            Finding(
                bib.display_path,
                entry.key_line,
                entry.key_col,
                "info",
                "bib-unused",
                f"entry '{key}' is not cited on any page (add keep-unused = {{reason}} to keep it on purpose)",
            )
        )
    return findings
