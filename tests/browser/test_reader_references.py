"""References as a reader expects them: no editors' workings on reader pages, and identifiers
(DOI, PMID, PMCID) that a phone wraps only after a "/", never inside a number."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page

pytestmark = pytest.mark.browser


# What editors use to judge the bibliography, and readers cannot act on (issue 17 B).
EDITORS_WORDING = [
    "unverified metadata",
    "metadata partly verified",
    "Listed by source article",
    "cited on the site only",
    "Not cited on the site",
]


def reader_pages(all_pages: list[str]) -> list[str]:
    """Every page but Sources, which is for editors and describes the source articles."""
    return [path for path in all_pages if path != "sources/"]


def test_reader_pages_show_no_editors_workings(page: Page, loader, all_pages: list[str]) -> None:
    failures: list[str] = []
    for path in loader.each_open(page, reader_pages(all_pages), failures):
        text = page.locator("article").inner_text()
        failures += [f"/{path}: shows {words!r}" for words in EDITORS_WORDING if words in text]
        badges = page.locator(".bng-ref__flag, .bng-bib__key").count()
        if badges:
            failures.append(f"/{path}: {badges} metadata badges or citation keys")
    assert not failures, "\n".join(failures)


def test_bibliography_shows_no_citation_keys_or_source_ids(page: Page, loader) -> None:
    loader.open(page, "bibliography/")
    shown = page.evaluate(
        """() => {
            const keys = [...document.querySelectorAll('[data-reference-key]')].map(li => li.dataset.referenceKey);
            const text = document.querySelector('article').innerText;
            const words = new Set(text.split(/[^a-z0-9-]+/));
            return keys.filter(key => words.has(key)).concat(
                ['lifeext-2023-zinc-bone', 'healthline-osteoporosis-supplements'].filter(id => words.has(id)));
        }"""
    )
    assert not shown, f"the Bibliography shows raw keys or source ids: {shown[:10]}"


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


def test_identifiers_never_split_inside_a_letter_or_digit_run_on_a_phone(
    phone: BrowserContext, loader, all_pages: list[str]
) -> None:
    page = phone.new_page()
    failures: list[str] = []
    checked = 0
    pages = [path for path in all_pages if path.startswith("nutrients/")] + ["bibliography/"]
    for path in loader.each_open(page, pages, failures):
        result = page.evaluate(SPLITS)
        checked += result["identifiers"]
        failures += [f"/{path}: {split}" for split in result["splits"]]
    assert checked > 50, f"only {checked} identifiers found"
    assert not failures, "identifiers split mid-token:\n" + "\n".join(failures[:20])
