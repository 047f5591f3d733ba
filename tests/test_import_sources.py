"""The import command (scripts/import_sources.py) and the Sources page rendered from its data."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest
from sitebuild import build_site

from boneguide.citelists import load_sources
from boneguide.site.sources import index_bibliography, render_sources

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


importer = load_script("import_sources")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "sources", tmp_path / "sources", ignore=shutil.ignore_patterns("generated-entries.json")
    )
    return tmp_path


def run(project: Path, *extra: str) -> int:
    return importer.main(
        ["--sources", str(project / "sources"), "--bib", str(project / "references.bib"), *extra]
    )


def test_import_reports_counts_inconsistency_and_unresolved(project: Path, capsys) -> None:
    assert run(project) == 0
    out = capsys.readouterr().out
    assert "84 works from the source lists" in out
    assert "37 verified" in out and "13 partial" in out and "34 unverified" in out
    assert "25 unresolved list items" in out
    assert "inconsistency: healthline-osteoporosis-supplements marker 33 maps to different works" in out
    assert "unresolved: lifeext-2023-zinc-bone:28: no source recoverable" in out
    assert "discrepancy: lifeext-2023-zinc-bone:16 cites it as 2014; the record read gives 2015." in out


def test_second_run_is_byte_identical_and_check_passes(project: Path, capsys) -> None:
    assert run(project) == 0
    bib = project / "references.bib"
    first = bib.read_bytes()
    assert run(project, "--check") == 0
    assert run(project) == 0
    assert bib.read_bytes() == first
    assert "file unchanged" in capsys.readouterr().out


def test_check_fails_when_out_of_date(project: Path, capsys) -> None:
    assert run(project) == 0
    bib = project / "references.bib"
    text = bib.read_text(encoding="utf-8")
    start = text.index("@article{burt2019effect,")
    bib.write_text(text[:start] + text[text.index("\n}\n", start) + 3 :], encoding="utf-8")  # entry deleted
    assert run(project, "--check", "-q") == 1
    assert "out of date" in capsys.readouterr().err


def test_malformed_line_is_reported_with_file_and_line_and_nothing_written(project: Path, capsys) -> None:
    assert run(project, "-q") == 0
    bib = project / "references.bib"
    before = bib.read_bytes()
    refs = project / "sources" / "lifeext-2023-zinc-bone" / "references.txt"
    lines = refs.read_text(encoding="utf-8").splitlines()
    lines.insert(3, "#### broken paste ####")
    # Half an item: read on its own it became a junk entry ('thirtyone2020j').
    lines.insert(4, "31. J. 2020.")
    refs.write_text("\n".join(lines) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert run(project, "-q") == 1
    err = capsys.readouterr().err
    assert f"warning: {refs}:4: not a numbered item, skipped: '#### broken paste ####'" in err
    assert f"{bib}: not written: fix the problems above first" in err
    assert bib.read_bytes() == before


def test_a_missing_citation_list_is_an_error_naming_it_and_nothing_is_written(project: Path, capsys) -> None:
    assert run(project, "-q") == 0
    bib = project / "references.bib"
    before = bib.read_bytes()
    assert "lifeext-2023-zinc-bone" in before.decode()  # provenance (cited-in) that must survive
    refs = project / "sources" / "lifeext-2023-zinc-bone" / "references.txt"
    refs.unlink()
    assert run(project, "-q") == 2
    err = capsys.readouterr().err
    assert err == f"error: {refs}: missing (each source folder needs its citation list)\n"
    assert bib.read_bytes() == before


def test_a_yaml_error_in_source_yml_is_one_line_with_its_line(project: Path, capsys) -> None:
    meta = project / "sources" / "lifeext-2023-zinc-bone" / "source.yml"
    meta.write_text("id: x\ntitle: [unclosed\nformat: vancouver\n", encoding="utf-8")
    assert run(project, "-q") == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {meta}:") and err.count("\n") == 1
    assert "not valid YAML" in err and "Traceback" not in err
    assert not (project / "references.bib").exists()


def test_comments_and_comment_blocks_are_kept(project: Path) -> None:
    assert run(project, "-q") == 0
    bib = project / "references.bib"
    text = bib.read_text(encoding="utf-8")
    generated = text.index("@article{burt2019effect,")
    text = (
        text[:generated]
        + "% Checked against the journal's page, 2026-01-10.\n"
        + "@comment{burt2019effect: the dose is 10,000 IU, not 1,000 IU}\n"
        + text[generated:]
        + "\n% Added by hand: keep near the end.\n@misc{handadded2020note,\n  title = {A note},\n}\n"
        + "\n% The last word.\n"
    )
    bib.write_text(text, encoding="utf-8")
    assert run(project, "-q") == 0
    after = bib.read_text(encoding="utf-8")
    assert (
        "% Checked against the journal's page, 2026-01-10.\n"
        "@comment{burt2019effect: the dose is 10,000 IU, not 1,000 IU}\n"
        "@article{burt2019effect," in after
    )
    assert "% Added by hand: keep near the end.\n@misc{handadded2020note," in after
    assert after.endswith("% The last word.\n")
    assert run(project, "--check", "-q") == 0  # and a rerun changes nothing


def test_ctrl_c_is_one_line_and_exit_130(project: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(importer, "run_import", interrupted)
    assert run(project) == 130
    assert capsys.readouterr().err == "interrupted\n"


def test_bad_bibliography_is_a_clear_error_not_a_traceback(project: Path, capsys) -> None:
    (project / "references.bib").write_text(
        "@article{a,\n  title = {x}\n\n@misc{b, title = {y}}\n", encoding="utf-8"
    )
    assert run(project) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {project / 'references.bib'}:")
    assert "Traceback" not in err


def test_extract_markers_prints_groups(tmp_path: Path, capsys) -> None:
    article = tmp_path / "article.txt"
    article.write_text(
        "Bone ( 1 ,  2 ).\nMore (19 ).\n\nReferences:\nhttps://x.org/( 3 )\n", encoding="utf-8"
    )
    assert importer.main(["--extract-markers", str(article)]) == 0
    assert capsys.readouterr().out == "1 2\n19\n"


# --- the Sources page ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sources_markdown() -> str:
    return render_sources(load_sources(ROOT / "sources"), index_bibliography(ROOT / "references.bib"))


def test_sources_page_summarises_each_source(sources_markdown: str) -> None:
    assert "| [Zinc's Role in Bone Health](#lifeext-2023-zinc-bone) | supplement vendor | 30 | 25 | 5 |" in (
        sources_markdown
    )
    assert (
        "| [Can Supplements Help Manage or Prevent Osteoporosis?](#healthline-osteoporosis-supplements) "
        "| consumer health site | 62 | 62 | 0 |" in sources_markdown
    )
    assert "| AI-generated answer | 6 | 1 | 5 |" in sources_markdown
    assert "| consumer health site | 10 | 0 | 10 |" in sources_markdown
    for source_id in ("lifeext-2023-zinc-bone", "qa-zinc-bone-calcification", "guide-vitamins-rebuild-bones"):
        assert f"{{#{source_id}}}" in sources_markdown  # anchors the Bibliography page links to


def test_sources_page_lists_unresolved_items_and_the_inconsistent_marker(sources_markdown: str) -> None:
    assert (
        "- Marker 28: no source recoverable ('Available at:' with no URL). The item reads: “Available at: Accessed January 23, 2020.”."
        in sources_markdown
    )
    assert "- Marker 10: list item not captured." in sources_markdown
    assert (
        "| 33 ⚠ | occurrence 1: `pmc7645307` (unverified); occurrence 2: `odsndvitamink` |"
        in sources_markdown
    )
    assert "Marker 33 points to different works at different places" in sources_markdown
    assert "| further-reading | `oconnor2020zinc` |" in sources_markdown


def test_sources_page_shows_when_the_bibliography_lacks_a_resolved_work(tmp_path: Path) -> None:
    bib = tmp_path / "references.bib"
    bib.write_text(
        "@misc{pmc6059859,\n  cited-in = {healthline-osteoporosis-supplements:1}\n}\n", encoding="utf-8"
    )
    markdown = render_sources(load_sources(ROOT / "sources"), index_bibliography(bib))
    assert "| 1 | `pmc6059859` |" in markdown
    assert "| 2 | not in the bibliography yet (run `make import`) |" in markdown


def write_site(tmp_path: Path) -> Path:
    """A minimal MkDocs project with only the Sources page and the bng-sources plugin."""
    shutil.copytree(ROOT / "sources", tmp_path / "sources")
    shutil.copy(ROOT / "references.bib", tmp_path / "references.bib")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Sources\n\n<!-- bng:sources -->\n", encoding="utf-8")
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        "site_name: t\nstrict: true\nplugins:\n  - bng-sources\nmarkdown_extensions:\n"
        "  - admonition\n  - attr_list\n  - tables\n",
        encoding="utf-8",
    )
    return config


@pytest.mark.slow
def test_plugin_renders_the_page_in_a_strict_build(tmp_path: Path) -> None:
    result = build_site(write_site(tmp_path), tmp_path / "site")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert 'id="healthline-osteoporosis-supplements"' in html
    assert "Marker 33 points to different works" in html
    assert "bng:sources" not in html


@pytest.mark.slow
def test_plugin_fails_the_strict_build_on_a_malformed_source_line(tmp_path: Path) -> None:
    config = write_site(tmp_path)
    markers = tmp_path / "sources" / "healthline-osteoporosis-supplements" / "markers.txt"
    markers.write_text("oops\n" + markers.read_text(encoding="utf-8"), encoding="utf-8")
    result = build_site(config, tmp_path / "site")
    assert result.returncode != 0
    assert f"{markers}:1: not a marker group, skipped: 'oops'" in result.stderr
    assert "Traceback" not in result.stderr
