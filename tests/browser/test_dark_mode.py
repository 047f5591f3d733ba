"""The light/dark toggle switches the palette, and the choice survives a reload and other pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.browser


def scheme(page: Page) -> str:
    return page.evaluate("document.body.getAttribute('data-md-color-scheme')")


def background_luminance(page: Page) -> float:
    """0 (black) .. 1 (white) for the page background."""
    return page.evaluate(
        """() => {
            const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/[\\d.]+/g).map(Number);
            return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
        }"""
    )


def toggle(page: Page) -> None:
    # One label per palette; only the one that switches away from the current palette is shown.
    button = page.locator("form[data-md-component=palette] label.md-header__button:visible")
    assert button.count() == 1, f"{button.count()} visible palette toggles"
    button.click()


def test_toggle_switches_to_dark_and_the_choice_persists(
    context: BrowserContext, loader, sample_nutrient: str, artifacts: Path
) -> None:
    page = context.new_page()
    loader.open(page, "")
    assert scheme(page) == "default"
    assert background_luminance(page) > 0.9
    page.screenshot(path=artifacts / "home.png")

    toggle(page)
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
    assert background_luminance(page) < 0.2
    page.screenshot(path=artifacts / "home-dark.png")

    page.reload(wait_until="networkidle")
    assert scheme(page) == "slate", "dark mode is lost on reload"
    loader.open(page, sample_nutrient)
    assert scheme(page) == "slate", "dark mode is lost on another page"
    assert background_luminance(page) < 0.2

    toggle(page)
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'default'")
    page.reload(wait_until="networkidle")
    assert scheme(page) == "default", "switching back to light does not persist"


def test_a_reader_with_a_dark_system_theme_gets_dark_pages(browser: Browser, loader) -> None:
    context = browser.new_context(color_scheme="dark")
    try:
        page = context.new_page()
        loader.open(page, "")
        assert scheme(page) == "slate"
        assert background_luminance(page) < 0.2
    finally:
        context.close()
