"""The intake checker in Chromium: totals against the RDA/AI and the upper level of a life stage,
units converted, nothing sent anywhere, usable from the keyboard alone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

CHECKER = "overview/intake-checker/"


def result_of(page: Page, nutrient: str) -> str:
    return page.locator(f'[data-nutrient="{nutrient}"] output').inner_text()


def choose(page: Page, age: str, sex: str = "female") -> None:
    page.select_option("#bng-age", label=age)
    page.select_option("#bng-sex", value=sex)


def test_zinc_above_the_adult_upper_level_is_flagged(page: Page, loader) -> None:
    loader.open(page, CHECKER)
    choose(page, "31–50 years", "male")
    page.fill("#bng-zinc-supplement", "50")
    text = result_of(page, "zinc")
    assert "Above the upper level of 40 mg" in text
    expect(page.locator('[data-nutrient="zinc"]')).to_have_class(re.compile(r"\bbng-over\b"))
    page.fill("#bng-zinc-supplement", "20")
    assert "Within the upper level of 40 mg" in result_of(page, "zinc")
    expect(page.locator('[data-nutrient="zinc"]')).not_to_have_class(re.compile(r"\bbng-over\b"))


def test_magnesium_upper_level_counts_supplements_only(page: Page, loader) -> None:
    loader.open(page, CHECKER)
    choose(page, "31–50 years")
    page.fill("#bng-magnesium-supplement", "400")
    assert "Above the upper level of 350 mg, which counts supplements" in result_of(page, "magnesium")
    # Food does not count towards the magnesium upper level.
    page.fill("#bng-magnesium-supplement", "300")
    page.fill("#bng-magnesium-food", "400")
    text = result_of(page, "magnesium")
    assert "Total: 700 mg" in text and "Within the upper level of 350 mg" in text


def test_vitamin_d_reads_in_both_units(page: Page, loader) -> None:
    loader.open(page, CHECKER)
    choose(page, "31–50 years")
    page.fill("#bng-vitamin-d-supplement", "100")
    assert "Total: 100 µg (4,000 IU)" in result_of(page, "vitamin-d")
    page.select_option("#bng-vitamin-d-supplement-unit", value="IU/day")
    page.fill("#bng-vitamin-d-supplement", "600")
    assert "Total: 15 µg (600 IU)" in result_of(page, "vitamin-d")


def test_a_childs_upper_level_differs_from_an_adults(page: Page, loader) -> None:
    loader.open(page, CHECKER)
    choose(page, "31–50 years")
    page.fill("#bng-zinc-supplement", "20")
    adult = result_of(page, "zinc")
    choose(page, "4–8 years")
    child = result_of(page, "zinc")
    assert "Within the upper level of 40 mg" in adult
    assert "Above the upper level of 12 mg" in child


def test_pregnancy_can_be_chosen_only_where_it_applies(page: Page, loader) -> None:
    loader.open(page, CHECKER)
    choose(page, "31–50 years", "male")
    expect(page.locator("#bng-stage")).to_be_disabled()
    choose(page, "31–50 years", "female")
    expect(page.locator("#bng-stage")).to_be_enabled()
    page.select_option("#bng-stage", value="pregnancy")
    page.fill("#bng-vitamin-d-supplement", "10")
    assert "Below the RDA of 15 µg (600 IU)" in result_of(page, "vitamin-d")


def test_no_request_leaves_the_page_and_keys_alone_fill_it_in(page: Page, loader) -> None:
    requests: list[str] = []
    loader.open(page, CHECKER)
    page.wait_for_load_state("networkidle")  # the theme's own late requests (the search index) first
    storage = "JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])"
    stored_by_theme = page.evaluate(storage)  # Material keeps its own state there
    page.on("request", lambda request: requests.append(request.url))
    page.focus("#bng-age")
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "bng-zinc-supplement":
            break
    assert page.evaluate("document.activeElement.id") == "bng-zinc-supplement"
    page.keyboard.type("45")
    assert "Above the upper level of 40 mg" in result_of(page, "zinc")
    assert requests == [], f"the checker made requests: {requests}"
    assert page.evaluate(storage) == stored_by_theme, "the checker stored what was typed"


def test_the_checker_keeps_its_data_when_the_theme_re_creates_the_content_scripts(page: Page, loader) -> None:
    """The theme's instant navigation re-creates every <script> of the content without its type or id
    (a same-page jump such as the skip link does it too): the checker's data must not be one."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    loader.open(page, CHECKER)
    assert page.locator("article script").count() == 0
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Enter")
    page.wait_for_function("() => location.hash.length > 1")
    page.wait_for_load_state("networkidle")
    choose(page, "31–50 years", "male")
    page.fill("#bng-zinc-supplement", "50")
    assert "Above the upper level of 40 mg" in result_of(page, "zinc")
    assert errors == []


def test_an_infant_of_7_to_12_months_gets_that_stages_values(page: Page, loader) -> None:
    """7 months is not '0–6 months' (that band's values are lower), and a converted upper level is
    the one the report printed: 38 µg is 1,500 IU, not 1,520."""
    loader.open(page, CHECKER)
    choose(page, "7–12 months")
    page.fill("#bng-calcium-supplement", "250")
    calcium = result_of(page, "calcium")
    assert "Below the AI of 260 mg" in calcium and "Within the upper level of 1,500 mg" in calcium
    page.fill("#bng-vitamin-d-supplement", "30")
    assert "Within the upper level of 38 µg (1,500 IU)" in result_of(page, "vitamin-d")
    choose(page, "0–6 months")
    assert "At or above the AI of 200 mg" in result_of(page, "calcium")
    assert "Above the upper level of 25 µg (1,000 IU)" in result_of(page, "vitamin-d")
