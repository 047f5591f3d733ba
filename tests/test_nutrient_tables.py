"""The bng-nutrients plugin: front matter -> intake tables, at-a-glance cells, and clear build errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from sitebuild import build_site

from boneguide import frontmatter
from boneguide.frontmatter import stage_of
from boneguide.site.nutrients import (
    adult_range,
    adult_upper,
    author_year,
    foods_table,
    format_amount,
    intake_tables,
    studies_table,
)

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


def test_the_second_unit_is_no_more_precise_than_the_amount_it_converts() -> None:
    """The US report rounds 1,500 IU to 38 µg and 2,500 IU to 63 µg: 38 x 40 is not a 1,520 IU limit."""
    iu = {"unit": "IU/day", "factor": 40}
    assert format_amount(38, "µg/day", iu) == "38 µg (1,500 IU)"
    assert format_amount(63, "µg/day", iu) == "63 µg (2,500 IU)"
    assert format_amount(12.5, "µg/day", iu) == "12.5 µg (500 IU)"
    assert format_amount(100, "µg/day", iu) == "100 µg (4,000 IU)"
    assert format_amount(0.025, "µg/day", {"unit": "IU/day", "factor": 3.33}) == "0.025 µg (0.083 IU)"


def test_intake_table_puts_each_sex_in_its_column_with_the_upper_level_and_cites_the_source() -> None:
    markdown = intake_tables(ZINC_LIKE)
    rows = table_rows(markdown)
    assert rows[0] == ["Ages", "Women", "Men", "Upper level"]
    assert rows[1] == ["19+ years", "8 mg", "11 mg", "40 mg"]
    assert "**Adults** (RDA)" in markdown
    assert "Recommended Dietary Allowance (RDA)" in markdown
    assert "Set by the Fixture Board [@fixture2026board]" in markdown


def test_intake_table_sorts_age_bands_and_uses_one_column_when_sexes_share_a_value() -> None:
    rows = table_rows(intake_tables(VITAMIN_D_LIKE))
    assert rows[0] == ["Ages", "Per day", "Upper level"]
    assert rows[1] == ["19–70 years", "15 µg (600 IU)", "100 µg (4,000 IU)"]
    assert rows[2] == ["71+ years", "20 µg (800 IU)", "100 µg (4,000 IU)"]
    assert "Amounts in brackets are in IU [@fixture2026iu]." in intake_tables(VITAMIN_D_LIKE)


LIFE_STAGES = nutrient(
    values=[
        {"group": "Infants", "sex": "all", "ages": "0–6 months", "type": "AI", "amount": 2},
        {"group": "Infants", "sex": "all", "ages": "7–12 months", "type": "RDA", "amount": 3},
        {"group": "Children", "sex": "all", "ages": "1–3", "type": "RDA", "amount": 3},
        {"group": "Teens", "sex": "female", "ages": "14–18", "type": "RDA", "amount": 9},
        {"group": "Teens", "sex": "male", "ages": "14–18", "type": "RDA", "amount": 11},
        {"group": "Women", "sex": "female", "ages": "19–50", "type": "RDA", "amount": 8},
        {
            "group": "Pregnancy",
            "sex": "female",
            "stage": "pregnancy",
            "ages": "19–50",
            "type": "RDA",
            "amount": 11,
        },
        {
            "group": "Lactation",
            "sex": "female",
            "stage": "lactation",
            "ages": "19–50",
            "type": "RDA",
            "amount": 12,
        },
    ],
    upper_limits=[
        {"group": "Infants", "ages": "0–6 months", "amount": 4, "applies_to": "total intake"},
        {"group": "Children", "ages": "1–3", "amount": 7, "applies_to": "total intake"},
        {"group": "Teens", "ages": "14–18", "amount": 34, "applies_to": "total intake"},
        {"group": "Adults", "ages": "19+", "amount": 40, "applies_to": "total intake"},
        {
            "group": "Pregnancy",
            "stage": "pregnancy",
            "ages": "19–50",
            "amount": 40,
            "applies_to": "total intake",
        },
        {
            "group": "Lactation",
            "stage": "lactation",
            "ages": "19–50",
            "amount": 45,
            "applies_to": "total intake",
        },
    ],
)


def test_every_life_stage_gets_its_table_with_its_own_upper_level() -> None:
    markdown = intake_tables(LIFE_STAGES)
    rows = table_rows(markdown)
    assert ["0–6 months", "2 mg (AI)", "4 mg"] in rows
    assert ["7–12 months", "3 mg (RDA)", "—"] in rows  # no upper level given for that band
    assert ["1–3 years", "3 mg (RDA)", "7 mg"] in rows
    assert ["14–18 years", "9 mg", "11 mg", "34 mg"] in rows
    assert ["19–50 years", "8 mg", "—", "40 mg"] in rows
    assert ["19–50 years", "11 mg", "12 mg", "Pregnancy: 40 mg; Breastfeeding: 45 mg"] in rows
    titles = [line for line in markdown.splitlines() if line.startswith("**") and line.endswith(("**", ")"))]
    assert titles == [
        "**Infants and children**",
        "**Teens** (RDA)",
        "**Adults** (RDA)",
        "**Pregnancy and breastfeeding** (RDA)",
    ]


def test_other_authorities_get_their_own_cited_rows() -> None:
    data = nutrient(
        values=ZINC_LIKE["intake"]["values"],
        upper_limits=ZINC_LIKE["intake"]["upper_limits"],
        other_authorities=[
            {
                "authority": "Fixture Authority of Europe",
                "short": "FAE",
                "source": "fixture2014europe",
                "unit": "mg/day",
                "values": [
                    {
                        "group": "Women",
                        "sex": "female",
                        "ages": "18+",
                        "type": "PRI",
                        "amount": 7.5,
                        "note": "low phytate",
                    }
                ],
                "upper_limits": [{"group": "Adults", "ages": "18+", "amount": 25}],
            }
        ],
    )
    rows = table_rows(intake_tables(data))
    assert ["Authority", "Who", "Intake per day", "Upper level"] in rows
    assert ["FAE [@fixture2014europe]", "Women, 18+ years", "7.5 mg (PRI) — low phytate", "25 mg"] in rows


def test_intake_table_without_reference_values_says_so() -> None:
    data = nutrient(no_reference_value="No RDA or AI has been set for examplium.")
    markdown = intake_tables(data)
    assert "**No RDA or AI.** No RDA or AI has been set for examplium." in markdown
    assert "No Tolerable Upper Intake Level (UL) has been set" in markdown
    assert "not proof of safety" in markdown
    assert not table_rows(markdown)


def test_upper_levels_alone_are_tabled_by_life_stage() -> None:
    data = nutrient(
        no_reference_value="None set.",
        upper_limits=[
            {"group": "Children", "ages": "1–3", "amount": 3, "applies_to": "total intake"},
            {"group": "Adults", "ages": "19+", "amount": 20, "applies_to": "total intake"},
        ],
    )
    rows = table_rows(intake_tables(data))
    assert rows == [
        ["Life stage", "Ages", "Upper level"],
        ["Children", "1–3 years", "3 mg"],
        ["Adults", "19+ years", "20 mg"],
    ]


def test_an_upper_level_in_a_unit_of_its_own_gets_no_second_unit() -> None:
    """The second unit converts the intake unit (µg to IU here); a limit set in mg is not in µg."""
    limits = [
        {"group": "Adults", "ages": "19+", "amount": 1, "unit": "mg/day", "applies_to": "supplements"},
        {"group": "Adults", "ages": "19+", "amount": 100, "applies_to": "total intake"},
    ]
    alone = nutrient(
        unit="µg/day",
        alt_unit=VITAMIN_D_LIKE["intake"]["alt_unit"],
        no_reference_value="None set.",
        upper_limits=limits,
    )
    with_values = {"intake": {**VITAMIN_D_LIKE["intake"], "upper_limits": limits}, "title": "Examplium"}
    for data in (alone, with_values):
        cells = {cell for row in table_rows(intake_tables(data)) for cell in row}
        # The two limits count different things, so each says what it counts (not a second unit).
        assert "1 mg (supplements)" in cells or any(cell.startswith("1 mg (supplements);") for cell in cells)
        assert not any("1 mg (" in cell.replace("1 mg (supplements)", "") for cell in cells), cells
        assert any("100 µg (4,000 IU)" in cell for cell in cells), cells


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
    assert "| 19–30 years | 2.5 mg [@other2026table] — a \\| b | — | 350 mg [@other2026table] |" in markdown
    assert "Adequate Intake (AI)" in markdown
    assert "The upper level counts supplements only, not food." in markdown


def test_upper_levels_that_count_different_things_each_say_what_they_count() -> None:
    """One sentence cannot say what the upper level counts when the limits differ ("counts
    supplements only or total intake, not food" was false for both); and a page without RDA/AI
    lost the scope altogether, so a supplements-only limit read as one on total intake."""
    children = {"group": "Children", "ages": "1–3", "amount": 10, "applies_to": "total intake"}
    adults = {"group": "Adults", "ages": "19+", "amount": 350, "applies_to": "supplements only"}
    values = [
        {"group": "Children", "sex": "all", "ages": "1–3", "type": "RDA", "amount": 5},
        {"group": "Adults", "sex": "all", "ages": "19+", "type": "RDA", "amount": 8},
    ]
    mixed = intake_tables(nutrient(values=values, upper_limits=[children, adults]))
    assert "The upper level counts" not in mixed
    assert ["1–3 years", "5 mg", "10 mg"] in table_rows(mixed)
    assert ["19+ years", "8 mg", "350 mg (supplements only)"] in table_rows(mixed)

    alone = intake_tables(nutrient(no_reference_value="None set.", upper_limits=[adults]))
    assert "The upper level counts supplements only, not food." in alone
    assert ["Adults", "19+ years", "350 mg"] in table_rows(alone)
    both = intake_tables(nutrient(no_reference_value="None set.", upper_limits=[children, adults]))
    assert "The upper level counts" not in both
    assert ["Adults", "19+ years", "350 mg (supplements only)"] in table_rows(both)
    assert ["Children", "1–3 years", "10 mg"] in table_rows(both)


def test_notes_become_bullets() -> None:
    data = {**ZINC_LIKE, "intake": {**ZINC_LIKE["intake"], "notes": ["Pregnancy differs."]}}
    assert intake_tables(data).rstrip().endswith("- Pregnancy differs.")


def test_foods_table_computes_the_share_of_the_youngest_adult_band() -> None:
    data = {
        **LIFE_STAGES,
        "foods": {
            "source": "fixture2026foods",
            "items": [{"food": "Oysters", "serving": "85 g", "amount": 32}],
        },
    }
    rows = table_rows(foods_table(data))
    assert rows == [
        ["Food", "Serving", "Amount", "Share of the RDA, women 19–50 years"],
        ["Oysters", "85 g", "32 mg", "400%"],
    ]


def test_foods_in_another_mass_unit_are_converted_for_the_share() -> None:
    data = {
        **ZINC_LIKE,
        "foods": {
            "source": "f",
            "items": [{"food": "Seeds", "serving": "28 g", "amount": 2200, "unit": "µg/day"}],
        },
    }
    rows = table_rows(foods_table(data))
    assert rows[1] == ["Seeds", "28 g", "2,200 µg", "28% / 20%"]


def test_stage_of_reads_months_years_and_given_stages() -> None:
    assert stage_of({"ages": "0–6 months"}) == "infants"
    assert stage_of({"ages": "9–13"}) == "children"
    assert stage_of({"ages": "14–18"}) == "teens"
    assert stage_of({"ages": "71+"}) == "adults"
    assert stage_of({"ages": "19–30", "stage": "lactation"}) == "lactation"


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


def test_adult_upper_keeps_each_limit_in_its_own_unit_and_scope() -> None:
    """A 1 mg limit on supplements beside 100 µg on total intake was one span, '1–100 mg,
    supplements only' (or '1–100 µg (40–4,000 IU)', by the order of the front matter)."""
    limits = [
        {"group": "Adults", "ages": "19+", "amount": 1, "unit": "mg/day", "applies_to": "supplements only"},
        {"group": "Adults", "ages": "19+", "amount": 100, "applies_to": "total intake"},
    ]
    for ordered in (limits, limits[::-1]):
        data = {"intake": {**VITAMIN_D_LIKE["intake"], "upper_limits": ordered}}
        parts = adult_upper(data).removesuffix(" [@fixture2026board]").split("; ")
        assert sorted(parts) == ["1 mg, supplements only", "100 µg (4,000 IU)"]


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
    text = VALID.replace("type: RDA, amount: 3}", "type: RDA, amount: -3}")
    line = line_of(text, "amount: -3")
    assert problems_for(text) == [
        f"docs/nutrients/example.md:{line}: intake.values.1.amount: -3 is less than or equal to the minimum of 0"
    ]


@pytest.mark.parametrize("written", ["2026-13-45", "!!timestamp 2026-13-45"])
def test_impossible_date_is_a_located_error_not_a_traceback(written: str) -> None:
    text = VALID.replace("2026-11-25", written)
    (problem,) = problems_for(text)
    assert problem.startswith(f"docs/nutrients/example.md:{line_of(text, written)}: last_reviewed:")


def test_duplicate_key_is_reported() -> None:
    text = VALID.replace("kind: trace-element", "kind: trace-element\nkind: vitamin")
    (problem,) = problems_for(text)
    assert problem == f"docs/nutrients/example.md:{line_of(text, 'kind: vitamin')}: key 'kind' is given twice"


def test_two_values_for_one_table_cell_are_reported() -> None:
    text = VALID.replace(
        'ages: "19+", type: RDA, amount: 11}',
        'ages: "19+", type: RDA, amount: 11}\n    - {group: All, sex: all, ages: "19+", type: RDA, amount: 9}',
    )
    where = f"docs/nutrients/example.md:{line_of(text, 'group: All')}: intake.values.6: a second value for"
    assert problems_for(text) == [
        f"{where} female, ages 19+ (the first is intake.values.4)",
        f"{where} male, ages 19+ (the first is intake.values.5)",
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
    assert "<td>8 mg</td>" in page and "<td>11 mg</td>" in page and "<td>40 mg</td>" in page
    assert "bng:" not in page
    assert "Randomised controlled trial; 224 healthy postmenopausal women" in page
    studies = json.loads((site / "data" / "studies.json").read_text(encoding="utf-8"))
    assert [s["key"] for s in studies["studies"]] == ["fixture2011trial"]
    assert studies["studies"][0]["nutrient"] == "example"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="nutrients/example/"' in home and "bng:at-a-glance" not in home
    payload = json.loads((site / "data" / "nutrients.json").read_text(encoding="utf-8"))
    assert [n["nutrient_id"] for n in payload["nutrients"]] == ["example"]
    assert payload["nutrients"][0]["page"] == "nutrients/example/"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("certainty: low", "certainty: strong", f"example.md:{line_of(VALID, 'certainty: low')}: "),
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
    assert "Invalid nutrient data" in output
    assert f"docs/nutrients/{expected}" in output
    assert "Traceback" not in output
    assert not (tmp_path / "site" / "data" / "nutrients.json").exists()


def test_a_food_given_as_a_range_keeps_its_range_and_share() -> None:
    data = {
        **ZINC_LIKE,
        "foods": {
            "source": "f",
            "items": [{"food": "Beef", "serving": "75 g", "amount": 4, "amount_high": 8.6}],
        },
    }
    assert table_rows(foods_table(data))[1] == ["Beef", "75 g", "4–8.6 mg", "50–108% / 36–78%"]


def test_a_range_that_rounds_to_one_share_shows_it_once() -> None:
    data = {
        **ZINC_LIKE,
        "foods": {
            "source": "f",
            "items": [{"food": "Salmon", "serving": "75 g", "amount": 3.0, "amount_high": 3.02}],
        },
    }
    assert table_rows(foods_table(data))[1][3] == "38% / 27%"


def test_foods_in_the_second_unit_are_converted_for_the_share() -> None:
    data = {
        **VITAMIN_D_LIKE,
        "foods": {
            "source": "f",
            "items": [{"food": "Trout", "serving": "75 g", "amount": 570, "unit": "IU/day"}],
        },
    }
    assert table_rows(foods_table(data))[1] == ["Trout", "75 g", "570 IU", "95%"]  # 570 / 40 = 14.25 of 15 µg


def test_sexes_with_the_same_values_share_one_column() -> None:
    data = nutrient(
        values=[
            {"group": "Girls", "sex": "female", "ages": "9–13", "type": "RDA", "amount": 8},
            {"group": "Boys", "sex": "male", "ages": "9–13", "type": "RDA", "amount": 8},
            {"group": "Infants", "sex": "all", "ages": "0–6 months", "type": "AI", "amount": 2},
        ],
    )
    rows = table_rows(intake_tables(data))
    assert rows[0] == ["Ages", "Per day", "Upper level"]
    assert ["9–13 years", "8 mg (RDA)", "—"] in rows


@pytest.mark.slow
def test_a_second_page_with_the_same_nutrient_id_fails_the_build_naming_both(
    project: Path, tmp_path: Path
) -> None:
    page = project / "docs" / "nutrients" / "example.md"
    shutil.copy(page, project / "docs" / "nutrients" / "example-copy.md")
    result = build_site(project / "mkdocs.yml", tmp_path / "site")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert (
        "docs/nutrients/example.md:1: nutrient_id 'example' is already used by docs/nutrients/example-copy.md"
        in output
    )
    assert not (tmp_path / "site" / "data" / "nutrients.json").exists()


def test_a_study_population_keeps_the_capital_of_a_nationality_after_its_size() -> None:
    """'12,216 dutch men' and '122 japanese osteoporosis patients' were printed on the nutrient
    pages: only ordinary words that open a population are lowercased after the number."""

    def row(population: str, participants: int | None = 100) -> str:
        record = {
            "key": "fixture2020study",
            "design": "cohort study",
            "population": population,
            "exposure": "dietary intake",
            "duration": "5 years",
            "result": "No association with fractures was found.",
            **({"participants": participants} if participants else {}),
        }
        return table_rows(studies_table([record], {}))[1][1]

    assert (
        row("Dutch men and women (Rotterdam Study)")
        == "Cohort study; 100 Dutch men and women (Rotterdam Study)"
    )
    assert row("Japanese osteoporosis patients") == "Cohort study; 100 Japanese osteoporosis patients"
    assert row("Puerto Rican adults aged 46–78") == "Cohort study; 100 Puerto Rican adults aged 46–78"
    assert row("Adults aged 60–84") == "Cohort study; 100 adults aged 60–84"
    assert row("Postmenopausal women", None) == "Cohort study; postmenopausal women"
    assert row("Community-dwelling men") == "Cohort study; 100 community-dwelling men"
    assert row("UK Biobank participants") == "Cohort study; 100 UK Biobank participants"


def test_a_study_label_reads_et_al_for_an_author_list_cut_short() -> None:
    """BibTeX's 'and others' is 'et al.', not a second author: 'Zhao and others 2017' was printed."""
    from pybtex.database import Entry, Person

    def label(*authors: str) -> str:
        return author_year(Entry("article", {"year": "2017"}, {"author": [Person(a) for a in authors]}))

    assert label("Zhao, JG", "others") == "Zhao et al. 2017"
    assert label("Zhao, JG", "Zeng, XT") == "Zhao and Zeng 2017"
    assert label("Zhao, JG", "Zeng, XT", "others") == "Zhao et al. 2017"
    assert label("Zhao, JG") == "Zhao 2017"
