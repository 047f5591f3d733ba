"""A headless Chromium page that can load local files only: for printing the PDF and for reading
the offline copy. Launching (path, flags) is shared with the browser tests in boneguide.browser."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from boneguide.browser import launch_chromium
from boneguide.export.variant import ExportError

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route, ViewportSize

LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


@contextmanager
def offline_page(viewport: ViewportSize | None = None) -> Iterator[tuple[Page, list[str]]]:
    """A page in a fresh browser that refuses every request but local ones, and the requests it
    tried to make beyond file:// (all of them refused).

    Playwright starts Chromium with a new temporary --user-data-dir each time, so nothing carries
    over between builds; the flags (no sandbox for root, no background traffic) are
    boneguide.browser's.
    """
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    with sync_playwright() as playwright:
        try:
            browser = launch_chromium(playwright)
        except (FileNotFoundError, PlaywrightError) as error:
            raise ExportError(f"headless Chromium did not start: {str(error).splitlines()[0]}") from error
        try:
            context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})

            def guard(route: Route) -> None:
                url = route.request.url
                if url.startswith(LOCAL_SCHEMES):
                    route.continue_()
                else:
                    blocked.append(url)
                    route.abort("blockedbyclient")

            context.route("**/*", guard)
            yield context.new_page(), blocked
        finally:
            browser.close()
