"""On a phone (375x812): nothing scrolls sideways, wide tables scroll in their own box, the
navigation drawer opens, and text is readable without zooming."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from page_probes import FRAMES, SCROLL_SETTLED, Findings
from playwright.sync_api import BrowserContext, Page

from boneguide.browser import PHONE

pytestmark = pytest.mark.browser


def test_no_page_scrolls_sideways(phone_crawl: Findings) -> None:
    failures = phone_crawl.failures["sideways_scroll"]
    assert not failures, "\n".join(failures)


def test_wide_tables_scroll_inside_their_own_box(phone: BrowserContext, loader, sample_nutrient: str) -> None:
    page = phone.new_page()
    loader.open(page, sample_nutrient)
    tables = page.evaluate(
        """() => [...document.querySelectorAll('.md-content table')].map((t) => {
            let box = t;
            while (box && !['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) box = box.parentElement;
            const r = (box || t).getBoundingClientRect();
            return {wide: t.scrollWidth > document.documentElement.clientWidth,
                    scrolls: !!box, boxRight: r.right, boxWidth: box ? box.clientWidth : 0,
                    boxScrollWidth: box ? box.scrollWidth : 0};
        })"""
    )
    assert tables, f"/{sample_nutrient} has no table (the intake table is missing?)"
    for index, table in enumerate(tables):
        assert table["scrolls"], f"table {index} has no horizontally scrolling box around it"
        assert table["boxRight"] <= PHONE["width"] + 1, f"table {index}'s box passes the screen edge"
    wide = [t for t in tables if t["wide"]]
    # The intake tables do not fit 375 px: at least one must really scroll.
    assert wide, "no table is wider than the phone: the scrolling box is untested"
    assert all(t["boxScrollWidth"] > t["boxWidth"] for t in wide)


def test_navigation_drawer_opens(
    phone: BrowserContext, loader, sample_nutrient: str, artifacts: Path
) -> None:
    page = phone.new_page()
    loader.open(page, sample_nutrient)
    drawer = page.locator(".md-sidebar--primary")
    assert not _on_screen(page, drawer), "the drawer is open before the menu button is pressed"
    page.locator('label.md-header__button[for="__drawer"]').click()
    slid_in_by = time.monotonic() + 5
    while not _on_screen(page, drawer) and time.monotonic() < slid_in_by:
        page.evaluate(FRAMES, 1)  # the slide-in transition, a frame at a time
    assert _on_screen(page, drawer), "the drawer did not slide in"
    link = drawer.locator("a.md-nav__link", has_text="Calcium").first
    assert link.is_visible(), "the drawer does not list the nutrient pages"
    page.screenshot(path=artifacts / "nutrient-mobile-drawer.png")
    link.click()
    page.wait_for_url("**/nutrients/calcium/")


def _on_screen(page: Page, locator) -> bool:
    box = locator.bounding_box()
    return bool(box) and box["x"] >= -1 and box["x"] + box["width"] <= PHONE["width"] + 1


def test_text_is_readable_without_zoom(phone_crawl: Findings) -> None:
    failures = phone_crawl.failures["readable_text"]
    assert not failures, "\n".join(failures)


def test_nutrient_page_layout_desktop_and_phone(
    context: BrowserContext, phone: BrowserContext, loader, sample_nutrient: str, artifacts: Path
) -> None:
    """Desktop shows navigation and table of contents beside the text; the phone gives the text the
    whole width. Both views are saved for a human to look at."""
    desktop = context.new_page()
    loader.open(desktop, sample_nutrient)
    assert desktop.locator(".md-sidebar--primary").is_visible()
    assert desktop.locator(".md-sidebar--secondary").is_visible()
    desktop.screenshot(path=artifacts / "nutrient-desktop.png")
    mobile = phone.new_page()
    loader.open(mobile, sample_nutrient)
    article = mobile.locator("article.md-content__inner").bounding_box()
    assert article and article["width"] >= PHONE["width"] * 0.85, "the text does not get the phone's width"
    mobile.screenshot(path=artifacts / "nutrient-mobile.png")


TOUCH_TARGET_MIN_PX = 24  # WCAG 2.2 target size (minimum)


def test_citation_and_back_link_targets_are_big_enough_to_tap(
    phone: BrowserContext, loader, sample_nutrient: str
) -> None:
    page = phone.new_page()
    loader.open(page, sample_nutrient)
    small = page.evaluate(
        """(min) => [...document.querySelectorAll('a.bng-cite__ref, .bng-ref__back a')]
            .map(a => [a.id || a.getAttribute('href'), a.getBoundingClientRect()])
            .filter(([, r]) => r.width < min - 0.5 || r.height < min - 0.5)
            .map(([name, r]) => `${name}: ${r.width.toFixed(1)}x${r.height.toFixed(1)}`)""",
        TOUCH_TARGET_MIN_PX,
    )
    assert page.locator("a.bng-cite__ref").count(), f"/{sample_nutrient} has no citation"
    assert not small, f"targets under {TOUCH_TARGET_MIN_PX} px: {small[:10]}"


def test_tapping_a_citation_previews_it_in_place(phone: BrowserContext, loader, sample_nutrient: str) -> None:
    page = phone.new_page()
    loader.open(page, sample_nutrient)
    citation = page.locator("a.bng-cite__ref").first
    key = citation.get_attribute("data-citation-key")
    entry = " ".join(page.locator(f'[id="ref-{key}"] .bng-ref').inner_text().split())
    citation.scroll_into_view_if_needed()
    before = page.evaluate("window.scrollY")
    citation.tap()
    preview = page.locator(".bng-cite-preview")
    preview.wait_for(state="visible", timeout=5000)
    page.evaluate(FRAMES, 20)  # time for a jump or a scroll the tap must not cause
    assert page.evaluate("location.hash") == "", "the tap jumped to the reference list"
    assert abs(page.evaluate("window.scrollY") - before) < 50, "the page scrolled away from the citation"
    assert entry[:40] in " ".join(preview.inner_text().split()), "the preview does not show the reference"


def test_a_back_link_closes_the_preview_and_shows_the_citing_sentence(
    phone: BrowserContext, loader, sample_nutrient: str
) -> None:
    page = phone.new_page()
    loader.open(page, sample_nutrient)
    citation = page.locator("a.bng-cite__ref").first
    cite_id = citation.get_attribute("id")
    citation.scroll_into_view_if_needed()
    citation.tap()
    page.locator(".bng-cite-preview").wait_for(state="visible", timeout=5000)
    page.locator(".bng-cite-preview a", has_text="reference list").tap()
    page.wait_for_function("() => location.hash.startsWith('#ref-')")
    start = page.evaluate("scrollY")
    page.locator(f'.bng-ref__back a[href$="#{cite_id}"]').tap()
    page.wait_for_function(f"() => location.hash === '#{cite_id}'")
    page.evaluate(SCROLL_SETTLED, start)  # smooth scrolling
    assert page.locator(".bng-cite-preview").count() == 0, "the preview is still open after ↩"
    box = page.locator(f'[id="{cite_id}"]').bounding_box()
    header = page.locator(".md-header").bounding_box()
    assert box and header
    assert header["y"] + header["height"] <= box["y"] < PHONE["height"], (
        f"the citation is at y={box['y']:.0f}, under the header (bottom {header['y'] + header['height']:.0f}) or off screen"
    )


def test_every_table_on_every_page_fits_the_phone_or_says_it_scrolls(phone_crawl: Findings) -> None:
    measured, scrolling = phone_crawl.counts["tables measured"], phone_crawl.counts["tables scrolling"]
    assert measured > 50, f"only {measured} tables measured: the page list or the selector is wrong"
    failures = phone_crawl.failures["tables_fit"]
    assert not failures, "\n".join(failures)
    print(f"{measured} tables measured, {scrolling} scroll with a cue")


def test_a_table_too_wide_for_the_phone_shows_a_hint_and_a_shadow_until_scrolled_to_its_end(
    phone: BrowserContext, loader, sample_nutrient: str
) -> None:
    page = phone.new_page()
    loader.open(page, sample_nutrient)
    page.evaluate(
        """() => {
            const box = document.createElement('div');
            box.className = 'md-typeset__scrollwrap';
            box.id = 'wide';
            const cells = Array.from({length: 12}, (_, n) => `<td>column&nbsp;number&nbsp;${n}</td>`).join('');
            box.innerHTML = `<div class="md-typeset__table"><table><tr>${cells}</tr></table></div>`;
            document.querySelector('.md-content article').append(box);
            window.dispatchEvent(new Event('resize'));
        }"""
    )
    box = page.locator("#wide table")
    hint = page.locator("#wide").locator("xpath=preceding-sibling::p[1]")
    assert box.get_attribute("data-bng-scrolls") == "more"
    assert hint.is_visible() and "scroll sideways" in hint.inner_text()
    shadow = box.evaluate("e => getComputedStyle(e).boxShadow")
    assert shadow != "none", "no edge shadow while more columns are off screen"
    box.evaluate("e => { e.scrollLeft = e.scrollWidth; e.dispatchEvent(new Event('scroll')); }")
    assert box.evaluate("e => getComputedStyle(e).boxShadow") == "none"
