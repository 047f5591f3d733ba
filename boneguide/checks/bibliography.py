"""Checks of the BibTeX file: syntax, duplicates, required fields, identifiers, URLs, years, keys."""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import latexcodec  # noqa: F401  (registers the "ulatex" codec used to decode titles)

from boneguide import files
from boneguide import keys as keyrules
from boneguide.bibfile import BibEntry, BibField, BibFile
from boneguide.bibfile import load as load_file
from boneguide.checks.model import Finding
from boneguide.checks.studies import IDENTIFYING_FIELDS
from boneguide.checks.urls import url_problem
from boneguide.identifiers import DOI_FULL_RE, PMCID_RE, PMID_RE

# Each inner tuple is satisfied by any one of its fields.
REQUIRED_FIELDS: dict[str, list[tuple[str, ...]]] = {
    "article": [("author",), ("title",), ("journal",), ("year",), ("doi", "pmid", "url")],
    "online": [("title",), ("url",), ("urldate",)],
    "book": [("author", "editor"), ("title",), ("publisher",), ("year",)],
    "inbook": [
        ("author", "editor"),
        ("title",),
        ("chapter", "pages", "booktitle"),
        ("publisher",),
        ("year",),
    ],
    "incollection": [("author",), ("title",), ("booktitle",), ("publisher",), ("year",)],
    "inproceedings": [("author",), ("title",), ("booktitle",), ("year",)],
    "techreport": [("author", "institution"), ("title",), ("institution",), ("year",)],
    "report": [("author", "institution"), ("title",), ("institution",), ("year",)],
    "phdthesis": [("author",), ("title",), ("school",), ("year",)],
    "mastersthesis": [("author",), ("title",), ("school",), ("year",)],
    "thesis": [("author",), ("title",), ("school", "institution"), ("year",)],
    "misc": [("title",)],
    "manual": [("title",)],
    "unpublished": [("author",), ("title",), ("note",)],
}
for alias in ("webpage", "electronic", "www"):
    REQUIRED_FIELDS[alias] = REQUIRED_FIELDS["online"]

METADATA_STATUSES = {"verified", "partial", "unverified"}
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EARLIEST_YEAR = 1800


def _at_field(bib: BibFile, entry: BibEntry, name: str, severity: str, code: str, message: str) -> Finding:
    """A finding at the value of the entry's field ``name``; at the entry's key without that field."""
    bib_field = entry.fields.get(name)
    line, col = (bib_field.value_line, bib_field.value_col) if bib_field else (entry.key_line, entry.key_col)
    return Finding(bib.display_path, line, col, severity, code, message)  # type: ignore[arg-type]


def _normalise_title(title: str) -> str:
    # LaTeX decoding costs ~2 ms a title (20 s for 10,000 entries); without a backslash it could
    # only change braces, dashes and ties, which the word split below drops anyway.
    if "\\" in title:
        with contextlib.suppress(ValueError, UnicodeError):
            title = codecs.decode(title, "ulatex")  # type: ignore[call-overload]  # typeshed types decode() for bytes; latexcodec's "ulatex" decodes str
    return " ".join(re.findall(r"[a-z0-9]+", keyrules.ascii_fold(title).lower()))


def _normalise_url(url: str) -> str:
    url = re.sub(r"^https?://(www\.)?", "", url.strip().lower())
    return url.rstrip("/")


def isbn_is_valid(isbn: str) -> bool:
    digits = re.sub(r"[\s-]", "", isbn).upper()
    if re.fullmatch(r"\d{9}[\dX]", digits):
        total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(digits))
        return total % 11 == 0
    if re.fullmatch(r"\d{13}", digits):
        total = sum((1 if i % 2 == 0 else 3) * int(c) for i, c in enumerate(digits))
        return total % 10 == 0
    return False


def check(bib: BibFile, today: dt.date) -> list[Finding]:
    findings: list[Finding] = []
    seen_identifiers: dict[tuple[str, str], str] = {}
    for key, entry in bib.entries.items():

        def at(name: str, severity: str, code: str, message: str, entry: BibEntry = entry) -> None:
            findings.append(_at_field(bib, entry, name, severity, code, f"entry '{entry.key}': {message}"))

        if not keyrules.is_valid_key(key):
            at(
                "",
                "error",
                "bib-key-convention",
                "key does not follow the convention {family}{year|nd}{word} (e.g. clarke2008normal) "
                "or pmcNNN/pmidNNN/nbkNNN, lowercase letters and digits only (boneguide/keys.py)",
            )
        status = bib.value(key, "metadata-status")
        if status is not None and status not in METADATA_STATUSES:
            at(
                "metadata-status",
                "error",
                "bib-field-value",
                f"metadata-status must be one of verified, partial, unverified, not '{status}'",
            )
        rules = REQUIRED_FIELDS.get(entry.entry_type)
        if entry.broken:
            pass  # its fields are unreliable; the syntax error is reported
        elif rules is None:
            at("", "warning", "bib-entry-type", f"unknown entry type '@{entry.entry_type}'")
        else:
            present = {name for name in entry.fields if bib.value(key, name)}
            severity = "warning" if status == "unverified" else "error"
            for options in rules:
                if not present.intersection(options):
                    wanted = " or ".join(f"'{o}'" for o in options)
                    why = " (metadata-status is unverified)" if severity == "warning" else ""
                    at("", severity, "bib-missing-field", f"@{entry.entry_type} needs {wanted}{why}")
        _check_identifiers(bib, key, at)
        findings.extend(_same_work_findings(bib, key, seen_identifiers))
        year = bib.value(key, "year")
        if year is not None and not (
            re.fullmatch(r"\d{4}", year) and EARLIEST_YEAR <= int(year) <= today.year + 1
        ):
            at(
                "year",
                "error",
                "bib-year",
                f"year '{year}' is not a four-digit year between {EARLIEST_YEAR} and {today.year + 1}",
            )
        urldate = bib.value(key, "urldate")
        if urldate is not None:
            try:
                if not DATE_PATTERN.match(urldate):
                    raise ValueError
                if dt.date.fromisoformat(urldate) > today:
                    at("urldate", "error", "bib-urldate", f"urldate {urldate} is in the future")
            except ValueError:
                at("urldate", "error", "bib-urldate", f"urldate '{urldate}' is not a valid date (YYYY-MM-DD)")
        for name in ("url", "seen-at"):
            text = bib.value(key, name)
            if text is None:
                continue
            urls = [u.strip() for u in text.split(";")] if name == "seen-at" else [text]
            for url in urls:
                problem = url_problem(url)
                if problem:
                    at(name, "error", "bib-url", f"{name} '{url}' {problem}")
    return findings


def _check_identifiers(bib: BibFile, key: str, at: Callable[..., None]) -> None:
    doi = bib.value(key, "doi")
    if doi is not None:
        if re.match(r"^(https?://|doi:)", doi, re.IGNORECASE):
            at(
                "doi",
                "error",
                "bib-doi",
                f"doi '{doi}' should be the bare DOI (10.NNNN/...) without a URL or 'doi:' prefix",
            )
        elif not DOI_FULL_RE.match(doi):
            at("doi", "error", "bib-doi", f"doi '{doi}' is not of the form 10.NNNN/suffix")
        elif doi != doi.lower():
            at(
                "doi",
                "warning",
                "bib-doi-case",
                f"doi '{doi}' should be lowercase (DOIs are case-insensitive; the project stores them lowercase)",
            )
    pmid = bib.value(key, "pmid")
    if pmid is not None and not PMID_RE.match(pmid):
        at("pmid", "error", "bib-pmid", f"pmid '{pmid}' should be digits only")
    pmcid = bib.value(key, "pmcid")
    if pmcid is not None and not PMCID_RE.match(pmcid):
        at("pmcid", "error", "bib-pmcid", f"pmcid '{pmcid}' should be 'PMC' followed by digits")
    isbn = bib.value(key, "isbn")
    if isbn is not None and not isbn_is_valid(isbn):
        at(
            "isbn",
            "error",
            "bib-isbn",
            f"isbn '{isbn}' is not a valid ISBN-10 or ISBN-13 (checksum or length)",
        )


def _same_work_findings(bib: BibFile, key: str, seen: dict[tuple[str, str], str]) -> list[Finding]:
    entry = bib.entries[key]
    identities: list[tuple[str, str, str]] = []  # (kind, normalised value, field to point at)
    for name in ("doi", "pmid", "pmcid"):
        value = bib.value(key, name)
        if value:
            identities.append((name, value.strip().lower(), name))
    url = bib.value(key, "url")
    if url:
        identities.append(("url", _normalise_url(url), "url"))
    title, year = bib.value(key, "title"), bib.value(key, "year")
    if title and year:
        identities.append(("title and year", f"{_normalise_title(title)}|{year}", "title"))
    findings = []
    for kind, value, name in identities:
        other = seen.setdefault((kind, value), key)
        if other != key:
            findings.append(
                _at_field(
                    bib,
                    entry,
                    name,
                    "warning" if kind == "url" else "error",
                    "bib-same-work",
                    f"entries '{other}' and '{key}' have the same {kind}: the same work twice?",
                )
            )
    return findings


# --- cache of the offline result -----------------------------------------------------------------


def load_and_check(
    path: Path, display_path: str, today: dt.date, cache_dir: Path | None
) -> tuple[BibFile, list[Finding]]:
    """load() and check(), reusing the last result while the file, the checks and the date are the same.

    The cached BibFile is slim (see _to_cache): enough for the offline checks, not for --online.
    """
    cache_file = None
    if cache_dir is not None and path.is_file():
        # Besides the .bib bytes and the date, the package's code (files.cache_file) shapes the findings.
        inputs = [path.read_bytes(), f"{display_path}\n{today}".encode()]
        cache_file = files.cache_file(cache_dir, "bibliography-", inputs)
        cached = files.read_cache(cache_file)
        if cached is not None:
            # A stale or torn cache is only a lost speed-up.
            with contextlib.suppress(KeyError, TypeError, ValueError):
                return _from_cache(cached, path)
    bib = load_file(path, display_path)
    findings = list(bib.problems)
    findings += check(bib, today)
    if cache_file is not None:
        files.write_cache(cache_file, _to_cache(bib, findings), keep=1)
    return bib, findings


def _to_cache(bib: BibFile, findings: list[Finding]) -> dict[str, Any]:
    """Data, not pickles: a file in build/ is never run as code. Of each entry, what the later
    offline checks read (its key and place, keep-unused, what identifies a work), without pybtex's
    objects: reading back 10,000 parsed pybtex entries would take longer than the checks they save.
    """
    entries = []
    for key, entry in bib.entries.items():
        kept = {
            name: value for name in (*IDENTIFYING_FIELDS, "keep-unused") if (value := bib.value(key, name))
        }
        entries.append([entry.entry_type, key, entry.line, entry.col, entry.key_line, entry.key_col, kept])
    return {
        "display_path": bib.display_path,
        "readable": bib.readable,
        "entries": entries,
        "findings": [asdict(finding) for finding in findings],
    }


def _from_cache(data: dict[str, Any], path: Path) -> tuple[BibFile, list[Finding]]:
    entries = {}
    for entry_type, key, line, col, key_line, key_col, values in data["entries"]:
        # Braced as written in a .bib: BibFile.value takes the outer pair off again.
        fields = {name: BibField(name, f"{{{value}}}", 0, 0, 0, 0) for name, value in values.items()}
        entries[key] = BibEntry(entry_type, key, line, col, key_line, key_col, 0, 0, fields)
    bib = BibFile(path, data["display_path"], entries=entries, readable=data["readable"])
    return bib, [Finding(**finding) for finding in data["findings"]]
