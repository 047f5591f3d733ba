"""A reader can follow a citation: it jumps to its reference, shows the entry on hover, and the
reference's identifier links lead to the work named in references.bib.

Markup contract (boneguide/site/citations.py): each citation is an element with
data-citation-key="<key>" linking to #ref-<key>, the page's reference list entry.
"""

from __future__ import annotations

import pytest
from page_probes import SCROLL_SETTLED, Findings
from playwright.sync_api import BrowserContext, Page, Route

pytestmark = pytest.mark.browser


def test_every_citation_links_to_an_entry_of_the_page_reference_list(desktop_crawl: Findings) -> None:
    assert desktop_crawl.counts["cited pages"], "no page carries a citation"
    failures = desktop_crawl.failures["citation_links"]
    assert not failures, "\n".join(sorted(set(failures)))


def test_clicking_a_citation_scrolls_to_its_reference(page: Page, loader, sample_nutrient: str) -> None:
    loader.open(page, sample_nutrient)
    first = page.locator("[data-citation-key]").first
    assert first.count(), f"/{sample_nutrient} has no citation"
    key = first.get_attribute("data-citation-key")
    reference = page.locator(f'[id="ref-{key}"]')
    assert not _in_view(page, reference), "the reference is already on screen: nothing to prove"
    link = first if first.evaluate("e => e.matches('a')") else first.locator("a").first
    start = page.evaluate("scrollY")
    link.click()
    page.wait_for_function(f"() => location.hash === '#ref-{key}'")
    page.evaluate(SCROLL_SETTLED, start)  # smooth scrolling
    assert _in_view(page, reference), f"#ref-{key} is not on screen after clicking its citation"


def _in_view(page: Page, locator) -> bool:
    """The element's top is on screen and not hidden under the sticky header."""
    box = locator.bounding_box()
    header = page.locator(".md-header").bounding_box()
    viewport = page.viewport_size
    assert box and header and viewport
    return header["y"] + header["height"] - 1 <= box["y"] < viewport["height"]


def test_hovering_a_citation_shows_its_reference(page: Page, loader, sample_nutrient: str) -> None:
    loader.open(page, sample_nutrient)
    first = page.locator("[data-citation-key]").first
    key = first.get_attribute("data-citation-key")
    entry_text = page.locator(f'[id="ref-{key}"] .bng-ref, [id="ref-{key}"]').first.inner_text()
    first.hover()
    tooltip = page.locator(".md-tooltip2--active, .md-tooltip--active, [role=tooltip]").first
    tooltip.wait_for(state="visible", timeout=5000)
    shown = " ".join(tooltip.inner_text().split())
    # The tooltip shows the entry itself (authors and title), not just a number.
    assert shown and shown[:40] in " ".join(entry_text.split()), (
        f"tooltip {shown[:80]!r} vs entry {entry_text[:80]!r}"
    )


def test_reference_links_point_to_the_identifiers_in_the_bibliography(desktop_crawl: Findings) -> None:
    """Against references.bib as the site published it (page_probes.bib_identifiers)."""
    assert desktop_crawl.counts["identifiers checked"], (
        "no reference entry with a DOI, PMID, PMCID or URL was checked"
    )
    failures = desktop_crawl.failures["reference_links"]
    assert not failures, "\n".join(sorted(set(failures)))


def test_clicking_a_doi_link_opens_that_doi(context: BrowserContext, loader, all_pages: list[str]) -> None:
    """Follow one DOI link for real; doi.org is answered by a local stub, as no test may go online."""
    requested: list[str] = []

    def doi_stub(route: Route) -> None:
        requested.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>DOI stub</title>")

    context.route("https://doi.org/**", doi_stub)
    page = context.new_page()
    for path in [p for p in all_pages if p.startswith("nutrients/")] or all_pages:
        if loader.try_open(page, path):
            continue
        link = page.locator('[id^="ref-"] a[href^="https://doi.org/"]').first
        if link.count():
            break
    else:
        pytest.fail("no nutrient page has a reference with a DOI link")
    expected = link.get_attribute("href")
    link.click()
    page.wait_for_url("https://doi.org/**")
    assert requested and requested[0] == expected
