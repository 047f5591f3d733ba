"""The Content-Security-Policy (boneguide/site/csp.py): the site runs under it, an injected script does not."""

from __future__ import annotations

from contextlib import suppress

import pytest
from page_probes import RECORD_VIOLATIONS, Findings, csp_violations
from playwright.sync_api import BrowserContext, Route
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

pytestmark = pytest.mark.browser

INJECTED = (
    '<script>window.__injectedRan = true;</script><img src="x.png" onerror="window.__handlerRan = true">'
    '<a id="bng-injected-link" href="javascript:window.__linkRan = true">click</a>'
)


def test_every_page_runs_with_no_violation(desktop_crawl: Findings) -> None:
    """On the session's desktop crawl: each page has the policy, the theme's scripts ran, and nothing
    was refused (reported to the page or the console) over its loads."""
    failures = desktop_crawl.failures["csp"]
    assert not failures, "\n".join(failures)


def test_instant_navigation_and_search_run_with_no_violation(
    context: BrowserContext, loader, sample_nutrient: str
) -> None:
    """The next page's scripts run under the first page's policy: the hashes of every depth are in it."""
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    loader.open(page, "")
    page.locator(f'a[href$="{sample_nutrient}"]').first.click()  # from the top folder to depth two
    page.wait_for_url(f"**/{sample_nutrient}")
    page.wait_for_load_state("networkidle")
    page.keyboard.press("/")
    page.keyboard.type("zinc")
    page.locator(".md-search-result__item").first.wait_for()  # the search worker answered
    assert csp_violations(page) == []


def test_an_injected_inline_script_handler_and_javascript_link_are_blocked(
    context: BrowserContext, loader, sample_nutrient: str
) -> None:
    """What a page could carry if raw HTML got past the checker: the browser refuses to run any of it."""
    context.add_init_script(RECORD_VIOLATIONS)

    def inject(route: Route) -> None:
        response = route.fetch()
        body = response.text().replace("</article>", INJECTED + "</article>", 1)
        assert INJECTED in body
        route.fulfill(response=response, body=body)

    context.route(f"**/{sample_nutrient}", inject)
    page = context.new_page()
    loader.open(page, sample_nutrient)
    page.click("#bng-injected-link")
    page.evaluate(
        "document.body.append(Object.assign(document.createElement('script'), {textContent: 'window.__addedRan = 1'}))"
    )
    # The browser reports refusals as events: wait for the three expected (assertions below say which lacked).
    with suppress(PlaywrightTimeoutError):
        page.wait_for_function("() => window.__cspViolations.length >= 3", timeout=5_000)
    ran = page.evaluate("[window.__injectedRan, window.__handlerRan, window.__linkRan, window.__addedRan]")
    assert ran == [None, None, None, None]
    blocked = csp_violations(page)
    # The script element in the page and the one added later, the handler, the javascript: link.
    assert sum(v.startswith("script-src-elem blocked inline") for v in blocked) >= 2, blocked
    assert any(v.startswith("script-src-attr") for v in blocked), blocked
    assert page.evaluate("typeof __md_scope") == "object"  # while the site's own scripts still ran
