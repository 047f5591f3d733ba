"""scripts/validate_frontmatter.py: broken front matter is reported at file:line, exit 1."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import validate_frontmatter

from boneguide.scaffold import render_page


def test_valid_page_passes(tmp_path: Path) -> None:
    import datetime as dt

    page = tmp_path / "iodine.md"
    page.write_text(render_page("Iodine", "trace-element", dt.date(2026, 1, 1)))
    bib = tmp_path / "references.bib"
    bib.write_text("@misc{todo,\n  title = {Placeholder}\n}\n")
    assert validate_frontmatter.main([str(page), "--bib", str(bib)]) == 0


def test_a_key_missing_from_the_bibliography_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import datetime as dt

    page = tmp_path / "iodine.md"
    page.write_text(render_page("Iodine", "trace-element", dt.date(2026, 1, 1)))
    bib = tmp_path / "references.bib"
    bib.write_text("@misc{other2020,\n  title = {Other}\n}\n")
    assert validate_frontmatter.main([str(page), "--bib", str(bib)]) == 1
    err = capsys.readouterr().err
    assert f"{page}:1: unknown citation key 'todo'" in err  # front matter's intake.source
    body_line = next(n for n, t in enumerate(page.read_text().splitlines(), 1) if "[@todo]" in t)
    assert f"{page}:{body_line}: unknown citation key 'todo'" in err


STUDY = """\
- key: walsh2021selenium
  design: randomised controlled trial
  population: postmenopausal women with osteopenia
  participants: 120
  exposure: selenium 200 micrograms a day
  duration: 6 months
  outcomes: [bone turnover markers]
  result: No difference in bone turnover markers between the groups.
  read_at: {url: "https://example.org/abstract", date: 2026-12-04}
"""


def test_study_records_validate_and_their_keys_are_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    studies = tmp_path / "selenium.yml"
    studies.write_text(STUDY + STUDY.replace("walsh2021selenium", "other2020trial"))
    bib = tmp_path / "references.bib"
    bib.write_text("@misc{walsh2021selenium,\n  title = {Trial}\n}\n")
    assert validate_frontmatter.main([str(studies), "--bib", str(bib)]) == 1
    assert f"{studies}:10: unknown citation key 'other2020trial'" in capsys.readouterr().err


def test_a_bad_study_record_is_reported_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    studies = tmp_path / "selenium.yml"
    studies.write_text(STUDY + STUDY.replace("randomised controlled trial", "anecdote"))
    bib = tmp_path / "references.bib"
    bib.write_text("@misc{walsh2021selenium,\n  title = {Trial}\n}\n")
    assert validate_frontmatter.main([str(studies), "--bib", str(bib)]) == 1
    err = capsys.readouterr().err
    assert f"{studies}:11: 1.design: 'anecdote' is not one of" in err


def test_a_study_record_gives_its_count_or_says_the_source_gave_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A trial's abstract may not say how many people took part (Carpenter 2006): the record says
    so with count_not_given rather than leave the count out unnoticed or guess one."""
    studies = tmp_path / "selenium.yml"
    bib = tmp_path / "references.bib"
    bib.write_text("@misc{walsh2021selenium,\n  title = {Trial}\n}\n")
    studies.write_text(STUDY.replace("  participants: 120\n", ""))
    assert validate_frontmatter.main([str(studies), "--bib", str(bib)]) == 1
    assert f"{studies}:1: 0: give 'participants' or 'count_not_given'" in capsys.readouterr().err
    studies.write_text(STUDY.replace("  participants: 120\n", "  count_not_given: true\n"))
    assert validate_frontmatter.main([str(studies), "--bib", str(bib)]) == 0


def test_the_same_study_twice_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    studies = tmp_path / "selenium.yml"
    studies.write_text(STUDY + STUDY)
    bib = tmp_path / "references.bib"
    bib.write_text("@misc{walsh2021selenium,\n  title = {Trial}\n}\n")
    assert validate_frontmatter.main([str(studies), "--bib", str(bib)]) == 1
    assert (
        f"{studies}:10: a second record for 'walsh2021selenium' (the first is at line 1)"
        in capsys.readouterr().err
    )


def test_bad_yaml_is_reported_with_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "bad.md"
    page.write_text("---\ntitle: Zinc\nkind: [unclosed\n---\n# Zinc\n")
    assert validate_frontmatter.main([str(page)]) == 1
    err = capsys.readouterr().err
    assert f"{page}:" in err and "not valid YAML" in err


def test_schema_violation_names_field_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import datetime as dt

    text = render_page("Iodine", "trace-element", dt.date(2026, 1, 1)).replace(
        "direction: not-studied", "direction: excellent"
    )
    page = tmp_path / "iodine.md"
    page.write_text(text)
    assert validate_frontmatter.main([str(page)]) == 1
    line = text.splitlines().index("    direction: excellent") + 1
    assert f"{page}:{line}: evidence.0.direction:" in capsys.readouterr().err


def test_missing_file_is_an_error_not_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert validate_frontmatter.main([str(tmp_path / "nope.md")]) == 1
    assert "cannot read" in capsys.readouterr().err


@pytest.mark.parametrize("value", [".nan", ".NaN", ".inf", "-.inf"])
def test_a_number_that_is_not_finite_is_refused_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    source = Path(__file__).parent / "fixtures" / "check" / "base"
    page = tmp_path / "zinc.md"
    text = (source / "docs" / "nutrients" / "zinc.md").read_text(encoding="utf-8")
    page.write_text(text.replace("type: RDA, amount: 8}", f"type: RDA, amount: {value}}}"))
    assert validate_frontmatter.main([str(page), "--bib", str(source / "references.bib")]) == 1
    err = capsys.readouterr().err
    assert f"{page}:21: intake.values.0.amount: " in err and "is not a finite number" in err


def test_each_unknown_field_is_reported_at_its_own_line(tmp_path: Path) -> None:
    import datetime as dt

    from boneguide import frontmatter

    text = render_page("Iodine", "trace-element", dt.date(2026, 1, 1))
    text = text.replace("kind:", "colour: red\nshade: dark\nkind:", 1)
    text = text.replace("  unit:", "  unitt: x\n  unit:", 1)
    lines = text.splitlines()
    expected = {
        name: lines.index(next(line for line in lines if line.strip().startswith(name))) + 1
        for name in ("colour:", "shade:", "unitt:")
    }
    with pytest.raises(frontmatter.FrontMatterError) as raised:
        frontmatter.validate_nutrient_page(tmp_path / "iodine.md", text)
    assert [(p.line, p.message) for p in raised.value.problems] == [
        (
            expected["colour:"],
            "front matter: Additional properties are not allowed ('colour' was unexpected)",
        ),
        (expected["shade:"], "front matter: Additional properties are not allowed ('shade' was unexpected)"),
        (expected["unitt:"], "intake: Additional properties are not allowed ('unitt' was unexpected)"),
    ]
    assert expected["colour:"] > 2
