"""Study records and the works reader pages rest on.

* study-unknown-key (error): a record in studies/*.yml whose key is not in the bibliography.
* study-missing-record (warning): a sentence in a nutrient page's "What studies in people show"
  that describes a trial, cohort, meta-analysis or systematic review and cites a work with no study
  record; a letter, editorial or comment (an article with a ``type``) reports no study of its own.
* study-records-few (error): a nutrient page rests on fewer study records than the bng-nutrients
  option ``min_study_records`` asks of it (``{default: n, <nutrient_id>: n}``; none without it).
* citation-unidentified (error): a reader page cites a work whose entry lacks a title, a year (or,
  for an undated web page, its address), or an author or issuing body (an identifier-only entry); the Sources and Bibliography pages, which
  list such entries on purpose, are exempt.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from boneguide import frontmatter
from boneguide.bibfile import BibFile
from boneguide.checks.citations import page_citations
from boneguide.checks.model import Finding
from boneguide.checks.template import HEADING, STUDY_SECTION, sentence_at
from boneguide.citesyntax import find_citations

# Words that say a sentence reports a study of people, so the work it cites needs a record.
STUDY_WORDS = re.compile(
    r"\b(trials?|RCTs?|randomi[sz]ed|cohort|case-control|meta-analys[ie]s|systematic reviews?|pooled analysis|follow(ed)? up|"
    r"followed)\b",
    re.I,
)
PROVENANCE_PAGES = ("sources.md", "bibliography.md")


def check(
    records: list[dict[str, Any]],
    pages: list[tuple[str, str, str]],
    nutrient_prefix: str | None,
    bib: BibFile,
    min_records: dict[str, int],
) -> list[Finding]:
    """``pages``: (src_uri, display path, text) of every readable Markdown page."""
    if not bib.readable:
        return []  # the bibliography checks report it
    findings = [
        Finding(
            record["file"],
            record["line"],
            0,
            "error",
            "study-unknown-key",
            f"study record '{record['key']}' names no entry in {bib.path.name}: add the work first",
        )
        for record in records
        if record["key"] not in bib.entries
    ]
    recorded = {record["key"] for record in records}
    for src_uri, shown, text in pages:
        if not src_uri.endswith(PROVENANCE_PAGES):
            findings += _unidentified(text, shown, bib)
        if nutrient_prefix and src_uri.startswith(nutrient_prefix):
            findings += _missing_records(text, shown, recorded, bib)
            findings += _too_few_records(Path(src_uri).stem, shown, records, min_records)
    return findings


def _too_few_records(
    nutrient_id: str, shown: str, records: list[dict[str, Any]], min_records: dict[str, int]
) -> list[Finding]:
    """Records are matched by the page's file name, which template-nutrient-id holds equal to nutrient_id."""
    count = len({r["key"] for r in records if nutrient_id in (r.get("nutrient"), *r.get("pages", []))})
    wanted = min_records.get(nutrient_id, min_records.get("default", 0))
    if count >= wanted:
        return []
    return [
        Finding(
            shown,
            1,
            0,
            "error",
            "study-records-few",
            f"{count} study record(s) in studies/ for this page, at least {wanted} expected: "
            "the verdict and grades rest on records of the studies themselves",
        )
    ]


# What is_identified and is_study read: the checker's cached copy of the bibliography keeps these fields.
IDENTIFYING_FIELDS = ("title", "author", "organization", "publisher", "institution", "year", "url", "type")


def is_identified(bib: BibFile, key: str) -> bool:
    """Title, an author or issuing body, and a year (an undated web page: its address instead)."""

    def has(name: str) -> bool:
        return bool(bib.value(key, name))

    has_author = any(has(name) for name in ("author", "organization", "publisher", "institution"))
    return has("title") and has_author and (has("year") or has("url"))


def is_study(bib: BibFile, key: str) -> bool:
    """Not a letter, editorial or comment: Citing Medicine names those kinds in an article's ``type``."""
    return not (bib.entries[key].entry_type == "article" and bib.value(key, "type"))


def _unidentified(text: str, shown: str, bib: BibFile) -> list[Finding]:
    # Where each key is cited: in the text and the front matter's key fields, as the citation
    # checks locate them; then any other key the front matter names (a block-style list), at line 1.
    uses = [use for use in page_citations(text, shown) if not use.stray]
    places = [(use.line, use.col, use.key) for use in uses]
    raw, _body, _start = frontmatter.split_front_matter(text)
    if raw:
        try:
            front = frontmatter.load_yaml(Path(shown), raw, 2)[0] or {}
        except frontmatter.FrontMatterError:  # the front-matter check reports it at its line
            front = {}
        located = {use.key for use in uses if use.generated}
        places += [(1, 0, key) for key in sorted(frontmatter.data_keys(front) - located)]
    return [
        Finding(
            shown,
            line,
            column,
            "error",
            "citation-unidentified",
            f"'{key}' has no title, year, or author or issuing body in the bibliography: readers cannot "
            "tell what it is; complete the entry from the work's own record, or cite another work",
        )
        for line, column, key in places
        if key in bib.entries and not is_identified(bib, key)
    ]


def _h2_title(line: str) -> str | None:
    """The title of an H2 heading, as template-heading reads it (an attribute list left out)."""
    match = HEADING.match(line)
    return match.group(2) if match and len(match.group(1)) == 2 else None


def _missing_records(text: str, shown: str, recorded: set[str], bib: BibFile) -> list[Finding]:
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if _h2_title(line) == STUDY_SECTION), None)
    if start is None:
        return []
    end = next((i for i in range(start + 1, len(lines)) if _h2_title(lines[i]) is not None), len(lines))
    section = "\n".join(lines[start:end])
    return [
        Finding(
            shown,
            citation.line,
            citation.column,
            "warning",
            "study-missing-record",
            f"this sentence describes a study of people and cites '{key}', which has no "
            "record in studies/: add one (design, people, dose, result, where read)",
        )
        for citation in find_citations(section, line_offset=start)
        if STUDY_WORDS.search(sentence_at(section, citation.start))
        for key in citation.keys
        if key in bib.entries and key not in recorded and is_study(bib, key)
    ]
