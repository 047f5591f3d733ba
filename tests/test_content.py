"""The built site's generated content: tables, data files and pages made from front matter.

The rules a page's Markdown keeps (the nutrient-page template, citations on every factual block,
intake values only in front matter, no copied sentences, no wrapped citations, enough study
records) are the checker's (boneguide/checks/template.py, copying.py, citations.py, studies.py):
`make check`, pre-commit and CI enforce them, and tests/test_check_template.py tests them; the
real site passes them in tests/test_check_site.py.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

from pybtex.database import parse_file

from boneguide import frontmatter

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
NUTRIENT_PAGES = sorted(p for p in (DOCS / "nutrients").glob("*.md") if p.name != "index.md")
CERTAINTY_ANCHORS = ["high", "moderate", "low", "very-low", "not-studied"]


def bib_keys() -> set[str]:
    return set(parse_file(str(ROOT / "references.bib"), bib_format="bibtex").entries.keys())


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
        # A count, or the record's word that the source read gives none: never silently left out.
        assert record.get("participants") or record.get("studies_pooled") or record.get("count_not_given"), (
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
