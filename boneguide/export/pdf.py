"""The whole guide as one PDF: print-site plugin (one HTML page in nav order) + headless Chromium.

Steps: build the site with mkdocs-print-site-plugin appended (cover and contents on), let
print_prepare.js fix ids, heading levels, running headers and printed URLs, print with Chromium
(tagged PDF, so it gets an outline from the headings), read where every contents entry landed
with pypdf, and print again with those page numbers in the contents (Chromium has no CSS
target-counter(), so page numbers need this second pass).
"""

from __future__ import annotations

import contextlib
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import markdown
from mkdocs.structure.files import File
from mkdocs_print_site_plugin.urls import get_page_key  # the key print-site prefixes ids with
from pypdf import PdfReader, PdfWriter

from boneguide import frontmatter
from boneguide.export.browser import offline_page
from boneguide.export.variant import ExportError, build_variant, raw_config
from boneguide.export.version import current_edition

PRINT_CSS = "assets/stylesheets/print.css"
COVER_TEMPLATE = "overrides/partials/print-cover.html"
PREPARE_JS = Path(__file__).with_name("print_prepare.js")
# The printable width of an A4 page with print.css margins (210 mm - 2 x 16 mm), in CSS pixels:
# the checks for tables that run off the page measure at this width.
PRINT_WIDTH_PX = round((210 - 32) / 25.4 * 96)
MAX_PASSES = 3
TITLE = "Bone Nutrient Guide"
SUBJECT = "Evidence-cited guide to the nutrients that matter for bone health"


@dataclass
class PdfResult:
    path: Path
    pages: int
    bytes: int
    seconds: float
    edition: str
    chapters: list[str]


def markdown_section(path: Path, heading: str) -> str:
    """The body of the section titled ``heading`` in a Markdown file, as HTML."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise ExportError(f"{path}: cannot read: {error}") from error
    pattern = re.compile(rf"^(#{{1,6}})\s+{re.escape(heading)}\s*(\{{.*\}})?\s*$", re.IGNORECASE)
    for number, line in enumerate(lines):
        match = pattern.match(line)
        if not match:
            continue
        level = len(match.group(1))
        body: list[str] = []
        for following in lines[number + 1 :]:
            hashes = re.match(r"^(#{1,6})\s", following)
            if hashes and len(hashes.group(1)) <= level:
                break
            body.append(following)
        if not "".join(body).strip():
            raise ExportError(f"{path}:{number + 1}: section '{heading}' is empty; the PDF cover quotes it")
        return markdown.markdown("\n".join(body), extensions=["attr_list"])
    raise ExportError(f"{path}: no section titled '{heading}'; the PDF cover quotes it")


def pages_with_tags_index(docs_dir: Path) -> list[str]:
    """Tag index pages list links by tag; in print they would be an empty list, so leave them out."""
    return sorted(
        p.relative_to(docs_dir).as_posix()
        for p in docs_dir.rglob("*.md")
        if "<!-- material/tags" in p.read_text(encoding="utf-8")
    )


def _print_overrides(raw: dict[str, Any], root: Path, edition: str) -> dict[str, Any]:
    about = root / raw.get("docs_dir", "docs") / "about.md"
    extra = dict(raw.get("extra") or {})
    extra["bng_print"] = {
        "edition": edition,
        "disclaimer_html": markdown_section(about, "Medical disclaimer"),
        "licence_html": markdown_section(about, "Licence"),
    }
    return {"extra": extra, "extra_css": [*raw.get("extra_css", []), PRINT_CSS]}


@dataclass
class PrintPage:
    html: Path  # the combined page print-site wrote
    site_url: str
    online_pages: dict[str, str]  # print-site's page key -> online address, for pages left out
    sources: dict[str, Path]  # print-site's page key -> Markdown file


def build_print_page(config_file: Path, site_dir: Path, edition: str, *, strict: bool) -> PrintPage:
    """Build the print variant of the site (every nav page, in order, on one HTML page)."""
    root = config_file.resolve().parent
    docs_dir = root / "docs"
    left_out = pages_with_tags_index(docs_dir)
    print_site = {
        "print-site": {
            "add_cover_page": True,
            "cover_page_template": COVER_TEMPLATE,
            "add_table_of_contents": True,
            "toc_title": "Contents",
            "toc_depth": 3,
            "enumerate_headings": False,
            "enumerate_figures": False,
            "add_full_urls": False,  # print_prepare.js prints addresses, skipping DOIs already shown
            "print_page_title": TITLE,
            "exclude": left_out,
        }
    }
    config = build_variant(
        config_file,
        site_dir,
        extra_plugins=[print_site],
        overrides=lambda raw: _print_overrides(raw, root, edition),
        strict=strict,
    )
    page = site_dir / "print_page" / "index.html"
    if not page.is_file():
        page = site_dir / "print_page.html"
    if not page.is_file():
        raise ExportError(f"{config_file}: the print build wrote no print_page")
    site_url = config["site_url"] or ""

    def page_key(src: str) -> tuple[str, str]:
        url = File(src, str(docs_dir), str(site_dir), config["use_directory_urls"]).url
        return get_page_key(url.removeprefix("./")), url  # a Page's URL for the home page is ""

    online = {key: urljoin(site_url, url) for key, url in map(page_key, left_out)} if site_url else {}
    sources = {
        page_key(path.relative_to(docs_dir).as_posix())[0]: _display_path(path)
        for path in sorted(docs_dir.rglob("*.md"))
    }
    return PrintPage(page, site_url, online, sources)


def _display_path(path: Path) -> Path:
    """Relative to the working directory when under it, as editors type paths."""
    return path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path


def destination_pages(pdf: bytes) -> dict[str, int]:
    """Named destination -> 1-based page number. Chromium names each link target after its id."""
    reader = PdfReader(BytesIO(pdf))
    pages: dict[str, int] = {}
    for name, destination in reader.named_destinations.items():
        try:
            number = reader.get_destination_page_number(destination)
        except (KeyError, ValueError, TypeError):
            continue
        if number is not None:  # None: the page it points to is not in the document
            pages[name.lstrip("/")] = number + 1
    return pages


def _locate(item: dict[str, Any], sources: dict[str, Path]) -> str:
    """'docs/x.md:LINE: <table> N px wide …' from print-site's page key and the heading above it."""
    source = sources.get(item["page"])
    where = str(source) if source else item["page"] or "?"
    if source and item["heading"]:
        with contextlib.suppress(OSError, UnicodeDecodeError):
            for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
                if line.startswith("#") and line.lstrip("#").strip() == item["heading"]:
                    where = f"{source}:{number}"
                    break
    section = f" (section '{item['heading']}')" if item["heading"] else ""
    return f"{where}: <{item['tag']}>{section} {item['width']}px wide, page {item['pageWidth']}px"


def guide_metadata(config_file: Path, edition: str) -> dict[str, str]:
    """The whole guide's document information, as PDF readers show it: author from mkdocs.yml;
    keywords: the topic and every nutrient page's title."""
    root = config_file.parent
    raw = raw_config(config_file)
    pages = sorted((root / raw.get("docs_dir", "docs") / "nutrients").glob("*.md"))
    nutrients = [name for name in map(frontmatter_title, pages) if name]
    return {
        "/Title": TITLE,
        "/Author": str(raw.get("site_author") or raw.get("site_name") or ""),
        "/Subject": SUBJECT,
        "/Keywords": ", ".join(["bone health", "osteoporosis", "nutrition", *nutrients]),
        # The guide and its edition, not the browser that printed it.
        "/Creator": f"{raw.get('site_name') or 'Bone Nutrient Guide'}, edition {edition}",
    }


def frontmatter_title(page: Path) -> str:
    """The page's front-matter title ("" if it has none or its front matter does not parse)."""
    with contextlib.suppress(frontmatter.FrontMatterError, OSError):
        return str(frontmatter.load(page)[0].get("title") or "")
    return ""


def write_pdf(path: Path, pdf: bytes, metadata: dict[str, str]) -> int:
    """Write ``pdf`` with the document information readers show, opening with its bookmarks panel;
    returns its number of pages. Never leave a half-written PDF under the real name."""
    writer = PdfWriter(clone_from=BytesIO(pdf))
    writer.add_metadata(metadata)
    writer.page_mode = "/UseOutlines"
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".pdf.part")
    writer.write(partial)
    partial.replace(path)
    return len(writer.pages)


def _check(report: dict[str, Any], sources: dict[str, Path], *, strict: bool) -> None:
    problems: list[str] = []
    if report.get("error"):
        problems.append(report["error"])
    problems += [f"link to a missing anchor: {item}" for item in report["dangling"]]
    problems += [f"duplicate id after joining pages: {item}" for item in report["duplicates"]]
    problems += [f"wider than the page: {_locate(item, sources)}" for item in report["overflowing"]]
    if problems and strict:
        raise ExportError("the PDF would be broken:\n  " + "\n  ".join(problems))
    for problem in problems:
        print(f"build_pdf: warning (draft): {problem}", file=sys.stderr)


SET_PAGE_NUMBERS_JS = """(numbers) => {
  for (const a of document.querySelectorAll("#print-page-toc a.bng-toc-entry")) {
    a.querySelector(".bng-toc-page").textContent = numbers[a.getAttribute("href")] || "";
  }
}"""


def print_pdf(source: PrintPage, *, strict: bool) -> tuple[bytes, dict[str, Any]]:
    """Print the prepared page; returns the pdf and the report of print_prepare.js.

    Pass 1 prints with placeholder page numbers of the same width as real ones (untagged: faster,
    and tagging does not move anything); later passes fill in where each contents entry landed,
    until the numbers printed are the numbers found.
    """
    with offline_page({"width": PRINT_WIDTH_PX, "height": 1000}) as (page, _blocked):
        page.goto(source.html.as_uri(), wait_until="load")
        page.emulate_media(
            media="print", color_scheme="light"
        )  # the light palette, whatever the host prefers
        options = {"title": TITLE, "siteUrl": source.site_url, "onlinePages": source.online_pages}
        report = page.evaluate(PREPARE_JS.read_text(encoding="utf-8"), options)
        _check(report, source.sources, strict=strict)
        numbers: dict[str, str] | None = None
        for _ in range(MAX_PASSES):
            final = numbers is not None
            pdf = page.pdf(
                print_background=True,
                prefer_css_page_size=True,
                display_header_footer=False,  # print.css draws headers and footers as @page margin boxes
                outline=final,
                tagged=final,
            )
            landed = destination_pages(pdf)
            missing = [href for href in report["tocTargets"] if href.lstrip("#") not in landed]
            if missing and strict:
                raise ExportError(f"contents entries with no destination in the PDF: {missing}")
            found = {href: str(landed.get(href.lstrip("#"), "")) for href in report["tocTargets"]}
            if final and found == numbers:
                break
            numbers = found
            page.evaluate(SET_PAGE_NUMBERS_JS, numbers)
        else:
            raise ExportError(f"contents page numbers did not settle after {MAX_PASSES} passes")
    return pdf, report


def build_pdf(config_file: Path, output: Path, *, strict: bool = True) -> PdfResult:
    started = time.perf_counter()
    config_file = config_file.resolve()
    with tempfile.TemporaryDirectory(prefix="bng-print-") as tmp:
        edition = current_edition(config_file.parent)
        source = build_print_page(config_file, Path(tmp) / "site", edition, strict=strict)
        pdf, report = print_pdf(source, strict=strict)
        pages = write_pdf(output, pdf, guide_metadata(config_file, edition))
    return PdfResult(
        path=output,
        pages=pages,
        bytes=output.stat().st_size,
        seconds=time.perf_counter() - started,
        edition=edition,
        chapters=report["chapters"],
    )
