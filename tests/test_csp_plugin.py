"""The Content-Security-Policy plugin (boneguide/site/csp.py): hashes, placement, the built site."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html as lxml_html
from mkdocs.config.base import load_config

from boneguide.site.csp import inline_script_hashes, policy, with_meta

# The worked example of the CSP Level 2 specification (section 4.2.4, "Valid hashes"): a browser
# computes this for <script>alert('Hello, world.');</script>.
SPEC_EXAMPLE = "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"
ROOT = Path(__file__).resolve().parents[1]


def test_inline_scripts_are_hashed_as_a_browser_hashes_them() -> None:
    page = "<html><head><script>alert('Hello, world.');</script></head><body></body></html>"
    assert inline_script_hashes(page) == {SPEC_EXAMPLE}


def test_data_blocks_and_external_scripts_need_no_hash() -> None:
    page = (
        '<html><head><script type="application/json">{"a": 1}</script>'
        '<script src="assets/x.js"></script><script type="module">import("./y.js")</script></head></html>'
    )
    assert len(inline_script_hashes(page)) == 1


def test_the_policy_allows_only_the_sites_scripts_and_no_inline_code() -> None:
    text = policy({SPEC_EXAMPLE})
    assert f"script-src 'self' {SPEC_EXAMPLE};" in text
    assert "unsafe-inline" not in text and "unsafe-eval" not in text
    assert "object-src 'none'" in text and "base-uri 'self'" in text


def test_the_meta_goes_after_the_charset_before_any_script() -> None:
    page = '<!doctype html><html><head>\n<meta charset="utf-8"><script>x()</script></head></html>'
    result = with_meta(page, "<meta http-equiv=X>")
    assert (
        result
        == '<!doctype html><html><head>\n<meta charset="utf-8"><meta http-equiv=X><script>x()</script></head></html>'
    )
    assert with_meta("<p>no head</p>", "<meta http-equiv=X>") is None


def test_every_built_page_carries_the_hashes_of_every_pages_inline_scripts(built_site: Path) -> None:
    pages = sorted(built_site.rglob("*.html"))
    everywhere: set[str] = set()
    policies = {}
    for path in pages:
        text = path.read_text(encoding="utf-8")
        everywhere |= inline_script_hashes(text)
        root = lxml_html.fromstring(text)
        metas = root.xpath('//head/meta[@http-equiv="Content-Security-Policy"]')
        assert len(metas) == 1, path
        first_script = text.find("<script")
        assert first_script < 0 or text.find("Content-Security-Policy") < first_script, path
        policies[path] = metas[0].get("content")
    assert len(set(policies.values())) == 1  # the same union on every page (instant navigation)
    [content] = set(policies.values())
    assert set(re.findall(r"'sha256-[^']+'", content)) == everywhere
    assert (built_site / "404.html") in policies


@pytest.mark.parametrize("variant_plugin", ["offline", "print-site"])
def test_copies_not_served_to_readers_get_no_policy(variant_plugin: str) -> None:
    """The offline copy is read from disk (file:, where 'self' is no dependable match); the PDF is printed by us."""
    config = load_config(str(ROOT / "mkdocs.yml"), plugins=["search", variant_plugin, "bng-csp"])
    plugin = config["plugins"]["bng-csp"]
    plugin.on_config(config)
    assert not plugin.enabled


def test_the_preview_server_gets_no_policy() -> None:
    """`mkdocs serve` injects an inline live-reload script that changes on every rebuild."""
    config = load_config(str(ROOT / "mkdocs.yml"))
    plugin = config["plugins"]["bng-csp"]
    plugin.on_startup(command="serve", dirty=False)
    plugin.on_config(config)
    assert not plugin.enabled
    plugin.on_startup(command="build", dirty=False)
    plugin.on_config(config)
    assert plugin.enabled
