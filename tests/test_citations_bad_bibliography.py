"""A bad entry in references.bib is reported at its line without stopping the rest of the site (issue 18)."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mkdocs.config import load_config

from boneguide.site.citations import CitationsPlugin

FIXTURE = Path(__file__).parent / "fixtures" / "citations" / "site"
DUPLICATE = "\n@misc{odsndzinc, title = {Typed in a second time}}\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(FIXTURE, target)
    bib = target / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + DUPLICATE, encoding="utf-8")
    return target


def test_a_duplicate_key_leaves_the_other_entries_rendered(project: Path, tmp_path: Path) -> None:
    bib = project / "references.bib"
    line = bib.read_text(encoding="utf-8").count("\n")  # the duplicate is the last line
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--no-strict",
            "-f",
            str(project / "mkdocs.yml"),
            "-d",
            str(tmp_path / "site"),
        ],
        capture_output=True,
        text=True,
        cwd=project,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert result.returncode == 0, result.stderr  # not strict: the error is logged, the site is built
    assert (
        f"bng-citations: {bib}:{line}:7: duplicate key 'odsndzinc' (first defined at line " in result.stderr
    )
    page = (tmp_path / "site" / "guide" / "zinc" / "index.html").read_text(encoding="utf-8")
    assert 'data-citation-key="yamaguchi2010role"' in page
    assert 'id="ref-odsndzinc"' in page  # the first entry of the key is kept


def test_every_serve_rebuild_reports_the_problem_again(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """On a rebuild with the same file the parsed bibliography is reused; its problem is not forgotten."""
    config = load_config(str(project / "mkdocs.yml"))
    plugin = config.plugins["bng-citations"]
    assert isinstance(plugin, CitationsPlugin)
    plugin.on_startup(command="serve", dirty=False)
    for _build in range(2):
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="mkdocs.plugins.bng-citations"):
            plugin.on_config(config)
        assert [r.getMessage() for r in caplog.records if "duplicate key 'odsndzinc'" in r.getMessage()], (
            "the duplicate key was not reported on this build"
        )
