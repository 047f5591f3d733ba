"""Front matter of every page (YAML), nutrient pages against the schema and the template, and review dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

from boneguide import frontmatter
from boneguide.checks import template
from boneguide.checks.model import Finding
from boneguide.checks.studies import PROVENANCE_PAGES


def _months_between(earlier: dt.date, later: dt.date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month - (later.day < earlier.day)


def check_page(
    path: Path,
    display_path: str,
    text: str,
    *,
    is_nutrient_page: bool,
    template_rules: bool = False,
    review_months: int,
    today: dt.date,
    validated: dict[str, Any] | None = None,
) -> list[Finding]:
    """``validated``: the page's front matter as already validated against the schema, if it was."""
    findings: list[Finding] = []
    data: dict[str, Any] | None = None
    try:
        if validated is not None:
            data = validated
        elif is_nutrient_page:
            data = frontmatter.validate_nutrient_page(path, text)
        else:
            data, _ = frontmatter.load(path, text)
    except frontmatter.FrontMatterError as error:
        findings = [replace(problem, path=display_path) for problem in error.problems]
    if not is_nutrient_page:
        if template_rules and not display_path.endswith(PROVENANCE_PAGES):
            findings += template.editors_workings(display_path, text)
        return findings
    if template_rules:  # with invalid front matter too (data None): one pass shows every problem
        findings += template.check_nutrient_page(display_path, text, data)
    if data is None:
        return findings
    # Validated front matter (here or by bng-nutrients) has it: the schema requires it, a string in
    # date format (checked by FORMAT_CHECKER), or validate_nutrient_page raised above.
    reviewed = dt.date.fromisoformat(data["last_reviewed"])
    line = frontmatter.top_level_line(text, "last_reviewed")
    age = _months_between(reviewed, today)
    if reviewed > today:
        findings.append(
            Finding(
                display_path, line, 0, "error", "review-date", f"last_reviewed {reviewed} is in the future"
            )
        )
    elif age >= review_months:
        findings.append(
            Finding(
                display_path,
                line,
                0,
                "warning",
                "review-stale",
                f"last reviewed {reviewed}, {age} months ago (pages are due a review every {review_months} months)",
            )
        )
    return findings
