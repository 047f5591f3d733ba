"""Every page passes axe-core without serious or critical violations and works by keyboard alone."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}
# Tab stops checked per page for a visible focus ring: enough to cover header, content and footer
# on a short page and the first screens of a long one.
TAB_STOPS = 40


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_or_critical_violation_on_any_page(
    browser: Browser, loader, all_pages: list[str], artifacts: Path, scheme: str
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    axe = Axe()
    failures: list[str] = []
    summary: dict[str, dict[str, int]] = {}
    try:
        for path in loader.each_open(page, all_pages, failures):
            violations = axe.run(page).response["violations"]
            summary[f"/{path}"] = dict(Counter(v["impact"] for v in violations))
            for violation in violations:
                if violation["impact"] in BLOCKING:
                    targets = ", ".join(str(node["target"]) for node in violation["nodes"][:5])
                    failures.append(
                        f"/{path}: {violation['id']} ({violation['impact']}, {len(violation['nodes'])}x): "
                        f"{violation['help']} — {targets}"
                    )
    finally:
        context.close()
    # The per-page counts of every impact, for the report (test-artifacts/ is not committed).
    (artifacts / f"axe-{scheme}.json").write_text(json.dumps(summary, indent=2, sort_keys=True))
    assert not failures, "\n".join(failures)


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
        inContent: !!e.closest('.md-content'),
        visible: r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && parseFloat(s.opacity) > 0,
        focused, unfocused,
        background: getComputedStyle(document.body).backgroundColor,
    };
}"""
# Transitions would make the focused look lag behind the focus: measure end states.
NO_TRANSITIONS = "*, *::before, *::after { transition: none !important; animation: none !important; }"


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


def test_skip_link_comes_first_and_leads_into_the_content(page: Page, loader, all_pages: list[str]) -> None:
    failures = []
    for path in loader.each_open(page, all_pages, failures):
        if path == "404.html":
            continue  # the theme's error page: one sentence, no table of contents, no skip target
        page.keyboard.press("Tab")
        skip = page.locator("a.md-skip")
        if not skip.count() or not skip.evaluate("e => e === document.activeElement"):
            failures.append(f"/{path}: the first Tab does not reach a 'Skip to content' link")
            continue
        page.wait_for_timeout(300)  # the theme fades the link in
        box = skip.bounding_box()
        if not box or box["y"] < 0 or skip.evaluate("e => parseFloat(getComputedStyle(e).opacity)") < 1:
            failures.append(f"/{path}: the focused skip link is not visible")
        page.keyboard.press("Enter")
        page.wait_for_function("() => location.hash.length > 1")
        page.wait_for_timeout(100)  # the theme handles the jump itself (instant navigation)
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if not focused or not focused["inContent"]:
            failures.append(
                f"/{path}: after the skip link, Tab goes to {focused and focused['what']}, not the content"
            )
    assert not failures, "\n".join(failures)


def test_focus_is_visible_on_every_tab_stop(page: Page, loader, all_pages: list[str]) -> None:
    failures: list[str] = []
    for path in loader.each_open(page, all_pages, failures):
        # A constructed style sheet: the site's Content-Security-Policy (style-src 'self') refuses
        # an inline <style>, as it would an injected one.
        page.evaluate(
            "css => { const sheet = new CSSStyleSheet(); sheet.replaceSync(css);"
            " document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet]; }",
            NO_TRANSITIONS,
        )
        seen = 0
        for _ in range(TAB_STOPS):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUSED)
            if focused is None:  # wrapped past the last stop
                break
            seen += 1
            if problem := focus_problem(focused):
                failures.append(f"/{path}: {problem}")
        if seen == 0:
            failures.append(f"/{path}: Tab reaches nothing")
    assert not failures, "\n".join(sorted(set(failures)))
