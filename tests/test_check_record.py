"""`mkdocs build` leaves a record of the site it wrote, and the checker reads that site instead of
building again while the record holds (boneguide/checks/record.py, issue 18)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from checkproject import TODAY, project

from boneguide import mkdocs_run
from boneguide.checks import Options, Result, record, run

# A page beside evidence.md, at the same folder depth: the checker reads its content block only
# (the theme around it is read on evidence.md). Its raw link MkDocs does not validate: the build
# stays clean, and the checker must still find the link broken.
MORE = """# More

Some more text [@clarke2008normal], cited twice [@clarke2008normal].

<p><a href="../gone/">A page that is not there</a></p>
"""
MORE_BROKEN = (
    "docs/more.md",
    5,
    13,
    "error",
    "link-broken",
    "a '../gone/' points to a missing page (/gone/)",
)


def material_project(tmp_path: Path) -> Path:
    """The checker's base fixture with Material's theme, a second page at evidence.md's depth and
    the record plugin."""
    config_file = project(tmp_path, None)
    text = config_file.read_text(encoding="utf-8")
    text = text.replace("  name: mkdocs\n", "  name: material\n").replace(
        "plugins:\n", "plugins:\n  - bng-check-record\n"
    )
    config_file.write_text(text + "  - More: more.md\n", encoding="utf-8")
    (config_file.parent / "docs" / "more.md").write_text(MORE, encoding="utf-8")
    return config_file


def build(config_file: Path, **options: str) -> None:
    """As `mkdocs build` does (options as its command line would set them)."""
    mkdocs_run.build(mkdocs_run.load(config_file, **options))


def check(config_file: Path, *, reuse: bool = True) -> Result:
    return run(Options(config_file, today=TODAY, reuse_build=reuse))


def rows(result: Result) -> list[tuple]:
    return [(f.path, f.line, f.col, f.severity, f.code, f.message) for f in result.findings]


def record_of(config_file: Path) -> Path:
    return config_file.parent / "build" / "check-record.json"


def test_the_checker_reads_the_site_the_build_left_and_finds_what_its_own_build_finds(
    tmp_path: Path,
) -> None:
    config_file = material_project(tmp_path)
    build(config_file)
    reused = check(config_file)
    assert reused.site.startswith("the site mkdocs build wrote at "), reused.site
    assert "build_seconds" not in reused.timings
    own = check(config_file, reuse=False)
    assert own.site == "a build of its own (--rebuild)"
    assert MORE_BROKEN in rows(own)
    assert rows(reused) == rows(own)


def test_the_record_keeps_each_pages_citations_and_template(tmp_path: Path) -> None:
    config_file = material_project(tmp_path)
    build(config_file)
    pages = {page["src_uri"]: page for page in json.loads(record_of(config_file).read_text())["pages"]}
    assert sorted(pages) == ["evidence.md", "index.md", "more.md", "nutrients/zinc.md"]
    assert pages["more.md"]["citations"] == {"clarke2008normal": 2}
    assert pages["evidence.md"]["citations"] == {"clarke2008normal": 1, "iom2001dietary": 1}
    assert pages["more.md"]["dest_uri"] == "more/index.html"
    assert pages["more.md"]["template"] == "main.html"
    site, why_not = record.reusable(config_file, config_file.parent / "site", "https://example.org/guide/")
    assert site is not None, why_not
    # The theme is read on the first page of each folder depth; more.md's content block only.
    assert site.full_theme == {"index.html", "nutrients/zinc/index.html", "evidence/index.html"}


def test_an_edit_after_the_build_is_checked_not_the_site_built_before_it(tmp_path: Path) -> None:
    config_file = material_project(tmp_path)
    build(config_file)
    more = config_file.parent / "docs" / "more.md"
    more.write_text(MORE.replace("../gone/", "../evidence/"), encoding="utf-8")
    result = check(config_file)
    assert result.site == "a build of its own (the project has changed since the build)"
    assert MORE_BROKEN not in rows(result)


def test_a_site_changed_after_the_build_is_built_again(tmp_path: Path) -> None:
    config_file = material_project(tmp_path)
    build(config_file)
    page = config_file.parent / "site" / "more" / "index.html"
    page.write_text(page.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    result = check(config_file)
    assert result.site.startswith("a build of its own ("), result.site
    assert result.site.endswith("site has changed since the build)"), result.site


def test_only_a_clean_build_of_the_projects_own_site_leaves_a_record(tmp_path: Path) -> None:
    config_file = material_project(tmp_path)
    record = record_of(config_file)
    build(config_file, site_dir=str(tmp_path / "elsewhere"))  # an export's or a preview's build
    assert not record.exists()
    build(config_file)
    assert record.is_file()
    evidence = config_file.parent / "docs" / "evidence.md"
    evidence.write_text(evidence.read_text() + "\nSee [a page](missing.md).\n", encoding="utf-8")
    build(config_file)  # MkDocs warns of the link: a strict build would stop
    assert not record.exists()
    result = check(config_file)
    assert result.site.startswith("a build of its own (no build/check-record.json"), result.site


def test_a_record_from_before_a_checkout_is_not_reused(tmp_path: Path) -> None:
    """Same sizes, older times: what a checkout of another commit with equal-sized files looks like."""
    config_file = material_project(tmp_path)
    build(config_file)
    bib = config_file.parent / "references.bib"
    stat = bib.stat()
    os.utime(bib, ns=(stat.st_atime_ns, stat.st_mtime_ns - 10**9))
    assert check(config_file).site == "a build of its own (the project has changed since the build)"


def test_a_record_edited_by_hand_is_set_aside_not_a_crash(tmp_path: Path) -> None:
    config_file = material_project(tmp_path)
    build(config_file)
    path = record_of(config_file)
    data = json.loads(path.read_text())
    data["pages"] = [{"src_uri": "index.md"}]  # the rest of each page's fields gone
    path.write_text(json.dumps(data), encoding="utf-8")
    result = check(config_file)
    assert result.site == "a build of its own (build/check-record.json is unreadable: KeyError: 'dest_uri')"
    assert MORE_BROKEN in rows(result)


def test_a_build_without_git_still_gets_its_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Page history leaves dates out where there is no git; the record must not stop the build."""
    config_file = material_project(tmp_path)
    with_git = record.inputs_fingerprint(config_file.parent, config_file.parent / "site")
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs"))
    assert record.inputs_fingerprint(config_file.parent, config_file.parent / "site") == with_git
