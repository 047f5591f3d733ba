"""Every page loads without a JavaScript error, a console error or a missing file."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Error, Response

pytestmark = pytest.mark.browser


def test_no_console_errors_on_any_page(context: BrowserContext, loader, all_pages: list[str]) -> None:
    page = context.new_page()
    current = {"path": ""}
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(
                f"/{current['path']}: console error: {message.text} ({message.location.get('url')})"
            )

    def on_page_error(error: Error) -> None:
        problems.append(f"/{current['path']}: uncaught {error.name}: {error.message}")

    def on_response(response: Response) -> None:
        # The page's own status is checked by the loader; here its assets and fetches.
        if response.status >= 400 and response.request.resource_type != "document":
            problems.append(f"/{current['path']}: HTTP {response.status} for {response.url}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    page.on("response", on_response)
    failures: list[str] = []
    for path in all_pages:
        current["path"] = path
        problems.clear()
        if problem := loader.try_open(page, path):
            # A missing page: its own 404 noise says nothing more.
            failures.append(problem)
            continue
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_load_state("networkidle")
        failures += problems
    assert not failures, "\n".join(failures)
