"""Browser fixtures: the strictly built site served on 127.0.0.1, read by headless Debian Chromium.

The site is built once per session (tests/conftest.py's `built_site`). Set BNG_BROWSER_SITE_DIR to a
site already built with `mkdocs build --strict -d DIR` to skip the build while iterating on a test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Response, sync_playwright

from boneguide.browser import PHONE, launch_chromium, serve_directory, site_base_path, site_pages

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"

DESKTOP = {"width": 1280, "height": 900}

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
    ctx = browser.new_context(viewport=DESKTOP, color_scheme="light", locale="en-GB")
    yield ctx
    ctx.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh phone profile: 375 px wide, touch, twice the pixel density."""
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, color_scheme="light"
    )
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


class PageLoader:
    """Loads pages of the served site and says which path failed."""

    def __init__(self, site_url: str) -> None:
        self.site_url = site_url

    def open(self, page: Page, path: str) -> Response:
        """Load a page and let its scripts settle; fail naming the path when it is missing."""
        problem = self.try_open(page, path)
        assert problem is None, problem
        return self.last_response

    def try_open(self, page: Page, path: str) -> str | None:
        """For per-page loops: None when the page loaded, else a one-line reason naming the path.

        Waits for the load event (every script of the page has run), not for the network to be idle:
        that costs half a second a page, idle, in every loop over the site. A test about what a page
        requests later (privacy, console, CSP) waits for network idle itself.
        """
        response = page.goto(self.site_url + path, wait_until="load")
        if response is None:
            return f"/{path}: no response"
        self.last_response = response
        if response.status != 200:
            return f"/{path}: HTTP {response.status} (page missing?)"
        return None

    def each_open(self, page: Page, paths: list[str], failures: list[str]) -> Iterator[str]:
        """The paths that loaded, one after another in ``page``; a page that did not is a failure."""
        for path in paths:
            if problem := self.try_open(page, path):
                failures.append(problem)
                continue
            yield path


@pytest.fixture(scope="session")
def loader(site_url: str) -> PageLoader:
    return PageLoader(site_url)


@pytest.fixture(scope="session")
def sample_nutrient() -> str:
    return SAMPLE_NUTRIENT
