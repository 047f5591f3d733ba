"""Reading the guide tells nobody else: every request a page makes goes to the site's own host."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Route

from boneguide.browser import LOCAL_HOST

pytestmark = pytest.mark.browser


def test_no_page_requests_another_host(context: BrowserContext, loader, all_pages: list[str]) -> None:
    foreign: list[str] = []
    current = {"path": ""}

    def guard(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname != LOCAL_HOST and not url.startswith(("data:", "blob:")):
            foreign.append(f"/{current['path']}: {route.request.resource_type} {url}")
            route.abort()
        else:
            route.continue_()

    # On the context, so requests from the search web worker are caught too.
    context.route("**/*", guard)
    page = context.new_page()
    problems = []
    for path in all_pages:
        current["path"] = path
        if problem := loader.try_open(page, path):
            problems.append(problem)
            continue
        # Lazy images and anything loaded on scroll or when search opens count too.
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.keyboard.press("/")
        page.wait_for_load_state("networkidle")
        # Hints that make the browser connect without a request the route could see.
        hints = page.evaluate(
            """(host) => [...document.querySelectorAll(
                    'link[rel~=preconnect], link[rel~=dns-prefetch], link[rel~=prefetch], link[rel~=preload], iframe[src]')]
                .map(e => e.href || e.src)
                .filter(u => u && new URL(u, location.href).hostname !== host)""",
            LOCAL_HOST,
        )
        problems += [f"/{path}: connection hint to {url}" for url in hints]
    assert not foreign + problems, "\n".join(foreign + problems)
