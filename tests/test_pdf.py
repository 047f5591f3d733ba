"""The PDF of the whole guide (make pdf): built once per session, then read with poppler and pypdf.

BNG_EXPORT_ROOT=/path/to/a/copy points the tests at another checkout (to iterate on pages not yet
in the navigation); by default they read this repository.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest
import yaml
from pybtex.database import parse_file
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, NameObject

from boneguide.citesyntax import find_citations
from boneguide.export import PDF_NAME
from boneguide.export import pdf as pdf_export
from boneguide.export.variant import ExportError, raw_config
from boneguide.export.version import current_edition

REPO = Path(__file__).resolve().parent.parent
ROOT = Path(os.environ.get("BNG_EXPORT_ROOT") or REPO).resolve()
_spec = importlib.util.spec_from_file_location("build_pdf_script", REPO / "scripts" / "build_pdf.py")
build_pdf_script = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_pdf_script)

pytestmark = pytest.mark.slow


# --- what the guide contains, read from its sources --------------------------------------------


def nav_items(config_file: Path = ROOT / "mkdocs.yml") -> list[tuple[int, str, str | None]]:
    """(depth, title, source or None for a section) for every nav entry, in order."""
    config = yaml.load(config_file.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    items: list[tuple[int, str, str | None]] = []

    def walk(entries: list, depth: int) -> None:
        for entry in entries:
            title, value = next(iter(entry.items())) if isinstance(entry, dict) else (None, entry)
            if isinstance(value, list):
                items.append((depth, title, None))
                walk(value, depth + 1)
            else:
                items.append((depth, title or value, value))

    walk(config["nav"], 0)
    return items


def printed_pages() -> list[Path]:
    """Nav pages the PDF includes (tag indexes are left out on purpose)."""
    pages = [ROOT / "docs" / src for _, _, src in nav_items() if src]
    return [p for p in pages if "<!-- material/tags" not in p.read_text(encoding="utf-8")]


def page_heading(path: Path) -> str:
    match = re.search(r"^# (.+?)\s*(\{.*\})?$", path.read_text(encoding="utf-8"), re.M)
    assert match, f"{path} has no level-1 heading"
    return match.group(1).strip()


def _sources_in(value: object) -> list[str]:
    if isinstance(value, dict):
        return [k for key, v in value.items() for k in ([v] if key == "source" else _sources_in(v))]
    if isinstance(value, list):
        return [k for v in value for k in _sources_in(v)]
    return []


def cited_keys(pages: list[Path]) -> set[str]:
    keys: set[str] = set()
    for page in pages:
        text = page.read_text(encoding="utf-8")
        keys.update(key for citation in find_citations(text) for key in citation.keys)
        if text.startswith("---"):
            keys.update(str(k) for k in _sources_in(yaml.safe_load(text.split("---", 2)[1]) or {}))
    return keys


def squash(text: str) -> str:
    """Letters and digits only, lowercase: line breaks, hyphenation and styling do not matter."""
    text = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", text.lower())


def reference_marker(entry) -> str:
    """What a reader sees of a reference whatever the style: its title, else its identifier."""
    fields = {k.lower(): v for k, v in entry.fields.items()}
    title = re.sub(r"\\[a-zA-Z]+|[{}]", "", fields.get("title", ""))
    if squash(title):
        return squash(title)[:50]
    for name in ("pmid", "pmcid", "doi", "url"):
        if fields.get(name):
            return squash(fields[name])
    raise AssertionError(f"{entry.key}: no title or identifier to look for")


# --- the PDF, built once ----------------------------------------------------------------------------


@dataclass
class BuiltPdf:
    path: Path
    edition: str  # the label the build printed on the cover
    reader: PdfReader
    pages_text: list[str]  # pdftotext -layout, one string per page

    @property
    def text(self) -> str:
        return "\n".join(self.pages_text)


@pytest.fixture(scope="session")
def built_pdf(tmp_path_factory: pytest.TempPathFactory) -> BuiltPdf:
    output = tmp_path_factory.mktemp("pdf") / PDF_NAME
    try:
        result = pdf_export.build_pdf(ROOT / "mkdocs.yml", output)
    except ExportError as error:
        pytest.fail(f"make pdf failed: {error}")
    text = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(output), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return BuiltPdf(output, result.edition, PdfReader(output), text.split("\f")[:-1])


def outline_entries(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, 1-based page) for every bookmark, in order."""
    entries: list[tuple[int, str, int]] = []

    def walk(items: list, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                entries.append((depth, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return entries


# --- tests ------------------------------------------------------------------------------------------------


def test_cover_has_title_edition_disclaimer_and_licence(built_pdf: BuiltPdf) -> None:
    cover = " ".join(built_pdf.pages_text[0].split())
    assert "Bone Nutrient Guide" in cover
    assert re.fullmatch(r"\d{4}-\d\d-\d\d, commit [0-9a-f]{7,}( with local changes)?", built_pdf.edition)
    assert f"Edition: {built_pdf.edition}" in cover
    assert "Medical disclaimer" in cover and "not medical advice" in cover
    assert "Creative Commons Attribution 4.0" in cover and "MIT" in cover
    assert "Page 1" not in cover, "the cover carries no page number"


def test_every_page_is_printed_in_navigation_order(built_pdf: BuiltPdf) -> None:
    titles = [title for _, title, _ in outline_entries(built_pdf.reader)]
    expected = [page_heading(p) for p in printed_pages()]
    positions = []
    for heading in expected:
        assert heading in titles, f"chapter '{heading}' has no bookmark"
        positions.append(titles.index(heading, positions[-1] + 1 if positions else 0))
    assert positions == sorted(positions), "chapters are out of navigation order"


def test_every_nutrient_page_title_is_in_the_text(built_pdf: BuiltPdf) -> None:
    nutrients = [p for p in printed_pages() if p.parent.name == "nutrients"]
    if not nutrients:
        pytest.skip("no nutrient page is in the navigation yet")
    text = squash(built_pdf.text)
    for page in nutrients:
        assert squash(page_heading(page)) in text, f"{page.name}: title missing from the PDF"


def test_every_cited_reference_is_printed(built_pdf: BuiltPdf) -> None:
    keys = cited_keys(printed_pages())
    assert keys, "no page cites anything: the check would be empty"
    entries = parse_file(str(ROOT / "references.bib")).entries
    text = squash(built_pdf.text)
    missing = sorted(key for key in keys if key in entries and reference_marker(entries[key]) not in text)
    assert not missing, f"cited references not printed: {missing}"


def test_outline_has_parts_chapters_and_sections(built_pdf: BuiltPdf) -> None:
    outline = outline_entries(built_pdf.reader)
    by_title = {title: depth for depth, title, _ in outline}
    assert by_title.get("Contents") == 0
    for depth, title, source in nav_items():
        if source is None:  # a navigation section is a part, one level above its chapters
            assert by_title.get(title) == depth, f"part '{title}' missing or at the wrong level"
    zinc = ROOT / "docs" / "nutrients" / "zinc.md"
    if zinc in printed_pages():
        chapter = page_heading(zinc)
        index = [t for _, t, _ in outline].index(chapter)
        sections = [t for d, t, _ in outline[index + 1 :] if d == outline[index][0] + 1][:3]
        assert "Key points" in sections, f"zinc's sections are not nested under it: {sections}"


def test_contents_page_numbers_match_where_chapters_start(built_pdf: BuiltPdf) -> None:
    outline = outline_entries(built_pdf.reader)
    titles = [title for _, title, _ in outline]
    first = outline[titles.index("Contents")][2]
    last = outline[titles.index("Contents") + 1][2] - 1  # the contents run until the first chapter
    reader = built_pdf.reader
    links, printed = [], []
    for number in range(first, last + 1):
        page_links = []
        for ref in reader.pages[number - 1].get("/Annots") or []:
            annotation = ref.get_object()
            if annotation.get("/Subtype") == "/Link" and "/Dest" in annotation:
                top = -float(annotation["/Rect"][3])
                page_links.append((top, destination_page(reader, annotation["/Dest"])))
        links += [page for _, page in sorted(page_links)]
        printed += [
            int(m.group(1))
            for line in built_pdf.pages_text[number - 1].splitlines()
            if not re.search(r"Page \d+ of \d+", line) and (m := re.search(r"\s(\d+)\s*$", line))
        ]
    assert len(links) >= len(printed_pages())
    assert printed == links, "contents page numbers differ from where their links go"


def test_running_footer_numbers_every_page_but_the_cover(built_pdf: BuiltPdf) -> None:
    total = len(built_pdf.pages_text)
    for number, text in enumerate(built_pdf.pages_text[1:], start=2):
        assert f"Page {number} of {total}" in text, f"page {number} has no page number"


def test_page_count_is_sane(built_pdf: BuiltPdf) -> None:
    chapters = len(printed_pages())
    assert chapters + 2 <= len(built_pdf.reader.pages) <= 12 * chapters + 10


def destination_page(reader: PdfReader, dest) -> int:
    """1-based page of a link destination: a name (looked up in the document's names) or an array."""
    if isinstance(dest, ArrayObject):
        return reader.get_page_number(dest[0].get_object()) + 1
    named = {name.lstrip("/"): d for name, d in reader.named_destinations.items()}
    key = str(dest).lstrip("/")
    assert key in named, f"link to a missing destination: {key}"
    return reader.get_destination_page_number(named[key]) + 1


def test_links_exist_and_internal_ones_resolve(built_pdf: BuiltPdf) -> None:
    reader = built_pdf.reader
    internal = external = 0
    for page in reader.pages:
        for ref in page.get("/Annots") or []:
            annotation = ref.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            action = annotation.get("/A")
            if isinstance(action, DictionaryObject) and action.get("/S") == NameObject("/URI"):
                external += 1
            elif "/Dest" in annotation:
                destination_page(reader, annotation["/Dest"])
                internal += 1
            elif isinstance(action, DictionaryObject) and action.get("/S") == NameObject("/GoTo"):
                destination_page(reader, action["/D"])
                internal += 1
    assert internal >= len(cited_keys(printed_pages())), "fewer internal links than cited references"
    assert external > 0


def test_text_has_no_replacement_characters_and_keeps_special_ones(built_pdf: BuiltPdf) -> None:
    assert "\ufffd" not in built_pdf.text
    sources = "".join(p.read_text(encoding="utf-8") for p in printed_pages())
    for character in "µ≥≤–β×±":
        if character in sources:
            assert character in built_pdf.text, f"{character!r} is in the pages but not in the PDF"


def test_fonts_are_embedded(built_pdf: BuiltPdf) -> None:
    fonts = subprocess.run(["pdffonts", str(built_pdf.path)], capture_output=True, text=True, check=True)
    rows = fonts.stdout.splitlines()[2:]
    assert rows, "no fonts listed"
    not_embedded = [row for row in rows if row.split()[-5] != "yes"]
    assert not not_embedded, f"fonts not embedded: {not_embedded}"


def test_no_site_chrome_is_printed(built_pdf: BuiltPdf) -> None:
    for chrome in (
        "Skip to content",
        "Type to start searching",
        "Switch to dark mode",
        "Switch to light mode",
        "Back to top",
        "Made with",
        "Download PDF",
        "Edit this page",
    ):
        assert chrome not in built_pdf.text, f"site chrome in the PDF: {chrome!r}"


def test_metadata_title(built_pdf: BuiltPdf) -> None:
    assert built_pdf.reader.metadata.title == "Bone Nutrient Guide"


# --- failure modes, without Chromium -------------------------------------------------------------


def test_cover_sections_come_from_the_about_page(tmp_path: Path) -> None:
    about = tmp_path / "about.md"
    about.write_text("# About\n\n## Medical disclaimer\n\nNot advice, **really**.\n\n## Other\n\nx\n")
    assert (
        pdf_export.markdown_section(about, "Medical disclaimer")
        == "<p>Not advice, <strong>really</strong>.</p>"
    )
    with pytest.raises(ExportError, match=r"about\.md: no section titled 'Licence'"):
        pdf_export.markdown_section(about, "Licence")


def test_a_broken_site_fails_with_a_message_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n\nSee [nowhere](missing.md).\n")
    (tmp_path / "docs" / "about.md").write_text("# About\n\n## Medical disclaimer\n\nx\n\n## Licence\n\ny\n")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: T\ntheme: {name: material}\nnav: [index.md, about.md]\n"
        "validation: {links: {not_found: warn}}\n"
    )
    status = build_pdf_script.main(["-f", str(tmp_path / "mkdocs.yml"), "-o", str(tmp_path / "out.pdf")])
    err = capsys.readouterr().err
    assert status == 1
    assert "build_pdf: error:" in err and "mkdocs.yml" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out.pdf").exists()


def test_edition_outside_git_and_with_a_fixed_date(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    edition = current_edition(tmp_path)
    assert edition == "2026-01-01, commit unknown"


def test_every_site_page_links_to_the_pdf(built_site: Path) -> None:
    """The main site's footer offers the PDF: the copy `make pdf` left in build/ (which the deploy
    workflow builds first), or, on a clone where it has not run, the published edition."""
    site_url = raw_config(REPO / "mkdocs.yml")["site_url"]  # built_site is built from this checkout
    published = urljoin(site_url, PDF_NAME)
    bundled = (built_site / PDF_NAME).is_file()
    missing = []
    for page in sorted(built_site.rglob("*.html")):
        match = re.search(
            r'<div class="bng-download-pdf">\s*<a href="([^"]+)"', page.read_text(encoding="utf-8")
        )
        target = match and match.group(1)
        if not target:
            missing.append(f"{page.relative_to(built_site)}: no link")
        elif not bundled:
            if target != published:
                missing.append(f"{page.relative_to(built_site)}: {target}, not {published}")
        elif target.startswith("/"):
            if not target.endswith("/" + PDF_NAME):
                missing.append(f"{page.relative_to(built_site)}: {target}")
        elif (page.parent / target).resolve() != (built_site / PDF_NAME).resolve():
            missing.append(f"{page.relative_to(built_site)}: {target}")
    assert not missing, "pages without a working Download PDF link:\n" + "\n".join(missing)


def small_guide(folder: Path, index_body: str) -> Path:
    """A three-page Material project with the print assets of this repository."""
    docs = folder / "docs"
    (docs / "assets" / "stylesheets").mkdir(parents=True)
    (folder / "overrides" / "partials").mkdir(parents=True)
    for asset in (Path("docs") / pdf_export.PRINT_CSS, Path(pdf_export.COVER_TEMPLATE)):
        target = folder / asset
        target.write_bytes((REPO / asset).read_bytes())
    (docs / "index.md").write_text(f"# Home\n\n{index_body}\n", encoding="utf-8")
    (docs / "about.md").write_text(
        "# About\n\n## Medical disclaimer\n\nNot advice.\n\n## Licence\n\nCC BY 4.0.\n", encoding="utf-8"
    )
    (docs / "tags.md").write_text("# Tags\n\n<!-- material/tags -->\n", encoding="utf-8")
    config = folder / "mkdocs.yml"
    config.write_text(
        "site_name: Fixture guide\nsite_url: https://example.org/guide/\n"
        "theme: {name: material, custom_dir: overrides, font: false}\n"
        "nav: [index.md, about.md, tags.md]\nplugins: [search, tags]\n"
        "markdown_extensions: [tables, attr_list, md_in_html]\n",
        encoding="utf-8",
    )
    return config


def test_links_to_pages_left_out_of_the_pdf_go_online(tmp_path: Path) -> None:
    config = small_guide(tmp_path, "Browse the [tags](tags.md) or read [the licence](about.md#licence).")
    output = tmp_path / "guide.pdf"
    pdf_export.build_pdf(config, output)
    reader = PdfReader(output)
    uris, internal = [], []
    for page in reader.pages:
        for ref in page.get("/Annots") or []:
            annotation = ref.get_object()
            action = annotation.get("/A")
            if isinstance(action, DictionaryObject) and "/URI" in action:
                uris.append(str(action["/URI"]))
            elif "/Dest" in annotation:
                internal.append(destination_page(reader, annotation["/Dest"]))
    assert "https://example.org/guide/tags/" in uris
    assert internal, "the link to the About page's licence section should stay inside the PDF"


def test_a_table_wider_than_the_page_fails_the_build(tmp_path: Path) -> None:
    unbreakable = '<span style="white-space: nowrap">' + "long words that may not wrap " * 12 + "</span>"
    config = small_guide(tmp_path, f"Intro.\n\n## Amounts\n\n| a | b |\n|---|---|\n| {unbreakable} | x |\n")
    with pytest.raises(ExportError, match=r"wider than the page: \S*docs/index\.md:\d+: <table>") as raised:
        pdf_export.build_pdf(config, tmp_path / "guide.pdf")
    located = re.search(r"docs/index\.md:(\d+): <table> \(section '([^']+)'\)", str(raised.value))
    assert located, str(raised.value)
    lines = (config.parent / "docs" / "index.md").read_text().splitlines()
    assert lines[int(located[1]) - 1] == "## Amounts" == f"## {located[2]}"
    assert not (tmp_path / "guide.pdf").exists()


# --- printed matter: metadata, bookmarks, wording, abbreviations, page breaks -------------------------


def test_metadata_names_the_guide_its_editors_subject_keywords_and_edition(built_pdf: BuiltPdf) -> None:
    info = built_pdf.reader.metadata
    assert info is not None
    assert info["/Title"] == "Bone Nutrient Guide"
    assert info["/Author"] == yaml.safe_load((ROOT / "mkdocs.yml").read_text())["site_author"]
    assert "bone health" in info["/Subject"]
    keywords = info["/Keywords"].split(", ")
    assert {"Zinc", "Calcium", "Vitamin D", "Soy isoflavones"} <= set(keywords)
    assert info["/Creator"] == f"Bone Nutrient Guide, edition {built_pdf.edition}"
    assert "Chrome" not in info["/Creator"]


def test_it_opens_with_the_bookmarks_panel(built_pdf: BuiltPdf) -> None:
    assert built_pdf.reader.trailer["/Root"]["/PageMode"] == "/UseOutlines"
    assert outline_entries(built_pdf.reader), "the bookmarks panel would be empty"


def test_paper_is_not_told_to_hover_point_or_tap(built_pdf: BuiltPdf) -> None:
    words = re.findall(r"\b(hover\w*|tap it|tap a|point at|click\w*)\b", built_pdf.text, re.I)
    assert words == []


def test_abbreviations_are_spelled_out_at_first_use_in_running_text_only(tmp_path: Path) -> None:
    body = (
        "## The RDA\n\nThe RDA is set for each group; the RDA for zinc differs.\n\n"
        "An Adequate Intake (AI) is set when evidence is thin.\n\n"
        "Doses in mg are shown as written.\n\n| RDA | AI |\n|---|---|\n| 8 mg | 2 mg |\n\n"
        "*[RDA]: Recommended Dietary Allowance: the daily intake that meets nearly everyone's needs\n"
        "*[AI]: Adequate Intake: assumed to be enough\n*[mg]: milligram (one thousandth of a gram)\n"
    )
    config = small_guide(tmp_path, body)
    config.write_text(config.read_text().replace("[tables,", "[abbr, tables,"), encoding="utf-8")
    output = tmp_path / "guide.pdf"
    pdf_export.build_pdf(config, output)
    text = " ".join(
        subprocess.run(["pdftotext", str(output), "-"], capture_output=True, text=True).stdout.split()
    )
    assert text.count("RDA (Recommended Dietary Allowance)") == 1  # the first use in running text
    assert "The RDA (Recommended Dietary Allowance) is set for each group" in text  # not the heading
    assert "AI (Adequate Intake)" not in text  # the writer spelled it out already
    assert "milligram" not in text  # units stay as they are


def test_no_page_ends_early_except_before_a_new_chapter(built_pdf: BuiltPdf, tmp_path: Path) -> None:
    """A heading kept with a long table must not leave half a page blank in mid-chapter."""
    subprocess.run(["pdftoppm", "-r", "20", "-gray", str(built_pdf.path), str(tmp_path / "p")], check=True)
    starts = {page for _, _, page in outline_entries(built_pdf.reader)}
    early = []
    for number, image in enumerate(sorted(tmp_path.glob("p-*.pgm")), start=1):
        header, pixels = image.read_bytes().split(b"\n255\n", 1)
        width, height = map(int, header.split()[1:3])
        inked = [
            y
            for y in range(int(height * 0.08), int(height * 0.93))
            if min(pixels[y * width : (y + 1) * width]) < 200
        ]
        filled = (inked[-1] / height) if inked else 0.0
        if number > 2 and filled < 0.6 and (number + 1) not in starts and number < len(built_pdf.pages_text):
            early.append((number, round(filled, 2)))
    assert early == []


# --- per-nutrient handouts ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def handouts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from boneguide.export.handouts import build_handouts

    made = build_handouts(ROOT / "mkdocs.yml", tmp_path_factory.mktemp("handouts"))
    return {handout.path.stem: handout.path for handout in made}


def test_every_nutrient_page_has_a_short_handout(handouts: dict[str, Path]) -> None:
    pages = sorted(p.stem for p in (ROOT / "docs" / "nutrients").glob("*.md"))
    assert sorted(handouts) == pages
    for stem, path in handouts.items():
        reader = PdfReader(path)
        assert 1 <= len(reader.pages) <= 6, f"{stem}: {len(reader.pages)} pages is not a handout"


def test_a_handout_keeps_the_clinic_sections_and_the_references_they_cite(handouts: dict[str, Path]) -> None:
    for stem, path in handouts.items():
        text = " ".join(
            subprocess.run(
                ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
            ).stdout.split()
        )
        title = page_heading(ROOT / "docs" / "nutrients" / f"{stem}.md")
        assert title in text, stem
        sections = [entry for _, entry, _ in outline_entries(PdfReader(path))]
        for kept in ("Key points", "How much", "Safety and interactions", "References"):
            assert kept in sections, f"{stem}: no '{kept}' in {sections}"
        for dropped in (
            "What studies in people show",
            "Food sources",
            "Where authorities and studies disagree",
        ):
            assert dropped not in sections, f"{stem}: '{dropped}' belongs to the full page only"
        assert "not medical advice" in text
        assert f"nutrients/{stem}/" in text, f"{stem}: no address of the full page"


def test_a_handout_has_its_own_metadata_and_opens_with_bookmarks(handouts: dict[str, Path]) -> None:
    reader = PdfReader(handouts["zinc"])
    assert reader.metadata["/Title"] == "Zinc: handout — Bone Nutrient Guide"
    assert reader.metadata["/Creator"].startswith("Bone Nutrient Guide, edition ")
    assert reader.trailer["/Root"]["/PageMode"] == "/UseOutlines"
