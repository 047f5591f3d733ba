"""Headless Debian Chromium through Playwright, with every request that would leave the machine blocked."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from boneguide.export.variant import ExportError

# Flags for a root user in a container, with no background traffic (updates, sync, QUIC probes).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


def chromium_path() -> Path:
    """The Debian package's browser (requirements/debian-packages.txt); BNG_CHROMIUM overrides it."""
    candidate = os.environ.get("BNG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    path = Path(candidate)
    if not path.is_file():
        raise ExportError(
            f"Chromium not found at {path}: run `make setup` (Debian package chromium) or set BNG_CHROMIUM"
        )
    return path


@dataclass
class NetworkLog:
    """Requests the page tried to make beyond file://, all of them refused."""

    blocked: list[str] = field(default_factory=list)


@contextmanager
def offline_page(viewport: dict[str, int] | None = None) -> Iterator[tuple[object, NetworkLog]]:
    """A fresh browser profile and page that can load only local files.

    Yields (playwright Page, NetworkLog). Playwright starts Chromium with a new temporary
    --user-data-dir each time, so no state leaks between builds.
    """
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    log = NetworkLog()
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=str(chromium_path()), headless=True, args=CHROMIUM_ARGS
            )
        except PlaywrightError as error:
            raise ExportError(f"headless Chromium did not start: {error.message.splitlines()[0]}") from error
        try:
            context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})

            def guard(route) -> None:
                url = route.request.url
                if url.startswith(LOCAL_SCHEMES):
                    route.continue_()
                else:
                    log.blocked.append(url)
                    route.abort("blockedbyclient")

            context.route("**/*", guard)
            yield context.new_page(), log
        finally:
            browser.close()
