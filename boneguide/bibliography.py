"""references.bib: works built from the source lists and the metadata cache, merged with the file.

* ``build_works``: citations of every source -> one work per cited work (deduplicated by identifier,
  by the records they were matched to, or by normalised title and year), with provenance
  (``cited-in``), metadata from the cache where a record was read, and honest flags where not.
* ``load_bib``: the existing file (read by bibfile), each entry with its text, line and comments.
* ``merge``: generated entries merged into the existing ones. A three-way merge against the entries
  the importer generated last time (``sources/generated-entries.json``) tells hand edits from stale
  generated values: hand edits are kept, real conflicts are kept and reported, hand-added entries
  are kept byte for byte.
* ``render``: a deterministic writer, so running the importer twice gives a byte-identical file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from pybtex.database import Entry

from boneguide import bibfile
from boneguide.bibfile import BibEntry, BibError
from boneguide.citelists import Citation, SourceList, load_sources, marker_sort_key, normalised_title
from boneguide.enrich import STATUS_RANK, MetadataCache
from boneguide.files import write_atomically
from boneguide.identifiers import ID_FIELDS, identifier_tokens, url_for
from boneguide.keys import authored_key, identifier_key

FIELD_ORDER = (
    "author",
    "title",
    "journal",
    "booktitle",
    "howpublished",
    "organization",
    "publisher",
    "year",
    "volume",
    "number",
    "pages",
    "doi",
    "pmid",
    "pmcid",
    "url",
    "urldate",
    "note",
    "metadata-status",
    "seen-at",
    "cited-in",
    "keep-unused",
)
REQUIRED_ARTICLE_FIELDS = ("authors", "title", "journal", "year")
ORGANISATIONS = {"ods.od.nih.gov": ("ods", "NIH Office of Dietary Supplements")}
ORGANISATION_NAMES = {"National Academies": "nasem"}
HEADER = (
    "% references.bib: generated from sources/ by scripts/import_sources.py (make import), then\n"
    "% completed from sources/metadata-cache.json (make enrich). Hand edits to entries are kept on the\n"
    "% next import (conflicts are reported), and entries added by hand are kept as written: append\n"
    "% them at the end with seen-at and metadata-status fields. Field meanings: see docs/sources.md.\n"
)

# The importer's notes on an entry no public record has confirmed yet; completing it from a record
# (scaffold.complete_entry) drops them.
AS_CITED_NOTE = (
    "Details as printed in the citing article's reference list; not yet checked against a public record."
)
IDENTIFIER_ONLY_NOTE = "Known only by the identifier in the citing article; metadata not yet verified."
UNCONFIRMED_NOTES = (AS_CITED_NOTE, IDENTIFIER_ONLY_NOTE)


# --- works ------------------------------------------------------------------------------------


@dataclass
class Work:
    citations: list[Citation]
    records: list[dict[str, Any]]
    key: str = ""
    entry_type: str = "misc"
    fields: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    identifiers: dict[str, str] = field(default_factory=dict)  # normalised, citations' first
    source_fields: dict[str, Any] = field(default_factory=dict)  # what the fields were built from
    organisation: tuple[str, str] | None = None  # (key acronym, name) for fact sheets and tables

    @property
    def refs(self) -> list[str]:
        refs = {c.ref for c in self.citations}
        return sorted(refs, key=lambda r: (r.split(":")[0], marker_sort_key(r.split(":", 1)[1])))

    @property
    def order(self) -> tuple:
        return min((c.source_id, marker_sort_key(c.marker), c.occurrence) for c in self.citations)


@dataclass
class BuildReport:
    works: list[Work]
    unresolved: list[Any]
    issues: list[str]
    inconsistencies: list[str]
    discrepancies: list[str]


def record_tokens(record: dict[str, Any]) -> set[str]:
    tokens = identifier_tokens(record)
    tokens.add(f"record:{record['id']}")
    tokens.update(f"record:{other}" for other in record.get("same_as", []))
    return tokens


def identity_tokens(
    identifiers: dict[str, Any], title: str | None, year: str | None, undated: bool = False
) -> set[str]:
    """Dedup tokens: the identifiers' and one for the title and year; ``undated`` also gives that
    one to works with no year (for key reuse only)."""
    tokens = identifier_tokens(identifiers)
    if title and (year or undated):
        tokens.add(f"title:{normalised_title(title)}|{year or 'nd'}")
    return tokens


def record_identifiers(record: Mapping[str, Any]) -> dict[str, str]:
    """The identifiers references.bib holds (a Bookshelf ID only in a URL), of a record or an entry."""
    return {name: str(record[name]) for name in ("doi", "pmid", "pmcid", "url") if record.get(name)}


def match_records(citation: Citation, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records read for this citation: by the citation it was read for, an identifier, or (for a
    work only named in the text) its normalised title."""
    tokens = identifier_tokens(citation.identifiers)
    title = citation.fields.get("title")
    matched = []
    for record in records:
        if (
            citation.ref in record.get("cited_as", [])
            or tokens & record_tokens(record)
            or (
                title
                and not citation.fields.get("year")
                and not tokens
                and record.get("title")
                and normalised_title(record["title"]) == normalised_title(title)
            )
        ):
            matched.append(record)
    return matched


def best_record(records: list[dict[str, Any]]) -> dict[str, Any] | None:
    usable = [r for r in records if r.get("status") in ("verified", "partial") and r.get("title")]
    if not usable:
        return None
    return max(usable, key=lambda r: (STATUS_RANK[r["status"]], len(r), r["id"]))


def group_citations(sources: list[SourceList], records: list[dict[str, Any]]) -> list[Work]:
    """Citations joined by a token (identifier, matched record, title and year), directly or
    through other citations, are one work."""
    citations = [c for s in sources for c in s.citations]
    matched = [match_records(citation, records) for citation in citations]
    groups: list[tuple[set[str], list[int]]] = []  # each work's tokens and citations so far
    for index, citation in enumerate(citations):
        fields = citation.fields
        tokens = identity_tokens(citation.identifiers, fields.get("title"), fields.get("year"))
        for record in matched[index]:
            tokens |= record_tokens(record) | identity_tokens({}, record.get("title"), record.get("year"))
        members = [index]
        for group in [g for g in groups if g[0] & tokens]:  # no two groups share a token
            groups.remove(group)
            tokens |= group[0]
            members += group[1]
        groups.append((tokens, sorted(members)))
    works = []
    for _tokens, members in groups:
        work = Work([citations[i] for i in members], [])
        for record in (r for i in members for r in matched[i]):
            if record not in work.records:
                work.records.append(record)
        works.append(work)
    return sorted(works, key=lambda w: w.order)


def join_authors(authors: list[str], truncated: bool) -> str:
    return " and ".join([*authors, "others"] if truncated and authors else authors)


PROTECT_RE = re.compile(r"(?<![{\w])([A-Za-z]*[A-Z][A-Za-z]*[A-Z0-9][\w-]*|[A-Z](?=[\s,:;)]|$))")


def protect_case(title: str) -> str:
    """Braces around acronyms and capital letters ('ESPEN', 'K', 'D(3)'): pybtex's plain style
    lowercases titles otherwise."""
    return PROTECT_RE.sub(lambda m: "{" + m.group(1) + "}", title)


def clean_pages(pages: str) -> str:
    return re.sub(r"\s*[-–]+\s*", "--", pages.strip())


def record_fields(record: Mapping[str, Any], identifiers: Mapping[str, str]) -> dict[str, str]:
    """The BibTeX fields a record gives as they are, for the importer and add_reference alike:
    authors, title, year, volume, issue (as BibTeX's number), pages and identifiers."""
    fields: dict[str, str] = {}
    if record.get("authors"):
        fields["author"] = join_authors(list(record["authors"]), bool(record.get("authors_truncated")))
    if record.get("title"):
        fields["title"] = protect_case(str(record["title"]))
    for name, bib_name in (("year", "year"), ("volume", "volume"), ("issue", "number"), ("number", "number")):
        if record.get(name) and bib_name not in fields:
            fields[bib_name] = str(record[name])
    if record.get("pages"):
        fields["pages"] = clean_pages(str(record["pages"]))
    for name in ("doi", "pmid", "pmcid"):
        if identifiers.get(name):
            fields[name] = str(identifiers[name])
    return fields


def fact_sheet_subject(url: str) -> str | None:
    """'.../factsheets/VitaminK-HealthProfessional/' -> 'vitamin k' ('VitaminB12' -> 'vitamin b12')."""
    m = re.search(r"/factsheets/([A-Za-z0-9]+)", url)
    if not m:
        return None
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", m.group(1)).lower()


def organisation_for(work_fields: dict[str, Any], url: str) -> tuple[str, str] | None:
    host = urlsplit(url).netloc.lower() if url else ""
    if host in ORGANISATIONS:
        return ORGANISATIONS[host]
    for name, acronym in ORGANISATION_NAMES.items():
        if name in str(work_fields.get("journal", "")):
            return acronym, str(work_fields["journal"])
    return None


def describe_work(work: Work, discrepancies: list[str]) -> None:
    """Entry type, fields and notes of one work, from its best record or else from the citations."""
    record = best_record(work.records)
    identifiers: dict[str, str] = {}
    # The citing article's own link first: a record may have been read on another page.
    for source in [*(c.identifiers for c in work.citations), *work.records]:
        for name in ID_FIELDS:
            if source.get(name) and name not in identifiers:
                identifiers[name] = source[name]
    cited = next((c for c in work.citations if c.fields.get("authors")), None)
    notes: list[str] = []
    status = "unverified"
    source_fields: dict[str, Any] = {}
    if record:
        status = record["status"]
        source_fields = dict(record)
        record_notes = record.get("notes", "")
        if re.search(r"only first author|co-authors not read|et al", record_notes, re.IGNORECASE):
            source_fields["authors_truncated"] = True
            notes.append("The record read does not list every author.")
        if status == "partial" or "DISCREPANCY" in record_notes:
            notes.append(record_notes)
        # A record that lacks a field the entry needs: the citing list's value, flagged, never a guess.
        wanted = REQUIRED_ARTICLE_FIELDS + (("volume", "number", "pages") if status == "partial" else ())
        wanted = tuple(n for n in wanted if n != "number" or not record.get("issue"))
        borrowed = [name for name in wanted if not record.get(name) and cited and cited.fields.get(name)]
        for name in borrowed:
            assert cited is not None  # nothing is borrowed without a citing list's entry
            source_fields[name] = cited.fields[name]
            if name == "authors":
                source_fields["authors_truncated"] = cited.fields.get("authors_truncated", False)
        if borrowed:
            status = "partial"
            names = ", ".join(borrowed)
            notes.append(
                f"{names[0].upper()}{names[1:]} as given by the citing article, not seen on the record read."
            )
        if (
            cited
            and cited.fields.get("year")
            and record.get("year")
            and cited.fields["year"] != record["year"]
        ):
            message = (
                f"{cited.ref} cites it as {cited.fields['year']}; the record read gives {record['year']}."
            )
            notes.append(message)
            discrepancies.append(message)
    elif cited := cited or next((c for c in work.citations if c.fields.get("title")), None):
        source_fields = {**cited.fields, "type": "article" if cited.fields.get("journal") else "misc"}
        notes.append(AS_CITED_NOTE)
    else:
        notes.append(IDENTIFIER_ONLY_NOTE)

    url = url_for(identifiers)
    organisation = organisation_for(source_fields, url)
    fields = record_fields(source_fields, identifiers)
    record_type = source_fields.get("type", "misc")
    journal = source_fields.get("journal")
    if record_type == "article" and journal:
        fields["journal"] = journal
    elif organisation:
        fields["organization"] = organisation[1]
    elif journal:
        fields["howpublished"] = journal
    if identifiers.get("nbk") and "howpublished" not in fields:
        fields["howpublished"] = "NCBI Bookshelf"
    elif not source_fields.get("title") and identifiers.get("pmcid"):
        fields["howpublished"] = f"PubMed Central {identifiers['pmcid']}"
    elif not source_fields.get("title") and identifiers.get("pmid"):
        fields["howpublished"] = f"PubMed {identifiers['pmid']}"
    if source_fields.get("urldate"):
        fields["urldate"] = str(source_fields["urldate"])
    if not url and not identifiers.get("doi") and record and record.get("seen_at"):
        url = record["seen_at"][0]
        notes.append("No DOI, PMID or publisher page was seen: the URL is the copy the record was read on.")
    if url:
        fields["url"] = url
    seen_at: list[str] = []
    for rec in sorted(work.records, key=lambda r: r is not record):
        seen_at += [u for u in rec.get("seen_at", []) if u not in seen_at]
    notes += work.notes
    if notes:
        fields["note"] = " ".join(dict.fromkeys(n.strip() for n in notes if n.strip()))
    fields["metadata-status"] = status
    if seen_at:
        fields["seen-at"] = "; ".join(seen_at)
    fields["cited-in"] = "; ".join(work.refs)

    if record_type == "article" and all(k in fields for k in ("author", "title", "journal", "year")):
        work.entry_type = "article"
    elif (organisation or record_type in ("webpage", "online")) and "urldate" in fields:
        work.entry_type = "online"
    else:
        # @online only with the urldate the checker asks for; pybtex's plain style needs author,
        # publisher and year for @book / @incollection, which Bookshelf records here lack.
        work.entry_type = "misc"
    work.fields = fields
    work.identifiers = identifiers
    work.organisation = organisation
    work.source_fields = source_fields


def key_for(work: Work, taken: set[str]) -> str:
    identifiers, source_fields, organisation = work.identifiers, work.source_fields, work.organisation
    title = source_fields.get("title", "")
    subject = fact_sheet_subject(work.fields.get("url", ""))
    if organisation and (title or subject):
        return authored_key(organisation[0], None, title, taken, subject=subject)
    if source_fields.get("authors") and title:
        return authored_key(source_fields["authors"][0], source_fields.get("year"), title, taken)
    for name in ("pmcid", "pmid", "nbk"):
        if identifiers.get(name):
            return identifier_key(name, identifiers[name])
    url = urlsplit(identifiers.get("url", ""))
    host = url.netloc.split(".")
    # Untitled: named by the page's path, not by the 'https' and host words of the whole URL.
    return authored_key(host[-2] if len(host) > 1 else "anon", None, title or unquote(url.path), taken)


def build_works(
    sources: list[SourceList], records: list[dict[str, Any]], existing: Sequence[Entry] = ()
) -> BuildReport:
    works = group_citations(sources, records)
    inconsistencies = [i for s in sources for i in s.inconsistencies]
    for inconsistency in inconsistencies:
        for work in works:
            if f"{inconsistency.source_id}:{inconsistency.marker}" in work.refs:
                work.notes.append(
                    f"Marker {inconsistency.marker} of {inconsistency.source_id} points to more than one work "
                    "(see the Sources page); each occurrence is kept."
                )
    discrepancies: list[str] = []
    for work in works:
        describe_work(work, discrepancies)
    reuse_existing_keys(works, existing)
    taken = {e.key for e in existing}
    for work in works:  # a reused key is an existing entry's, already taken
        work.key = work.key or key_for(work, taken)
        taken.add(work.key)
    return BuildReport(
        works=works,
        unresolved=[u for s in sources for u in s.unresolved],
        issues=[str(i) for s in sources for i in s.issues],
        inconsistencies=[i.describe() for i in inconsistencies],
        discrepancies=discrepancies,
    )


def reuse_existing_keys(works: list[Work], existing: Sequence[Entry]) -> None:
    """Keys are never changed once published: a work the file already holds keeps its key.

    Matched by identifier or title and year first, every work; then, for the works still without
    a key, by a ``cited-in`` reference that only one entry of the file carries, so that an entry
    whose year or title was corrected by hand is still recognised. Never by ``cited-in`` alone when
    the entry names another DOI, PMID or PMCID: the list then cites a different work there, and
    the key stays with the work it was published for.
    """
    by_token: dict[str, set[str]] = {}
    by_ref: dict[str, set[str]] = {}
    for entry in existing:
        for token in entry_tokens(entry):
            by_token.setdefault(token, set()).add(entry.key)
        for ref in filter(None, (r.strip() for r in entry.fields.get("cited-in", "").split(";"))):
            by_ref.setdefault(ref, set()).add(entry.key)
    entry_ids = {entry.key: record_identifiers(entry.fields) for entry in existing}
    claimed: set[str] = set()
    for work in works:
        title, year = work.source_fields.get("title"), work.source_fields.get("year")
        tokens = identity_tokens(work.identifiers, title, year, undated=True)
        if strong := sorted(k for t in tokens for k in by_token.get(t, ()) if k not in claimed):
            work.key = strong[0]
            claimed.add(work.key)
    for work in (w for w in works if not w.key):
        by_citation = sorted(
            k
            for ref in work.refs
            if len(by_ref.get(ref, ())) == 1
            for k in by_ref[ref]
            if k not in claimed and not other_identifiers(work.identifiers, entry_ids[k])
        )
        if by_citation:
            work.key = by_citation[0]
            claimed.add(work.key)


def other_identifiers(work: Mapping[str, str], entry: Mapping[str, str]) -> bool:
    """Whether the two name different works: a DOI, PMID or PMCID that both have and that differs."""
    return any(
        work.get(name)
        and entry.get(name)
        and identifier_tokens({name: work[name]}) != identifier_tokens({name: entry[name]})
        for name in ("doi", "pmid", "pmcid")
    )


def entry_tokens(entry: Entry) -> set[str]:
    fields = entry.fields
    title = re.sub(r"[{}]", "", fields.get("title", ""))
    return identity_tokens(record_identifiers(fields), title, fields.get("year"), undated=True)


# --- reading and writing the file -------------------------------------------------------------


def _comment_text(gap: str) -> str:
    """What an editor wrote between entries (``%`` lines, @comment blocks, any other text), without
    the generated header and the blank lines around it; "" if nothing."""
    gap = gap.strip("\n").removeprefix(HEADER.rstrip("\n")).strip("\n")
    return gap if gap.strip() else ""


def load_bib(path: Path) -> list[BibEntry]:
    """Entries of ``path`` in file order, each with its text, line and pybtex entry (none if no file);
    BibError at the first problem, since the scripts write the file back."""
    return load_bib_with_trailer(path)[0]


def load_bib_with_trailer(path: Path) -> tuple[list[BibEntry], str]:
    """load_bib, each entry with the comments above it (``leading``: the writer puts them back above
    the entry, wherever it goes, so an editor's notes are never dropped), and those after the last."""
    if not path.exists():
        return [], ""
    bib = bibfile.load(path)
    bib.raise_for_errors()
    pending: list[str] = []
    previous_end = 0
    items: list[BibEntry | bibfile.Block] = [*bib.entries.values(), *bib.blocks]
    for item in sorted(items, key=lambda item: item.start):
        pending.append(_comment_text(bib.text[previous_end : item.start]))
        previous_end = item.end
        if isinstance(item, bibfile.Block):
            pending.append(bib.text[item.start : item.end].strip("\n"))
            continue
        item.leading = "\n".join(p for p in pending if p)
        pending = []
    pending.append(_comment_text(bib.text[previous_end:]))
    return list(bib.entries.values()), "\n".join(p for p in pending if p)


def entry_field_values(entry: Entry) -> dict[str, str]:
    values = {name.lower(): str(value) for name, value in entry.fields.items()}
    for role, persons in entry.persons.items():
        values[role.lower()] = " and ".join(str(p) for p in persons)
    values["ENTRYTYPE"] = entry.type.lower()
    return values


def render_entry(key: str, fields: dict[str, str]) -> str:
    """One field a line: those of FIELD_ORDER in its order, then any others by name."""
    extra = sorted(name for name in fields if name not in FIELD_ORDER and name != "ENTRYTYPE")
    names = [name for name in FIELD_ORDER if name in fields] + extra
    body = ",".join(f"\n  {name} = {{{fields[name]}}}" for name in names)
    return f"@{fields['ENTRYTYPE']}{{{key},{body}\n}}"


# --- merge ------------------------------------------------------------------------------------


def _same(name: str, a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a == b
    if name in ("doi", "pmid", "pmcid", "ENTRYTYPE"):
        return a.strip().lower() == b.strip().lower()
    return " ".join(a.split()) == " ".join(b.split())


@dataclass
class MergeResult:
    text: str
    entries: dict[str, dict[str, str]]  # generated values, the base of the next merge
    conflicts: list[str]
    kept_hand_added: list[str]


def merge_fields(
    key: str,
    generated: dict[str, str],
    existing: dict[str, str] | None,
    base: dict[str, str] | None,
    where: str,
    conflicts: list[str],
) -> dict[str, str]:
    if existing is None:
        return dict(generated)
    merged: dict[str, str] = {}
    for name in dict.fromkeys([*existing, *generated]):
        g, e = generated.get(name), existing.get(name)
        b = base.get(name) if base is not None else None  # None, never _same as a value, without a base
        if _same(name, g, e):
            value = g
        elif e is None:
            value = None if b is not None else g  # a field removed by hand stays removed
        elif g is None:
            value = None if _same(name, e, b) else e
        elif _same(name, e, b):
            value = g  # untouched since the last import: take the new value
        elif _same(name, g, b):
            value = e  # edited by hand, generator unchanged: keep the edit
        else:
            value = e
            conflicts.append(f"{where}: {key}.{name}: kept the file's {e!r}; sources now give {g!r}")
        if value is not None:
            merged[name] = value
    return merged


def _with_leading(raw: BibEntry | None, block: str) -> str:
    return f"{raw.leading}\n{block}" if raw is not None and raw.leading else block


def merge(
    works: list[Work],
    existing: list[BibEntry],
    base: dict[str, dict[str, str]],
    bib_name: str,
    trailer: str,
) -> MergeResult:
    """The merged file: generated entries by key, then hand-added ones as written, then ``trailer``.

    Each entry keeps the comments that stood above it (BibEntry.leading); ``trailer`` is what
    followed the last entry.
    """
    conflicts: list[str] = []
    by_key = {raw.key: raw for raw in existing}
    blocks = []
    generated_values: dict[str, dict[str, str]] = {}
    for work in sorted(works, key=lambda w: w.key):
        values = {**work.fields, "ENTRYTYPE": work.entry_type}
        generated_values[work.key] = values
        raw = by_key.get(work.key)
        merged = merge_fields(
            work.key,
            values,
            entry_field_values(raw.parsed) if raw and raw.parsed else None,
            base.get(work.key),
            f"{bib_name}:{raw.line}" if raw else bib_name,
            conflicts,
        )
        blocks.append(_with_leading(raw, render_entry(work.key, merged)))
    hand_added = [raw for raw in existing if raw.key not in generated_values]
    blocks += [_with_leading(raw, raw.text) for raw in hand_added]
    if trailer:
        blocks.append(trailer)
    text = HEADER + "\n" + "\n\n".join(blocks) + "\n"
    return MergeResult(text, generated_values, conflicts, [raw.key for raw in hand_added])


def base_path_for(bib_path: Path, sources_dir: Path) -> Path:
    """The project's references.bib keeps its base in sources/; any other file next to itself."""
    if bib_path.resolve() == (sources_dir.resolve().parent / "references.bib"):
        return sources_dir / "generated-entries.json"
    return bib_path.with_name(bib_path.name + ".generated.json")


# --- the whole import -------------------------------------------------------------------------


@dataclass
class ImportOutcome:
    report: BuildReport
    merge: MergeResult
    changed: bool  # the merged text differs from the file
    written: bool = False  # and it was written (never when report.issues is not empty)


def run_import(
    sources_dir: Path, bib_path: Path, cache_path: Path, base_path: Path, write: bool = True
) -> ImportOutcome:
    """Sources + cache -> merged references.bib (and the base of the next merge).

    Nothing is written when the source lists have problems (report.issues) or cannot be read
    (citelists.SourceError, a ValueError): fix them first.
    """
    sources = load_sources(sources_dir)
    cache = MetadataCache.load(cache_path)
    base = json.loads(base_path.read_text(encoding="utf-8")) if base_path.exists() else {}
    for _attempt in range(5):
        before = bib_path.read_text(encoding="utf-8") if bib_path.exists() else ""
        existing, trailer = load_bib_with_trailer(bib_path)
        report = build_works(sources, cache.records, [raw.parsed for raw in existing if raw.parsed])
        result = merge(report.works, existing, base, bib_path.name, trailer)
        bibfile.parse_text(result.text, f"{bib_path} (as generated)").raise_for_errors()
        # Others append entries at any time: write only if the file is still what was merged.
        now = bib_path.read_text(encoding="utf-8") if bib_path.exists() else ""
        if now == before:
            break
    else:
        raise BibError(f"{bib_path}: the file kept changing while it was being merged; try again")
    changed = result.text != before
    # A malformed line would otherwise leave a half-read work behind (a junk entry such as
    # "thirtyone2020j") or drop a work's provenance: with any problem in the lists, write nothing.
    written = write and changed and not report.issues
    if write and not report.issues:
        if changed:
            write_atomically(bib_path, result.text)
        base_text = json.dumps(result.entries, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        if not base_path.exists() or base_path.read_text(encoding="utf-8") != base_text:
            write_atomically(base_path, base_text)
    return ImportOutcome(report, result, changed, written)
