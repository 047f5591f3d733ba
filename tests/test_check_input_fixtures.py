"""Hostile and careless input (issue 19), each fault class in a fixture of its own (tests/fixtures/check)."""

from __future__ import annotations

from pathlib import Path

from checkproject import findings
from mkdocs.commands.build import build
from mkdocs.config import load_config


def test_nan_and_infinity_in_front_matter_are_errors_at_their_line(tmp_path: Path) -> None:
    result = findings(tmp_path, "front-matter-nan")
    page = "docs/nutrients/zinc.md"
    assert result[:2] == [
        (page, 21, 0, "error", "front-matter", "intake.values.0.amount: nan is not a finite number"),
        (page, 24, 0, "error", "front-matter", "intake.upper_limits.0.amount: inf is not a finite number"),
    ]
    assert {f[4] for f in result[2:]} <= {"build-failed"}


def test_an_upper_level_below_the_rda_is_an_error_but_a_supplements_only_one_is_not(
    tmp_path: Path,
) -> None:
    result = findings(tmp_path, "upper-level-below-rda")
    assert (
        "docs/nutrients/zinc.md",
        24,
        0,
        "error",
        "front-matter",
        "intake.upper_limits.0: the upper level 4 mg/day for ages 19+ is below the RDA 8 mg/day of "
        "intake.values.0 (female, ages 19+): one of them is mistyped (a limit on supplements only says "
        "so in applies_to)",
    ) in result
    # Men's RDA too; the supplements-only limit of 2 mg (line 25) is not compared with the RDA.
    assert [f[1] for f in result if f[4] == "front-matter"] == [24, 24]
    assert any("11 mg/day of intake.values.1 (male, ages 19+)" in f[5] for f in result)


def test_citations_printed_as_text_are_reported(tmp_path: Path) -> None:
    page = "docs/evidence.md"
    assert findings(tmp_path, "citation-syntax") == [
        (
            page,
            6,
            20,
            "error",
            "citation-syntax",
            "'[see @clarke2008normal]' is printed as text, not as a citation: prefixes, locators and "
            "'-@' are not supported; write [@clarke2008normal] and put any words outside the brackets",
        ),
        (
            page,
            6,
            64,
            "error",
            "citation-syntax",
            "'[-@iom2001dietary]' is printed as text, not as a citation: prefixes, locators and "
            "'-@' are not supported; write [@iom2001dietary] and put any words outside the brackets",
        ),
        (
            page,
            7,
            4,
            "error",
            "citation-syntax",
            "'@clarke2008normal' is printed as text, not as a citation: write [@clarke2008normal] to "
            "cite, or put it in `code` if it is not a citation",
        ),
    ]


def test_a_citation_in_an_indented_code_block_is_code(tmp_path: Path) -> None:
    """Before: 'notakey' was an unknown key, and a known one was rendered inside <pre><code>."""
    # Only the typo in the prose after the block: nothing in the block itself.
    assert [f[1:5] for f in findings(tmp_path, "indented-code")] == [
        (13, 40, "error", "citation-unknown-key")
    ]
    config = load_config(str(tmp_path / "project" / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    build(config)
    built = (tmp_path / "site" / "evidence" / "index.html").read_text(encoding="utf-8")
    code = built.split("<pre><code>", 1)[1].split("</code></pre>", 1)[0]
    assert "[@notakey]" in code
