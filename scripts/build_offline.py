#!/usr/bin/env python3
"""Build the offline copy of the site as a zip: unzip, open index.html, read with no network.

python scripts/build_offline.py             # bundles build/bone-nutrient-guide.pdf, (re)building it if
                                            # missing or older than any of its inputs (docs/, mkdocs.yml,
                                            # references.bib, sources/, studies/, overrides/, boneguide/)
python scripts/build_offline.py --no-pdf    # site only (the "Download PDF" link is left out)
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from boneguide.export import PDF_NAME, ZIP_NAME
from boneguide.export.offline import build_offline, pdf_staleness
from boneguide.export.pdf import build_pdf
from boneguide.export.variant import ExportError

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-f", "--config-file", type=Path, default=ROOT / "mkdocs.yml")
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "build" / ZIP_NAME)
    pdf = parser.add_mutually_exclusive_group()
    pdf.add_argument(
        "--pdf", type=Path, default=ROOT / "build" / PDF_NAME, help="PDF to bundle (built if missing)"
    )
    pdf.add_argument("--no-pdf", action="store_true", help="do not bundle the PDF")
    parser.add_argument(
        "--draft", action="store_true", help="build despite warnings (broken links, unknown citations)"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    strict = not args.draft
    try:
        pdf_path = None if args.no_pdf else args.pdf
        stale = pdf_path and pdf_staleness(pdf_path, args.config_file.resolve().parent)
        if pdf_path and stale:
            print(f"build_offline: {stale}; building it first")
            build_pdf(args.config_file, pdf_path, strict=strict)
            if still := pdf_staleness(pdf_path, args.config_file.resolve().parent):
                # An input changed while the PDF was being built: bundling it would ship old text.
                raise ExportError(f"{still}: an input changed during the PDF build; run again")
        result = build_offline(args.config_file, args.output, pdf=pdf_path, strict=strict)
    except ExportError as error:
        print(f"build_offline: error: {error}", file=sys.stderr)
        return 1
    bundled = " (PDF included)" if result.pdf_included else ""
    print(
        f"wrote {result.path}: {result.files} files{bundled}, {result.bytes / 1e6:.1f} MB, {result.seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
