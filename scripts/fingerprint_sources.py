#!/usr/bin/env python3
"""Write sources/<id>/fingerprints.txt from each source article's captured text, so the checker's
copied-sentence rule runs where the articles' text is absent (CI, a fresh clone); and check that a
source's markers.txt still holds the capture's in-text marker groups (the other thing the
repository keeps of a capture; `import_sources.py --extract-markers` writes it).

python scripts/fingerprint_sources.py                      # captured text from ../shared/seeds
python scripts/fingerprint_sources.py --seeds DIR          # elsewhere

Run it when a source is added or recaptured (its source.yml's captured_from names the file).
Exit status: 0 written, 1 a captured file is missing or unreadable (nothing written for it) or a
markers.txt differs from its capture, 2 usage error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from boneguide.checks.copying import FINGERPRINT_FILE, write_fingerprints
from boneguide.citelists import SourceError, extract_marker_groups, load_sources

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sources", type=Path, default=ROOT / "sources")
    parser.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    args = parser.parse_args(argv)
    try:
        sources = load_sources(args.sources)
    except SourceError as error:
        print(f"fingerprint_sources: error: {error}", file=sys.stderr)
        return 1
    failed = 0
    for source in sources:
        captured = source.meta.get("captured_from")
        if not captured:
            continue
        article = args.seeds / str(captured)
        try:
            text = article.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            print(
                f"{args.sources / source.source_id / 'source.yml'}:1: captured_from: {error}", file=sys.stderr
            )
            failed += 1
            continue
        target = args.sources / source.source_id / FINGERPRINT_FILE
        count = write_fingerprints(target, text, str(captured))
        print(f"wrote {target}: {count} fingerprints")
        markers = args.sources / source.source_id / "markers.txt"
        if markers.is_file():
            body = text.split("\nReferences:\n")[0]
            expected = "".join(" ".join(group) + "\n" for group in extract_marker_groups(body))
            if markers.read_text(encoding="utf-8") != expected:
                print(
                    f"{markers}:1: differs from the marker groups of {article}: "
                    f"rewrite it with scripts/import_sources.py --extract-markers {article}",
                    file=sys.stderr,
                )
                failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("fingerprint_sources: interrupted", file=sys.stderr)
        sys.exit(130)
