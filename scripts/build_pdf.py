#!/usr/bin/env python3
"""Print the whole guide to one PDF (cover, contents, every page in navigation order), and a short
handout per nutrient page (key points, intake values, safety and medicines).

python scripts/build_pdf.py                 # strict: build/bone-nutrient-guide.pdf, build/handouts/*.pdf
python scripts/build_pdf.py --no-handouts   # the whole guide only
python scripts/build_pdf.py --draft         # preview while pages are unfinished (warnings only)
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from boneguide.export import PDF_NAME
from boneguide.export.handouts import HANDOUT_DIR, build_handouts
from boneguide.export.pdf import build_pdf
from boneguide.export.variant import ExportError

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-f", "--config-file", type=Path, default=ROOT / "mkdocs.yml")
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "build" / PDF_NAME)
    parser.add_argument(
        "--draft", action="store_true", help="build despite warnings (broken links, unknown citations)"
    )
    parser.add_argument("--no-handouts", action="store_true", help="skip the per-nutrient handouts")
    args = parser.parse_args(argv)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    try:
        result = build_pdf(args.config_file, args.output, strict=not args.draft)
        handouts = (
            []
            if args.no_handouts
            else build_handouts(args.config_file, args.output.parent / HANDOUT_DIR, strict=not args.draft)
        )
    except ExportError as error:
        print(f"build_pdf: error: {error}", file=sys.stderr)
        return 1
    print(
        f"wrote {result.path}: {result.pages} pages, {result.bytes / 1e6:.1f} MB, "
        f"{len(result.chapters)} chapters, {result.seconds:.1f} s"
    )
    for handout in handouts:
        print(f"wrote {handout.path}: {handout.pages} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
