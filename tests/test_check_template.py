"""The guide's content rules, as the checker enforces them: the nutrient-page template
(boneguide/checks/template.py), copied sentences (copying.py), wrapped citations, study records."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest
from checkproject import findings

from boneguide import frontmatter
from boneguide.checks import copying, pages, template

ROOT = Path(__file__).resolve().parent.parent
PAGES = Path(__file__).parent / "fixtures" / "content" / "pages"
CONFORMING = PAGES / "conforming.md"


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def check(text: str, name: str = "conforming", data: dict | None = None) -> list[tuple[int, str]]:
    display = f"docs/nutrients/{name}.md"
    if data is None:
        data = frontmatter.validate_nutrient_page(Path(display), text)
    return [(f.line, f.code) for f in template.check_nutrient_page(display, text, data)]


def test_block_reader_and_amounts_on_a_sample() -> None:
    text = (
        "---\ntitle: x\n---\n\n# T\n\n## Key points\n\n- Cited [@a2020b].\n- Not cited\n  continued.\n\n"
        "Lead-in:\n\n1. Item [@c].\n\n| H | H |\n| --- | --- |\n| row [@d] | x |\n\n"
        "<!-- bng:intake-table -->\n\n```\ncode\n```\n\n!!! note\n    Inside.\n"
    )
    found = [(b.line, b.kind, b.text) for b in template.blocks(template.body_lines(text))]
    assert found == [
        (9, "item", "Cited [@a2020b]."),
        (10, "item", "Not cited continued."),
        (13, "paragraph", "Lead-in:"),
        (15, "item", "Item [@c]."),
        (19, "row", "| row [@d] | x |"),
        (28, "paragraph", "Inside."),
    ]
    data = {
        "intake": {
            "unit": "µg/day",
            "alt_unit": {"unit": "IU/day", "factor": 40},
            "values": [{"amount": 15, "ages": "19–70"}, {"amount": 10, "ages": "0–6 months"}],
            "upper_limits": [{"amount": 100, "ages": "19+"}],
        }
    }
    assert template.reference_amounts(data) == {(15.0, "µg"), (100.0, "µg"), (600.0, "IU"), (4000.0, "IU")}
    assert template.amounts_in("doses of 4,000 and 400–800 IU, or 15 mcg") == {
        (400.0, "IU"),
        (800.0, "IU"),
        (15.0, "µg"),
    }
    assert template.INTAKE_TERM.search("the upper level in the table above")
    assert not template.INTAKE_TERM.search("AIDS and RDAx")


def test_a_page_that_keeps_the_template_has_no_finding() -> None:
    assert check(CONFORMING.read_text(encoding="utf-8")) == []


def test_each_violation_of_the_violating_page_at_its_line() -> None:
    text = (PAGES / "violating.md").read_text(encoding="utf-8")
    found = check(text, "violating")
    assert sorted(c for c in found if c[1] in ("citation-missing", "intake-in-prose")) == sorted(
        [
            (line_of(text, "found in bone."), "citation-missing"),
            (line_of(text, "cannot show cause"), "citation-missing"),
            (line_of(text, "| Trial A |"), "citation-missing"),
            (line_of(text, "upper level is 4,000 IU"), "citation-missing"),
            (line_of(text, "adult RDA is 15 mcg"), "intake-in-prose"),
            (line_of(text, "upper level is 4,000 IU"), "intake-in-prose"),
            (line_of(text, "The UL is 100"), "intake-in-prose"),
        ]
    )
    assert (line_of(text, "**Verdict:**"), "template-verdict") in found  # it cites nothing
    assert (line_of(text, "## Food sources"), "template-heading") in found  # "Too little" is missing


MUTATIONS = {
    # name: (text replaced, replacement, the finding's code[, the line it stands at, if elsewhere])
    "heading renamed": ("## Too little", "## Too few", "template-heading"),
    "second H1": ("## Key points", "# Another title\n\n## Key points", "template-heading"),
    "verdict cites nothing": (
        "**Verdict:** Unclear [@fixture2026a].",
        "**Verdict:** Unclear.",
        "template-verdict",
    ),
    "marker in the wrong section": (
        "Examplium is in fixtures [@fixture2026a].",
        "Examplium is in fixtures [@fixture2026a].\n\n<!-- bng:medicines -->",
        "template-placeholder",
    ),
    "at-a-glance marker on a nutrient page": (
        "## How much",
        "## How much\n\n<!-- bng:at-a-glance -->",
        "template-placeholder",
    ),
    "no bibliography": ("\\bibliography", "See above.", "template-references", "## References"),
    "editors' workings": (
        "Too much is harmful [@fixture2026board].",
        "Too much is harmful; our sources do not say how much [@fixture2026board].",
        "editors-workings",
    ),
    # Pages are wrapped at about 100 characters: a phrase broken across two lines is still found,
    # at its first line (found by the y4 hunt, wrapping "source article" in a copy of zinc.md).
    "editors' workings wrapped across lines": (
        "Too much is harmful [@fixture2026board].",
        "Too much is harmful, a source\narticle says [@fixture2026board].",
        "editors-workings",
    ),
    "uncited sentence": (
        "Too much is harmful [@fixture2026board].",
        "Too much is harmful.",
        "citation-missing",
    ),
    # A glossary link on a term does not make a claim editorial (found by the y4 hunt: an uncited
    # claim linking "bone mineral density" to the glossary passed on a copy of zinc.md).
    "uncited claim with a glossary link": (
        "Too much is harmful [@fixture2026board].",
        "Too much thins [bone](../overview/glossary.md#bone).",
        "citation-missing",
    ),
    # A bold sentence with nothing under it is a claim in bold, not a label (noticed in the y4 hunt).
    "uncited claim in bold": (
        "Too much is harmful [@fixture2026board].",
        "**Too much is harmful.**",
        "citation-missing",
    ),
    "intake typed in prose": (
        "Too much is harmful [@fixture2026board].",
        "The RDA is 15 µg [@fixture2026board].",
        "intake-in-prose",
    ),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_each_rule_finds_its_fault_at_the_line(name: str) -> None:
    old, new, code, *where = MUTATIONS[name]
    text = CONFORMING.read_text(encoding="utf-8")
    assert old in text
    mutated = text.replace(old, new, 1)
    # The finding stands at the replacement's last line (a marker) or first (a heading, a sentence).
    needle = where[0] if where else new.splitlines()[-1 if code == "template-placeholder" else 0]
    line = line_of(mutated, needle)
    found = check(mutated)
    assert (line, code) in found, found
    assert {c for _l, c in found} == {code}, found


def test_front_matter_rules_read_the_validated_data() -> None:
    text = CONFORMING.read_text(encoding="utf-8")
    data = frontmatter.validate_nutrient_page(Path("conforming.md"), text)
    assert check(text, "other", copy.deepcopy(data)) == [
        (line_of(text, "nutrient_id:"), "template-nutrient-id")
    ]
    no_fractures = copy.deepcopy(data)
    no_fractures["evidence"] = [g for g in data["evidence"] if g["outcome"] != "fractures"]
    assert check(text, data=no_fractures) == [(line_of(text, "evidence:"), "template-evidence")]


@pytest.mark.parametrize(
    "sentence",
    [
        "EFSA's PRI for adults is 13 µg [@fixture2026board].",
        "EFSA's population reference intake for adults is 13 µg [@fixture2026board].",
        "The NHS's RNI for adults is 12 µg [@fixture2026board].",
        "The NHS's reference nutrient intake for adults is 12 µg [@fixture2026board].",
        "The Fixture Board's allowance for adults is 15 µg [@fixture2026board].",
    ],
)
def test_an_intake_named_by_any_authoritys_own_term_is_intake_in_prose(sentence: str) -> None:
    """Other authorities' values are reference amounts, and the schema's names for them (PRI, RNI …)
    name a reference intake as RDA and AI do. Found by typing the NHS's RNI for calcium (700 mg,
    ages 19–64) in a sentence of the calcium page: not flagged."""
    text = CONFORMING.read_text(encoding="utf-8")
    data = frontmatter.validate_nutrient_page(Path("conforming.md"), text)
    data["intake"]["other_authorities"] = [
        {"authority": "EFSA", "unit": "µg/day", "values": [{"ages": "25+", "type": "PRI", "amount": 13}]},
        {"authority": "NHS", "unit": "µg/day", "values": [{"ages": "19–64", "type": "RNI", "amount": 12}]},
    ]
    mutated = text.replace("Too much is harmful [@fixture2026board].", sentence, 1)
    assert check(mutated, data=data) == [(line_of(mutated, sentence), "intake-in-prose")]


def test_an_amount_in_grams_or_with_its_unit_spelled_out_is_the_same_amount() -> None:
    """ "2.5 g" is calcium's 2,500 mg upper level, "15 micrograms" the conforming page's 15 µg RDA
    (found by the y4 hunt: 'The upper level for adults up to 50 is 2.5 g a day' on calcium.md)."""
    assert template.amounts_in("2.5 g, 1 gram, 15 micrograms or 40 milligrams") == {
        (2.5, "g"),
        (2500.0, "mg"),
        (1.0, "g"),
        (1000.0, "mg"),
        (15.0, "µg"),
        (40.0, "mg"),
    }
    assert template.amounts_in("100 g of liver") == {(100.0, "g"), (100000.0, "mg")}
    text = CONFORMING.read_text(encoding="utf-8")
    sentence = "The RDA is 15 micrograms a day [@fixture2026board]."
    mutated = text.replace("Too much is harmful [@fixture2026board].", sentence, 1)
    assert check(mutated) == [(line_of(mutated, sentence), "intake-in-prose")]


def test_without_valid_front_matter_the_body_rules_still_run() -> None:
    text = CONFORMING.read_text(encoding="utf-8").replace("## Too little", "## Too few")
    found = [(f.line, f.code) for f in template.check_nutrient_page("x.md", text, None)]
    assert found == [(line_of(text, "## Too few"), "template-heading")]


def test_an_empty_new_page_gets_findings_not_an_error() -> None:
    """A new, still empty docs/nutrients/x.md: the rules report what is missing."""
    found = [(f.line, f.code) for f in template.check_nutrient_page("docs/nutrients/x.md", "", None)]
    assert (1, "template-heading") in found


# --- the checker applies the editorial policy mkdocs.yml turns on ---------------------------------


def test_the_checker_holds_nutrient_pages_to_the_template_only_when_asked(tmp_path: Path) -> None:
    policy = {"template-heading", "template-verdict", "template-placeholder", "study-records-few"}
    assert policy <= {f[4] for f in findings(tmp_path / "on", "template-rules")}
    assert not policy & {f[4] for f in findings(tmp_path / "off", None)}


def test_the_study_record_minimum_is_reported_on_the_page(tmp_path: Path) -> None:
    [few] = [f for f in findings(tmp_path, "template-rules") if f[4] == "study-records-few"]
    assert few[:4] == ("docs/nutrients/zinc.md", 1, 0, "error")
    assert "0 study record(s)" in few[5] and "at least 5" in few[5]


def test_a_citation_wrapped_across_lines_is_an_error(tmp_path: Path) -> None:
    assert [f[:5] for f in findings(tmp_path, "citation-wrapped")] == [
        ("docs/evidence.md", 5, 20, "error", "citation-wrapped")
    ]


# --- copied sentences ---------------------------------------------------------------------------

ARTICLE = "Zinc is often overlooked by mainstream bone-building protocols, yet it matters for growth."


def fingerprinted(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "sources" / "some-article").mkdir(parents=True)
    copying.write_fingerprints(
        tmp_path / "sources" / "some-article" / copying.FINGERPRINT_FILE, ARTICLE, "x.txt"
    )
    return copying.load_fingerprints(tmp_path / "sources")


def test_a_run_of_eight_words_from_an_article_is_found_across_a_wrapped_line(tmp_path: Path) -> None:
    known = fingerprinted(tmp_path)
    page = "# Zinc\n\nSome say zinc is often overlooked by\nmainstream bone-building protocols today.\n"
    [finding] = copying.check_page("docs/x.md", page, known)
    assert (finding.path, finding.line, finding.code) == ("docs/x.md", 3, "copied-sentence")
    assert "some-article" in finding.message and "zinc is often overlooked" in finding.message


def test_a_run_after_a_bold_label_is_found_when_the_line_has_more_emphasis(tmp_path: Path) -> None:
    """The italic pattern took the closing '*' of '**Trials.**' for an opening one and blanked
    everything up to the next '*' on the line, copied words included (found by the y4 hunt)."""
    known = fingerprinted(tmp_path)
    for page in (
        "**Trials.** Zinc is often overlooked by mainstream bone-building protocols, says *Bone*.\n",
        "- **Zinc.** Zinc is often overlooked by mainstream bone-building protocols (**table**).\n",
    ):
        [finding] = copying.check_page("docs/x.md", page, known)
        assert (finding.line, finding.code) == (1, "copied-sentence"), page
    titled = "**Trials.** As *Zinc is often overlooked by mainstream bone-building protocols* says.\n"
    assert copying.check_page("docs/x.md", titled, known) == []  # an emphasised title still breaks runs


def test_a_run_is_found_whichever_apostrophe_it_is_typed_with(tmp_path: Path) -> None:
    (tmp_path / "sources" / "some-article").mkdir(parents=True)
    article = "Don’t forget that zinc isn’t often taken by older adults in the winter."
    copying.write_fingerprints(
        tmp_path / "sources" / "some-article" / copying.FINGERPRINT_FILE, article, "x.txt"
    )
    known = copying.load_fingerprints(tmp_path / "sources")
    page = "Don't forget that zinc isn't often taken by older adults.\n"
    [finding] = copying.check_page("docs/x.md", page, known)
    assert finding.code == "copied-sentence"


def test_quoted_titles_and_shorter_runs_are_not_copying(tmp_path: Path) -> None:
    known = fingerprinted(tmp_path)
    quoted = 'The article "Zinc is often overlooked by mainstream bone-building protocols" says so.\n'
    short = "Zinc is often overlooked by mainstream writers.\n"  # seven words shared
    split = "Zinc is often overlooked by\n\nmainstream bone-building protocols.\n"  # across paragraphs
    for page in (quoted, short, split):
        assert copying.check_page("docs/x.md", page, known) == [], page


def test_fingerprints_are_written_the_same_way_twice(tmp_path: Path) -> None:
    target = tmp_path / copying.FINGERPRINT_FILE
    copying.write_fingerprints(target, ARTICLE, "x.txt")
    first = target.read_bytes()
    copying.write_fingerprints(target, ARTICLE, "x.txt")
    assert target.read_bytes() == first
    assert len(first.splitlines()) == 1 + len(copying._words(ARTICLE)) - copying.RUN_WORDS + 1


def test_every_captured_source_keeps_its_fingerprints(root: Path) -> None:
    """CI has no source article's text: the copied-sentence rule runs on these files alone."""
    for source_yml in sorted((root / "sources").glob("*/source.yml")):
        captured = frontmatter.load_yaml(source_yml, source_yml.read_text(encoding="utf-8"), 1)[0].get(
            "captured_from"
        )
        if not captured:
            continue
        prints = source_yml.parent / copying.FINGERPRINT_FILE
        assert prints.is_file(), f"{prints}: missing; run scripts/fingerprint_sources.py"
        lines = prints.read_text(encoding="utf-8").splitlines()
        assert captured in lines[0] and len(lines) > 100, f"{prints}: not made from {captured}"


def test_the_fingerprint_script_writes_prints_and_checks_markers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "fingerprint_sources", ROOT / "scripts" / "fingerprint_sources.py"
    )
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    seeds, source = tmp_path / "seeds", tmp_path / "sources" / "an-article"
    seeds.mkdir()
    source.mkdir(parents=True)
    (seeds / "a.txt").write_text(
        ARTICLE + " Bone ( 1 ,  2 ).\n\nReferences:\nhttps://x.org/\n", encoding="utf-8"
    )
    (source / "source.yml").write_text(
        "id: an-article\ntitle: A\nformat: markers-only\ncaptured_from: a.txt\n", encoding="utf-8"
    )
    (source / "references.txt").write_text("", encoding="utf-8")
    (source / "markers.txt").write_text("1 2\n", encoding="utf-8")
    argv = ["--sources", str(tmp_path / "sources"), "--seeds", str(seeds)]
    assert script.main(argv) == 0
    assert copying.load_fingerprints(tmp_path / "sources")  # written
    (source / "markers.txt").write_text("1\n", encoding="utf-8")
    assert script.main(argv) == 1
    assert f"{source / 'markers.txt'}:1: differs" in capsys.readouterr().err
    (seeds / "a.txt").unlink()
    assert script.main(argv) == 1


def test_efsas_adult_values_from_18_are_reference_amounts() -> None:
    """EFSA's adults start at 18: its '18+' values were read as teens' and left out, so 'EFSA's AI
    of 1.6 mg' for men could be typed on the copper page unflagged."""
    data = {
        "intake": {
            "unit": "mg/day",
            "values": [],
            "other_authorities": [
                {
                    "unit": "mg/day",
                    "values": [{"ages": "18+", "amount": 1.6}, {"ages": "15–17", "amount": 1.3}],
                }
            ],
        }
    }
    assert template.reference_amounts(data) == {(1.6, "mg")}


def test_an_amount_in_another_clause_than_the_intake_term_is_not_typed_as_one() -> None:
    """A survey intake or a food's content that equals a reference value is not one; the amount
    must stand in the clause naming the intake (copper.md: "… about 1.0 to 1.6 mg a day for adults,
    more than the RDA")."""
    text = CONFORMING.read_text(encoding="utf-8")
    for sentence, flagged in [
        ("Adults eat about 15 µg a day, more than the RDA [@fixture2026board].", False),
        ("Liver holds 100 µg; the UL is far above a serving [@fixture2026board].", False),
        ("The RDA, at 15 µg, is met by few [@fixture2026board].", False),  # an appositive is missed
        ("The RDA for adults is 15 µg, met by few [@fixture2026board].", True),
        ("Few meet the upper level of 4,000 IU [@fixture2026board].", True),
        ("Upper level for adults: 4,000 IU a day [@fixture2026board].", True),
    ]:
        mutated = text.replace("Too much is harmful [@fixture2026board].", sentence, 1)
        expected = [(line_of(mutated, sentence), "intake-in-prose")] if flagged else []
        assert check(mutated) == expected, sentence


def test_one_sentence_reader_for_the_template_rules_and_the_study_check() -> None:
    """The template's splitter ended a sentence at "e.g. Vitamin"; the study check had a second one
    that did not. Both now read sentences through one pattern."""
    text = (
        "Some, e.g. Vitamin D, are stored [@a]. 241 women took 2.5 mg\n\n- A trial by Smith et al. In 2010."
    )
    assert template.sentences(text) == [
        "Some, e.g. Vitamin D, are stored .",
        "241 women took 2.5 mg",
        "- A trial by Smith et al. In 2010.",
    ]
    assert template.sentence_at(text, text.index("[@a]")) == "Some, e.g. Vitamin D, are stored [@a]."
    assert template.sentence_at(text, text.index("Smith")) == "- A trial by Smith et al. In 2010."


def test_editors_workings_in_front_matter_prose_are_found_at_their_line() -> None:
    """An evidence grade's reason is printed on the page: 'our sources' there is as much an editors'
    working as in the body (the rule read the body only)."""
    text = CONFORMING.read_text(encoding="utf-8")
    mutated = text.replace(
        "reason: One small fixture trial.", "reason: One small trial our sources describe.", 1
    )
    assert check(mutated) == [(line_of(mutated, "our sources describe"), "editors-workings")]


def test_editors_workings_apply_to_every_reader_page_but_the_provenance_pages() -> None:
    text = "---\ntitle: Overview\n---\n\n# Overview\n\nA source article says bones are alive [@a].\n"
    found = [
        (
            display,
            [
                (f.line, f.code)
                for f in pages.check_page(
                    Path(display),
                    display,
                    text,
                    is_nutrient_page=False,
                    template_rules=True,
                    review_months=12,
                    today=dt.date(2026, 12, 5),
                )
            ],
        )
        for display in ("docs/overview/bone-basics.md", "docs/sources.md")
    ]
    assert found == [("docs/overview/bone-basics.md", [(7, "editors-workings")]), ("docs/sources.md", [])]
