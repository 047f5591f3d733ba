"""Serve a built site on 127.0.0.1 and drive Debian's Chromium through Playwright.

Shared by the browser tests (tests/browser/) and scripts/page_weight.py, so both see the site the
same way a reader does: over HTTP from a local server, never from file:// and never from the internet.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

# Playwright's own browser download is not available offline: use the distribution's build.
CHROMIUM_PATH = "/usr/bin/chromium"
# No sandbox (root in CI), and nothing that phones home on its own: a request the browser makes must
# come from the page, so that the privacy test can blame the page for it.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOST = "127.0.0.1"
# The phone the tests read the site on: the narrowest common screen.
PHONE = {"width": 375, "height": 812}


class _SiteHandler(SimpleHTTPRequestHandler):
    """Static files under a base path, as GitHub Pages serves a project site; anything else is a 404."""

    base_path = "/"

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.base_path):
            return str(Path(self.directory) / "__outside_base_path__")
        return super().translate_path("/" + path.removeprefix(self.base_path))

    def log_message(self, format: str, *args: object) -> None:
        pass


def site_base_path(site_dir: Path) -> str:
    """The path part of the site's site_url ('/bone-nutrient-guide/'), read from the built sitemap.

    Pages such as 404.html link to their assets by that absolute path, so the site must be served
    under it to behave as deployed.
    """
    sitemap = site_dir / "sitemap.xml"
    if sitemap.exists():
        match = re.search(r"<loc>([^<]+)</loc>", sitemap.read_text(encoding="utf-8"))
        if match:
            path = urlsplit(match.group(1)).path
            return path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"
    return "/"


@contextmanager
def serve_directory(directory: Path, base_path: str = "/") -> Iterator[str]:
    """Serve `directory` under `base_path` on a free port of 127.0.0.1; yields the site's base URL."""
    handler_class = type("SiteHandler", (_SiteHandler,), {"base_path": base_path})
    handler = functools.partial(handler_class, directory=str(directory))
    server = ThreadingHTTPServer((LOCAL_HOST, 0), handler)
    server.daemon_threads = True
    # A short poll: shutdown() waits up to one interval, half a second by default.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="site-server", daemon=True
    )
    thread.start()
    try:
        yield f"http://{LOCAL_HOST}:{server.server_address[1]}{base_path}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def launch_chromium(playwright: Playwright) -> Browser:
    """Headless Debian Chromium; a clear message when it is missing rather than Playwright's hint to download."""
    if not Path(CHROMIUM_PATH).exists():
        raise FileNotFoundError(
            f"{CHROMIUM_PATH} not found: install Debian's chromium (make setup does, from "
            "requirements/debian-packages.txt)"
        )
    return playwright.chromium.launch(executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS)


def site_pages(site_dir: Path) -> list[str]:
    """URL paths (relative to the site root) of every HTML page in a built site: '', 'about/', '404.html'."""
    paths = []
    for html in sorted(site_dir.rglob("*.html")):
        relative = html.relative_to(site_dir).as_posix()
        if not relative.startswith("assets/"):
            paths.append(relative.removesuffix("index.html") if html.name == "index.html" else relative)
    return paths
