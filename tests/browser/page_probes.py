"""The per-page checks of the browser tests, each run by the crawl (site_crawl.py) on every page it loads.

A probe looks at the page loaded in `page` (the site path `path`) and returns its failures there, one
line each, naming the page. Counts a test asserts over the whole site go in `findings.counts`, per-page
summaries for a report in `findings.notes`. The tests (test_*.py) assert over each probe's failures;
a probe is named after what its test says.

A module of its own, not conftest.py: see tests/sitebuild.py for why `from conftest import` breaks.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, ConsoleMessage, Error, Page, Response, Route
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from pybtex.database import parse_file

from boneguide.browser import LOCAL_HOST, PHONE

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Findings:
    """What one crawl found: failures per probe (pages in crawl order), site-wide counts, notes."""

    failures: dict[str, list[str]] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    notes: dict[str, dict[str, object]] = field(default_factory=dict)

    def add(self, probe: str, failures: list[str]) -> None:
        self.failures.setdefault(probe, []).extend(failures)

    def merge(self, other: Findings) -> None:
        """Another crawl's findings for the same profile (its probes are not this one's)."""
        for probe, failures in other.failures.items():
            self.add(probe, failures)
        self.counts.update(other.counts)
        self.notes.update(other.notes)


def everywhere(path: str) -> bool:
    return True


@dataclass(frozen=True)
class Probe:
    name: str
    check: Callable[[Page, str, Findings], list[str]]
    # The pages the probe's test looks at; a page that does not load fails only the probes it is for.
    applies: Callable[[str], bool] = everywhere


# --- test_accessibility.py ------------------------------------------------------------------------

BLOCKING = {"serious", "critical"}
# Tab stops checked for a visible focus ring. From the top of the page on the pages that between them
# hold every kind of element (site_crawl.component_cover): the header, tabs, navigation and table of
# contents come first and hold the same kinds of element on every page. From the content's start,
# after the skip link, on every page: 40 stops from the top reach past the chrome only on short pages.
TAB_STOPS = 40
CONTENT_STOPS = 25


# The rules that judge colours. What they judge comes from an element's tag and classes and those of
# its parent and grandparent (the HTML policy allows no inline styles), not from the page it is on, so
# a crawl runs them on the first element of each such kind it meets (site_crawl.component_cover lists
# the pages that hold every kind); every other rule reads every element of every page. Run on every
# element, they were two thirds of axe's time, 14 s a scheme on the cover's pages against 1.4 s.
COLOUR_RULES = ("color-contrast", "link-in-text-block")
# Marks the shown elements of kinds not in `seen` (the first of each) and returns their kinds; the key
# is site_crawl._element_kinds's. A hidden element is not a kind read: the rules skip it.
MARK_NEW_KINDS = """(seen) => {
    const key = e => e && e.tagName ? `${e.tagName.toLowerCase()}.${[...e.classList].sort().join('.')}` : '';
    const kinds = new Set(seen), fresh = [];
    for (const e of document.documentElement.querySelectorAll('*')) {
        if (!e.checkVisibility({visibilityProperty: true})) continue;
        const kind = [e, e.parentElement, e.parentElement && e.parentElement.parentElement].map(key).join(' < ');
        if (!kinds.has(kind)) {
            kinds.add(kind);
            fresh.push(kind);
            e.setAttribute('data-bng-colour-check', '');
        }
    }
    return fresh;
}"""
# The colour rules' own selectors, narrowed to the marked elements (axe.configure lasts for this load).
COLOUR_RULES_ON_MARKED = """() => axe.configure({rules: [
    {id: 'color-contrast', selector: '[data-bng-colour-check]'},
    {id: 'link-in-text-block', selector: '[data-bng-colour-check]:is(a[href], [role=link])'},
]})"""


def axe_probe(scheme: str, *, colour_only: bool = False) -> Probe:
    """axe-core's serious and critical violations on the page as loaded (nothing clicked or typed yet):
    the colour rules on the first element of each kind the crawl meets, the others on every element
    (none with `colour_only`, for a second scheme of the same pages)."""
    script = Axe().axe_script
    name = f"axe_{scheme}"
    seen: set[str] = set()

    def check(page: Page, path: str, findings: Findings) -> list[str]:
        fresh = page.evaluate(MARK_NEW_KINDS, sorted(seen))
        seen.update(fresh)
        findings.notes.setdefault(f"colour_kinds_{scheme}", {}).update(dict.fromkeys(fresh, f"/{path}"))
        page.evaluate(script)
        page.evaluate(COLOUR_RULES_ON_MARKED)
        options: dict[str, Any] = {"resultTypes": ["violations"]}
        if colour_only:
            options["runOnly"] = {"type": "rule", "values": list(COLOUR_RULES)}
        violations = page.evaluate("options => axe.run(options)", options)["violations"]
        findings.notes.setdefault(name, {})[f"/{path}"] = dict(Counter(v["impact"] for v in violations))
        failures = []
        for violation in violations:
            if violation["impact"] in BLOCKING:
                targets = ", ".join(str(node["target"]) for node in violation["nodes"][:5])
                failures.append(
                    f"/{path}: {violation['id']} ({violation['impact']}, {len(violation['nodes'])}x): "
                    f"{violation['help']} — {targets}"
                )
        return failures

    return Probe(name, check)


FOCUSED = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const r = e.getBoundingClientRect();
    const look = () => {
        const s = getComputedStyle(e);
        return {outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth),
                outlineColor: s.outlineColor, boxShadow: s.boxShadow, color: s.color,
                backgroundColor: s.backgroundColor, borderColor: s.borderColor,
                textDecoration: s.textDecorationLine};
    };
    const focused = look();
    // The same element unfocused: a focus indicator is whatever changes (ring, colours, underline).
    e.blur();
    const unfocused = look();
    e.focus();
    const s = getComputedStyle(e);
    return {
        what: `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} "${(e.innerText || e.getAttribute('aria-label') || '').trim().slice(0, 30)}"`,
        skipLink: e.matches('a.md-skip'),
        inContent: !!e.closest('.md-content'),
        visible: r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && parseFloat(s.opacity) > 0,
        top: r.top, opacity: parseFloat(s.opacity),
        focused, unfocused,
        background: getComputedStyle(document.body).backgroundColor,
    };
}"""
# Transitions would make the focused look lag behind the focus: measure end states.
NO_TRANSITIONS = "*, *::before, *::after { transition: none !important; animation: none !important; }"
# Resolves with scrollY once the page has scrolled away from `start` and then stood still for ten
# frames (a smooth scroll has ended), or after five seconds whatever happened: the caller's
# assertion on where the page is says what went wrong. A wait for an end state, not for a time.
SCROLL_SETTLED = """(start) => new Promise(done => {
    const until = performance.now() + 5000;
    let last = scrollY, still = 0;
    const tick = () => {
        still = scrollY === last ? still + 1 : 0;
        last = scrollY;
        if ((scrollY !== start && still >= 10) || performance.now() > until) done(scrollY);
        else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
})"""
# Resolves after `count` rendered frames: what a jump or a focus change sets off has been drawn, or a
# page has had the time to do what it must not (jump, scroll).
FRAMES = "(count) => new Promise(done => { const tick = () => --count ? requestAnimationFrame(tick) : done(); requestAnimationFrame(tick); })"


def _end_states_only(page: Page) -> None:
    """Transitions and animations off for the rest of this load.

    A constructed style sheet: the site's Content-Security-Policy (style-src 'self') refuses an
    inline <style>, as it would an injected one.
    """
    page.evaluate(
        "css => { const sheet = new CSSStyleSheet(); sheet.replaceSync(css);"
        " document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet]; }",
        NO_TRANSITIONS,
    )


def _luminance(rgb: tuple[float, ...]) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(v) for v in rgb[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _rgb(css: str) -> tuple[float, ...]:
    return tuple(float(v) for v in re.findall(r"[\d.]+", css)[:3])


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((_luminance(_rgb(first)), _luminance(_rgb(second))), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def focus_problem(element: dict) -> str | None:
    """Why a focused element shows no usable focus indicator, or None."""
    if not element["visible"]:
        return None  # e.g. the visually hidden palette radio: its label is what shows
    focused, unfocused = element["focused"], element["unfocused"]
    if focused["outlineStyle"] != "none" and focused["outlineWidth"] > 0:
        ratio = contrast(focused["outlineColor"], element["background"])
        if ratio < 3:
            return f"{element['what']}: focus ring {focused['outlineColor']} is {ratio:.1f}:1 on the page"
        return None
    if focused != unfocused:
        return None  # a change of colour, background, border, shadow or underline marks the focus
    return f"{element['what']}: looks the same focused and unfocused"


def focus_ring_probe(top_pages: Collection[str]) -> Probe:
    """Every Tab stop from the top of a fresh page shows that it has the focus: up to TAB_STOPS on
    `top_pages`, the first stop (the skip link) on the others; `content_focus` walks the content.

    The first probe of its load: walks the focus from the start, and turns transitions off. Keeps the
    first stop in ``findings.notes["first_tab_stop"]`` for skip_link, which follows on the same load.
    """
    top_pages = set(top_pages)

    def check(page: Page, path: str, findings: Findings) -> list[str]:
        _end_states_only(page)
        failures = []
        seen = 0
        for _ in range(TAB_STOPS if path in top_pages else 1):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUSED)
            if focused is None:  # wrapped past the last stop
                break
            if seen == 0:
                findings.notes.setdefault("first_tab_stop", {})[path] = focused
            seen += 1
            if problem := focus_problem(focused):
                failures.append(f"/{path}: {problem}")
        if seen == 0:
            failures.append(f"/{path}: Tab reaches nothing")
        return failures

    return Probe("focus_ring", check)


def content_focus(page: Page, path: str, findings: Findings) -> list[str]:
    """Every Tab stop from the start of the content (up to CONTENT_STOPS) shows that it has the focus.

    Follows skip_link on the same load, which leaves the focus on the content's first stop.
    """
    if path == "404.html":
        return []  # no skip target: the walk from the top covered its few stops
    failures = []
    focused = page.evaluate(FOCUSED)
    for _ in range(CONTENT_STOPS):
        if focused is None:
            break
        if problem := focus_problem(focused):
            failures.append(f"/{path}: {problem}")
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
    return failures


def skip_link(page: Page, path: str, findings: Findings) -> list[str]:
    """The first Tab of a fresh page reaches a visible skip link whose Enter leads Tab into the content.

    The first Tab is focus_ring_probe's when it walked this load (one load for both), else this probe's own.
    Then focuses the link again and presses Enter: moves the focus and the location, so the last
    probe of its load.
    """
    first = findings.notes.get("first_tab_stop", {}).pop(path, None)
    if path == "404.html":
        return []  # the theme's error page: one sentence, no table of contents, no skip target
    if first is None:
        _end_states_only(page)  # the theme fades the link in: see it faded in, without waiting
        page.keyboard.press("Tab")
        first = page.evaluate(FOCUSED)
    skip = page.locator("a.md-skip")
    if not first or not first["skipLink"] or not skip.count():
        return [f"/{path}: the first Tab does not reach a 'Skip to content' link"]
    failures = []
    if not first["visible"] or first["top"] < 0 or first["opacity"] < 1:
        failures.append(f"/{path}: the focused skip link is not visible")
    # The theme handles the jump itself (instant navigation): it sets the location first, then jumps
    # to the target, which is when the browser moves the focus there (hashchange). Wait for that and
    # for the frames it renders, not for a fixed time: on a busy machine the jump comes late.
    skip.focus()
    page.evaluate("() => addEventListener('hashchange', () => { window.__bngJumped = true; }, {once: true})")
    page.keyboard.press("Enter")
    page.wait_for_function("() => location.hash.length > 1")
    with suppress(PlaywrightTimeoutError):  # no jump: the Tab below says where the focus went
        page.wait_for_function("() => window.__bngJumped === true", timeout=5_000)
    page.evaluate(FRAMES, 2)
    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUSED)
    if not focused or not focused["inContent"]:
        failures.append(
            f"/{path}: after the skip link, Tab goes to {focused and focused['what']}, not the content"
        )
    return failures


# --- test_privacy.py, test_console.py, test_csp.py: what a page requests and reports ---------------

# Registered before any of the page's own scripts: every violation the browser reports, as text.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`
  );
});
"""


def csp_violations(page: Page) -> list[str]:
    return page.evaluate("window.__cspViolations")


class Watch:
    """Listens to a context while the crawl reads its pages: requests to other hosts (privacy), console
    errors, uncaught exceptions and failed loads (console), Content-Security-Policy reports (CSP).

    `start(path)` before a page's first load; `provoke(page)` once the probes of its last load have run
    (scroll, open search); then `finish(page, path)` waits for network idle, as the privacy and
    console tests did, and gives each of the three tests' failures for that page.
    """

    PROBES = ("privacy", "console", "csp")

    def __init__(self, context: BrowserContext) -> None:
        self.path = ""
        self.foreign: list[str] = []
        self.aborted: set[str] = set()
        self.console: list[str] = []
        self.csp_console: list[str] = []
        context.add_init_script(RECORD_VIOLATIONS)
        # On the context, so requests from the search web worker are caught too.
        context.route("**/*", self._guard)

    def _guard(self, route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname != LOCAL_HOST and not url.startswith(("data:", "blob:")):
            self.foreign.append(f"/{self.path}: {route.request.resource_type} {url}")
            self.aborted.add(url)
            route.abort()
        else:
            route.continue_()

    def attach(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)
        page.on("response", self._on_response)

    def _on_console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.csp_console.append(message.text)
        if message.type == "error":
            url = message.location.get("url")
            if url in self.aborted:
                return  # a request to another host, refused by the guard: the privacy test reports it
            self.console.append(f"/{self.path}: console error: {message.text} ({url})")

    def _on_page_error(self, error: Error) -> None:
        self.console.append(f"/{self.path}: uncaught {error.name}: {error.message}")

    def _on_response(self, response: Response) -> None:
        # The page's own status is checked by the loader; here its assets and fetches.
        if response.status >= 400 and response.request.resource_type != "document":
            self.console.append(f"/{self.path}: HTTP {response.status} for {response.url}")

    def start(self, path: str) -> None:
        self.path = path
        self.foreign.clear()
        self.console.clear()
        self.csp_console.clear()

    def provoke(self, page: Page) -> None:
        """What a reader does next: lazy images and anything loaded on scroll or when search opens count too."""
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.keyboard.press("/")

    def finish(self, page: Page, path: str) -> dict[str, list[str]]:
        """Once the network has been idle for half a second (the requests `provoke` set off are in),
        each of the three tests' failures for the page."""
        page.wait_for_load_state("networkidle")
        return self.failures(page, path)

    def missing(self, problem: str) -> dict[str, list[str]]:
        """A page that did not load: its own 404 noise says nothing more, beyond any other host it asked."""
        return {"privacy": [*self.foreign, problem], "console": [problem], "csp": [problem]}

    def failures(self, page: Page, path: str) -> dict[str, list[str]]:
        # Hints that make the browser connect without a request the route could see.
        hints = page.evaluate(
            """(host) => [...document.querySelectorAll(
                    'link[rel~=preconnect], link[rel~=dns-prefetch], link[rel~=prefetch], link[rel~=preload], iframe[src]')]
                .map(e => e.href || e.src)
                .filter(u => u && new URL(u, location.href).hostname !== host)""",
            LOCAL_HOST,
        )
        csp = []
        if page.locator('head meta[http-equiv="Content-Security-Policy"]').count() != 1:
            csp.append(f"/{path}: no Content-Security-Policy")
        # The theme's first inline script (hashed) defines __md_scope; the bundle ('self') the rest.
        if page.evaluate("typeof __md_scope") != "object" or page.evaluate("typeof document$") != "object":
            csp.append(f"/{path}: the theme's scripts did not run")
        csp += [f"/{path}: {v}" for v in csp_violations(page)]
        csp += [f"/{path}: console: {text}" for text in self.csp_console]
        return {
            "privacy": [*self.foreign, *(f"/{path}: connection hint to {url}" for url in hints)],
            "console": list(self.console),
            "csp": csp,
        }


# --- test_citations_ui.py -------------------------------------------------------------------------

IDENTIFIER_HOSTS = {
    "doi": ("doi.org",),
    "pmid": ("pubmed.ncbi.nlm.nih.gov",),
    "pmcid": ("pmc.ncbi.nlm.nih.gov", "www.ncbi.nlm.nih.gov"),
}


def bib_identifiers(site_dir: Path) -> dict[str, dict[str, str]]:
    """key -> {doi, pmid, pmcid, url} as typed in references.bib (field names are case-insensitive).

    Read from the copy the site publishes, i.e. the bibliography the site was built from, not the
    working file that may have changed since.
    """
    published = site_dir / "downloads" / "references.bib"
    data = parse_file(str(published if published.is_file() else ROOT / "references.bib"), bib_format="bibtex")
    return {
        key.lower(): {
            name: value.strip()
            for field_name, value in entry.fields.items()
            if (name := field_name.lower()) in ("doi", "pmid", "pmcid", "url")
        }
        for key, entry in data.entries.items()
    }


def citations(page: Page) -> list[dict[str, Any]]:
    """Each citation's key, link (fragment if on this page) and whether the page has its #ref-<key>."""
    return page.eval_on_selector_all(
        "[data-citation-key]",
        """els => els.map(e => {
            const key = e.dataset.citationKey;
            const entry = document.getElementById(`ref-${key}`) !== null;
            // The theme makes links absolute (instant navigation): compare page and fragment.
            const link = e.matches('a[href]') ? e : e.querySelector('a[href]');
            if (!link) return {key, href: '', entry};
            const url = new URL(link.href);
            const samePage = url.origin === location.origin && url.pathname === location.pathname;
            return {key, href: samePage ? url.hash : url.href, entry};
        })""",
    )


def citation_links(page: Page, path: str, findings: Findings) -> list[str]:
    """Each citation links to #ref-<key>, and the page has that entry. Counts the pages with a citation."""
    found = citations(page)
    findings.counts["cited pages"] += bool(found)
    failures = []
    for citation in found:
        key = citation["key"]
        if citation["href"] != f"#ref-{key}":
            failures.append(f"/{path}: citation {key} links to {citation['href']!r}, not '#ref-{key}'")
        elif not citation["entry"]:
            failures.append(f"/{path}: citation {key}: no #ref-{key} entry on the page")
    return failures


def _expected_hosts(identifiers: dict[str, str]) -> list[tuple[str, tuple[str, ...], str]]:
    checks = []
    for name, hosts in IDENTIFIER_HOSTS.items():
        if name in identifiers:
            checks.append((name, hosts, identifiers[name]))
    if not checks and "url" in identifiers:
        checks.append(("url", (urlsplit(identifiers["url"]).hostname or "",), identifiers["url"]))
    return checks


def reference_links_probe(bib: dict[str, dict[str, str]]) -> Probe:
    """Each cited reference's entry links to the DOI, PMID, PMCID (else URL) references.bib gives it."""

    def check(page: Page, path: str, findings: Findings) -> list[str]:
        failures = []
        # Each cited key's entry links, in one query: a query per key cost 100 ms a page.
        links = page.evaluate(
            """keys => Object.fromEntries(keys.map(key => {
                const entry = document.getElementById(`ref-${key}`);
                return [key, entry ? [...entry.querySelectorAll('a[href^="http"]')].map(e => e.href) : []];
            }))""",
            sorted({citation["key"] for citation in citations(page)}),
        )
        for key, hrefs in links.items():
            identifiers = bib.get(key)
            if identifiers is None:
                failures.append(f"/{path}: {key} is not in references.bib")
                continue
            for name, hosts, value in _expected_hosts(identifiers):
                findings.counts["identifiers checked"] += 1
                wanted = unquote(value).lower().rstrip("/")
                if name == "pmcid":
                    wanted = wanted.removeprefix("pmc")
                if not any(
                    urlsplit(href).hostname in hosts and wanted in unquote(href).lower().rstrip("/")
                    for href in hrefs
                ):
                    failures.append(
                        f"/{path}: #ref-{key} has no link to {name} {value} ({' or '.join(hosts)})"
                    )
        return failures

    return Probe("reference_links", check)


# --- test_reader_references.py --------------------------------------------------------------------

# What editors use to judge the bibliography, and readers cannot act on (issue 17 B).
EDITORS_WORDING = [
    "unverified metadata",
    "metadata unverified",
    "metadata partly verified",
    "Listed by source article",
    "cited on the site only",
    "Not cited on the site",
]


def reader_page(path: str) -> bool:
    """Every page but Sources, which is for editors and describes the source articles."""
    return path != "sources/"


def editors_workings(page: Page, path: str, findings: Findings) -> list[str]:
    text = page.locator("article").inner_text()
    failures = [f"/{path}: shows {words!r}" for words in EDITORS_WORDING if words in text]
    badges = page.locator(".bng-ref__flag, .bng-bib__key").count()
    if badges:
        failures.append(f"/{path}: {badges} metadata badges or citation keys")
    return failures


# Where each identifier's rendered text starts a new line: the characters either side of the break.
SPLITS = """() => {
    const splits = [];
    let identifiers = 0;
    for (const link of document.querySelectorAll('.bng-ref__links a')) {
        const label = link.previousSibling && link.previousSibling.textContent || '';
        if (!/(doi|PMID|PMCID): $/.test(label)) continue;
        identifiers += 1;
        const chars = [];
        const walker = document.createTreeWalker(link, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (let i = 0; i < node.length; i++) {
                const range = document.createRange();
                range.setStart(node, i);
                range.setEnd(node, i + 1);
                const rect = range.getClientRects()[0];
                if (rect) chars.push([node.data[i], rect.top]);
            }
        }
        for (let i = 1; i < chars.length; i++) {
            // A line may end after "/" (or a long run's punctuation), never between two letters or digits.
            if (chars[i][1] > chars[i - 1][1] + 2 && /[A-Za-z0-9]/.test(chars[i - 1][0]) && /[A-Za-z0-9]/.test(chars[i][0])) {
                splits.push(link.textContent.slice(0, i) + ' / ' + link.textContent.slice(i));
            }
        }
    }
    return {identifiers, splits};
}"""


def nutrient_or_bibliography(path: str) -> bool:
    return path.startswith("nutrients/") or path == "bibliography/"


def identifier_splits(page: Page, path: str, findings: Findings) -> list[str]:
    result = page.evaluate(SPLITS)
    findings.counts["identifiers"] += result["identifiers"]
    return [f"/{path}: {split}" for split in result["splits"]]


# --- test_mobile.py -------------------------------------------------------------------------------

BODY_TEXT_MIN_PX = 16  # browsers' default size: read without zooming
SMALL_TEXT_MIN_PX = 11  # tables, tags, notes, reference lists (citation numbers excepted: 0.8em digits)

OVERFLOW = """() => {
    // Elements whose right edge passes the screen edge, outside any box that scrolls or clips.
    const width = document.documentElement.clientWidth;
    const clips = (e) => {
        for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
            if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(a).overflowX)) return true;
        }
        return false;
    };
    const out = [];
    for (const e of document.body.querySelectorAll('*')) {
        const r = e.getBoundingClientRect();
        if (r.width === 0 || r.height === 0 || r.right <= width + 1) continue;
        if (getComputedStyle(e).visibility === 'hidden' || clips(e)) continue;
        out.push(`${e.tagName.toLowerCase()}.${[...e.classList].join('.')} (right edge ${Math.round(r.right)}px)`);
    }
    return out.slice(0, 5);
}"""


def sideways_scroll(page: Page, path: str, findings: Findings) -> list[str]:
    failures = []
    if offenders := page.evaluate(OVERFLOW):
        failures.append(f"/{path}: wider than the screen: {'; '.join(offenders)}")
    # The theme hides overflow on <html>; a wider document would still pan on some phones.
    if page.evaluate("document.body.scrollWidth") > PHONE["width"]:
        failures.append(f"/{path}: body is {page.evaluate('document.body.scrollWidth')}px wide")
    return failures


def readable_text(page: Page, path: str, findings: Findings) -> list[str]:
    failures = []
    viewport = page.locator('meta[name="viewport"]').get_attribute("content") or ""
    if (
        "width=device-width" not in viewport
        or "user-scalable=no" in viewport
        or "maximum-scale=1" in viewport
    ):
        failures.append(
            f"/{path}: viewport meta {viewport!r} does not fit the page to the phone or blocks zoom"
        )
    sizes = page.evaluate(
        """() => {
            const px = (els) => els
                .filter(e => e.offsetParent && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
                .map(e => [parseFloat(getComputedStyle(e).fontSize), e.tagName.toLowerCase() + '.' + [...e.classList].join('.')]);
            const article = 'article.md-content__inner';
            return {
                body: px([...document.querySelectorAll(
                    `${article} > p:not([class]), ${article} > ul > li, ${article} > ol > li`)]),
                any: px([...document.querySelectorAll(`${article} *`)].filter(e => !e.closest('.bng-cite, sup, sub'))),
            };
        }"""
    )
    if small := [what for size, what in sizes["body"] if size < BODY_TEXT_MIN_PX]:
        failures.append(f"/{path}: body text under {BODY_TEXT_MIN_PX}px: {sorted(set(small))}")
    if tiny := [f"{what} {size}px" for size, what in sizes["any"] if size < SMALL_TEXT_MIN_PX]:
        failures.append(f"/{path}: text under {SMALL_TEXT_MIN_PX}px: {sorted(set(tiny))[:5]}")
    return failures


TABLES = """() => [...document.querySelectorAll('.md-content table')].map((t, index) => {
    // Material makes the table itself the scroller (inline-block, overflow auto); else its wrapper.
    const own = ['auto', 'scroll'].includes(getComputedStyle(t).overflowX);
    const box = own ? t : t.closest('.md-typeset__scrollwrap') || t;
    const outer = t.closest('.md-typeset__scrollwrap') || t;
    const hint = outer.previousElementSibling;
    const shown = (e) => !!e && e.getBoundingClientRect().height > 0 && getComputedStyle(e).visibility !== 'hidden';
    return {
        index,
        shown: shown(t),
        fits: box.getBoundingClientRect().right <= document.documentElement.clientWidth + 1
              && box.scrollWidth <= box.clientWidth + 1,
        width: Math.round(Math.max(t.scrollWidth, box.scrollWidth)),
        scrolls: box.hasAttribute('data-bng-scrolls') && box.scrollWidth > box.clientWidth,
        cue: !!hint && hint.classList.contains('bng-scroll-hint') && shown(hint),
        caption: (t.querySelector('th, td') || {}).textContent || '',
    };
})"""


def tables_fit(page: Page, path: str, findings: Findings) -> list[str]:
    """Each shown table fits the phone or scrolls with a visible cue. Counts tables measured and scrolling."""
    failures = []
    for table in page.evaluate(TABLES):
        if not table["shown"]:
            continue
        findings.counts["tables measured"] += 1
        if table["fits"]:
            continue
        findings.counts["tables scrolling"] += 1
        if not (table["scrolls"] and table["cue"]):
            failures.append(
                f"/{path}: table {table['index']} ('{table['caption'].strip()[:30]}') is "
                f"{table['width']}px wide at {PHONE['width']}px with no visible scroll cue"
            )
    return failures
