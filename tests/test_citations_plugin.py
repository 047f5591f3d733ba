"""The bng-citations plugin: numbered citations, per-page reference lists, errors with file:line."""

from __future__ import annotations

import json
import re
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from mkdocs.config import load_config
from sitebuild import build_site

from boneguide import files
from boneguide.citesyntax import find_citations
from boneguide.site import citations
from boneguide.site.citations import WORKER_GATE, CitationsPlugin, load_bibliography

FIXTURE = Path(__file__).parent / "fixtures" / "citations" / "site"
CITATION = re.compile(
    r'<a class="footnote-ref bng-cite__ref" id="(cite-([a-z0-9]+)-(\d+))" href="#ref-([a-z0-9]+)" '
    r'data-citation-key="([a-z0-9]+)"[^>]*>(\d+)</a>'
)
REFERENCE = re.compile(r'<li id="ref-([a-z0-9]+)" value="(\d+)" data-reference-key="\1">(.*?)</li>', re.S)


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("citation-site")
    result = build_site(FIXTURE / "mkdocs.yml", site)
    assert result.returncode == 0, result.stderr
    return site


def page_html(site: Path, page: str) -> str:
    return (site / page / "index.html").read_text(encoding="utf-8")


def test_citations_are_numbered_in_order_of_first_use_per_page(fixture_site: Path) -> None:
    html = page_html(fixture_site, "guide/zinc")
    numbers = {}
    for _id, key, _n, target, data_key, number in CITATION.findall(html):
        assert key == target == data_key
        numbers.setdefault(key, number)
        assert numbers[key] == number, f"{key} changed number on the page"
    assert list(numbers.items()) == [
        ("yamaguchi2010role", "1"),
        ("clarke2008normal", "2"),
        ("odsndzinc", "3"),
        ("pmc6059859", "4"),
        ("hostile2020script", "5"),
    ]
    # The same key is number 1 on another page: numbering is per page.
    assert [m[5] for m in CITATION.findall(page_html(fixture_site, "guide/calcium"))] == ["1"]


def test_a_group_prints_each_number_as_its_own_link(fixture_site: Path) -> None:
    html = page_html(fixture_site, "guide/zinc")
    group = re.search(r'<span class="bng-cite">(.*?)</span>', html).group(1)
    assert re.sub(r"<[^>]+>", "", group) == "&#91;1, 2&#93;"
    assert len(CITATION.findall(group)) == 2


def test_every_citation_links_to_an_entry_that_links_back(fixture_site: Path) -> None:
    for page in ("", "guide/zinc", "guide/calcium"):
        html = page_html(fixture_site, page)
        cites = CITATION.findall(html)
        references = {key: (number, body) for key, number, body in REFERENCE.findall(html)}
        assert cites, page
        for cite_id, key, _n, _t, _k, number in cites:
            assert key in references, f"{page}: {cite_id} has no reference entry"
            assert references[key][0] == number
            assert f'href="#{cite_id}"' in references[key][1], (
                f"{page}: ref-{key} does not link back to {cite_id}"
            )
        assert len(references) == len({c[1] for c in cites}), f"{page}: reference list and citations differ"


def test_repeated_citations_get_lettered_back_links(fixture_site: Path) -> None:
    html = page_html(fixture_site, "guide/zinc")
    body = dict((k, b) for k, _n, b in REFERENCE.findall(html))["yamaguchi2010role"]
    back = re.search(r'<p class="bng-ref__back">(.*?)</p>', body).group(1)
    assert re.sub(r"<[^>]+>", "", back) == "↩ a b c"


def test_citation_syntax_in_code_and_email_is_left_alone(fixture_site: Path) -> None:
    html = page_html(fixture_site, "")
    assert "[@notacitation]" in html
    assert "[@alsonotacitation]" in html
    assert "editor@example.org" in html


class Inert(HTMLParser):
    """Flags anything executable: script elements, on* handlers, javascript: links."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in ("href", "src") and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value}>")
        if tag in ("img", "b", "i") and ("src", "x") in attrs:
            self.problems.append(f"<{tag}> from a bibliography field")
        self.in_script = tag == "script"

    def handle_data(self, data):
        if self.in_script and "alert(" in data:
            self.problems.append(f"script: {data[:40]}")

    def handle_endtag(self, tag):
        self.in_script = False


@pytest.mark.parametrize("page", ["guide/zinc", "bibliography"])
def test_hostile_entry_renders_as_text(fixture_site: Path, page: str) -> None:
    html = page_html(fixture_site, page)
    checker = Inert()
    checker.feed(html)
    assert not checker.problems
    assert (
        "&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt; {stray}"
        in html
    )
    assert "&lt;b&gt;Evil&lt;/b&gt; &amp; Sons" in html
    assert "<b>Evil</b>" not in html


def copy_fixture(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    return project


def use_the_worker(config: Path) -> None:
    """The fixture's bibliography is small: have bng-citations parse it in its second process anyway."""
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace(
            "      bib_file: references.bib\n",
            "      bib_file: references.bib\n      parallel_from_entries: 1\n",
        ),
        encoding="utf-8",
    )


def test_a_key_named_twice_in_one_citation_records_each_of_its_citations(tmp_path: Path) -> None:
    """``[@a; @a]`` is two citations of ``a``: citations.json and the Bibliography page's "cited in"
    link name each by its own id (both were once recorded as the second, ``cite-a-2``)."""
    project = copy_fixture(tmp_path)
    (project / "docs" / "guide" / "calcium.md").write_text(
        "# Calcium\n\nTwice [@clarke2008normal; @clarke2008normal].\n", encoding="utf-8"
    )
    site = tmp_path / "site"
    result = build_site(project / "mkdocs.yml", site)
    assert result.returncode == 0, result.stderr
    ids = ["cite-clarke2008normal-1", "cite-clarke2008normal-2"]
    assert [m[0] for m in CITATION.findall(page_html(site, "guide/calcium"))] == ids
    usage = json.loads((site / "data" / "citations.json").read_text(encoding="utf-8"))
    assert [c["citation"] for c in usage["clarke2008normal"] if c["src"] == "guide/calcium.md"] == ids
    cited_in = re.findall(
        r'href="\.\./guide/calcium/[^"]*" data-cite-id="([^"]+)"', page_html(site, "bibliography")
    )
    assert cited_in == ids[:1]


def test_unknown_key_fails_the_build_with_file_line_and_suggestion(tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    page = project / "docs" / "guide" / "calcium.md"
    page.write_text(
        "# Calcium\n\nIntro.\n\nMisspelt [@clarke2008norma; @yamaguchi2010role].\n", encoding="utf-8"
    )
    result = build_site(project / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0
    assert (
        "guide/calcium.md:5: unknown citation key 'clarke2008norma' (not in references.bib); "
        "did you mean 'clarke2008normal'?" in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_malformed_bibliography_names_file_and_line(tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    bib = project / "references.bib"
    bib.write_text(
        bib.read_text(encoding="utf-8") + "\n@article{broken2020x,\n  title = {unclosed,\n", encoding="utf-8"
    )
    result = build_site(project / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0
    assert re.search(
        r"references\.bib:\d+:11: entry 'broken2020x': the value of 'title' opened with '\{' is not closed",
        result.stderr,
    ), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("parallel", [False, True], ids=["in-process", "worker-held-until-the-build-waits"])
def test_a_citation_of_a_malformed_entry_is_an_unknown_key(tmp_path: Path, parallel: bool) -> None:
    """The quick key scan finds the malformed entry's key, pybtex does not: a page rendered on the
    scan's word while the worker was busy is still reported once pybtex has spoken."""
    project = copy_fixture(tmp_path)
    config = project / "mkdocs.yml"
    if parallel:
        use_the_worker(config)
    bib = project / "references.bib"
    bib.write_text(
        bib.read_text(encoding="utf-8") + "\n@article{broken2020x,\n  title = {unclosed,\n", encoding="utf-8"
    )
    (project / "docs" / "guide" / "calcium.md").write_text(
        "# Calcium\n\nIntro.\n\nCited [@broken2020x].\n", encoding="utf-8"
    )
    gate = tmp_path / "worker-gate"
    result = build_site(config, tmp_path / "site", {WORKER_GATE: str(gate)})
    assert result.returncode != 0
    assert gate.exists() == parallel  # the worker path was taken, and held until the build waited
    assert result.stderr.count("guide/calcium.md:5: unknown citation key 'broken2020x'") == 1, result.stderr


def test_duplicate_key_names_its_line(tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    bib = project / "references.bib"
    text = bib.read_text(encoding="utf-8")
    bib.write_text(text + "\n@misc{odsndzinc, title = {Again}}\n", encoding="utf-8")
    result = build_site(project / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0
    assert f"references.bib:{text.count(chr(10)) + 2}:7: duplicate key 'odsndzinc'" in result.stderr, (
        result.stderr
    )


def test_serve_rebuilds_reuse_the_bibliography_until_the_file_changes(tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    config = load_config(str(project / "mkdocs.yml"))
    plugin = config.plugins["bng-citations"]
    assert isinstance(plugin, CitationsPlugin)
    plugin.on_startup(command="serve", dirty=False)
    plugin.on_config(config)
    first = plugin.bibliography
    assert first is not None
    plugin.on_config(config)
    assert plugin.bibliography is first, "an unchanged bibliography was parsed again"
    bib = project / "references.bib"
    bib.write_text(
        bib.read_text(encoding="utf-8") + "\n@misc{new2024entry, title = {New}}\n", encoding="utf-8"
    )
    plugin.on_config(config)
    assert plugin.bibliography is not first
    assert "new2024entry" in plugin.bibliography.entries


def test_disk_cache_skips_pybtex_for_unchanged_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bib = tmp_path / "references.bib"
    shutil.copy(FIXTURE / "references.bib", bib)
    cold = load_bibliography(bib, tmp_path / "cache")

    def no_parse(path: Path):
        raise AssertionError("pybtex ran although the cache holds this file")

    monkeypatch.setattr(citations, "_parse", no_parse)
    warm = load_bibliography(bib, tmp_path / "cache")
    assert warm.entries == cold.entries
    assert warm.csl_json == cold.csl_json
    bib.write_text(
        bib.read_text(encoding="utf-8") + "\n@misc{new2024entry, title = {New}}\n", encoding="utf-8"
    )
    with pytest.raises(AssertionError, match="pybtex ran"):
        load_bibliography(bib, tmp_path / "cache")


def test_disk_cache_key_covers_every_module_of_the_package_loaded() -> None:
    """keys.py and identifiers.py shape the formatted text too: editing any of them must not serve
    the old output (a hand-kept list of the formatter's files once left keys.py out)."""
    loaded = {
        Path(module.__file__).resolve()
        for name, module in sys.modules.items()
        if name.split(".")[0] == "boneguide" and getattr(module, "__file__", None)
    }
    assert Path(citations.references_format.__file__).resolve() in loaded
    assert loaded <= {source.resolve() for source in files.PACKAGE_SOURCES}


def test_disk_cache_is_json_keyed_by_versions_and_pruned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bib = tmp_path / "references.bib"
    shutil.copy(FIXTURE / "references.bib", bib)
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / f"{'a' * 32}.pickle").write_bytes(b"not data")  # an earlier release's cache
    (cache / "notes.json").write_text("{}")  # not the cache's: a shared folder keeps it
    load_bibliography(bib, cache)
    (written,) = [f for f in cache.glob("*.json") if f.name != "notes.json"]
    payload = json.loads(written.read_text(encoding="utf-8"))  # data, never code
    assert payload["versions"][0].startswith("boneguide ") and payload["versions"][1].startswith("pybtex ")
    assert not list(cache.glob("*.pickle"))
    monkeypatch.setattr(files, "CACHE_VERSIONS", ("boneguide 99", "pybtex 99"))
    load_bibliography(bib, cache)  # another pybtex: not served the old output
    assert len(list(cache.glob("*.json"))) == 3
    for n in range(6):
        bib.write_text(
            bib.read_text(encoding="utf-8") + f"\n@misc{{extra{n}x, title = {{X}}}}\n", encoding="utf-8"
        )
        load_bibliography(bib, cache)
    assert len(list(cache.glob("*.json"))) == citations.CACHE_KEEP + 1
    assert (cache / "notes.json").exists()


# The real site, built once per session by conftest.


def test_real_site_every_citation_links_to_a_reference_entry(built_site: Path) -> None:
    problems = []
    for page in sorted(built_site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        entries = {key for key, _n, _b in REFERENCE.findall(html)}
        for cite_id, key, *_ in CITATION.findall(html):
            if key not in entries:
                problems.append(f"{page.relative_to(built_site)}: {cite_id} -> no #ref-{key}")
    assert not problems, "\n".join(problems)


def _markdown_citation_keys(root: Path) -> set[str]:
    """Keys cited in docs/: in the text, and in the data that the generated tables are made from
    (nutrient front matter and study records), read as data rather than through the renderer."""
    from boneguide import frontmatter

    config = load_config(str(root / "mkdocs.yml"))
    docs = Path(config.docs_dir)
    keys: set[str] = set()
    for path in sorted(docs.rglob("*.md")):
        src_uri = path.relative_to(docs).as_posix()
        if src_uri.startswith("_snippets/"):
            continue
        text = path.read_text(encoding="utf-8")
        keys |= {key for citation in find_citations(text) for key in citation.keys}
        if src_uri.startswith("nutrients/"):
            keys |= frontmatter.data_keys(frontmatter.validate_nutrient_page(path, text))
    for path in sorted((root / "studies").glob("*.yml")):
        keys |= {record["key"] for record in frontmatter.validate_studies_file(path)}
    for path in sorted((root / "sources").glob("*/claims.yml")):  # the Sources page's checked claims
        text = path.read_text(encoding="utf-8")
        keys |= {key for citation in find_citations(text) for key in citation.keys}
    return keys


def test_real_site_cites_exactly_the_keys_a_markdown_scan_finds(built_site: Path, root: Path) -> None:
    rendered = {
        key
        for page in built_site.rglob("*.html")
        for key in re.findall(r'data-citation-key="([a-z0-9]+)"', page.read_text(encoding="utf-8"))
    }
    assert rendered == _markdown_citation_keys(root)


@pytest.mark.parametrize("held", [False, True], ids=["worker-free", "worker-held-until-the-build-waits"])
def test_parsing_in_a_second_process_renders_the_same_site(
    tmp_path: Path, fixture_site: Path, held: bool
) -> None:
    """With a worker held back until the build first waits for it, pages are built before their
    entries exist and are completed at the end."""
    project = copy_fixture(tmp_path)
    config = project / "mkdocs.yml"
    use_the_worker(config)
    gate = tmp_path / "worker-gate"
    result = build_site(config, tmp_path / "site", {WORKER_GATE: str(gate)} if held else {})
    assert result.returncode == 0, result.stderr
    assert gate.exists() == held  # the build did wait for the held worker
    for page in ("guide/zinc", "bibliography"):
        assert page_html(tmp_path / "site", page) == page_html(fixture_site, page), page
    assert (tmp_path / "site" / "downloads" / "references.csl.json").read_bytes() == (
        fixture_site / "downloads" / "references.csl.json"
    ).read_bytes()
