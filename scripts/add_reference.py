#!/usr/bin/env python3
"""Add a reference to references.bib by PMID, PMCID or DOI, or from a pasted citation.

    python scripts/add_reference.py --pmid 31454046
    python scripts/add_reference.py --doi 10.1001/jama.2019.11889 --online
    python scripts/add_reference.py --citation "Clarke B. Normal bone anatomy and physiology. Clin J Am Soc Nephrol. 2008;3 Suppl 3:S131-9."
    python scripts/add_reference.py --record record.json   # what you read on a public record page
    python scripts/add_reference.py --record record.json --complete   # fill in an identifier-only entry

A --record file is one JSON object in the metadata cache's shape (authors, title, journal, year,
volume, issue, pages, doi, pmid, pmcid, url) plus "seen_at", the addresses you read it at, and
"status" (verified or partial); it is how an editor adds a work read on an abstract page. With
--complete, the record's "key" names an existing entry (one known only by its identifier, say):
the entry is rewritten from the record in place, keeping its provenance (cited-in) and its note;
the record must share an identifier with it and may not be less sure than it (no downgrade).

Metadata come from the committed cache (sources/metadata-cache.json) or, with --online, from the
registries (PubMed, the PMC ID converter, Crossref); a work found in neither is added with its
identifier only and flagged unverified (a DOI alone gives no key: offline, such a work is refused).
A work already in references.bib is refused, naming its key.
Exit status: 0 added, 1 refused (a duplicate, or a DOI with no record offline), 2 usage error,
malformed input or unreadable files, 130 interrupted (Ctrl-C: references.bib is left as it was).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import accumulate
from pathlib import Path

from boneguide.bibfile import BibError
from boneguide.bibliography import load_bib
from boneguide.citelists import parse_vancouver
from boneguide.enrich import EnrichError, MetadataCache, RegistryClient, RegistryConfig
from boneguide.keys import is_valid_key
from boneguide.scaffold import (
    DuplicateReference,
    Refused,
    ScaffoldError,
    append_entry,
    complete_entry,
    entry_fields,
    find_cached_record,
    find_duplicate,
    normalise_identifier,
    reference_key,
)

ROOT = Path(__file__).resolve().parent.parent


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--pmid")
    what.add_argument("--pmcid")
    what.add_argument("--doi")
    what.add_argument("--citation", help="a pasted Vancouver-style citation")
    what.add_argument("--record", type=Path, help="a JSON record read from a public page (see above)")
    parser.add_argument(
        "--online", action="store_true", help="ask the registries when the cache has no record"
    )
    parser.add_argument(
        "--complete", action="store_true", help="with --record: complete the identifier-only entry it names"
    )
    parser.add_argument("--bib", type=Path, default=ROOT / "references.bib")
    parser.add_argument("--cache", type=Path, default=ROOT / "sources" / "metadata-cache.json")
    parser.add_argument("--eutils", help=argparse.SUPPRESS)  # registry base URLs: tests use a local server
    parser.add_argument("--idconv", help=argparse.SUPPRESS)
    parser.add_argument("--crossref", help=argparse.SUPPRESS)
    return parser


def resolve(args: argparse.Namespace, existing: list) -> tuple[dict, str, str]:
    """(record, scheme, value) for the requested work; the record holds its metadata status."""
    if args.record:
        return read_record(args.record), "record", ""
    if args.citation:
        record = parse_vancouver(args.citation)
        if record is None:
            raise ScaffoldError(
                "cannot tell authors and title apart in that citation (expected 'Authors. Title. Journal. Year;...')"
            )
        if problem := unbalanced_braces(record):
            raise ScaffoldError(f"in the pasted citation, {problem}: correct it and try again")
        record["note"] = "From a pasted citation; not yet checked against a registry."
        record["status"] = "unverified"
        return record, "citation", ""
    scheme = next(name for name in ("pmid", "pmcid", "doi") if getattr(args, name) is not None)
    value = normalise_identifier(scheme, getattr(args, scheme))
    if duplicate := find_duplicate(existing, {scheme: value}):
        raise DuplicateReference(*duplicate)
    cache = MetadataCache.load(args.cache)
    record = find_cached_record(cache.records, scheme, value)
    if record is None and args.online:
        urls = {name: getattr(args, name) for name in ("eutils", "idconv", "crossref") if getattr(args, name)}
        record = RegistryClient(RegistryConfig(**urls)).fetch(scheme, value)
        cache.upsert(record)
        cache.save()
    if record is None:
        note = "Known only by its identifier: metadata not yet confirmed (run with --online, or make enrich)."
        return {scheme: value, "note": note, "status": "unverified"}, scheme, value
    return {"status": "partial", **record}, scheme, value


def unbalanced_braces(record: dict) -> str | None:
    """The first field whose braces do not balance: BibTeX would read it as running on into the
    next entry, so it is refused as malformed input before references.bib is touched."""
    for name, value in record.items():
        for text in value if isinstance(value, list) else [value]:
            if not isinstance(text, str):
                continue
            depths = list(accumulate({"{": 1, "}": -1}.get(char, 0) for char in text))
            if depths and (min(depths) < 0 or depths[-1]):  # closed before opened, or left open
                return f"the {name} {text!r} has unbalanced braces {{ }}"
    return None


def read_record(path: Path) -> dict:
    """A hand-read record: refused unless it says where it was read, how sure it is, and who and what."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ScaffoldError(f"{path}:{error.lineno}:{error.colno}: not JSON: {error.msg}") from error
    if not isinstance(record, dict):
        raise ScaffoldError(f"{path}:1: expected one JSON object")
    missing = [name for name in ("title", "seen_at", "status") if not record.get(name)]
    if str(record.get("year", "")).strip().lower() in ("n.d.", "nd", "undated"):
        del record["year"]  # an undated page has no year: its key says nd and its url identifies it
    if not record.get("year") and not (record.get("organization") and record.get("url")):
        missing.append("year (only an organisation's undated web page, with its url, may go without)")
    if not record.get("authors") and not record.get("organization"):
        missing.insert(0, "authors or organization")
    if not record.get("authors") and not record.get("key"):
        missing.append("key (a work without personal authors names its key: acronym + year + subject)")
    if record.get("key") and not is_valid_key(str(record["key"])):
        raise ScaffoldError(f"{path}:1: {record['key']!r} does not follow the key convention")
    if missing:
        raise ScaffoldError(f"{path}:1: the record needs {', '.join(missing)}")
    if record["status"] not in ("verified", "partial"):
        raise ScaffoldError(f"{path}:1: status must be 'verified' or 'partial', not {record['status']!r}")
    if problem := unbalanced_braces(record):
        raise ScaffoldError(f"{path}:1: {problem}")
    for scheme in ("pmid", "pmcid", "doi"):
        if record.get(scheme):
            record[scheme] = normalise_identifier(scheme, str(record[scheme]))
    return record


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the bibliography, so two editors' scripts cannot interleave writes."""
    with open(path, "a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file is closed, however the block ends
        yield


EXAMPLES = {
    "pmid": "a PMID, e.g. 31454046",
    "pmcid": "a PMCID, e.g. PMC6714464",
    "doi": "a DOI, e.g. 10.1001/jama.2019.11889",
    "citation": "a pasted citation, e.g. 'Clarke B. Normal bone anatomy and physiology. ...'",
}


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        for name, example in EXAMPLES.items():
            value = getattr(args, name)
            if value is not None and not value.strip():
                print(f"add_reference: error: --{name} is empty: give {example}", file=sys.stderr)
                return 2
        with locked(args.bib):
            return add(args)
    except OSError as error:
        print(f"add_reference: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("add_reference: interrupted", file=sys.stderr)
        return 130


def add(args: argparse.Namespace) -> int:
    try:
        existing = load_bib(args.bib)
        if args.complete:
            if not args.record:
                raise ScaffoldError("--complete needs --record")
            record = read_record(args.record)
            key = complete_entry(args.bib, existing, record)
            print(f"completed [@{key}] in {args.bib.name} (metadata {record['status']})")
            return 0
        record, scheme, value = resolve(args, existing)
        if duplicate := find_duplicate(existing, record):
            raise DuplicateReference(*duplicate)
        taken = {raw.key for raw in existing}
        if record.get("key") in taken:
            raise ScaffoldError(f"the key {record['key']!r} is taken by another work; choose another")
        key = record.get("key") or reference_key(record, scheme, value, taken)
        append_entry(args.bib, key, entry_fields(record))
    except Refused as refused:
        print(f"add_reference: refused: {refused}", file=sys.stderr)
        return 1
    except (ScaffoldError, BibError, EnrichError, OSError) as error:
        print(f"add_reference: error: {error}", file=sys.stderr)
        return 2
    print(f"added [@{key}] to {args.bib.name} (metadata {record['status']}); cite it as [@{key}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
