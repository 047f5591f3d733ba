"""Source articles' citation lists (``sources/<id>/``) -> citations, unresolved items and issues.

Three formats, named in each source's ``source.yml`` (``format:``):

* ``vancouver``: ``N. Authors. Title. Journal. Year;Vol(Issue):Pages.`` one item a line, perhaps
  followed (as PubMed prints it) by ``doi: ...``, ``Epub ...``, ``PMID: ...``, ``PMCID: ...``, whose
  identifiers are kept. A web page reads ``N. Title. Available at: URL. Accessed ...``; an item that
  reads only "Available at: Accessed ..." lost its source in the capture: unresolved.
* ``link-list``: ``references.txt`` holds every link of the page in document order and
  ``markers.txt`` the in-text marker groups in document order (``1 2 3`` a line). Each marker
  occurrence takes the next link that is not one of the publisher's own pages.
* ``markers-only``: the markers were captured but not the list: ``N.`` a line, or
  ``label. named in text: Title`` for a work the article names in its text.

Every item keeps its file and line so that a malformed line is reported as ``file:line`` and skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from boneguide.diagnostics import Finding
from boneguide.identifiers import (
    DOI_RE,
    ID_FIELDS,
    URL_RE,
    identifiers_from_url,
    normalise_doi,
    normalise_pmcid,
    normalise_pmid,
    repair_url,
)
from boneguide.keys import title_words

FORMATS = ("vancouver", "link-list", "markers-only")


@dataclass
class Citation:
    """One occurrence of a cited work in a source: its marker, the raw text and what it names."""

    source_id: str
    marker: str
    occurrence: int
    raw: str
    path: str
    line: int
    identifiers: dict[str, str] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return f"{self.source_id}:{self.marker}"


@dataclass
class Unresolved:
    source_id: str
    marker: str
    reason: str
    path: str
    line: int
    raw: str = ""


@dataclass
class Inconsistency:
    """A marker that points to different works at different places of the same article."""

    source_id: str
    marker: str
    occurrences: list[tuple[int, str]]  # (occurrence number, canonical identifier or URL)

    def describe(self) -> str:
        parts = ", ".join(f"occurrence {n}: {target}" for n, target in self.occurrences)
        return f"{self.source_id} marker {self.marker} maps to different works ({parts})"


@dataclass
class SourceList:
    source_id: str
    meta: dict[str, Any]
    citations: list[Citation] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)
    issues: list[Finding] = field(default_factory=list)
    inconsistencies: list[Inconsistency] = field(default_factory=list)
    skipped_links: int = 0

    @property
    def markers(self) -> list[str]:
        """Distinct markers (list items), in marker order."""
        markers = dict.fromkeys([c.marker for c in self.citations] + [u.marker for u in self.unresolved])
        return sorted(markers, key=marker_sort_key)

    def add_issue(self, path: Path, line: int, message: str) -> None:
        """A malformed input line or an alignment problem in the lists: reported, then skipped."""
        self.issues.append(Finding(str(path), line, 0, "warning", "source-list", message))

    def add_unresolved(self, marker: str, reason: str, path: Path, line: int, raw: str = "") -> None:
        self.unresolved.append(Unresolved(self.source_id, marker, reason, str(path), line, raw))


def marker_sort_key(marker: str) -> tuple[int, int, str]:
    return (0, int(marker), "") if marker.isdigit() else (1, 0, marker)


def normalised_title(title: str) -> str:
    """Case, accents, punctuation and stopwords ignored: 'ESPEN guideline: Clinical ...' matches
    'ESPEN guideline on clinical ...'."""
    return " ".join(title_words(title))


# --- Vancouver -----------------------------------------------------------------------------------

ITEM_RE = re.compile(r"^\s*(?P<marker>\d+|[a-z][a-z0-9-]*)\.(?:\s+(?P<text>.*?))?\s*$")
LOST_RE = re.compile(r"(?:^|\s)Available (?:at|from):?\s*(?:Accessed\b.*)?$", re.IGNORECASE)
LOST_REASON = "no source recoverable ('Available at:' with no URL)"
TAIL_RE = re.compile(
    r"^(?P<head>.*?)\.?\s+(?P<year>(?:19|20)\d{2})(?P<date>(?:\s+[A-Za-z0-9-]+){0,3})\s*;\s*"
    r"(?P<volume>[^(:;]*?)\s*(?:\((?P<issue>[^)]*)\))?\s*(?::\s*(?P<pages>[^.;]*?))?\s*\.?\s*$"
)
YEAR_RE = re.compile(r"\b(?:19|20)\d{2}\b")
# Where an item's citation proper ends and its identifiers, dates and links begin.
TRAILER_RE = re.compile(
    r"(?:^|\s)[(\[]?(?:doi:|https?://|PMID:|PMCID:|Epub\b|Available (?:at|from):)", re.IGNORECASE
)
URL_IN_TEXT_RE = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
PMID_IN_TEXT_RE = re.compile(r"\bPMID:?\s*(\d{1,9})\b")
PMCID_IN_TEXT_RE = re.compile(r"\bPMC\d{1,9}\b")


def strip_trailer(text: str) -> str:
    """The item without what follows the citation proper ('doi: ...', 'PMID: ...', 'Epub ...',
    'Available at: URL. Accessed ...')."""
    m = TRAILER_RE.search(text)
    return text[: m.start()].strip() if m else text


def trim_punctuation(text: str) -> str:
    """'10.1016/j.x.1).' -> '10.1016/j.x.1': the sentence's punctuation after an identifier or link,
    and a closing bracket it does not open ('10.1016/S0140-6736(20)30183-5' keeps its own)."""
    while True:
        trimmed = text.rstrip(".,;:")
        for opening, closing in ("()", "[]"):
            if trimmed.endswith(closing) and trimmed.count(closing) > trimmed.count(opening):
                trimmed = trimmed[:-1]
        if trimmed == text:
            return text
        text = trimmed


def identifiers_in_item(text: str) -> dict[str, str]:
    """What a list item names: its link's identifiers, then a DOI, PMID and PMCID in its text."""
    identifiers = (
        identifiers_from_url(trim_punctuation(m.group(0))) if (m := URL_IN_TEXT_RE.search(text)) else {}
    )
    if m := DOI_RE.search(text):
        identifiers["doi"] = normalise_doi(trim_punctuation(m.group(0)))
    if m := PMID_IN_TEXT_RE.search(text):
        identifiers["pmid"] = normalise_pmid(m.group(1))
    if m := PMCID_IN_TEXT_RE.search(text):
        identifiers["pmcid"] = normalise_pmcid(m.group(0))
    return identifiers


def parse_vancouver_authors(text: str) -> tuple[list[str], bool]:
    """'Amin N, Clark CCT, et al' -> (['Amin, N', 'Clark, CCT'], truncated=True).

    A group that signs as author ('National Osteoporosis Foundation') is braced, so that BibTeX
    reads it as one name rather than as the person 'Foundation, National Osteoporosis'."""
    authors, truncated = [], False
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if part.rstrip(".").lower() == "et al":
            truncated = True
            continue
        family, _, initials = part.rpartition(" ")
        if family and initials.isupper():
            authors.append(f"{family}, {initials}")
        else:
            authors.append(f"{{{part}}}" if family else part)
    return authors, truncated


def expand_pages(pages: str) -> str:
    """'2520-6' -> '2520--2526', 'S131-9' -> 'S131--S139' (Vancouver elides leading digits)."""
    m = re.fullmatch(r"([A-Za-z]*)(\d+)\s*[-–]\s*([A-Za-z]*)(\d+)", pages.strip())
    if not m:
        return pages.strip()
    prefix, start, _, end = m.groups()
    if len(end) < len(start):
        end = start[: len(start) - len(end)] + end
    return f"{prefix}{start}--{prefix}{end}"


TITLE_END_RE = re.compile(r"([.?!]) ")


def split_title(text: str, last: bool) -> tuple[str, str]:
    """'Title. Journal' -> ('Title', 'Journal'); a title may end in '?' or '!', which it keeps:
    'Does zinc help bone? Nutrients' -> ('Does zinc help bone?', 'Nutrients').

    With the year and volume read, the journal is what follows the ``last`` sentence end; without,
    what follows the first '. ' (else the first '? ' or '! '), the rest being unknown.
    """
    ends = list(TITLE_END_RE.finditer(text))
    if not last:
        ends = [m for m in ends if m.group(1) == "."][:1] or ends[:1]
    if not ends:
        return text.strip(), ""
    end = ends[-1]
    title = text[: end.start()] + ("" if end.group(1) == "." else end.group(1))
    return title.strip(), text[end.end() :].strip()


def parse_vancouver(text: str) -> dict[str, Any] | None:
    """Fields of one Vancouver item, or None when not even authors and title can be told apart."""
    text = strip_trailer(re.sub(r"\s+", " ", text.strip()))
    text = text.replace("’", "'")
    authors_text, sep, rest = text.partition(". ")
    if not sep or not rest:
        return None
    authors, truncated = parse_vancouver_authors(authors_text)
    result: dict[str, Any] = {"authors": authors, "authors_truncated": truncated}
    if m := TAIL_RE.match(rest):
        title, journal = split_title(m.group("head").strip().rstrip("."), last=True)
        result.update(title=title, journal=journal, year=m.group("year"))
        if volume := m.group("volume").strip():
            result["volume"] = volume
        if issue := (m.group("issue") or "").strip():
            result["number"] = issue
        if pages := (m.group("pages") or "").strip():
            result["pages"] = expand_pages(pages)
    else:
        # No 'Year;Volume' tail (a missing year, a truncated line): keep what can be told apart.
        title, journal = split_title(rest.rstrip("."), last=False)
        if year := YEAR_RE.search(journal):  # 'Nutrients. 2020 Jan 5': the journal ends at its date
            result["year"] = year.group(0)
            journal = journal[: year.start()].rstrip(" .;,")
        result.update(title=title, journal=journal)
    if not result.get("title"):
        return None
    return result


# --- loading a source folder -----------------------------------------------------------------


class SourceError(ValueError):
    """A source folder that cannot be read at all (a file missing, source.yml not YAML): one line
    naming the file (and line), so that the import refuses rather than drop the source's works.

    `path` and `line` (0: the whole file) let the checker report it where it is, not on the page
    that happened to read it."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")
        self.path = path
        self.line = line


def read_lines(path: Path) -> list[str]:
    """The file's lines; a missing or unreadable file is a SourceError naming it.

    An import that went on without the file would drop every work the source cited, and with
    them the provenance (cited-in) of the works other sources share.
    """
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise SourceError(path, 0, "missing (each source folder needs its citation list)") from None
    except UnicodeDecodeError as error:
        raise SourceError(path, 0, f"not UTF-8 text ({error.reason} at byte {error.start})") from None
    except OSError as error:
        raise SourceError(path, 0, f"cannot read: {error.strerror}") from None


def load_meta(folder: Path) -> dict[str, Any]:
    path = folder / "source.yml"
    lines = read_lines(path)
    try:
        meta = yaml.safe_load("\n".join(lines)) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise SourceError(path, mark.line + 1 if mark else 0, f"not valid YAML: {problem}") from None
    if not isinstance(meta, dict):
        raise SourceError(path, 1, "must be a mapping of keys to values (id, title, format, ...)")
    if meta.get("format") not in FORMATS:
        line = next((n for n, text in enumerate(lines, 1) if text.startswith("format:")), 0)
        raise SourceError(path, line, f"format must be one of {', '.join(FORMATS)}")
    return meta


def parse_numbered(source: SourceList, path: Path) -> None:
    """``vancouver`` and ``markers-only`` items: ``marker. text``."""
    fmt = source.meta["format"]
    seen: set[str] = set()
    for number, line in enumerate(read_lines(path), start=1):
        if not line.strip():
            continue
        m = ITEM_RE.match(line)
        if not m:
            source.add_issue(path, number, f"not a numbered item, skipped: {line.strip()!r}")
            continue
        marker, text = m.group("marker"), (m.group("text") or "").strip()
        if marker in seen:
            source.add_issue(path, number, f"item {marker} listed twice, second one skipped")
            continue
        seen.add(marker)
        if not text:
            source.add_unresolved(marker, "list item not captured", path, number)
            continue
        if LOST_RE.match(text):
            source.add_unresolved(marker, LOST_REASON, path, number, text)
            continue
        identifiers = identifiers_in_item(text)
        named = re.match(r"named in text:\s*(?P<title>.+)$", text, re.IGNORECASE)
        if fmt == "markers-only" or named:
            if not named:
                source.add_issue(path, number, f"expected 'named in text: Title', skipped: {text!r}")
                continue
            fields = {"title": named.group("title").strip()}
        else:
            parsed = parse_vancouver(text)
            if parsed is None and identifiers:
                # A web page ('Title. Available at: URL. Accessed ...'): its link names it.
                title = strip_trailer(text).rstrip(". ")
                parsed = {"title": title} if title else {}
            if parsed is None and LOST_RE.search(text):  # 'Osteoporosis Overview. Available at: Accessed ...'
                source.add_unresolved(marker, LOST_REASON, path, number, text)
                continue
            if parsed is None:
                source.add_issue(path, number, f"cannot read authors and title, skipped: {text!r}")
                source.add_unresolved(marker, "item could not be parsed", path, number, text)
                continue
            fields = parsed
        source.citations.append(
            Citation(source.source_id, marker, 1, text, str(path), number, identifiers, fields)
        )


MARKER_GROUP_RE = re.compile(r"\(\s*(\d+(?:\s*,\s*\d+)*)\s*\)")


def extract_marker_groups(article_text: str) -> list[list[str]]:
    """In-text markers '( 1 ,  2 ,  3 )' and '(19 )' in document order, one list per group."""
    return [re.split(r"\s*,\s*", m.group(1).strip()) for m in MARKER_GROUP_RE.finditer(article_text)]


def parse_link_list(source: SourceList, links_path: Path, markers_path: Path) -> None:
    publisher_hosts = {h.lower() for h in source.meta.get("publisher_hosts", [])}
    links: list[tuple[int, str]] = []
    for number, line in enumerate(read_lines(links_path), start=1):
        text = line.strip()
        if not text:
            continue
        if not URL_RE.search(text):
            source.add_issue(links_path, number, f"not a link, skipped: {text!r}")
            continue
        url = repair_url(text)
        if urlsplit(url).netloc.lower() in publisher_hosts:
            source.skipped_links += 1  # the publisher's own in-text links are not citations
            continue
        links.append((number, url))

    occurrences: dict[str, int] = {}
    targets: dict[str, list[tuple[int, str]]] = {}
    link_iter = iter(links)
    for number, line in enumerate(read_lines(markers_path), start=1):
        if not line.strip():
            continue
        markers = line.split()
        if not all(m.isdigit() for m in markers):
            source.add_issue(markers_path, number, f"not a marker group, skipped: {line.strip()!r}")
            continue
        for marker in markers:
            occurrences[marker] = occurrences.get(marker, 0) + 1
            nth = occurrences[marker]
            link = next(link_iter, None)
            if link is None:
                source.add_unresolved(
                    marker, f"no link left for occurrence {nth} (list truncated?)", markers_path, number
                )
                continue
            link_line, url = link
            identifiers = identifiers_from_url(url)
            source.citations.append(
                Citation(source.source_id, marker, nth, url, str(links_path), link_line, identifiers, {})
            )
            primary = next(identifiers[k] for k in ID_FIELDS if identifiers.get(k))
            targets.setdefault(marker, []).append((nth, primary))
    for leftover_line, url in link_iter:
        source.add_issue(links_path, leftover_line, f"link with no marker left to match: {url}")
    for marker, seen in targets.items():
        if len({target for _, target in seen}) > 1:
            source.inconsistencies.append(Inconsistency(source.source_id, marker, seen))


def load_source(folder: Path) -> SourceList:
    meta = load_meta(folder)
    source = SourceList(source_id=meta.get("id", folder.name), meta=meta)
    refs = folder / "references.txt"
    if meta["format"] == "link-list":
        parse_link_list(source, refs, folder / "markers.txt")
    else:
        parse_numbered(source, refs)
    return source


def load_sources(root: Path) -> list[SourceList]:
    """Every ``sources/<id>/`` folder with a ``source.yml``, in the order the articles were captured."""
    sources = [load_source(p.parent) for p in sorted(root.glob("*/source.yml"))]
    return sorted(sources, key=lambda s: (str(s.meta.get("captured_from", "~")), s.source_id))
