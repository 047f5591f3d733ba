"""Where the build reports a citation problem: the line in the page's source file, found by the
citation itself (never by searching for its key, which may be empty or appear earlier)."""

from __future__ import annotations

import shutil
from pathlib import Path

from sitebuild import build_site

from boneguide.citesyntax import find_citations, line_in_source

FIXTURE = Path(__file__).parent / "fixtures" / "citations" / "site"

SOURCE = """\
---
title: Calcium
---
# Calcium

Write to editors@example.org; see [@clarke2008normal].

Empty [@] here.

Doubled [@clarke2008normal;;@yamaguchi2010role] there.
"""


def test_each_citation_is_located_by_itself_not_by_its_key() -> None:
    body = SOURCE.split("---\n", 2)[2]  # as a plugin sees it: no front matter
    generated = "| [@] | generated |\n\n" + body  # and a table another plugin put first
    citations = find_citations(generated)
    source_citations = find_citations(SOURCE)
    lines = [line_in_source(source_citations, citations, i) for i in range(len(citations))]
    assert [c.raw for c in citations] == [
        "[@]",
        "[@clarke2008normal]",
        "[@]",
        "[@clarke2008normal;;@yamaguchi2010role]",
    ]
    assert lines[1:] == [6, 8, 10]


def test_a_citation_only_in_generated_content_has_no_source_line() -> None:
    citations = find_citations("[@zinc2020x]\n")
    assert line_in_source(find_citations(SOURCE), citations, 0) is None


def test_the_build_reports_an_empty_key_at_its_own_line(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    page = project / "docs" / "guide" / "calcium.md"
    page.write_text(SOURCE.replace("Doubled [@clarke2008normal;;@yamaguchi2010role] there.\n", ""))
    result = build_site(project / "mkdocs.yml", tmp_path / "site")
    assert "guide/calcium.md:8: empty citation key" in result.stderr, result.stderr
    other = project / "docs" / "guide" / "calcium.md"
    other.write_text(SOURCE.replace("Empty [@] here.\n", ""))
    result = build_site(project / "mkdocs.yml", tmp_path / "site2")
    assert "guide/calcium.md:9: empty citation key" in result.stderr, result.stderr
