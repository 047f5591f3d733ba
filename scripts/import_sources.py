"""Rebuild references.bib from the source articles' citation lists in sources/ (make import).

Merges, never overwrites: hand edits to generated entries are kept (conflicts are reported),
entries added by hand are kept as written, and so are comments (% lines, @comment blocks).
Malformed input lines are reported as file:line and nothing is written; the exit status is then 1.
A source folder that cannot be read (references.txt missing, source.yml not YAML) is an error
naming the file, exit status 2, nothing written. Running it twice gives a byte-identical file.

Exit status: 0 written or unchanged, 1 problems in the lists (or --check: out of date),
2 usage or configuration error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from boneguide import PROJECT_ROOT
from boneguide.bibfile import BibError
from boneguide.bibliography import ImportOutcome, base_path_for, run_import
from boneguide.citelists import extract_marker_groups
from boneguide.enrich import EnrichError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, default=PROJECT_ROOT / "sources", help="source lists folder")
    parser.add_argument(
        "--bib", type=Path, default=PROJECT_ROOT / "references.bib", help="bibliography to update"
    )
    parser.add_argument("--cache", type=Path, help="metadata cache (default: SOURCES/metadata-cache.json)")
    parser.add_argument(
        "--base", type=Path, help="last generated entries (default: SOURCES/generated-entries.json)"
    )
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if the file would change")
    parser.add_argument(
        "--extract-markers",
        type=Path,
        metavar="ARTICLE",
        help="print the in-text marker groups of an article capture, one group a line (for markers.txt)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print problems only")
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:
        # Files are written by rename (files.write_atomically): nothing is left half-written.
        print("interrupted", file=sys.stderr)
        return 130


def _main(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    if args.extract_markers:
        try:
            text = args.extract_markers.read_text(encoding="utf-8")
        except OSError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        body = text.split("\nReferences:\n")[0]
        print("\n".join(" ".join(group) for group in extract_marker_groups(body)))
        return 0
    cache = args.cache or args.sources / "metadata-cache.json"
    base = args.base or base_path_for(args.bib, args.sources)
    try:
        outcome = run_import(args.sources, args.bib, cache, base, write=not args.check)
    except (BibError, EnrichError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report = outcome.report
    for issue in report.issues:
        print(f"warning: {issue}", file=sys.stderr)
    for conflict in outcome.merge.conflicts:
        print(f"conflict: {conflict}", file=sys.stderr)
    for inconsistency in report.inconsistencies:
        print(f"inconsistency: {inconsistency}")
    for discrepancy in report.discrepancies:
        print(f"discrepancy: {discrepancy}")
    if report.issues and outcome.changed:
        print(f"{args.bib}: not written: fix the problems above first", file=sys.stderr)
    if not args.quiet:
        print_summary(outcome, args.bib)
    if args.check and outcome.changed:
        print(f"{args.bib} is out of date: run make import", file=sys.stderr)
        return 1
    return 1 if report.issues else 0


def print_summary(outcome: ImportOutcome, bib: Path) -> None:
    works = outcome.report.works
    by_status = Counter(work.fields["metadata-status"] for work in works)
    identifier_only = sum(1 for w in works if "title" not in w.fields)
    print(
        f"{bib.name}: {len(works)} works from the source lists "
        + ", ".join(f"{n} {s}" for s, n in sorted(by_status.items()))
        + f" ({identifier_only} known only by an identifier); "
        f"{len(outcome.report.unresolved)} unresolved list items; "
        f"{len(outcome.merge.kept_hand_added)} entries kept as added by hand; "
        + ("file updated" if outcome.written else "file not written" if outcome.changed else "file unchanged")
    )
    for item in outcome.report.unresolved:
        print(f"unresolved: {item.source_id}:{item.marker}: {item.reason}")


if __name__ == "__main__":
    sys.exit(main())
