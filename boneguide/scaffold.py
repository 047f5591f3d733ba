"""Scaffolding for editors: a new nutrient page from the template, with its nav entry."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from boneguide import frontmatter
from boneguide.keys import ascii_fold

TEMPLATE = """\
---
title: {title}
nutrient_id: {nutrient_id}
kind: {kind}
summary: TODO one plain sentence on {title_lower} and bone, 20 to 300 characters long.
evidence_level: very-low
evidence_summary: TODO what the evidence level refers to (outcome and population)
last_reviewed: {today}
reviewers: [TODO your name]
intake:
  authority: TODO the body that set the values (e.g. Food and Nutrition Board, US National Academies)
  source: todo
  unit: mg/day
  values: []
  upper_limits: []
  no_reference_value: TODO replace with RDA/AI rows under values, or say why none exists.
---

# {title} and bone health

## Key points

- TODO 3 to 6 plain-language bullets, each ending with its citation [@todo].

## What it does in bone

TODO mechanisms, each with the kind of evidence behind it (cell, animal or human study) [@todo].

## What studies in people show

TODO trials and meta-analyses first, then observational studies: population, size, dose,
duration and outcome where the source gives them [@todo].

**Verdict:** TODO one line. **Evidence level: [Very low](../overview/evidence.md#very-low).**

## How much

<!-- bng:intake-table -->

TODO how supplements were dosed in the studies cited (unit, population) [@todo].

## Food sources

TODO [@todo].

## Safety and interactions

TODO [@todo].

## Where sources disagree

TODO each disagreement named with both citations, or what was checked.

## References

\\bibliography
"""


class ScaffoldError(Exception):
    pass


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_fold(name).lower()).strip("-")
    if not slug or not slug[0].isalpha():
        raise ScaffoldError(f"cannot make a page id from {name!r}: start with a letter")
    return slug


def render_page(name: str, kind: str, today: dt.date) -> str:
    return TEMPLATE.format(
        title=name.strip(),
        title_lower=name.strip().lower(),
        nutrient_id=slugify(name),
        kind=kind,
        today=today.isoformat(),
    )


def add_nav_entry(config_text: str, title: str, src: str) -> str:
    """Insert `- title: src` after the last nutrients/ entry of the nav, keeping comments intact.

    Written by hand because a YAML round-trip (PyYAML) would drop the file's comments.
    """
    lines = config_text.splitlines(keepends=True)
    positions = [
        i for i, line in enumerate(lines) if re.match(r"^\s*-\s+[^#]*:\s+nutrients/\S+\.md\s*$", line)
    ]
    if not positions:
        raise ScaffoldError("mkdocs.yml has no nav entry under nutrients/ to add the page beside")
    last = positions[-1]
    indent = re.match(r"^(\s*)", lines[last]).group(1)
    lines.insert(last + 1, f"{indent}- {title}: {src}\n")
    return "".join(lines)


def create_nutrient_page(root: Path, name: str, kind: str = "other", today: dt.date | None = None) -> Path:
    """Write docs/nutrients/<id>.md from the template and add it to the nav; refuse to overwrite."""
    nutrient_id = slugify(name)
    page = root / "docs" / "nutrients" / f"{nutrient_id}.md"
    if page.exists():
        raise ScaffoldError(f"{page.relative_to(root)} already exists; edit it instead")
    text = render_page(name, kind, today or dt.date.today())
    frontmatter.validate_nutrient_page(page, text)  # the template itself must satisfy the schema
    config = root / "mkdocs.yml"
    new_config = add_nav_entry(
        config.read_text(encoding="utf-8"), name.strip(), f"nutrients/{nutrient_id}.md"
    )
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(text, encoding="utf-8")
    config.write_text(new_config, encoding="utf-8")
    return page
