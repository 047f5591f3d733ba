"""Material's search, typed by a reader into the header search box, finds what the reader means."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from page_probes import FRAMES
from playwright.sync_api import Browser, Page
from site_crawl import CONTEXT_OPTIONS

pytestmark = pytest.mark.browser

RESULTS = ".md-search-result__list > li.md-search-result__item"


# Material's search worker answers each message the page posts (SETUP with READY, each keystroke's
# QUERY with its RESULT): counting both tells when the answer to the last query is in, instead of
# waiting for the result list to stop changing. Playwright runs this before the page's own scripts.
COUNT_WORKER_MESSAGES = """
window.__bngSearch = {posted: 0, answered: 0, query: null};
const PageWorker = window.Worker;
window.Worker = class extends PageWorker {
    constructor(...args) {
        super(...args);
        this.addEventListener("message", () => { window.__bngSearch.answered += 1; });
    }
    postMessage(message, ...rest) {
        window.__bngSearch.posted += 1;
        if (message && message.type === 2) window.__bngSearch.query = message.data;
        return super.postMessage(message, ...rest);
    }
};
"""
ANSWERED = """(query) => {
    const search = window.__bngSearch;
    return search.query === query && search.answered === search.posted;
}"""


@pytest.fixture(scope="module")
def search_page(browser: Browser, loader) -> Iterator[Page]:
    """One home page for every query of this module, as a reader searches again without reloading:
    a page load and the search worker's index cost more processor time than the searches."""
    context = browser.new_context(**CONTEXT_OPTIONS["desktop"])
    context.add_init_script(COUNT_WORKER_MESSAGES)
    page = context.new_page()
    loader.open(page, "")
    yield page
    context.close()


def search(page: Page, loader, query: str) -> list[list[str]]:
    """Type `query` in the header search box; result groups in order, each the site paths of its links.

    A group is one page: its first link is the page itself, the others its matching sections
    ('nutrients/vitamin-k/#safety-and-interactions'). The ?h= highlight parameter is dropped.
    The box is emptied first, and the previous query's results gone, before the query is typed.
    """
    box = page.locator("input.md-search__input")
    box.click()
    box.fill("")
    page.wait_for_function(
        "() => !/matching document/i.test(document.querySelector('.md-search-result__meta').textContent)"
    )
    page.keyboard.type(query, delay=20)
    # The answer to the whole query, not to a keystroke before it ("vitamin-" before "vitamin-d"),
    # and the frames that draw it.
    page.wait_for_function(ANSWERED, arg=query, timeout=15_000)
    page.evaluate(FRAMES, 2)
    meta = page.locator(".md-search-result__meta")
    assert meta.is_visible()
    base_path = urlsplit(loader.site_url).path
    groups = []
    for item in page.locator(RESULTS).all():
        links = []
        for href in item.locator("a.md-search-result__link").evaluate_all("els => els.map(e => e.href)"):
            parts = urlsplit(href)
            path = parts.path.removeprefix(base_path)
            links.append(f"{path}#{parts.fragment}" if parts.fragment else path)
        groups.append(links)
    return groups


def pages_of(groups: list[list[str]]) -> list[str]:
    return [group[0] for group in groups]


def on_first_screen(page: Page) -> int:
    """How many result groups a reader sees without scrolling the result list."""
    return page.evaluate(
        """(selector) => {
            const output = document.querySelector('.md-search__scrollwrap').getBoundingClientRect();
            const bottom = Math.min(output.bottom, window.innerHeight);
            return [...document.querySelectorAll(selector)]
                .filter(li => li.querySelector('a').getBoundingClientRect().bottom <= bottom).length;
        }""",
        RESULTS,
    )


def test_copper_lists_the_copper_page_first(search_page: Page, loader, artifacts: Path) -> None:
    groups = search(search_page, loader, "copper")
    search_page.screenshot(path=artifacts / "search-results-copper.png")
    assert groups, "no result for 'copper'"
    assert pages_of(groups)[0] == "nutrients/copper/", f"first results: {pages_of(groups)[:5]}"


def _section_anchors(page: Page, loader, path: str, section_id: str) -> set[str]:
    """Ids of the H2 `section_id` on a page and of every heading under it, up to the next H2."""
    loader.open(page, path)
    ids = page.evaluate(
        """(sectionId) => {
            const start = document.getElementById(sectionId);
            if (!start) return [];
            const ids = [sectionId];
            const headings = [...document.querySelectorAll('article h2[id], article h3[id], article h4[id]')];
            for (const h of headings.slice(headings.indexOf(start) + 1)) {
                if (h.tagName === 'H2') break;
                ids.push(h.id);
            }
            return ids;
        }""",
        section_id,
    )
    assert ids, f"/{path} has no #{section_id} section"
    return {f"{path}#{anchor}" for anchor in ids}


def test_warfarin_finds_the_vitamin_k_interaction_section(page: Page, search_page: Page, loader) -> None:
    section = _section_anchors(page, loader, "nutrients/vitamin-k/", "safety-and-interactions")
    groups = search(search_page, loader, "warfarin")
    visible = groups[: on_first_screen(search_page)]
    links = {link for group in visible for link in group}
    assert section & links, (
        f"no link to the vitamin K safety section on the first screen of results: {visible}"
    )


def test_osteoclast_finds_the_bone_overview(search_page: Page, loader) -> None:
    groups = search(search_page, loader, "osteoclast")
    visible = pages_of(groups)[: on_first_screen(search_page)]
    assert "overview/bone-basics/" in visible, f"results on the first screen: {visible}"


@pytest.mark.parametrize("query", ["vitamin D", "vitamin-d", "Vitamin d"])
def test_vitamin_d_spellings_find_the_vitamin_d_page_first(search_page: Page, loader, query: str) -> None:
    groups = search(search_page, loader, query)
    assert groups, f"no result for {query!r}"
    assert pages_of(groups)[0] == "nutrients/vitamin-d/", f"first results: {pages_of(groups)[:5]}"


def test_a_search_without_results_says_so(search_page: Page, loader) -> None:
    groups = search(search_page, loader, "zqxjvw")
    assert groups == []
    assert search_page.locator(".md-search-result__meta").inner_text().strip() == "No matching documents"


def test_a_misspelt_nutrient_still_finds_its_page(search_page: Page, loader) -> None:
    # Exact search finds nothing for the typo; the worker's fuzzy fallback must.
    groups = search(search_page, loader, "magnesum")
    assert groups, "no result for 'magnesum'"
    assert pages_of(groups)[0] == "nutrients/magnesium/", f"first results: {pages_of(groups)[:5]}"


@pytest.mark.parametrize("abbreviation", ["UL", "RDA", "AI", "BMD"])
def test_abbreviations_find_what_they_stand_for(search_page: Page, loader, abbreviation: str) -> None:
    groups = search(search_page, loader, abbreviation)
    assert groups, f"no result for {abbreviation!r}"
    first = search_page.locator(RESULTS).first.inner_text().lower()
    # Material alone searched "ul*", whose best match was a study of "ultrasound".
    assert "ultrasound" not in first, f"{abbreviation!r}: first result is about ultrasound: {first[:200]}"
    assert pages_of(groups)[0].startswith(("nutrients/", "overview/")), (
        f"{abbreviation!r}: first results {pages_of(groups)[:5]}"
    )


def test_topical_queries_rank_explanations_above_lists(search_page: Page, loader) -> None:
    groups = search(search_page, loader, "osteoporosis")
    top = pages_of(groups)[:2]
    assert top, "no result for 'osteoporosis'"
    for listing in ("sources/", "bibliography/", "overview/glossary/"):
        assert listing not in top, f"{listing} in the top two for 'osteoporosis': {pages_of(groups)[:5]}"


def test_a_nutrient_page_result_shows_its_summary(search_page: Page, loader) -> None:
    groups = search(search_page, loader, "vitamin d dose")
    assert "nutrients/vitamin-d/" in pages_of(groups)[:3], f"first results: {pages_of(groups)[:5]}"
    item = search_page.locator(RESULTS).nth(pages_of(groups).index("nutrients/vitamin-d/"))
    summary = item.locator("a.md-search-result__link").first.locator("article p").first.inner_text().strip()
    assert len(summary) > 40, f"the Vitamin D page's own result has no text: {summary!r}"


def test_snippets_have_no_gap_where_citations_were(search_page: Page, loader) -> None:
    groups = search(search_page, loader, "osteoporosis")
    assert groups
    texts = search_page.locator(".md-search-result__list").inner_text()
    assert " ." not in texts and " ," not in texts, (
        f"a snippet keeps the space of a removed citation number: {texts[texts.find(' .') - 60 :][:80]!r}"
    )
