#!/usr/bin/env python3
"""Validate nutrient pages' front matter and study records against their JSON Schemas, and check
that every citation key they use is in references.bib (pre-commit runs this on changed files).

python scripts/validate_frontmatter.py [docs/nutrients/zinc.md studies/zinc.yml ...]
    # default: every nutrient page and every studies/*.yml

Exit status: 0 all valid, 1 problems found (each at file:line), 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from boneguide import frontmatter
from boneguide.bibfile import BibError
from boneguide.bibliography import load_bib
from boneguide.citesyntax import find_citations

ROOT = Path(__file__).resolve().parent.parent


def check_file(path: Path, known: set[str]) -> list[str]:
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yml", ".yaml"):
        data: Any = frontmatter.validate_studies_file(path, text)
        cited = {(k, r["line"]) for r in data for k in frontmatter.data_keys(r)}
    else:
        data = frontmatter.validate_nutrient_page(path, text)
        cited = {(k, 1) for k in frontmatter.data_keys(data)}
        cited |= {(k, c.line) for c in find_citations(text) for k in c.keys}
    return [
        f"{path}:{line}: unknown citation key '{key}': not in references.bib"
        for key, line in sorted(cited, key=lambda item: item[1])
        if key not in known
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--bib", type=Path, default=ROOT / "references.bib")
    args = parser.parse_args(argv)
    files = args.files or [
        *sorted((ROOT / "docs" / "nutrients").glob("*.md")),
        *sorted((ROOT / "studies").glob("*.yml")),
    ]
    try:
        known = {raw.key for raw in load_bib(args.bib)}
    except BibError as error:
        print(error, file=sys.stderr)
        return 1
    failed = 0
    for path in files:
        try:
            problems = check_file(path, known)
        except frontmatter.FrontMatterError as error:
            problems = [str(error)]
        except OSError as error:
            problems = [f"{path}: cannot read: {error.strerror}"]
        if problems:
            failed += 1
            print("\n".join(problems), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)  # it only reads: nothing to clean up
        sys.exit(130)
