"""Complete references.bib from public records (make enrich).

Offline (the default) it uses only the committed cache, sources/metadata-cache.json. --seed adds
records already read from public pages (reference-metadata/seed-identifiers.json) to the cache,
keeping their seen_at addresses. --online asks the registries (NCBI E-utilities, the PMC ID
converter, Crossref) for identifier-only works the cache has no record for, politely and with
retries, and caches their normalised answers. The bibliography is then rebuilt from the cache.

A record never replaces a surer one of the same id (verified > partial > unverified >
unresolved), so rerunning --seed with an older seed changes nothing; what did change is printed
(records added, upgraded, kept over a poorer one; entries of references.bib changed).
Exit status: 0 done, 1 a registry failed or the source lists have problems (nothing written),
2 usage or configuration error (unreadable cache, seed or bibliography), 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from boneguide import PROJECT_ROOT
from boneguide.bibfile import BibError
from boneguide.bibliography import base_path_for, build_works, load_bib, run_import
from boneguide.citelists import load_sources
from boneguide.enrich import (
    REGISTRY_SCHEMES,
    EnrichError,
    MetadataCache,
    RegistryClient,
    RegistryConfig,
    enrich_identifiers,
    records_from_seed,
)


def build_parser() -> argparse.ArgumentParser:
    defaults = RegistryConfig()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, default=PROJECT_ROOT / "sources")
    parser.add_argument("--bib", type=Path, default=PROJECT_ROOT / "references.bib")
    parser.add_argument("--cache", type=Path, help="default: SOURCES/metadata-cache.json")
    parser.add_argument("--seed", type=Path, help="records read from public pages to add to the cache")
    parser.add_argument("--online", action="store_true", help="query the registries for uncached identifiers")
    parser.add_argument("--eutils", default=defaults.eutils, help="NCBI E-utilities base URL")
    parser.add_argument("--idconv", default=defaults.idconv, help="PMC ID converter URL")
    parser.add_argument("--crossref", default=defaults.crossref, help="Crossref API base URL")
    parser.add_argument(
        "--min-interval", type=float, default=defaults.min_interval, help="seconds between requests"
    )
    parser.add_argument("--retries", type=int, default=defaults.retries)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:
        # The cache and references.bib are written by rename: either whole or not at all.
        print("interrupted", file=sys.stderr)
        return 130


def read_seed(path: Path) -> list[dict]:
    try:
        seed = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise EnrichError(f"{path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}") from None
    if not isinstance(seed, list):
        raise EnrichError(f"{path}:1: expected a JSON list of records")
    return seed


def report_seed(outcomes: dict[str, str], cache_name: str, seed_name: str) -> None:
    counts = Counter(outcome.split(" ", 1)[0] for outcome in outcomes.values())
    print(
        f"{cache_name}: {len(outcomes)} records from {seed_name}: "
        + ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
    )
    for record_id, outcome in sorted(outcomes.items()):
        if outcome != "unchanged":
            print(f"  {record_id}: {outcome}")


def bib_texts(path: Path) -> dict[str, str]:
    return {raw.key: raw.text for raw in load_bib(path)}


def _main(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    cache_path = args.cache or args.sources / "metadata-cache.json"
    base_path = base_path_for(args.bib, args.sources)
    try:
        cache = MetadataCache.load(cache_path)
        before = bib_texts(args.bib)
        if args.seed:
            seed = read_seed(args.seed)
            outcomes = {
                record["id"]: cache.upsert(record) for record in records_from_seed(seed, args.seed.name)
            }
            report_seed(outcomes, cache_path.name, args.seed.name)
        errors: list[str] = []
        if args.online:
            config = RegistryConfig(
                eutils=args.eutils,
                idconv=args.idconv,
                crossref=args.crossref,
                min_interval=args.min_interval,
                retries=args.retries,
            )
            wanted = uncached_identifiers(args, cache)
            added, errors = enrich_identifiers(cache, wanted, RegistryClient(config))
            print(f"registries: {len(added)} records added, {len(errors)} failed")
            for error in errors:
                print(f"warning: {error}", file=sys.stderr)
        cache.save()
        outcome = run_import(args.sources, args.bib, cache_path, base_path)
        after = bib_texts(args.bib)
    except (BibError, EnrichError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    works = outcome.report.works
    unverified = [w.key for w in works if w.fields["metadata-status"] == "unverified"]
    changed = sorted(key for key in after if before.get(key) != after[key])
    print(
        f"{args.bib.name}: {len(works)} works, {len(unverified)} still unverified; "
        + (f"{len(changed)} entries changed: {', '.join(changed)}" if changed else "no entry changed")
    )
    for issue in outcome.report.issues:
        print(f"warning: {issue}", file=sys.stderr)
    if outcome.report.issues and outcome.changed:
        print(f"{args.bib}: not written: fix the problems above first", file=sys.stderr)
    for conflict in outcome.merge.conflicts:
        print(f"conflict: {conflict}", file=sys.stderr)
    return 1 if errors or outcome.report.issues else 0


def uncached_identifiers(args: argparse.Namespace, cache: MetadataCache) -> list[tuple[str, str]]:
    """(scheme, value) of works whose metadata are unverified and that no cached record covers."""
    report = build_works(load_sources(args.sources), cache.records)
    known = {
        (name, str(r[name]).lower())
        for r in cache.records
        if r.get("status") != "unresolved"
        for name in REGISTRY_SCHEMES
        if r.get(name)
    }
    wanted = []
    for work in report.works:
        if work.fields["metadata-status"] != "unverified":
            continue
        for name in REGISTRY_SCHEMES:
            value = work.fields.get(name)
            if value and (name, value.lower()) not in known:
                wanted.append((name, value))
                break
    return wanted


if __name__ == "__main__":
    sys.exit(main())
