"""The checker reports every problem in one pass: a bad input on one page or in the bibliography
does not hide the link and citation findings on the others (issue 18)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from checkproject import FIXTURES, TODAY, project
from mkdocs.config import load_config

from boneguide.checks import ConfigError, Options, bibliography_path, run
from boneguide.mkdocs_run import LogMessage

# The same two faults on evidence.md in both fixtures, beside a fault elsewhere.
PAGE_FINDINGS = [
    (
        "docs/evidence.md",
        5,
        81,
        "error",
        "link-broken",
        "a 'retired.md' points to a missing page (/evidence/retired.md)",
    ),
    (
        "docs/evidence.md",
        7,
        16,
        "error",
        "citation-unknown-key",
        "unknown citation key 'clarke2008normel': not in references.bib (did you mean 'clarke2008normal'?)",
    ),
]


def findings(config: Path, *, serial: bool) -> list[tuple]:
    result = run(Options(config, today=TODAY, serial=serial))
    return [(f.path, f.line, f.col, f.severity, f.code, f.message) for f in result.findings]


@pytest.mark.parametrize("serial", [True, False], ids=["serial", "background"])
def test_a_duplicate_key_and_a_broken_link_on_another_page_are_reported_in_one_run(
    tmp_path: Path, serial: bool
) -> None:
    assert findings(project(tmp_path, "one-pass-bib"), serial=serial) == [
        *PAGE_FINDINGS,
        (
            "references.bib",
            26,
            7,
            "error",
            "bib-duplicate-key",
            "duplicate key 'odsndzinc' (first defined at line 11)",
        ),
    ]


@pytest.mark.parametrize("serial", [True, False], ids=["serial", "background"])
def test_invalid_front_matter_does_not_hide_the_other_pages_findings(tmp_path: Path, serial: bool) -> None:
    result = findings(project(tmp_path, "one-pass-front-matter"), serial=serial)
    reason = (
        "kind: 'mineral' is not one of ['vitamin', 'macromineral', 'trace-element', 'phytoestrogen', 'other']"
    )
    assert result == [
        *PAGE_FINDINGS,
        ("docs/nutrients/zinc.md", 4, 0, "error", "front-matter", reason),
        (
            "mkdocs.yml",
            0,
            0,
            "error",
            "build-failed",
            f"the site does not build: Invalid nutrient data: docs/nutrients/zinc.md:4: {reason} "
            "(the checker built and checked the rest of the site)",
        ),
    ]


def test_a_plugin_error_on_one_page_leaves_the_others_built_and_checked(tmp_path: Path) -> None:
    """Any plugin's PluginError, here a hook's on one page: reported once, the rest is still checked."""
    config = project(tmp_path, "one-pass-bib")
    shutil.copy(FIXTURES / "base" / "references.bib", config.parent / "references.bib")  # no duplicate
    (config.parent / "hooks.py").write_text(
        "from mkdocs.exceptions import PluginError\n\n\n"
        "def on_page_markdown(markdown, page, **kwargs):\n"
        "    if page.file.src_uri == 'index.md':\n"
        "        raise PluginError('index.md: this hook refuses the page')\n"
        "    return markdown\n",
        encoding="utf-8",
    )
    with config.open("a", encoding="utf-8") as file:
        file.write("hooks:\n  - hooks.py\n")
    result = findings(config, serial=True)
    assert result == [
        *PAGE_FINDINGS,
        (
            "mkdocs.yml",
            0,
            0,
            "error",
            "build-failed",
            "the site does not build: index.md: this hook refuses the page "
            "(the checker built and checked the rest of the site)",
        ),
    ]


def test_a_yaml_error_in_a_source_is_reported_in_that_file_not_on_the_page_reading_it(
    tmp_path: Path,
) -> None:
    config = project(tmp_path, "one-pass-bib")
    shutil.copy(FIXTURES / "base" / "references.bib", config.parent / "references.bib")  # no duplicate
    folder = config.parent / "sources" / "broken-source"
    folder.mkdir(parents=True)
    (folder / "source.yml").write_text("id: broken-source\nformat: vancouver\ntitle: [unclosed\n")
    (folder / "references.txt").write_text("1. Clarke B. Normal bone anatomy. 2008.\n")
    (config.parent / "docs" / "sources.md").write_text("# Sources\n\n<!-- bng:sources -->\n")
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("plugins:\n", "plugins:\n  - bng-sources\n"), encoding="utf-8")
    failed = [f for f in findings(config, serial=True) if f[4] == "build-failed"]
    assert [f[:5] for f in failed] == [("sources/broken-source/source.yml", 3, 0, "error", "build-failed")]
    assert "not valid YAML" in failed[0][5]


def test_the_bibliography_is_the_citation_plugins_bib_file(tmp_path: Path) -> None:
    """Not the first plugin with a bib_file option: bng-sources, listed first, names another file."""
    config_file = project(tmp_path, None)
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(
        text.replace("plugins:\n", "plugins:\n  - bng-sources:\n      bib_file: other.bib\n").replace(
            "bib_file: references.bib", "bib_file: cited.bib"
        ),
        encoding="utf-8",
    )
    config = load_config(str(config_file))
    assert next(iter(config["plugins"])) == "bng-sources"
    assert bibliography_path(config, config_file.parent) == (config_file.parent / "cited.bib").resolve()


def test_no_citation_plugin_is_a_configuration_error(tmp_path: Path) -> None:
    config_file = project(tmp_path, None)
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(
        text.replace("  - bng-citations:\n      bib_file: references.bib\n", "  - bng-sources\n"),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="no bng-citations plugin"):
        run(Options(config_file, today=TODAY))


def test_mkdocs_link_warnings_are_left_to_the_checker_and_others_still_reported(tmp_path: Path) -> None:
    """Warnings are told apart by who logged them; MkDocs' link validation is silenced by its level."""
    from boneguide.checks import _build_warning_finding, _is_covered

    covered = LogMessage("mkdocs.plugins.bng-citations", "anything: bng-citations reports only what we check")
    other = LogMessage("mkdocs.plugins.bng-sources", "Doc file 'sources.md' says something")
    assert _is_covered(covered) and not _is_covered(other)  # run() makes findings of the others only
    finding = _build_warning_finding(other, "docs/", "mkdocs.yml", True)
    assert finding.path == "docs/sources.md" and finding.severity == "error"
    # One finding for the broken link on evidence.md, none from MkDocs' link validation.
    codes = [f[4] for f in findings(project(tmp_path, "one-pass-bib"), serial=True)]
    assert codes.count("link-broken") == 1 and "build-warning" not in codes
