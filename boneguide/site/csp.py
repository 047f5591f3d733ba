"""MkDocs plugin: a Content-Security-Policy in every built page, allowing only the site's own scripts.

Pages are written by anyone who opens a pull request. The checker refuses raw HTML outside its
allow-list (boneguide/checks/html_policy.py); this policy is the second line, in the reader's
browser: a script that got past review, inline or from elsewhere, does not run. GitHub Pages
cannot send headers, so the policy is a ``<meta http-equiv>`` at the top of each page's head.

Scripts may come from the site itself ('self': the theme's bundle, docs/assets/javascripts) or be
one of the theme's inline scripts, each allowed by the SHA-256 hash of its text, computed here as
the page is built, so no 'unsafe-inline' is needed and a theme upgrade needs no hand edit. Every
page carries the hashes of every page's inline scripts: Material's instant navigation runs the next
page's scripts under the policy of the page the reader opened first, and the theme's first script
differs with the folder depth. Pages get their own hashes as they are written, the union after the
build.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from typing import Any

from lxml import etree
from lxml import html as lxml_html
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.pages import Page

log = get_plugin_logger(__name__)

# Script types a browser runs; a data block (application/json: Material's config, the intake
# checker's numbers) is never run, so it needs no hash.
JAVASCRIPT_TYPES = frozenset({"", "text/javascript", "application/javascript", "module"})
# Everything but scripts: the theme's CSS, pictures (its icons are data: SVGs in the CSS, which an
# img-src or a CSS url() cannot run), the search index and worker, all from the site itself.
# frame-ancestors, report-uri and sandbox are left out: a <meta> policy may not set them.
FIXED_DIRECTIVES = (
    "default-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
)
# Builds of the site that are not served to readers: the offline copy (read from the reader's own
# disk, where 'self' does not dependably match file: URLs) and the PDF's print page.
UNSERVED_VARIANT_PLUGINS = frozenset({"offline", "material/offline", "print-site"})
_PARSER = lxml_html.HTMLParser(encoding="utf-8", huge_tree=True)
_META_CHARSET = re.compile(r"<meta\s+charset=[^>]*>", re.IGNORECASE)
_HEAD = re.compile(r"<head(?:\s[^>]*)?>", re.IGNORECASE)


def inline_script_hashes(page: str) -> set[str]:
    """CSP sources (``'sha256-…'``) for every inline script a browser would run in ``page``."""
    try:  # lxml refuses an empty or blank page: it has no scripts
        root = lxml_html.document_fromstring(page.encode("utf-8"), parser=_PARSER)
    except (etree.ParserError, ValueError):
        return set()
    hashes = set()
    for script in root.iter("script"):
        if script.get("src") is not None:
            continue
        if (script.get("type") or "").strip().lower() not in JAVASCRIPT_TYPES:
            continue
        # The browser hashes the script's text exactly as written, encoded as UTF-8.
        digest = hashlib.sha256((script.text or "").encode("utf-8")).digest()
        hashes.add(f"'sha256-{base64.b64encode(digest).decode('ascii')}'")
    return hashes


def policy(hashes: set[str]) -> str:
    script_src = " ".join(["script-src 'self'", *sorted(hashes)])
    return "; ".join([FIXED_DIRECTIVES[0], script_src, *FIXED_DIRECTIVES[1:]])


def meta_tag(hashes: set[str]) -> str:
    return f'<meta http-equiv="Content-Security-Policy" content="{policy(hashes)}">'


def with_meta(page: str, meta: str) -> str | None:
    """``page`` with ``meta`` right after its charset declaration (or its <head> tag); None without a head."""
    head = _HEAD.search(page)
    if head is None:
        return None
    charset = _META_CHARSET.search(page, head.end())
    at = charset.end() if charset else head.end()
    return page[:at] + meta + page[at:]


class ContentSecurityPolicyPlugin(BasePlugin):
    def __init__(self) -> None:
        self.enabled = True
        self.serving = False
        self.hashes: set[str] = set()
        self.written: dict[Path, str] = {}  # each page's file -> the meta tag it was given

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # `mkdocs serve` adds its own inline live-reload script, new on every rebuild, to each page
        # it serves: no hash can allow it. The preview on an editor's machine goes without the policy.
        self.serving = command == "serve"

    def on_config(self, config: Any) -> Any:
        self.enabled = not self.serving and not (UNSERVED_VARIANT_PLUGINS & set(config["plugins"].keys()))
        self.hashes = set()
        self.written = {}
        return config

    def _protect(self, output: str, destination: Path) -> str:
        if not self.enabled:
            return output
        hashes = inline_script_hashes(output)
        meta = meta_tag(hashes)
        protected = with_meta(output, meta)
        if protected is None:
            return output
        self.hashes |= hashes
        self.written[destination] = meta
        return protected

    def on_post_page(self, output: str, *, page: Page, config: Any) -> str:
        return self._protect(output, Path(config["site_dir"]) / page.file.dest_uri)

    def on_post_template(self, output_content: str, *, template_name: str, config: Any) -> str:
        if not template_name.endswith(".html"):  # 404.html; not sitemap.xml
            return output_content
        return self._protect(output_content, Path(config["site_dir"]) / template_name)

    def on_post_build(self, *, config: Any) -> None:
        if not self.enabled:
            return
        final = meta_tag(self.hashes)
        for path, meta in self.written.items():
            if meta == final or not path.is_file():
                continue
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace(meta, final, 1), encoding="utf-8")
        log.debug("Content-Security-Policy: %d inline script hashes", len(self.hashes))
