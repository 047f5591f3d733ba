#!/usr/bin/env python3
"""Create a nutrient page from the template, with valid front matter and its nav entry.

python scripts/new_page.py "Vitamin B12" --kind vitamin
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

try:  # Ctrl-C while the schema libraries load is still one line, exit 130
    from boneguide.scaffold import ScaffoldError, create_nutrient_page
except KeyboardInterrupt:
    print("new_page: interrupted", file=sys.stderr)
    sys.exit(130)

ROOT = Path(__file__).resolve().parent.parent
KINDS = ["vitamin", "macromineral", "trace-element", "phytoestrogen", "other"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("name", help='the nutrient as readers know it, e.g. "Vitamin B12"')
    parser.add_argument("--kind", choices=KINDS, default="other")
    parser.add_argument("--root", type=Path, default=ROOT, help="project folder (default: this repository)")
    args = parser.parse_args(argv)
    try:
        page = create_nutrient_page(args.root, args.name, args.kind)
    except (ScaffoldError, OSError) as error:
        print(f"new_page: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C: one line, not a traceback (CONTRIBUTING: exit 130)
        print("new_page: interrupted", file=sys.stderr)
        return 130
    print(f"created {page.relative_to(args.root)} and its nav entry in mkdocs.yml")
    print("next: replace every TODO (and [@todo]) with cited text; `make check` lists what is left")
    return 0


if __name__ == "__main__":
    sys.exit(main())
