"""Content rules for docs/: the nutrient-page template, citations, intake numbers, generated tables.

A nutrient page is any docs/nutrients/*.md. The rules are the content brief's, made precise:

* Blocks are paragraphs, list items (each nested item its own block) and table body rows, read from
  the Markdown body with fenced code and whole-line HTML comments removed.
* Citation rule: every block outside "References" contains at least one ``[@key]``, or else
  every sentence of it is one of: a bold label alone (``**Trials.**``) or a lead-in ending with ":"
  followed by a list; or a sentence that links to our evidence page or glossary, where
  methodological terms are explained as editorial policy. (The verdict cites its studies.)
* Editors' workings rule: no talk of source articles, our sources or verification on a nutrient
  page; provenance lives on the Sources page.
* Intake-number rule: a sentence that names a reference intake (RDA, AI, UL, RDI, DRI, "upper
  level", "upper limit", "recommended", "adequate intake", "daily value") must not also give an amount
  equal to one of the page's front-matter intake values or upper limits, its other authorities'
  values, in the same unit (or its alt_unit conversion). Study doses may coincide with a reference value; they are only flagged when
  the sentence also presents them as a reference intake. One exception: in "Where authorities and studies disagree",
  a sentence that attributes the figure to a named source article (Healthline, Life Extension,
  Dr.Oracle, "source article", "consumer guide/page/Q&A") is quoting that source, which is the point
  of the section.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from pybtex.database import parse_file

from boneguide import frontmatter, keys
from boneguide.citesyntax import find_citations
from boneguide.site.nutrients import (
    EVIDENCE_MARKER,
    FOODS_MARKER,
    FORMS_MARKER,
    GLANCE_MARKER,
    INTAKE_MARKER,
    MEDICINES_MARKER,
    STUDIES_MARKER,
    stage_of,
)

ADULT_STAGES = ("adults", "pregnancy", "lactation")

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
NUTRIENT_PAGES = sorted(p for p in (DOCS / "nutrients").glob("*.md") if p.name != "index.md")
COPIED_SENTENCES = ROOT.parent / "shared" / "tools" / "copied_sentences.py"

TEMPLATE_H2 = [
    "Key points",
    "What it does in bone",
    "What studies in people show",
    "How much",
    "Too little",
    "Food sources",
    "Supplement forms",
    "Safety and interactions",
    "Where authorities and studies disagree",
    "References",
]
# Each generated table's placeholder, and the section it must stand in.
PLACEHOLDER_SECTIONS = {
    EVIDENCE_MARKER: "What studies in people show",
    STUDIES_MARKER: "What studies in people show",
    INTAKE_MARKER: "How much",
    FOODS_MARKER: "Food sources",
    FORMS_MARKER: "Supplement forms",
    MEDICINES_MARKER: "Safety and interactions",
}
CERTAINTY_ANCHORS = ["high", "moderate", "low", "very-low", "not-studied"]
# Minimum study records per page (issue: five for the nutrients with most trials, two elsewhere).
MIN_STUDIES = {"calcium": 5, "vitamin-d": 5, "vitamin-k": 5, "zinc": 5, "magnesium": 5}
# Editors' workings that belong on the Sources page, never on a nutrient page.
EDITORS_WORKINGS = re.compile(
    r"\bour (own )?(sources?|source articles?)\b|\bsource article\b|\bgoing by (its|the) title\b"
    r"|Life Extension|Healthline|Dr\.?\s?Oracle|\bunverified\b|\bwe could not (trace|verify|read)\b",
    re.I,
)

FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*(\{[^}]*\})?\s*#*\s*$")
LIST_ITEM = re.compile(r"^(\s*)([-*+]|\d+[.)])\s+")
TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
ADMONITION = re.compile(r"^\s*(!!!|\?\?\?\+?)\s")
VERDICT = re.compile(r"^\*\*Verdict:\*\*")
INTAKE_TERM = re.compile(
    r"\b(RDAs?|AIs?|ULs?|RDIs?|DRIs?)\b"
    r"|(?i:\bupper (intake )?(level|limit)s?\b|\brecommended\b|\badequate intake\b|\bdaily value\b)"
)
AMOUNT = re.compile(
    r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)(?:\s*(?:–|-|to)\s*(\d[\d,]*(?:\.\d+)?))?\s*(mg|µg|μg|mcg|IU|g)\b"
)
SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?]\*)|(?<=[.!?]\*\*))\s+(?=[A-Z*_(\[])")
BOLD_LABEL = re.compile(r"^(\*\*[^*]+\*\*|\*[^*]+\*)$")
EDITORIAL_LINK = re.compile(r"\]\((\.\./)?overview/(evidence|glossary)\.md[#)]")
NAMED_SOURCE = re.compile(
    r"Healthline|Life Extension|Dr\.?\s?Oracle|source article|consumer (guide|page|Q&A|article)", re.I
)


@dataclass(frozen=True)
class Block:
    section: str  # the H2 it sits under ("" before the first)
    line: int  # 1-based line in the file
    kind: str  # paragraph | item | row
    text: str


def page_id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def body_lines(path: Path) -> list[tuple[int, str]]:
    """(file line number, text) for the body, without fenced code and whole-line HTML comments."""
    _yaml, body, start = frontmatter.split_front_matter(path.read_text(encoding="utf-8"))
    result: list[tuple[int, str]] = []
    in_fence = in_comment = False
    for number, line in enumerate(body.splitlines(), start):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        stripped = line.strip()
        if in_fence:
            continue
        if in_comment or (stripped.startswith("<!--") and "-->" not in stripped):
            in_comment = "-->" not in stripped
            continue
        if stripped.startswith("<!--") and stripped.endswith("-->"):
            result.append((number, ""))  # keeps a comment from joining two paragraphs
            continue
        result.append((number, line))
    return result


def headings(path: Path, level: int) -> list[tuple[int, str]]:
    found = []
    for number, line in body_lines(path):
        match = HEADING.match(line)
        if match and len(match.group(1)) == level:
            found.append((number, match.group(2)))
    return found


def blocks(path: Path) -> list[Block]:
    found: list[Block] = []
    section = ""
    current: list[str] = []
    start, kind = 0, "paragraph"

    def close() -> None:
        nonlocal current
        text = " ".join(part.strip() for part in current).strip()
        if text:
            found.append(Block(section, start, kind, text))
        current = []

    for number, line in body_lines(path):
        heading = HEADING.match(line)
        if heading:
            close()
            if len(heading.group(1)) == 2:
                section = heading.group(2)
            continue
        stripped = line.strip()
        if not stripped or stripped == r"\bibliography" or ADMONITION.match(line):
            close()
        elif TABLE_SEPARATOR.match(line):
            if found and found[-1].kind == "row" and not current:
                found.pop()  # the header row above the separator
            elif current and kind == "row":
                current = []
        elif stripped.startswith("|"):
            close()
            current, start, kind = [stripped], number, "row"
            close()
        elif LIST_ITEM.match(line):
            close()
            current, start, kind = [LIST_ITEM.sub("", line)], number, "item"
        elif current:
            current.append(stripped)
        else:
            current, start, kind = [stripped], number, "paragraph"
    close()
    return found


def cited_keys(text: str) -> list[str]:
    return [key for citation in find_citations(text) for key in citation.keys]


def without_citations(text: str) -> str:
    for citation in reversed(find_citations(text)):
        text = text[: citation.start] + text[citation.end :]
    return text


def sentences(text: str) -> list[str]:
    text = without_citations(text)
    return [s.strip() for s in SENTENCE_END.split(text) if s.strip()]


def normal_unit(unit: str) -> str:
    unit = unit.removesuffix("/day")
    return {"mcg": "µg", "μg": "µg"}.get(unit, unit)


def reference_amounts(data: dict[str, Any]) -> set[tuple[float, str]]:
    intake = data["intake"]
    unit, alt = normal_unit(intake["unit"]), intake.get("alt_unit")
    # Adults' values (pregnancy and breastfeeding included): a child's value that happens to equal a
    # study dose (400 IU for infants) would make the rule flag the dose.
    amounts = {(float(v["amount"]), unit) for v in intake["values"] if stage_of(v) in ADULT_STAGES}
    amounts |= {
        (float(v["amount"]), normal_unit(v.get("unit", intake["unit"])))
        for v in intake["upper_limits"]
        if stage_of(v) in ADULT_STAGES
    }
    for body in intake.get("other_authorities", []):
        for item in [*body["values"], *body.get("upper_limits", [])]:
            if stage_of(item) in ADULT_STAGES:
                amounts.add((float(item["amount"]), normal_unit(item.get("unit", body["unit"]))))
    if alt:
        amounts |= {
            (round(a * alt["factor"], 6), normal_unit(alt["unit"])) for a, u in set(amounts) if u == unit
        }
    return amounts


def amounts_in(sentence: str) -> set[tuple[float, str]]:
    found = set()
    for low, high, unit in AMOUNT.findall(sentence):
        for number in (low, high):
            if number:
                found.add((float(number.replace(",", "")), normal_unit(unit)))
    return found


def bib_keys() -> set[str]:
    return set(parse_file(str(ROOT / "references.bib"), bib_format="bibtex").entries.keys())


def typed_intakes(path: Path) -> list[str]:
    """Sentences that present a front-matter intake value as a reference intake (rule in the docstring)."""
    data = frontmatter.validate_nutrient_page(path, path.read_text(encoding="utf-8"))
    reference = reference_amounts(data)
    offences = []
    for block in blocks(path):
        for sentence in sentences(block.text):
            if not INTAKE_TERM.search(sentence):
                continue
            typed = amounts_in(sentence) & reference
            if typed and not (
                block.section == "Where authorities and studies disagree" and NAMED_SOURCE.search(sentence)
            ):
                shown = ", ".join(f"{a:g} {u}" for a, u in sorted(typed))
                offences.append(f"{display(path)}:{block.line}: {shown} typed in prose: {sentence[:120]!r}")
    return offences


def needs_no_citation(sentence: str) -> bool:
    return bool(VERDICT.match(sentence) or BOLD_LABEL.match(sentence) or EDITORIAL_LINK.search(sentence))


def uncited_blocks(path: Path) -> list[str]:
    """Blocks that break the citation rule (see the module docstring)."""
    found = blocks(path)
    offences = []
    for position, block in enumerate(found):
        if block.section == "References" or cited_keys(block.text):
            continue
        following = found[position + 1] if position + 1 < len(found) else None
        if block.text.endswith(":") and following is not None and following.kind == "item":
            continue
        bare = [s for s in sentences(block.text) if not needs_no_citation(s)]
        if bare:
            offences.append(f"{display(path)}:{block.line}: {bare[0][:110]!r}")
    return offences


def display(path: Path) -> str:
    return page_id(path) if path.is_relative_to(ROOT) else path.name


needs_pages = pytest.mark.skipif(not NUTRIENT_PAGES, reason="no nutrient pages under docs/nutrients yet")
each_page = pytest.mark.parametrize("page", NUTRIENT_PAGES, ids=[p.stem for p in NUTRIENT_PAGES])


# --- the rule helpers themselves ------------------------------------------------------------------


def test_block_reader_and_number_rules_on_a_sample(tmp_path: Path) -> None:
    sample = tmp_path / "sample.md"
    sample.write_text(
        "---\ntitle: x\n---\n\n# T\n\n## Key points\n\n- Cited [@a2020b].\n- Not cited\n  continued.\n\n"
        "Lead-in:\n\n1. Item [@c].\n\n| H | H |\n| --- | --- |\n| row [@d] | x |\n\n"
        "<!-- bng:intake-table -->\n\n```\ncode\n```\n\n!!! note\n    Inside.\n",
        encoding="utf-8",
    )
    found = [(b.line, b.kind, b.text) for b in blocks(sample)]
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
    assert reference_amounts(data) == {(15.0, "µg"), (100.0, "µg"), (600.0, "IU"), (4000.0, "IU")}
    assert amounts_in("doses of 4,000 and 400–800 IU, or 15 mcg") == {
        (400.0, "IU"),
        (800.0, "IU"),
        (15.0, "µg"),
    }
    assert INTAKE_TERM.search("the upper level in the table above")
    assert not INTAKE_TERM.search("AIDS and RDAx")


FIXTURE_PAGES = Path(__file__).parent / "fixtures" / "content" / "pages"


def line_of(path: Path, needle: str) -> int:
    return next(
        n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line
    )


def test_rules_accept_a_conforming_page() -> None:
    page = FIXTURE_PAGES / "conforming.md"
    assert typed_intakes(page) == []
    assert uncited_blocks(page) == []


def test_rules_catch_each_violation() -> None:
    page = FIXTURE_PAGES / "violating.md"
    fixture_path = "tests/fixtures/content/pages/violating.md"
    typed = [entry.split(": ", 1)[0] for entry in typed_intakes(page)]
    assert typed == [
        f"{fixture_path}:{line_of(page, 'adult RDA is 15 mcg')}",
        f"{fixture_path}:{line_of(page, 'upper level is 4,000 IU')}",
        f"{fixture_path}:{line_of(page, 'The UL is 100')}",
    ]
    uncited = [entry.split(": ", 1)[0] for entry in uncited_blocks(page)]
    assert uncited == [
        f"{fixture_path}:{line_of(page, 'found in bone.')}",
        f"{fixture_path}:{line_of(page, 'cannot show cause')}",
        f"{fixture_path}:{line_of(page, '| Trial A |')}",
        f"{fixture_path}:{line_of(page, 'upper level is 4,000 IU')}",
    ]


# --- nutrient pages -------------------------------------------------------------------------------


@needs_pages
@each_page
def test_front_matter_validates(page: Path) -> None:
    data = frontmatter.validate_nutrient_page(page.relative_to(ROOT), page.read_text(encoding="utf-8"))
    assert data["nutrient_id"] == page.stem, f"{page_id(page)}: nutrient_id must match the file name"


@needs_pages
@each_page
def test_template_headings_in_order(page: Path) -> None:
    h1 = headings(page, 1)
    assert len(h1) == 1, f"{page_id(page)}: expected one H1, found {h1}"
    found = [title for _line, title in headings(page, 2)]
    assert found == TEMPLATE_H2, (
        f"{page_id(page)}: H2 headings {found} differ from the template {TEMPLATE_H2}"
    )


@needs_pages
@each_page
def test_one_verdict_naming_its_studies(page: Path) -> None:
    verdicts = [b for b in blocks(page) if VERDICT.match(b.text)]
    assert len(verdicts) == 1, f"{page_id(page)}: expected one **Verdict:** line, found {len(verdicts)}"
    (verdict,) = verdicts
    where = f"{page_id(page)}:{verdict.line}"
    assert verdict.section == "What studies in people show", f"{where}: verdict outside its section"
    assert cited_keys(verdict.text), f"{where}: the verdict must name (cite) the studies it rests on"


@needs_pages
@each_page
def test_each_placeholder_once_in_its_section(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert GLANCE_MARKER not in text
    placed: dict[str, str] = {}
    section = ""
    for line in text.splitlines():
        heading = HEADING.match(line)
        if heading and len(heading.group(1)) == 2:
            section = heading.group(2)
        if line.strip() in PLACEHOLDER_SECTIONS:
            assert line.strip() not in placed, f"{page_id(page)}: {line.strip()} appears twice"
            placed[line.strip()] = section
    for marker, wanted in PLACEHOLDER_SECTIONS.items():
        if marker in (FOODS_MARKER, FORMS_MARKER) and marker not in placed:
            continue  # soy isoflavones: no authority tabulates foods or forms the same way
        assert placed.get(marker) == wanted, (
            f"{page_id(page)}: {marker} must stand on a line of its own under {wanted!r}, "
            f"found under {placed.get(marker)!r}"
        )


@needs_pages
@each_page
def test_no_editors_workings_on_the_page(page: Path) -> None:
    _yaml, body, start = frontmatter.split_front_matter(page.read_text(encoding="utf-8"))
    offences = [
        f"{page_id(page)}:{number}: {match.group()!r}"
        for number, line in enumerate(body.splitlines(), start)
        if (match := EDITORS_WORKINGS.search(line))
    ]
    assert not offences, "provenance belongs on the Sources page:\n" + "\n".join(offences)


@needs_pages
@each_page
def test_enough_study_records_and_grades_rest_on_them(page: Path) -> None:
    records = frontmatter.validate_studies_file(ROOT / "studies" / f"{page.stem}.yml")
    data = frontmatter.validate_nutrient_page(page.relative_to(ROOT), page.read_text(encoding="utf-8"))
    listed = {r["key"] for r in records}
    for other in sorted((ROOT / "studies").glob("*.yml")):
        listed |= {
            r["key"] for r in frontmatter.validate_studies_file(other) if page.stem in r.get("pages", [])
        }
    wanted = MIN_STUDIES.get(page.stem, 2)
    assert len(listed) >= wanted, f"{page_id(page)}: {len(listed)} study records, at least {wanted} expected"
    outcomes = {grade["outcome"] for grade in data["evidence"]}
    assert {"bone-density", "fractures"} <= outcomes, f"{page_id(page)}: grade bone density and fractures"


@needs_pages
@each_page
def test_no_reference_intake_typed_in_prose(page: Path) -> None:
    offences = typed_intakes(page)
    assert not offences, "reference intakes belong in front matter only:\n" + "\n".join(offences)


@needs_pages
@each_page
def test_every_factual_block_is_cited(page: Path) -> None:
    offences = uncited_blocks(page)
    assert not offences, "blocks without a [@key] citation:\n" + "\n".join(offences)


@needs_pages
@each_page
def test_references_section_renders_the_bibliography(page: Path) -> None:
    lines = [line.strip() for _n, line in body_lines(page)]
    tail = lines[lines.index("## References") + 1 :]
    assert r"\bibliography" in tail, f"{page_id(page)}: '## References' must be followed by \\bibliography"


# --- every page under docs/ -----------------------------------------------------------------------


def test_every_cited_key_exists_in_references_bib() -> None:
    known = bib_keys()
    problems = []
    for path in sorted(DOCS.rglob("*.md")):
        _yaml, body, start = frontmatter.split_front_matter(path.read_text(encoding="utf-8"))
        for citation in find_citations(body, line_offset=start - 1):
            for key in citation.keys:
                where = f"{page_id(path)}:{citation.line}"
                if not keys.is_valid_key(key):
                    problems.append(f"{where}: {citation.raw} has a key that breaks the convention: {key!r}")
                elif key not in known:
                    problems.append(f"{where}: [@{key}] is not in references.bib")
    assert not problems, "\n".join(problems)


def test_no_citation_wraps_across_lines() -> None:
    # Stock mkdocs-bibtex leaves a wrapped [@a;\n @b] as text; the design keeps pages buildable with it.
    wrapped = [
        f"{page_id(path)}:{citation.line}: {citation.raw!r}"
        for path in sorted(DOCS.rglob("*.md"))
        for citation in find_citations(path.read_text(encoding="utf-8"))
        if "\n" in citation.raw
    ]
    assert not wrapped, "keep each citation on one line:\n" + "\n".join(wrapped)


def test_no_sentence_copied_from_a_source_article() -> None:
    if not COPIED_SENTENCES.is_file():
        pytest.skip(f"shared tools absent ({COPIED_SENTENCES}); a clone without ../shared cannot run this")
    result = subprocess.run(
        [sys.executable, str(COPIED_SENTENCES), "docs"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_nutrients_index_page() -> None:
    # The plugin skips index.md, but the content tests would not: an index there is a design change.
    assert not (DOCS / "nutrients" / "index.md").exists()


# --- the built site -------------------------------------------------------------------------------


class _Tables(HTMLParser):
    """Rows of every <table> on a page, as lists of (cell text, hrefs in the cell)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[tuple[str, list[str]]]]] = []
        self._cell: list[str] | None = None
        self._links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell, self._links = [], []
        elif tag == "a" and self._cell is not None:
            self._links += [value for name, value in attrs if name == "href" and value]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.tables and self.tables[-1]:
            self.tables[-1][-1].append(("".join(self._cell).strip(), self._links))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def test_evidence_page_has_an_anchor_for_every_grade(built_site: Path) -> None:
    html = (built_site / "overview" / "evidence" / "index.html").read_text(encoding="utf-8")
    for level in CERTAINTY_ANCHORS:
        assert f'id="{level}"' in html, f"overview/evidence.md has no #{level} anchor"


def test_at_a_glance_has_one_row_per_nutrient_page(built_site: Path) -> None:
    html = (built_site / "overview" / "at-a-glance" / "index.html").read_text(encoding="utf-8")
    assert "bng:at-a-glance" not in html, "the at-a-glance placeholder was not rendered"
    parser = _Tables()
    parser.feed(html)
    glance = [t for t in parser.tables if t and [c for c, _ in t[0]][:1] == ["Nutrient"]]
    assert len(glance) == 1, "expected one generated comparison table"
    rows = glance[0][1:]
    linked = sorted(href.rstrip("/").rsplit("/", 1)[-1] for row in rows for href in row[0][1])
    assert linked == sorted(p.stem for p in NUTRIENT_PAGES)


def test_nutrients_json_lists_every_nutrient(built_site: Path) -> None:
    payload = json.loads((built_site / "data" / "nutrients.json").read_text(encoding="utf-8"))
    records = payload["nutrients"]
    assert sorted(r["nutrient_id"] for r in records) == sorted(p.stem for p in NUTRIENT_PAGES)
    for record in records:
        assert (built_site / record["page"] / "index.html").is_file(), f"{record['page']} was not built"
        assert record["intake"]["unit"] and record["evidence"], f"{record['page']}: no intake unit or grades"


def test_studies_json_lists_every_record_with_its_provenance(built_site: Path) -> None:
    payload = json.loads((built_site / "data" / "studies.json").read_text(encoding="utf-8"))
    on_disk = {
        r["key"] for path in (ROOT / "studies").glob("*.yml") for r in frontmatter.validate_studies_file(path)
    }
    published = {r["key"]: r for r in payload["studies"]}
    assert set(published) == on_disk
    known = bib_keys()
    for key, record in published.items():
        assert key in known, f"study record {key} is not in references.bib"
        assert record["read_at"]["url"].startswith("http"), f"{key}: where was it read?"
        assert record.get("participants") or record.get("studies_pooled"), (
            f"{key}: how many people or studies?"
        )


def test_nutrient_pages_render_a_studies_table(built_site: Path) -> None:
    for page in NUTRIENT_PAGES:
        html = (built_site / "nutrients" / page.stem / "index.html").read_text(encoding="utf-8")
        assert "bng:" not in html, f"{page.stem}: a placeholder was left unrendered"
        parser = _Tables()
        parser.feed(html)
        studies = [
            t for t in parser.tables if t and [c for c, _ in t[0]][:2] == ["Study", "Design and people"]
        ]
        assert len(studies) == 1 and len(studies[0]) > 1, f"{page.stem}: no Studies in people table"


REQUIRED_MEDICINE_CLASSES = [
    "Bisphosphonates",
    "Levothyroxine",
    "Quinolone antibiotics",
    "Tetracycline antibiotics",
    "Thiazide diuretics",
    "Proton-pump inhibitors",
    "Glucocorticoids",
    "Warfarin and other vitamin K antagonists",
]


def test_medicines_page_names_every_class_the_authorities_list(built_site: Path) -> None:
    html = (built_site / "overview" / "medicines" / "index.html").read_text(encoding="utf-8")
    parser = _Tables()
    parser.feed(html)
    [table] = [t for t in parser.tables if t and [c for c, _ in t[0]][:2] == ["Medicines", "Nutrient"]]
    named = {row[0][0] for row in table[1:]}
    missing = [c for c in REQUIRED_MEDICINE_CLASSES if not any(n.startswith(c) for n in named)]
    assert not missing, f"no interaction recorded for {missing}"
    linked = {href.split("#")[0].rstrip("/").rsplit("/", 1)[-1] for row in table[1:] for href in row[1][1]}
    assert linked <= {p.stem for p in NUTRIENT_PAGES} and len(linked) >= 8
