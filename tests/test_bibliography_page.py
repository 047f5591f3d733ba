"""The Bibliography page lists every entry, links back to every citing section, and offers downloads."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from pybtex.database import parse_file
from sitebuild import build_site

FIXTURE = Path(__file__).parent / "fixtures" / "citations" / "site"
ENTRY = re.compile(
    r'<li id="ref-([a-z0-9]+)" class="bng-bib__entry" data-reference-key="\1" data-kind="([a-z-]+)">(.*?)</li>',
    re.S,
)
CITED_IN = re.compile(r'<a class="bng-bib__cited" href="([^"]+)" data-cite-id="(cite-([a-z0-9]+)-\d+)">')
HEADING = re.compile(r'<h([1-6])\b[^>]*\bid="([^"]+)"')


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("bibliography-site")
    result = build_site(FIXTURE / "mkdocs.yml", site)
    assert result.returncode == 0, result.stderr
    return site


def bibliography_html(site: Path) -> str:
    return (site / "bibliography" / "index.html").read_text(encoding="utf-8")


def section_cites(page_html: str, anchor: str, key: str) -> bool:
    """Whether the section opened by heading #anchor (up to the next heading) cites key."""
    headings = list(HEADING.finditer(page_html))
    for index, heading in enumerate(headings):
        if heading.group(2) == anchor:
            end = headings[index + 1].start() if index + 1 < len(headings) else len(page_html)
            return f'data-citation-key="{key}"' in page_html[heading.start() : end]
    return False


def check_cited_in_links(site: Path) -> list[str]:
    """Every "cited in" link must reach a built page whose anchored section cites the entry."""
    html = bibliography_html(site)
    base = "https://site.invalid/bibliography/"
    problems = []
    links = 0
    for href, cite_id, key in CITED_IN.findall(html):
        links += 1
        url = urlparse(urljoin(base, href))
        path = site / url.path.removeprefix("/").removesuffix("/") / "index.html"
        if not path.is_file():
            problems.append(f"{key}: {href} -> no page")
            continue
        page = path.read_text(encoding="utf-8")
        if f'id="{cite_id}"' not in page:
            problems.append(f"{key}: {href} -> no citation {cite_id}")
        if not url.fragment or not section_cites(page, url.fragment, key):
            problems.append(f"{key}: {href} -> section #{url.fragment} does not cite it")
    if not links and any("bng-cite__ref" in p.read_text(encoding="utf-8") for p in site.rglob("*.html")):
        problems.append("the site cites works but the Bibliography page has no 'cited in' link")
    return problems


def test_every_entry_is_listed_once_grouped_and_sorted_by_first_author(fixture_site: Path) -> None:
    html = bibliography_html(fixture_site)
    listed = ENTRY.findall(html)
    bib = parse_file(str(FIXTURE / "references.bib"))
    assert sorted(key for key, _kind, _body in listed) == sorted(bib.entries)
    articles = [key for key, kind, _ in listed if kind == "article"]
    assert articles == [
        "hostile2020script",
        "clarke2008normal",
        "yamaguchi2010role",
    ]  # "<b>Evil</b>" < Clarke < Yamaguchi
    kinds = [kind for _key, kind, _ in listed]
    assert kinds == sorted(
        kinds, key=["article", "book", "report", "webpage", "other", "identifier-only"].index
    )
    assert '<h2 id="kind-identifier-only">' in html


def test_cited_in_links_reach_the_citing_section(fixture_site: Path) -> None:
    assert not check_cited_in_links(fixture_site)
    html = bibliography_html(fixture_site)
    body = dict((k, b) for k, _kind, b in ENTRY.findall(html))["yamaguchi2010role"]
    assert [href for href, *_ in CITED_IN.findall(body)] == [
        "../guide/zinc/#zinc",
        "../guide/zinc/#what-it-does-in-bone",
        "../guide/zinc/#safety",
    ]


def test_uncited_entries_say_so_with_the_reason_to_keep_them(fixture_site: Path) -> None:
    bodies = {k: b for k, _kind, b in ENTRY.findall(bibliography_html(fixture_site))}
    assert (
        "Not cited on the site; kept: background reading for the calcium page" in bodies["weaver2014calcium"]
    )
    assert "Not cited on the site" in bodies["uncited2020lonely"]
    assert "bng-bib__cited" not in bodies["uncited2020lonely"]
    assert "5 of them are cited on the site" in bibliography_html(fixture_site)


def test_provenance_names_source_article_and_marker(fixture_site: Path) -> None:
    bodies = {k: b for k, _kind, b in ENTRY.findall(bibliography_html(fixture_site))}
    assert (
        'Listed by source article: <a href="../sources/#lifeext-2023-zinc-bone">lifeext-2023-zinc-bone</a> ref. 9; '
        '<a href="../sources/#healthline-osteoporosis-supplements">healthline-osteoporosis-supplements</a> ref. 1'
        in bodies["clarke2008normal"]
    )
    sources = (fixture_site / "sources" / "index.html").read_text(encoding="utf-8")
    assert 'id="lifeext-2023-zinc-bone"' in sources


def test_downloads_are_linked_and_complete(fixture_site: Path) -> None:
    html = bibliography_html(fixture_site)
    assert 'href="../downloads/references.bib"' in html
    assert 'href="../downloads/references.csl.json"' in html
    copied = fixture_site / "downloads" / "references.bib"
    assert copied.read_bytes() == (FIXTURE / "references.bib").read_bytes()
    items = json.loads((fixture_site / "downloads" / "references.csl.json").read_text(encoding="utf-8"))
    assert [item["id"] for item in items] == list(parse_file(str(FIXTURE / "references.bib")).entries)
    clarke = next(item for item in items if item["id"] == "clarke2008normal")
    assert clarke["PMID"] == "18988698"


def test_real_site_cited_in_links_reach_the_citing_section(built_site: Path) -> None:
    assert (built_site / "bibliography" / "index.html").is_file()
    assert not check_cited_in_links(built_site)
