"""One crawl of the served site per browser profile, for the browser tests that look at every page.

A crawl loads each page once, runs its probes (page_probes.py) on that load in an order where none
sees another's clicks or keys, and keeps each probe's failures; the per-page tests then assert over
their probe's failures. (One loop over the site per test cost ~300 s of the browser tests' ~384.)

Profiles:
- desktop: light, 1280 px, as conftest's `context`. Per page, one load under the watch for requests to
  other hosts, console errors and Content-Security-Policy reports: the read-only probes and axe on
  the page as loaded; then the keyboard, the focus walk from the top of the page and the skip link
  (it reads the walk's first stop); then what sets off late requests (scroll, open search) and the
  wait for network idle. A page load costs more processor time than any probe but axe (about 0.7 s
  with what the page's scripts do after it), and the suite is bound by the two cores: three loads a
  page (the watch, the keyboard, axe) became one.
- dark: the same size with a dark system theme, for axe's colour rules only (the others read the
  same document in both schemes), on the fewest pages that between them hold every kind of element
  of the site (`component_cover`): what a palette can get wrong is an element's colours, which come
  from its tag and classes and those of its container (the policy allows no inline styles), not from
  the page it is on. A page with a new kind of element joins by itself. In both schemes the colour
  rules read the first element of each kind (page_probes.COLOUR_RULES).
- phone: 375 px, touch, as conftest's `phone`; read-only probes only.

Each crawl runs in a thread of its own with a Playwright of its own: the sync API allows one Playwright
per thread, and a test module's `browser` fixture may be open in the main thread when a crawl starts.
The crawl's Playwright is closed before a test reads its results, so tests/test_pdf.py and
tests/test_offline.py still start theirs in the main thread later in the same session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from lxml import etree
from page_probes import (
    Findings,
    Probe,
    Watch,
    axe_probe,
    citation_links,
    content_focus,
    editors_workings,
    focus_ring_probe,
    identifier_splits,
    nutrient_or_bibliography,
    readable_text,
    reader_page,
    reference_links_probe,
    sideways_scroll,
    skip_link,
    tables_fit,
)
from playwright.sync_api import Browser, Page, Response, sync_playwright

from boneguide.browser import PHONE, launch_chromium

Crawler = Callable[[Browser, "Site"], Findings]

DESKTOP = {"width": 1280, "height": 900}
# The browser profiles, shared with conftest's `context` and `phone` fixtures.
CONTEXT_OPTIONS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": DESKTOP, "color_scheme": "light", "locale": "en-GB"},
    "dark": {"viewport": DESKTOP, "color_scheme": "dark"},
    "phone": {
        "viewport": PHONE,
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "color_scheme": "light",
    },
}


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
        """None when the page loaded, else a one-line reason naming the path.

        Waits for the load event (every script of the page has run), not for the network to be idle:
        that costs half a second a page. What is about later requests (the crawl's privacy, console
        and CSP listeners, the intake checker's no-request test) waits for idle itself.
        """
        response = page.goto(self.site_url + path, wait_until="load")
        if response is None:
            return f"/{path}: no response"
        self.last_response = response
        if response.status != 200:
            return f"/{path}: HTTP {response.status} (page missing?)"
        return None


@dataclass(frozen=True)
class Site:
    """What a crawl reads: the pages, those that hold every kind of element between them, the bibliography."""

    loader: PageLoader
    pages: list[str]
    cover: list[str]
    bib: dict[str, dict[str, str]]


def _run(page: Page, path: str, probes: Iterable[Probe], findings: Findings) -> None:
    for probe in probes:
        if probe.applies(path):
            try:
                failures = probe.check(page, path, findings)
            except Exception as error:  # fails the probe's test, naming the page, not the whole crawl
                failures = [f"/{path}: {probe.name} stopped: {type(error).__name__}: {error}"]
            findings.add(probe.name, failures)


def _fail(path: str, problem: str, probes: Iterable[Probe], findings: Findings) -> None:
    """A page that did not load fails every probe meant for it, as the per-test loops did."""
    for probe in probes:
        if probe.applies(path):
            findings.add(probe.name, [problem])


def _start(probes: Iterable[Probe], *names: str) -> Findings:
    """Every probe has a list, empty or not: a test that asks for a probe no crawl ran gets a KeyError."""
    return Findings(failures={name: [] for name in [*(probe.name for probe in probes), *names]})


def crawl_desktop(browser: Browser, site: Site) -> Findings:
    """Per page, one load under the privacy, console and CSP watch: the read-only probes and axe, the
    focus walk from the top (transitions off), the skip link (it moves focus and location), then the
    watch's scroll, search and network idle."""
    probes = [
        Probe("citation_links", citation_links),
        reference_links_probe(site.bib),
        Probe("editors_workings", editors_workings, reader_page),
        axe_probe("light"),
        # The focus walk from the top, the skip link (it reads the walk's first stop), the content.
        focus_ring_probe(site.cover),
        Probe("skip_link", skip_link),
        Probe("focus_ring", content_focus),
    ]
    findings = _start(probes, *Watch.PROBES)
    context = browser.new_context(**CONTEXT_OPTIONS["desktop"])
    watch = Watch(context)
    page = context.new_page()
    watch.attach(page)
    for path in site.pages:
        watch.start(path)
        if problem := site.loader.try_open(page, path):
            _fail(path, problem, probes, findings)
            for name, failures in watch.missing(problem).items():
                findings.add(name, failures)
            continue
        _run(page, path, probes, findings)
        if _watched(path, findings, partial(watch.provoke, page)):
            _watched(path, findings, partial(watch.finish, page, path))
    return findings


def _watched(path: str, findings: Findings, step: Callable[[], dict[str, list[str]] | None]) -> bool:
    """Runs a step of the watch and adds the failures it returns; one that raises fails the watch's
    three probes on this page, naming the error (False then)."""
    done = True
    try:
        failures = step() or {}
    except Exception as error:
        failures = {name: [f"/{path}: stopped: {type(error).__name__}: {error}"] for name in Watch.PROBES}
        done = False
    for name, found in failures.items():
        findings.add(name, found)
    return done


def _crawl_read_only(
    profile: str, new_probes: Callable[[], list[Probe]], *, cover_only: bool = False
) -> Crawler:
    """`new_probes` makes each crawl's own probes: axe's remembers the kinds of element it has read."""

    def crawl(browser: Browser, site: Site) -> Findings:
        probes = new_probes()
        findings = _start(probes)
        page = browser.new_context(**CONTEXT_OPTIONS[profile]).new_page()
        for path in site.cover if cover_only else site.pages:
            if not any(probe.applies(path) for probe in probes):
                continue
            if problem := site.loader.try_open(page, path):
                _fail(path, problem, probes, findings)
                continue
            _run(page, path, probes, findings)
        return findings

    return crawl


PHONE_PROBES = [
    Probe("sideways_scroll", sideways_scroll),
    Probe("readable_text", readable_text),
    Probe("tables_fit", tables_fit),
    Probe("identifier_splits", identifier_splits, nutrient_or_bibliography),
]
CRAWLERS: dict[str, Crawler] = {
    "desktop": crawl_desktop,
    # Axe's other rules read the same document in both schemes.
    "dark": _crawl_read_only("dark", lambda: [axe_probe("dark", colour_only=True)], cover_only=True),
    "phone": _crawl_read_only("phone", lambda: PHONE_PROBES),
}


def _element_kinds(file: Path) -> set[tuple[str, str, str]]:
    """Each element's tag and classes, with its parent's and its grandparent's (page_probes.MARK_NEW_KINDS
    reads the same kinds in the browser)."""
    root = etree.parse(str(file), etree.HTMLParser()).getroot()

    def kind(element: Any) -> str:
        if element is None:
            return ""
        return f"{element.tag}.{'.'.join(sorted((element.get('class') or '').split()))}"

    kinds = set()
    for element in root.iter(etree.Element):
        parent = element.getparent()
        kinds.add((kind(element), kind(parent), kind(None if parent is None else parent.getparent())))
    return kinds


def component_cover(site_dir: Path, pages: list[str]) -> list[str]:
    """The fewest pages (greedily) holding every element kind of `pages`, in crawl order; a page that
    was not built stays in, so that it fails as missing."""
    kinds: dict[str, set[tuple[str, str, str]]] = {}
    chosen = []
    for path in pages:
        file = site_dir / path / "index.html" if not path.endswith(".html") else site_dir / path
        if file.is_file():
            kinds[path] = _element_kinds(file)
        else:
            chosen.append(path)
    left = set().union(*kinds.values())
    while left:
        best = max(kinds, key=lambda path: len(kinds[path] & left))  # the first of equals: crawl order
        chosen.append(best)
        left -= kinds.pop(best)
    return [path for path in pages if path in chosen]


def crawl(
    name: str, site_url: str, pages: list[str], cover: list[str], bib: dict[str, dict[str, str]]
) -> Findings:
    """One crawl of CRAWLERS, in the calling thread, with a Playwright and a Chromium of its own."""
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            return CRAWLERS[name](browser, Site(PageLoader(site_url), pages, cover, bib))
        finally:
            browser.close()


class Crawls:
    """The crawls of one test session, each run once, when a test first asks for a profile.

    The first request runs the crawls of every profile in `wanted` (the session's tests' profiles),
    one after another in a thread of their own, and returns when all have finished, so no crawl runs
    beside a test. One at a time: side by side they took 172 s against 186 s here, and later, with
    every probe waiting for end states, 120 s against 122 s: the two cores are the limit.
    """

    def __init__(self, wanted: set[str], run: Callable[[str], Findings]) -> None:
        self.wanted = wanted
        self.run = run
        self.done: dict[str, Future[Findings]] = {}

    def __getitem__(self, profile: str) -> Findings:
        if todo := sorted((self.wanted | {profile}) - self.done.keys()):
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="crawl") as pool:
                self.done.update({name: pool.submit(self.run, name) for name in todo})
        return self.done[profile].result()
