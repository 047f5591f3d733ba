#!/usr/bin/env python3
"""Validate nutrient pages' front matter against the JSON Schema (pre-commit runs this on changed pages).

python scripts/validate_frontmatter.py [docs/nutrients/zinc.md ...]   # default: every nutrient page
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from boneguide import frontmatter

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("pages", nargs="*", type=Path)
    args = parser.parse_args(argv)
    pages = args.pages or sorted((ROOT / "docs" / "nutrients").glob("*.md"))
    failed = 0
    for page in pages:
        try:
            frontmatter.validate_nutrient_page(page)
        except frontmatter.FrontMatterError as error:
            failed += 1
            print(error, file=sys.stderr)
        except OSError as error:
            failed += 1
            print(f"{page}: cannot read: {error.strerror}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
