"""Properties of the built site that every page must keep."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import yaml

RESOURCE_ATTR = re.compile(
    r"<(?:script|img|iframe|source|audio|video|embed)\b[^>]*\bsrc=[\"']([^\"']+)[\"']"
    r"|<link\b[^>]*\bhref=[\"']([^\"']+)[\"'][^>]*>",
    re.I,
)
CSS_URL = re.compile(r"url\(\s*[\"']?([^\"')]+)")
CSS_IMPORT = re.compile(r"@import\s+[\"']([^\"']+)")


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html"))


def test_every_nav_page_is_built(built_site: Path, root: Path) -> None:
    config = yaml.load((root / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)

    def walk(items):
        for item in items:
            value = next(iter(item.values())) if isinstance(item, dict) else item
            if isinstance(value, list):
                yield from walk(value)
            else:
                yield value

    for src in walk(config["nav"]):
        out = "index.html" if src == "index.md" else src.removesuffix(".md") + "/index.html"
        assert (built_site / out).is_file(), f"{src} was not built"


def test_loaded_resources_are_local(built_site: Path) -> None:
    """No page or stylesheet loads anything from a third-party host (Google Fonts included)."""
    offenders = []
    for page in html_pages(built_site):
        text = page.read_text(encoding="utf-8")
        for match in RESOURCE_ATTR.finditer(text):
            tag_src, link_href = match.groups()
            url = tag_src or link_href
            tag = match.group(0).lower()
            # <link rel=canonical/alternate> are addresses, not loads.
            loads = re.search(r"rel=[\"']?(stylesheet|preload|modulepreload|icon|manifest)", tag)
            if link_href and not loads:
                continue
            if urlparse(url).netloc:
                offenders.append(f"{page.relative_to(built_site)}: {url}")
    for sheet in built_site.rglob("*.css"):
        text = sheet.read_text(encoding="utf-8")
        for url in CSS_URL.findall(text) + CSS_IMPORT.findall(text):
            if urlparse(url).netloc:
                offenders.append(f"{sheet.relative_to(built_site)}: {url}")
    assert not offenders, "third-party loads:\n" + "\n".join(offenders)
    assert not any("fonts.googleapis" in p.read_text(encoding="utf-8") for p in html_pages(built_site))


def test_disclaimer_on_every_page(built_site: Path) -> None:
    missing = [
        str(p.relative_to(built_site))
        for p in html_pages(built_site)
        if "Information, not medical advice" not in p.read_text(encoding="utf-8")
    ]
    assert not missing, f"pages without the disclaimer: {missing}"


def test_citation_links_to_reference_list(built_site: Path) -> None:
    html = (built_site / "index.html").read_text(encoding="utf-8")
    refs = re.findall(
        r'<a class="footnote-ref bng-cite__ref" id="cite-[a-z0-9]+-\d+" href="#(ref-[a-z0-9]+)"', html
    )
    assert refs, "the home page shows no citation link"
    for anchor in refs:
        assert f'<li id="{anchor}"' in html, f"citation #{anchor} has no reference entry"


def test_licence_files_exist(root: Path) -> None:
    assert "Creative Commons Attribution 4.0" in (root / "LICENSE-CONTENT").read_text()
    assert "MIT License" in (root / "LICENSE").read_text()


def test_a_page_carries_only_its_own_sections_navigation(built_site: Path) -> None:
    """Tabs + prune: other sections appear as one link each, so the nav does not grow with the site.

    Without it every page carried the whole navigation, 86% of a 1000-page build (issue 10).
    """
    html = (built_site / "nutrients" / "zinc" / "index.html").read_text(encoding="utf-8")
    sidebar = html[html.index('data-md-type="navigation"') : html.index('data-md-type="toc"')]
    links = set(re.findall(r'href="([^"]+)"', sidebar))
    assert "../calcium/" in links  # its own section, in full
    assert "../../overview/bone-basics/" in links  # another section: its first page only
    assert "../../overview/who-may-benefit/" not in links
    assert "../../sources/" not in links
