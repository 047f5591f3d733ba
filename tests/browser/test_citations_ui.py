"""A reader can follow a citation: it jumps to its reference, shows the entry on hover, and the
reference's identifier links lead to the work named in references.bib.

Markup contract (boneguide/site/citations.py): each citation is an element with
data-citation-key="<key>" linking to #ref-<key>, the page's reference list entry.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, Route
from pybtex.database import parse_file

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
IDENTIFIER_HOSTS = {
    "doi": ("doi.org",),
    "pmid": ("pubmed.ncbi.nlm.nih.gov",),
    "pmcid": ("pmc.ncbi.nlm.nih.gov", "www.ncbi.nlm.nih.gov"),
}


@pytest.fixture(scope="module")
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
            for field, value in entry.fields.items()
            if (name := field.lower()) in ("doi", "pmid", "pmcid", "url")
        }
        for key, entry in data.entries.items()
    }


def citations(page: Page) -> list[dict[str, str]]:
    return page.eval_on_selector_all(
        "[data-citation-key]",
        """els => els.map(e => {
            // The theme makes links absolute (instant navigation): compare page and fragment.
            const link = e.matches('a[href]') ? e : e.querySelector('a[href]');
            if (!link) return {key: e.dataset.citationKey, href: ''};
            const url = new URL(link.href);
            const samePage = url.origin === location.origin && url.pathname === location.pathname;
            return {key: e.dataset.citationKey, href: samePage ? url.hash : url.href};
        })""",
    )


def test_every_citation_links_to_an_entry_of_the_page_reference_list(
    page: Page, loader, all_pages: list[str]
) -> None:
    failures = []
    cited_pages = 0
    for path in loader.each_open(page, all_pages, failures):
        found = citations(page)
        cited_pages += bool(found)
        for citation in found:
            key = citation["key"]
            if citation["href"] != f"#ref-{key}":
                failures.append(f"/{path}: citation {key} links to {citation['href']!r}, not '#ref-{key}'")
            elif not page.locator(f'[id="ref-{key}"]').count():
                failures.append(f"/{path}: citation {key}: no #ref-{key} entry on the page")
    assert cited_pages, "no page carries a citation"
    assert not failures, "\n".join(sorted(set(failures)))


def test_clicking_a_citation_scrolls_to_its_reference(page: Page, loader, sample_nutrient: str) -> None:
    loader.open(page, sample_nutrient)
    first = page.locator("[data-citation-key]").first
    assert first.count(), f"/{sample_nutrient} has no citation"
    key = first.get_attribute("data-citation-key")
    reference = page.locator(f'[id="ref-{key}"]')
    assert not _in_view(page, reference), "the reference is already on screen: nothing to prove"
    link = first if first.evaluate("e => e.matches('a')") else first.locator("a").first
    link.click()
    page.wait_for_function(f"() => location.hash === '#ref-{key}'")
    page.wait_for_timeout(500)  # smooth scrolling
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


def _expected_hosts(identifiers: dict[str, str]) -> list[tuple[str, tuple[str, ...], str]]:
    checks = []
    for name, hosts in IDENTIFIER_HOSTS.items():
        if name in identifiers:
            checks.append((name, hosts, identifiers[name]))
    if not checks and "url" in identifiers:
        checks.append(("url", (urlsplit(identifiers["url"]).hostname or "",), identifiers["url"]))
    return checks


def test_reference_links_point_to_the_identifiers_in_the_bibliography(
    page: Page, loader, all_pages: list[str], bib_identifiers: dict[str, dict[str, str]]
) -> None:
    failures = []
    checked = 0
    for path in loader.each_open(page, all_pages, failures):
        keys = {citation["key"] for citation in citations(page)}
        for key in sorted(keys):
            hrefs = page.eval_on_selector_all(
                f'[id="ref-{key}"] a[href^="http"]', "els => els.map(e => e.href)"
            )
            identifiers = bib_identifiers.get(key)
            if identifiers is None:
                failures.append(f"/{path}: {key} is not in references.bib")
                continue
            for name, hosts, value in _expected_hosts(identifiers):
                checked += 1
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
    assert checked, "no reference entry with a DOI, PMID, PMCID or URL was checked"
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
