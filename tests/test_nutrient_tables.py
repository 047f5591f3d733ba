"""The bng-nutrients plugin: front matter -> intake tables, at-a-glance cells, and clear build errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from sitebuild import build_site

from boneguide import frontmatter
from boneguide.site.nutrients import adult_range, adult_upper, format_amount, intake_tables

FIXTURE = Path(__file__).parent / "fixtures" / "content" / "project"


def nutrient(**intake: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "authority": "Fixture Board",
        "source": "fixture2026board",
        "unit": "mg/day",
        "values": [],
        "upper_limits": [],
    }
    return {"title": "Examplium", "intake": {**base, **intake}}


ZINC_LIKE = nutrient(
    values=[
        {"group": "Women", "sex": "female", "ages": "19+", "type": "RDA", "amount": 8},
        {"group": "Men", "sex": "male", "ages": "19+", "type": "RDA", "amount": 11},
    ],
    upper_limits=[{"group": "Adults", "ages": "19+", "amount": 40, "applies_to": "total intake"}],
)
VITAMIN_D_LIKE = nutrient(
    unit="µg/day",
    alt_unit={"unit": "IU/day", "factor": 40, "source": "fixture2026iu"},
    values=[
        {"group": "Adults", "sex": "all", "ages": "19–70", "type": "RDA", "amount": 15},
        {"group": "Adults", "sex": "all", "ages": "71+", "type": "RDA", "amount": 20},
    ],
    upper_limits=[{"group": "Adults", "ages": "19+", "amount": 100, "applies_to": "total intake"}],
)


def table_rows(markdown: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in markdown.splitlines()
        if line.startswith("|") and not line.startswith("| ---")
    ]


def test_format_amount_adds_the_second_unit_only_when_it_converts() -> None:
    assert format_amount(15, "µg/day", {"unit": "IU/day", "factor": 40}) == "15 µg (600 IU)"
    assert format_amount(4000, "IU/day", {"unit": "IU/day", "factor": 40}) == "4,000 IU"
    assert format_amount(1200, "mg/day") == "1,200 mg"
    assert format_amount(0.9, "mg/day") == "0.9 mg"
    assert format_amount(2_000_000, "µg/day") == "2,000,000 µg"  # not 2e+06


def test_intake_table_puts_each_sex_in_its_column_and_cites_the_source() -> None:
    markdown = intake_tables(ZINC_LIKE)
    rows = table_rows(markdown)
    assert rows[0] == ["Ages (years)", "Women", "Men"]
    assert rows[1] == ["19+", "8 mg (RDA)", "11 mg (RDA)"]
    assert "Recommended Dietary Allowance (RDA)" in markdown
    assert "Set by the Fixture Board [@fixture2026board]" in markdown
    assert ["Adults", "19+", "40 mg [@fixture2026board]", "total intake"] in rows


def test_intake_table_sorts_age_bands_and_fills_both_sexes_for_all() -> None:
    rows = table_rows(intake_tables(VITAMIN_D_LIKE))
    assert rows[1] == ["19–70", "15 µg (600 IU) (RDA)", "15 µg (600 IU) (RDA)"]
    assert rows[2] == ["71+", "20 µg (800 IU) (RDA)", "20 µg (800 IU) (RDA)"]
    assert "Amounts in brackets are in IU [@fixture2026iu]." in intake_tables(VITAMIN_D_LIKE)


def test_intake_table_without_reference_values_says_so() -> None:
    data = nutrient(no_reference_value="No RDA or AI has been set for examplium.")
    markdown = intake_tables(data)
    assert "**No RDA or AI.** No RDA or AI has been set for examplium." in markdown
    assert "No Tolerable Upper Intake Level (UL) has been set" in markdown
    assert "not proof of safety" in markdown
    assert not table_rows(markdown)


def test_per_value_sources_and_notes_are_cited_in_the_cell() -> None:
    data = nutrient(
        values=[
            {
                "group": "Women",
                "sex": "female",
                "ages": "19–30",
                "type": "AI",
                "amount": 2.5,
                "source": "other2026table",
                "note": "a | b",
            }
        ],
        upper_limits=[
            {
                "group": "Adults",
                "ages": "19+",
                "amount": 350,
                "applies_to": "supplements only",
                "source": "other2026table",
            }
        ],
    )
    markdown = intake_tables(data)
    assert "| 19–30 | 2.5 mg (AI) [@other2026table] — a \\| b | — |" in markdown
    assert "Adequate Intake (AI)" in markdown
    assert "| 350 mg [@other2026table] | supplements only |" in markdown


def test_notes_become_bullets() -> None:
    data = {**ZINC_LIKE, "intake": {**ZINC_LIKE["intake"], "notes": ["Pregnancy differs."]}}
    assert intake_tables(data).rstrip().endswith("- Pregnancy differs.")


def test_adult_range_spans_the_values_with_kind_and_citation() -> None:
    assert adult_range(ZINC_LIKE) == "8–11 mg (RDA) [@fixture2026board]"
    assert adult_range(VITAMIN_D_LIKE) == "15–20 µg (600–800 IU) (RDA) [@fixture2026board]"
    assert adult_range(nutrient(no_reference_value="none")) == "None set"
    single = nutrient(values=[{"group": "Adults", "sex": "all", "ages": "19+", "type": "AI", "amount": 3}])
    assert adult_range(single) == "3 mg (AI) [@fixture2026board]"


def test_adult_upper_names_scope_unless_total_intake() -> None:
    assert adult_upper(ZINC_LIKE) == "40 mg [@fixture2026board]"
    assert adult_upper(VITAMIN_D_LIKE) == "100 µg (4,000 IU) [@fixture2026board]"
    assert adult_upper(nutrient()) == "None set"
    supplements = nutrient(
        upper_limits=[
            {
                "group": "Adults",
                "ages": "19+",
                "amount": 350,
                "applies_to": "supplements only",
                "source": "other2026table",
            }
        ]
    )
    assert adult_upper(supplements) == "350 mg, supplements only [@other2026table]"


# --- front matter validation, file:line ---------------------------------------------------------

VALID = (FIXTURE / "docs" / "nutrients" / "example.md").read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def problems_for(text: str) -> list[str]:
    with pytest.raises(frontmatter.FrontMatterError) as caught:
        frontmatter.validate_nutrient_page(Path("docs/nutrients/example.md"), text)
    return [str(p) for p in caught.value.problems]


def test_fixture_page_is_valid() -> None:
    assert frontmatter.validate_nutrient_page(Path("example.md"), VALID)["nutrient_id"] == "example"


def test_schema_error_names_the_line_of_the_bad_value() -> None:
    text = VALID.replace("amount: 11}", "amount: -11}")
    line = line_of(text, "amount: -11")
    assert problems_for(text) == [
        f"docs/nutrients/example.md:{line}: intake.values.1.amount: -11 is less than or equal to the minimum of 0"
    ]


def test_impossible_date_is_a_located_error_not_a_traceback() -> None:
    text = VALID.replace("2026-11-25", "2026-13-45")
    (problem,) = problems_for(text)
    assert problem.startswith(f"docs/nutrients/example.md:{line_of(text, '2026-13-45')}: last_reviewed:")


def test_duplicate_key_is_reported() -> None:
    text = VALID.replace("kind: trace-element", "kind: trace-element\nkind: vitamin")
    (problem,) = problems_for(text)
    assert problem == f"docs/nutrients/example.md:{line_of(text, 'kind: vitamin')}: key 'kind' is given twice"


def test_two_values_for_one_table_cell_are_reported() -> None:
    text = VALID.replace(
        "amount: 11}", 'amount: 11}\n    - {group: All, sex: all, ages: "19+", type: RDA, amount: 9}'
    )
    where = f"docs/nutrients/example.md:{line_of(text, 'amount: 9')}: intake.values.2: a second value for"
    assert problems_for(text) == [
        f"{where} female, ages 19+ (the first is intake.values.0)",
        f"{where} male, ages 19+ (the first is intake.values.1)",
    ]


def test_invalid_yaml_names_a_line() -> None:
    (problem,) = problems_for(VALID.replace("title: Examplium", "title: [Examplium"))
    assert problem.startswith("docs/nutrients/example.md:")
    assert "not valid YAML" in problem


# --- the strict build -----------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(FIXTURE, target)
    return target


@pytest.mark.slow
def test_fixture_project_builds_tables_and_json(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = build_site(project / "mkdocs.yml", site)
    assert result.returncode == 0, result.stderr
    page = (site / "nutrients" / "example" / "index.html").read_text(encoding="utf-8")
    assert "<td>8 mg (RDA)" in page and "<td>11 mg (RDA)" in page
    assert "bng:intake-table" not in page
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="nutrients/example/"' in home and "bng:at-a-glance" not in home
    payload = json.loads((site / "data" / "nutrients.json").read_text(encoding="utf-8"))
    assert [n["nutrient_id"] for n in payload["nutrients"]] == ["example"]
    assert payload["nutrients"][0]["page"] == "nutrients/example/"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("evidence_level: low", "evidence_level: strong", f"example.md:{line_of(VALID, 'evidence_level')}: "),
        ("unit: mg/day", "unit: mg", f"example.md:{line_of(VALID, 'unit: mg/day')}: intake.unit:"),
        ("title: Examplium", "title: [Examplium", "example.md:"),
    ],
)
def test_broken_front_matter_fails_the_strict_build_with_file_and_line(
    project: Path, tmp_path: Path, old: str, new: str, expected: str
) -> None:
    page = project / "docs" / "nutrients" / "example.md"
    page.write_text(page.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    result = build_site(project / "mkdocs.yml", tmp_path / "site")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Invalid nutrient front matter" in output
    assert f"docs/nutrients/{expected}" in output
    assert "Traceback" not in output
    assert not (tmp_path / "site" / "data" / "nutrients.json").exists()
