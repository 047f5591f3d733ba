"""Browser fixtures: the strictly built site served on 127.0.0.1, read by headless Debian Chromium.

The site is built once per session (tests/conftest.py's `built_site`). Set BNG_BROWSER_SITE_DIR to a
site already built with `mkdocs build --strict -d DIR` to skip the build while iterating on a test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from page_probes import Findings, bib_identifiers
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from site_crawl import CONTEXT_OPTIONS, Crawls, PageLoader, component_cover, crawl

from boneguide.browser import launch_chromium, serve_directory, site_base_path, site_pages

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"

NUTRIENTS = [
    "zinc",
    "calcium",
    "vitamin-d",
    "vitamin-k",
    "magnesium",
    "vitamin-c",
    "phosphorus",
    "boron",
    "manganese",
    "silicon",
    "selenium",
    "copper",
    "soy-isoflavones",
]
# Every page the guide promises (issue 4's list and mkdocs.yml's planned nav). A page missing at the end
# makes the per-page tests fail with "HTTP 404", not skip.
PLANNED_PAGES = [
    "",
    "about/",
    "tags/",
    "overview/bone-basics/",
    "overview/who-may-benefit/",
    "overview/at-a-glance/",
    "overview/evidence/",
    "overview/intake-checker/",
    "overview/medicines/",
    "overview/glossary/",
    *[f"nutrients/{nutrient}/" for nutrient in NUTRIENTS],
    "herbal-and-other-supplements/",
    "sources/",
    "bibliography/",
]
# The nutrient page the single-page tests look at (written first).
SAMPLE_NUTRIENT = "nutrients/zinc/"


@pytest.fixture(scope="session")
def site_dir(request: pytest.FixtureRequest) -> Path:
    prebuilt = os.environ.get("BNG_BROWSER_SITE_DIR")
    if prebuilt:
        return Path(prebuilt)
    return request.getfixturevalue("built_site")


@pytest.fixture(scope="session")
def site_url(site_dir: Path) -> Iterator[str]:
    with serve_directory(site_dir, site_base_path(site_dir)) as url:
        yield url


@pytest.fixture(scope="session")
def all_pages(site_dir: Path) -> list[str]:
    """Every built page plus every planned one (so a page that never got written fails the loops)."""
    built = site_pages(site_dir)
    return built + [path for path in PLANNED_PAGES if path not in built]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Per module, not per session: Playwright's sync API keeps an event loop running while it is
    # open, and tests/test_pdf.py and tests/test_offline.py start their own afterwards.
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh profile per test (no palette or search state carried over), light scheme, desktop size."""
    ctx = browser.new_context(**CONTEXT_OPTIONS["desktop"])
    yield ctx
    ctx.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh phone profile: 375 px wide, touch, twice the pixel density."""
    context = browser.new_context(**CONTEXT_OPTIONS["phone"])
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def loader(site_url: str) -> PageLoader:
    return PageLoader(site_url)


@pytest.fixture(scope="session")
def sample_nutrient() -> str:
    return SAMPLE_NUTRIENT


# The fixture each crawl profile's results are asked for by (site_crawl.py).
CRAWL_FIXTURES = {"desktop": "desktop_crawl", "dark": "dark_crawl", "phone": "phone_crawl"}


@pytest.fixture(scope="session")
def crawls(request: pytest.FixtureRequest, site_url: str, all_pages: list[str], site_dir: Path) -> Crawls:
    """The per-page tests' crawls: every profile a test of this session asks for, crawled together once."""
    wanted = {
        profile
        for item in request.session.items
        for profile, fixture in CRAWL_FIXTURES.items()
        if fixture in getattr(item, "fixturenames", ())
    }
    bib = bib_identifiers(site_dir)
    cover = component_cover(site_dir, all_pages)  # see site_crawl.py's docstring
    return Crawls(wanted, lambda profile: crawl(profile, site_url, all_pages, cover, bib))


@pytest.fixture(scope="session")
def desktop_crawl(crawls: Crawls) -> Findings:
    """Every page read in the light desktop profile: axe, focus walk, skip link, citations, privacy..."""
    return crawls["desktop"]


@pytest.fixture(scope="session")
def dark_crawl(crawls: Crawls) -> Findings:
    """The pages that hold every kind of element, read with a dark system theme: axe's colour rules."""
    return crawls["dark"]


@pytest.fixture(scope="session")
def phone_crawl(crawls: Crawls) -> Findings:
    """Every page read on the phone: sideways scroll, text size, tables, identifiers' line breaks."""
    return crawls["phone"]
