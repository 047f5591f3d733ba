"""References as a reader expects them: no editors' workings on reader pages, and identifiers
(DOI, PMID, PMCID) that a phone wraps only after a "/", never inside a number."""

from __future__ import annotations

import pytest
from page_probes import Findings
from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_reader_pages_show_no_editors_workings(desktop_crawl: Findings) -> None:
    """Every page but Sources, which is for editors and describes the source articles."""
    failures = desktop_crawl.failures["editors_workings"]
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


def test_identifiers_never_split_inside_a_letter_or_digit_run_on_a_phone(phone_crawl: Findings) -> None:
    """Nutrient pages and the Bibliography, on the session's phone crawl."""
    checked = phone_crawl.counts["identifiers"]
    assert checked > 50, f"only {checked} identifiers found"
    failures = phone_crawl.failures["identifier_splits"]
    assert not failures, "identifiers split mid-token:\n" + "\n".join(failures[:20])
