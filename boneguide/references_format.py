"""One bibliography entry (a pybtex ``Entry``) -> Vancouver-like, safe HTML, sort key and CSL-JSON.

Bibliographic fields are data, never markup: every field is reduced to plain text (LaTeX escapes
decoded, case-protecting braces dropped, ``\\url{}`` unwrapped) and then HTML-escaped, so a title
holding ``<script>``, ``<img onerror=...>``, ``&`` or stray braces renders as inert text. Titles keep
their case (mkdocs-bibtex's pybtex style lower-cased them). Only http(s) addresses become links.

Layout: ``Authors. Title. Journal. Year;Volume(Issue):Pages.`` then identifier links: DOI -> doi.org,
PMID -> PubMed, PMCID -> PMC; the entry's ``url`` only when it has none of those. An entry known
only by an identifier shows that identifier, never an invented title, with an "unverified
metadata" marker. ``FormattedBibliography`` holds the whole file so formatted, as the citation
plugin caches it and the Bibliography page lists it.
"""

from __future__ import annotations

import codecs
import contextlib
import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

import latexcodec  # noqa: F401  (registers the "ulatex" codec that pybtex also relies on)
from pybtex.database import Entry, Person

from boneguide.identifiers import normalise_pmcid, pmc_url, pubmed_url
from boneguide.keys import ascii_fold

MAX_AUTHORS = 6  # Vancouver: list six, then "et al."

KIND_LABELS = {
    "article": "Journal articles",
    "book": "Books and chapters",
    "report": "Reports, guidelines and fact sheets",
    "webpage": "Web pages",
    "other": "Other works",
    "identifier-only": "Listed by identifier only",
}
KIND_ORDER = list(KIND_LABELS)
_TYPE_KIND = {
    "article": "article",
    "book": "book",
    "inbook": "book",
    "incollection": "book",
    "booklet": "book",
    "report": "report",
    "techreport": "report",
    "manual": "report",
    "online": "webpage",
    "electronic": "webpage",
    "www": "webpage",
}
_CSL_TYPES = {
    "article": "article-journal",
    "book": "book",
    "inbook": "chapter",
    "incollection": "chapter",
    "inproceedings": "paper-conference",
    "report": "report",
    "techreport": "report",
    "manual": "report",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "online": "webpage",
}

_URL_COMMAND = re.compile(r"\\url\s*\{([^{}]*)\}")
_HREF_COMMAND = re.compile(r"\\href\s*\{[^{}]*\}\s*\{([^{}]*)\}")
_TEXT_COMMANDS = {"\\textless": "<", "\\textgreater": ">", "\\textbar": "|"}  # latexcodec lacks these
_NEEDS_LATEX_DECODING = re.compile(r"[\\~$]|``|''")
_ESCAPED_OPEN, _ESCAPED_CLOSE = "\ue000", "\ue001"  # private-use sentinels for \{ and \}
_VERBATIM_HYPHEN, _VERBATIM_TILDE = "\ue002", "\ue003"  # and for "-" and "~" in an address
_VERBATIM_FIELDS = {"url", "doi"}


@lru_cache(maxsize=65536)
def plain_text(value: str, *, verbatim: bool = False) -> str:
    """A BibTeX field value as the text a reader should see (not yet HTML-escaped).

    ``verbatim`` is for an address or a DOI: there "--" and "~" are the characters typed, not an
    en dash and a no-break space ("https://example.edu/~smith/" must stay a working link). LaTeX
    escapes such as ``\\_`` and ``\\%`` are decoded all the same.
    """
    value = _HREF_COMMAND.sub(r"\1", _URL_COMMAND.sub(r"\1", value))
    value = value.replace("\\{", _ESCAPED_OPEN).replace("\\}", _ESCAPED_CLOSE)
    if verbatim:
        value = re.sub(r"(?<!\\)~", _VERBATIM_TILDE, value.replace("-", _VERBATIM_HYPHEN))
    else:
        value = value.replace("---", "—").replace("--", "–")
    for command, character in _TEXT_COMMANDS.items():
        if command in value:
            value = re.sub(re.escape(command) + r"(?![A-Za-z])\s*", character, value)
    if _NEEDS_LATEX_DECODING.search(value):  # latexcodec costs ~70 us a field: only when needed
        # Undecodable LaTeX stays as typed: it is escaped afterwards, so still inert.
        with contextlib.suppress(UnicodeDecodeError, ValueError):
            value = codecs.decode(value, "ulatex")  # type: ignore[call-overload]  # typeshed types decode() for bytes; latexcodec's "ulatex" decodes str
    value = value.replace("{", "").replace("}", "")
    value = value.replace(_ESCAPED_OPEN, "{").replace(_ESCAPED_CLOSE, "}")
    value = value.replace(_VERBATIM_HYPHEN, "-").replace(_VERBATIM_TILDE, "~")
    return " ".join(value.split())


def _field(entry: Entry, name: str) -> str:
    raw = entry.fields.get(name)
    return plain_text(raw, verbatim=name in _VERBATIM_FIELDS) if raw else ""


_INITIALS = re.compile(r"[A-Z]{2,3}")


def _initials(names: list[str]) -> str:
    letters = []
    for name in names:
        for part in re.split(r"[\s\-.]+", plain_text(name)):
            # "TS" in "Orchard, TS" is two initials already, as PubMed writes them.
            letters.append(part if _INITIALS.fullmatch(part) else part[:1].upper())
    return "".join(letters)


def vancouver_name(person: Person) -> str:
    """'Clarke, B.' -> 'Clarke B'; '{National Institutes of Health}' stays whole."""
    family = plain_text(" ".join(person.prelast_names + person.last_names))
    initials = _initials(person.first_names + person.middle_names)
    suffix = plain_text(" ".join(person.lineage_names))
    return " ".join(p for p in (family, initials, suffix) if p)


def is_others(person: Person) -> bool:
    """BibTeX's "and others" (an author list cut short)."""
    return [n.lower() for n in person.last_names] == ["others"] and not person.first_names


def _names_text(people: list[Person]) -> str:
    names = [vancouver_name(p) for p in people if not is_others(p)]
    if len(names) > MAX_AUTHORS or (people and is_others(people[-1])):
        names = [*names[:MAX_AUTHORS], "et al"]
    return ", ".join(names)


def _editors_text(editors: list[Person]) -> str:
    names = _names_text(editors)
    return f"{names}, {'editors' if len(editors) > 1 else 'editor'}" if names else ""


def authors_text(entry: Entry) -> str:
    if entry.persons.get("author"):
        return _names_text(entry.persons["author"])
    if entry.persons.get("editor"):
        return _editors_text(entry.persons["editor"])
    return _field(entry, "organization")


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".?!" else text + "."


def _safe_href(url: str) -> str | None:
    url = url.strip()
    parsed = urlparse(url)
    if parsed.scheme in ("http", "https") and parsed.netloc and not any(c.isspace() for c in url):
        return url
    return None


def _link(href: str, text: str) -> str:
    return f'<a href="{html.escape(href, quote=True)}" rel="noopener">{html.escape(text)}</a>'


LONG_RUN = 18  # characters: about half a phone's line of reference text


def _identifier_html(text: str) -> str:
    """An identifier that wraps only after a "/": each run between slashes is kept whole.

    Reference lists break long addresses anywhere so a phone never scrolls sideways; on a DOI or
    PMCID that split digit runs ("PMC728791 / 7", "10.338 / 9/..."), which a reader copies or
    reads aloud wrongly. The CSS keeps each ``bng-ref__nb`` run on one line (screen and PDF) and
    ``<wbr>`` marks the only places a line may end: after a "/", and in a very long run also after
    punctuation, so a letter or digit run is never cut.
    """
    runs = []
    for run in re.findall(r"[^/]*/|[^/]+$", text):
        # A run too long for a phone's line ("0003-4819-158-9-201305070-00603") may also end a line
        # after its own punctuation; letters and digits are never split.
        runs += re.findall(r"[^.\-);:]*[.\-);:]+|[^.\-);:]+$", run) if len(run) > LONG_RUN else [run]
    return "<wbr>".join(f'<span class="bng-ref__nb">{html.escape(run)}</span>' for run in runs if run)


def _id_link(href: str, text: str) -> str:
    return f'<a class="bng-ref__ident" href="{html.escape(href, quote=True)}" rel="noopener">{_identifier_html(text)}</a>'


@dataclass(frozen=True)
class Identifiers:
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    url: str = ""

    @classmethod
    def of(cls, entry: Entry) -> Identifiers:
        doi = _field(entry, "doi")
        doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", doi, flags=re.I)
        pmid = re.sub(r"\D", "", _field(entry, "pmid"))
        return cls(doi, pmid, normalise_pmcid(_field(entry, "pmcid")), _field(entry, "url"))

    def links_html(self, urldate: str = "") -> list[str]:
        links = []
        if self.doi:
            links.append("doi: " + _id_link("https://doi.org/" + quote(self.doi, safe="/:;()._-"), self.doi))
        if self.pmid:
            links.append("PMID: " + _id_link(pubmed_url(self.pmid), self.pmid))
        if self.pmcid:
            links.append("PMCID: " + _id_link(pmc_url(self.pmcid), self.pmcid))
        if not links and self.url:
            href = _safe_href(self.url)
            shown = _link(href, self.url) if href else html.escape(self.url)
            accessed = f" (accessed {html.escape(urldate)})" if urldate else ""
            links.append(f"Available from: {shown}{accessed}")
        return links

    def label(self) -> str:
        """What an identifier-only entry is called in place of a title."""
        nbk = re.search(r"\bNBK\d+", self.url, re.I)
        if self.pmcid:
            return f"PMCID {self.pmcid}"
        if self.pmid:
            return f"PMID {self.pmid}"
        if self.doi:
            return f"DOI {self.doi}"
        if nbk:
            return f"NCBI Bookshelf {nbk.group(0).upper()}"
        return self.url or "Unidentified work"


_STATUS_FLAGS = {"unverified": "unverified metadata", "partial": "metadata partly verified"}


@dataclass(frozen=True)
class FormattedEntry:
    key: str
    html: str  # the reference body, safe to embed: every field escaped
    text: str  # the same as plain text (tooltips, filters, tests)
    kind: str  # a KIND_LABELS key
    sort_key: tuple[str, str, str]
    status: str  # verified | partial | unverified | "" (not stated)
    cited_in: tuple[tuple[str, str], ...] = field(default=())  # (source-id, marker)
    keep_unused: str = ""  # why an uncited entry is kept on purpose
    editors_note: str = ""  # HTML: the importer's note on an identifier-only entry (editors only)

    @property
    def flag_html(self) -> str:
        """The editors' badge for metadata not (fully) checked; not part of ``html``.

        Readers see the reference as published; whether an editor has checked it against a registry
        is the editors' working, shown only with bng-citations' ``editors_view`` (and on Sources).
        """
        status = "unverified" if self.kind == "identifier-only" else self.status
        label = _STATUS_FLAGS.get(status)
        badge = (
            f' <span class="bng-ref__flag" data-metadata-status="{status}">{label}</span>' if label else ""
        )
        return badge + self.editors_note


def parse_cited_in(value: str) -> tuple[tuple[str, str], ...]:
    """``lifeext-2023-zinc-bone:12; healthline-osteoporosis-supplements:4`` -> pairs."""
    pairs = []
    for item in re.split(r"[;,]", plain_text(value)):
        source, _, marker = item.strip().partition(":")
        if source.strip():
            pairs.append((source.strip(), marker.strip()))
    return tuple(pairs)


def _entry_type(entry: Entry) -> str:
    """An @misc that names a journal is an article whose authors were not read (the importer
    makes no @article without them): it is cited as one, not as a web page."""
    kind = entry.type.lower()
    return "article" if kind == "misc" and entry.fields.get("journal") else kind


def entry_kind(entry: Entry) -> str:
    if not entry.fields.get("title"):
        return "identifier-only"
    kind = _TYPE_KIND.get(_entry_type(entry))
    if kind:
        return kind
    if entry.type.lower() == "misc" and entry.fields.get("url"):
        return "webpage"
    return "other"


def _venue_html(entry: Entry) -> str:
    """Journal and numbers (article) or place, publisher and year (everything else)."""
    year, pages = _field(entry, "year"), _field(entry, "pages")
    if _entry_type(entry) == "article":
        volume, issue = _field(entry, "volume"), _field(entry, "number")
        numbers = year
        if volume or issue:
            numbers += f";{volume}"  # an issue without a volume keeps the ";": 1995;(320):110-4
        if issue:
            numbers += f"({issue})"
        if pages:
            numbers += f":{pages}"  # plain_text has made "--" an en dash
        # Without a year nothing dangles before the volume or pages.
        parts = [_field(entry, "journal"), numbers.lstrip(";:")]
    else:
        container, edition = _field(entry, "booktitle"), _field(entry, "edition")
        if container and entry.persons.get("author") and entry.persons.get("editor"):
            # A chapter: the editors are the book's ("In: Roe R, editor. Book."), not the chapter's.
            container = f"{_editors_text(entry.persons['editor'])}. {container}"
        publisher = (
            _field(entry, "publisher")
            or _field(entry, "institution")
            or (_field(entry, "organization") if entry.persons.get("author") else "")
            or _field(entry, "howpublished")
        )
        imprint = ": ".join(p for p in (_field(entry, "address"), publisher) if p)  # Place: Publisher
        parts = [
            f"In: {container}" if container else "",
            f"{edition} ed" if edition else "",
            "; ".join(p for p in (imprint, year) if p),
            f"p. {pages}" if pages else "",
        ]
    return html.escape(" ".join(_sentence(part) for part in parts if part))


def _first_author_sort(entry: Entry) -> str:
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    if people:
        name = plain_text(" ".join(people[0].last_names + people[0].first_names))
    else:
        name = _field(entry, "organization") or _field(entry, "title") or entry.key
    return re.sub(r"[^a-z0-9 ]", "", ascii_fold(name).lower())


def format_entry(key: str, entry: Entry) -> FormattedEntry:
    ids = Identifiers.of(entry)
    status = _field(entry, "metadata-status").lower()
    kind = entry_kind(entry)
    links = ids.links_html(_field(entry, "urldate"))
    editors_note = ""
    if kind == "identifier-only":
        label = ids.label()
        body = f'<span class="bng-ref__id">{html.escape(label)}.</span>'
        # On an identifier-only entry the note is the importer's account of the citing list
        # ("Marker 33 of <source id> points to ..."): an editors' working, kept out of ``html``.
        note = _field(entry, "note")
        editors_note = f" {html.escape(_sentence(note))}" if note else ""
    else:
        authors = authors_text(entry)
        title = _field(entry, "title")
        medium = ""
        if _entry_type(entry) in ("online", "misc") and entry.fields.get("url"):
            medium = "Internet"
        elif _entry_type(entry) == "article" and _field(entry, "type"):
            medium = _field(entry, "type")  # Citing Medicine's "Title [letter]. Journal."
        if medium:
            # The title's own full stop moves after the medium ("Title [Internet]."); "?" and "!" stay.
            title = re.sub(r"(?<!\.)\.$", "", title) + f" [{medium}]"
        parts = []
        if authors:
            parts.append(f'<span class="bng-ref__authors">{html.escape(_sentence(authors))}</span>')
        parts.append(f'<span class="bng-ref__title">{html.escape(_sentence(title))}</span>')
        venue = _venue_html(entry)
        if venue:
            parts.append(f'<span class="bng-ref__venue">{venue}</span>')
        body = " ".join(parts)
    if links:
        body += ' <span class="bng-ref__links">' + "; ".join(links) + "</span>"
    text = html.unescape(re.sub(r"<[^>]+>", "", body))
    sort_key = (_first_author_sort(entry), _field(entry, "year"), key)
    cited_in = parse_cited_in(entry.fields.get("cited-in", ""))
    keep_unused = _field(entry, "keep-unused")
    return FormattedEntry(
        key, body, " ".join(text.split()), kind, sort_key, status, cited_in, keep_unused, editors_note
    )


def _csl_name(person: Person) -> dict[str, str]:
    family = plain_text(" ".join(person.prelast_names + person.last_names))
    given = plain_text(" ".join(person.first_names + person.middle_names))
    if not given and not person.prelast_names and " " in family:
        return {"literal": family}  # an organisation written as {Whole Name}
    return {"family": family, "given": given} if given else {"family": family}


def to_csl_json(key: str, entry: Entry) -> dict[str, Any]:
    """One entry as CSL-JSON (the format Zotero, Mendeley and pandoc import)."""
    kind = _entry_type(entry)
    csl_type = _CSL_TYPES.get(kind, "webpage" if kind == "misc" and entry.fields.get("url") else "document")
    item: dict[str, Any] = {"id": key, "type": csl_type}
    for role in ("author", "editor"):
        if entry.persons.get(role):
            item[role] = [_csl_name(p) for p in entry.persons[role] if not is_others(p)]
    if not entry.persons.get("author") and entry.fields.get("organization"):
        item["author"] = [{"literal": _field(entry, "organization")}]
    simple = {
        "title": "title",
        "journal": "container-title",
        "booktitle": "container-title",
        "volume": "volume",
        "number": "issue",
        "publisher": "publisher",
        "address": "publisher-place",
        "edition": "edition",
        "note": "note",
        "type": "genre",
    }
    for bib_name, csl_name in simple.items():
        if entry.fields.get(bib_name):
            item[csl_name] = _field(entry, bib_name)
    if entry.fields.get("pages"):
        item["page"] = _field(entry, "pages").replace("–", "-")
    year = re.sub(r"\D", "", _field(entry, "year"))
    if year:
        item["issued"] = {"date-parts": [[int(year)]]}
    ids = Identifiers.of(entry)
    for csl_name, value in (("DOI", ids.doi), ("PMID", ids.pmid), ("PMCID", ids.pmcid), ("URL", ids.url)):
        if value:
            item[csl_name] = value
    urldate = _field(entry, "urldate")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", urldate):
        item["accessed"] = {"date-parts": [[int(p) for p in urldate.split("-")]]}
    return item


# --- the whole file, formatted (what the citation plugin caches and the Bibliography page lists) --


@dataclass
class FormattedBibliography:
    """Everything the site needs from references.bib, computed once per version of the file."""

    path: Path
    signature: tuple[int, int]
    entries: dict[str, FormattedEntry]
    csl_json: str
    # What pybtex could not read ("file:line: reason"); the entries are what it could. Logged as
    # errors on every build (a strict build fails), but the rest of the site still renders.
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CitedAt:
    """One citation of a key, located on the built page."""

    src_uri: str
    cite_id: str
    section_id: str
    section_title: str
