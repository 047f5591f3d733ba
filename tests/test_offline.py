"""The offline copy (make offline): unzipped into a folder and read from file:// with no network.

BNG_EXPORT_ROOT=/path/to/a/copy points the tests at another checkout; by default they read this one.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from pypdf import PdfWriter

from boneguide.export import PDF_NAME, ZIP_NAME, offline
from boneguide.export.browser import offline_page
from boneguide.export.variant import ExportError

REPO = Path(__file__).resolve().parent.parent
ROOT = Path(os.environ.get("BNG_EXPORT_ROOT") or REPO).resolve()

pytestmark = pytest.mark.slow


@dataclass
class OfflineCopy:
    zip_path: Path
    site: Path  # the unzipped top folder


@pytest.fixture(scope="session")
def offline_copy(tmp_path_factory: pytest.TempPathFactory) -> OfflineCopy:
    work = tmp_path_factory.mktemp("offline")
    stand_in_pdf = work / PDF_NAME  # bundling is what is tested here, not the PDF (tests/test_pdf.py)
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(stand_in_pdf)
    zip_path = work / ZIP_NAME
    try:
        offline.build_offline(ROOT / "mkdocs.yml", zip_path, pdf=stand_in_pdf)
    except ExportError as error:
        pytest.fail(f"make offline failed: {error}")
    unzipped = work / "unzipped"
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(unzipped)
    return OfflineCopy(zip_path, unzipped / offline.FOLDER_NAME)


def nav_sources() -> list[str]:
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)

    def walk(entries: list) -> list[str]:
        found: list[str] = []
        for entry in entries:
            value = next(iter(entry.values())) if isinstance(entry, dict) else entry
            found += walk(value) if isinstance(value, list) else [value]
        return found

    return walk(config["nav"])


def test_zip_holds_one_folder_with_the_site_search_index_and_pdf(offline_copy: OfflineCopy) -> None:
    with zipfile.ZipFile(offline_copy.zip_path) as archive:
        names = archive.namelist()
    assert {name.split("/", 1)[0] for name in names} == {offline.FOLDER_NAME}
    site = offline_copy.site
    for required in ("index.html", "README.txt", "search/search_index.js", PDF_NAME, offline.SHIM):
        assert (site / required).is_file(), f"{required} missing from the offline copy"
    for page in nav_sources():
        html = page.removesuffix(".md") + ".html"  # the offline plugin turns directory URLs off
        assert (site / html).is_file(), f"{page} is not in the offline copy"
    assert not (site / "404.html").exists(), "404.html needs a server; it should not ship"


def test_zip_members_are_deflated_at_the_strongest_level(offline_copy: OfflineCopy) -> None:
    with zipfile.ZipFile(offline_copy.zip_path) as archive:
        for info in archive.infolist():
            deflate = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate, as zip members hold it
            strongest = len(deflate.compress(archive.read(info)) + deflate.flush())
            assert info.compress_type == zipfile.ZIP_DEFLATED, info.filename
            assert info.compress_size == strongest, info.filename


def test_every_local_link_opens_a_file(offline_copy: OfflineCopy) -> None:
    assert offline.broken_local_links(offline_copy.site) == []


def test_vendored_search_shim_is_the_pinned_release() -> None:
    shim = REPO / "docs" / offline.SHIM
    assert hashlib.sha256(shim.read_bytes()).hexdigest() == offline.IFRAME_WORKER_SHA256
    assert (
        "MIT" in (shim.parent / "LICENSE").read_text()
        or "Permission is hereby granted" in (shim.parent / "LICENSE").read_text()
    )


def test_pages_load_the_local_shim_and_no_cdn(offline_copy: OfflineCopy) -> None:
    index = (offline_copy.site / "index.html").read_text(encoding="utf-8")
    assert "vendor/iframe-worker/shim.js" in index
    assert "unpkg.com" not in index


def test_download_pdf_link_points_at_the_bundled_pdf(offline_copy: OfflineCopy) -> None:
    zinc = offline_copy.site / "nutrients" / "zinc.html"
    page = zinc if zinc.is_file() else offline_copy.site / "about.html"
    html = page.read_text(encoding="utf-8")
    assert "Download PDF" in html
    href = html.split("bng-download-pdf", 1)[1].split('href="', 1)[1].split('"', 1)[0]
    assert (page.parent / href).resolve() == (offline_copy.site / PDF_NAME).resolve()


@pytest.mark.browser
def test_search_for_zinc_finds_the_zinc_page_with_no_network(offline_copy: OfflineCopy) -> None:
    if "nutrients/zinc.md" not in nav_sources():
        pytest.skip("the zinc page is not in the navigation yet")
    requests: list[str] = []
    with offline_page() as (page, blocked):
        page.on("request", lambda request: requests.append(request.url))
        page.goto((offline_copy.site / "index.html").as_uri())
        page.keyboard.press("/")  # Material's search shortcut
        page.locator("input.md-search__input").press_sequentially("zinc", delay=30)
        page.locator(".md-search-result__item").first.wait_for(timeout=15_000)
        results = page.locator(".md-search-result__item > a").evaluate_all("links => links.map(a => a.href)")
        zinc = [url for url in results if url.split("#")[0].split("?")[0].endswith("/nutrients/zinc.html")]
        assert zinc, f"no result for the zinc page: {results}"
        page.goto(zinc[0])
        assert "Zinc" in page.locator("h1").first.inner_text()
    assert blocked == [], f"requests beyond file:// were attempted: {blocked}"
    assert requests and all(url.startswith(("file://", "data:", "blob:", "about:")) for url in requests)


@pytest.mark.browser
def test_navigation_and_citations_work_from_file_urls(offline_copy: OfflineCopy) -> None:
    with offline_page() as (page, blocked):
        page.goto((offline_copy.site / "about.html").as_uri())
        links = page.locator("nav.md-nav--primary a.md-nav__link[href$='.html']").filter(visible=True)
        hrefs = [h for h in links.evaluate_all("links => links.map(a => a.getAttribute('href'))") if h]
        target = next(h for h in hrefs if not h.endswith("about.html"))
        page.locator(f"nav.md-nav--primary a.md-nav__link[href='{target}']").filter(
            visible=True
        ).first.click()
        page.wait_for_load_state()
        assert page.url == (offline_copy.site / "about.html").parent.joinpath(target).resolve().as_uri()
        assert page.locator("article h1").first.inner_text().strip()
        cited = None
        for source in nav_sources():
            candidate = offline_copy.site / (source.removesuffix(".md") + ".html")
            if 'href="#' in candidate.read_text(encoding="utf-8") and "[@" in (
                ROOT / "docs" / source
            ).read_text(encoding="utf-8"):
                cited = candidate
                break
        assert cited, "no page with a citation to follow"
        page.goto(cited.as_uri())
        hrefs = page.locator("article a[href^='#']").evaluate_all(
            "links => links.map(a => a.getAttribute('href')).filter(h => h.length > 1)"
        )
        assert hrefs
        missing = page.evaluate(
            "hrefs => hrefs.filter(h => !document.getElementById(decodeURIComponent(h.slice(1))))", hrefs
        )
        assert missing == [], f"in-page links with no target: {missing}"
    assert blocked == []


def test_a_modified_shim_is_refused(tmp_path: Path) -> None:
    shim = tmp_path / offline.SHIM
    shim.parent.mkdir(parents=True)
    shim.write_text("/* not iframe-worker */")
    with pytest.raises(ExportError, match="sha256"):
        offline.check_shim(tmp_path)


def test_links_written_for_directory_urls_are_pointed_at_files(tmp_path: Path) -> None:
    (tmp_path / "overview").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.json").write_text("{}")
    (tmp_path / "about.html").write_text("<h1>About</h1>")
    (tmp_path / "index.html").write_text('<a href="about/#medical-disclaimer">d</a> <a href="nowhere/">n</a>')
    (tmp_path / "overview" / "glance.html").write_text('<a href="../../data/x.json">x</a>')
    assert offline.repair_links(tmp_path) == 2
    assert 'href="about.html#medical-disclaimer"' in (tmp_path / "index.html").read_text()
    assert 'href="../data/x.json"' in (tmp_path / "overview" / "glance.html").read_text()
    assert offline.broken_local_links(tmp_path) == ["index.html:1: nowhere/"]


@pytest.mark.browser
def test_the_intake_checker_works_from_file_urls(offline_copy: OfflineCopy) -> None:
    with offline_page() as (page, blocked):
        page.goto((offline_copy.site / "overview" / "intake-checker.html").as_uri())
        page.select_option("#bng-age", label="31–50 years")
        page.fill("#bng-zinc-supplement", "50")
        result = page.locator('[data-nutrient="zinc"] output').inner_text()
        assert "Above the upper level of 40 mg" in result
        link = page.locator('[data-nutrient="zinc"] legend a').get_attribute("href")
        assert link and link.split("#")[0].endswith("zinc.html")  # the offline copy's own file
    assert blocked == []
