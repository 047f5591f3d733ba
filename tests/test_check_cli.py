"""scripts/check.py: exit codes, output formats, and no traceback on bad input."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from boneguide.checks.model import Finding
from boneguide.checks.report import github, human

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "check"

spec = importlib.util.spec_from_file_location("check_script", ROOT / "scripts" / "check.py")
assert spec and spec.loader
check_script = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_script)


def project(tmp_path: Path, overlay: str | None = None) -> Path:
    target = tmp_path / "project"
    shutil.copytree(FIXTURES / "base", target)
    if overlay:
        shutil.copytree(FIXTURES / overlay, target, dirs_exist_ok=True)
    return target / "mkdocs.yml"


def test_clean_project_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check_script.main(["-f", str(project(tmp_path))]) == 0
    assert capsys.readouterr().out == "0 errors, 0 warnings, 0 infos.\n"


def test_problems_exit_1_with_path_line_col_severity(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check_script.main(["-f", str(project(tmp_path, "unknown-key"))]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        "docs/evidence.md:5:20: error: unknown citation key 'clarke2008norml': not in references.bib "
        "(did you mean 'clarke2008normal'?) [citation-unknown-key]"
    )


def test_warnings_fail_only_when_asked(tmp_path: Path) -> None:
    config = str(project(tmp_path, "stale-review"))
    assert check_script.main(["-f", config]) == 0
    assert check_script.main(["-f", config, "--fail-on", "warning"]) == 1


def test_github_format_emits_workflow_annotations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check_script.main(["-f", str(project(tmp_path, "unknown-key")), "--format", "github"]) == 1
    first = capsys.readouterr().out.splitlines()[0]
    assert first == (
        "::error file=docs/evidence.md,line=5,col=20,title=citation-unknown-key::unknown citation key "
        "'clarke2008norml': not in references.bib (did you mean 'clarke2008normal'?)"
    )


def test_json_format_for_tools(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check_script.main(["-f", str(project(tmp_path, "not-rendered")), "--format", "json"]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert payload["summary"] == {"error": 1, "warning": 0, "info": 0}
    assert payload["findings"][0] == {
        "path": "docs/evidence.md",
        "line": 5,
        "col": 20,
        "severity": "error",
        "code": "citation-not-rendered",
        "message": "citation 'clarke2008normal' does not appear as a rendered citation in the built page evidence/index.html",
    }
    assert payload["timings"]["build_seconds"] > 0


@pytest.mark.parametrize("overlay", ["no-bibliography", "broken-config"])
def test_configuration_errors_exit_2(
    tmp_path: Path, overlay: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check_script.main(["-f", str(project(tmp_path, overlay))]) == 2
    assert "configuration error" in capsys.readouterr().err


def test_missing_config_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check_script.main(["-f", str(tmp_path / "nowhere.yml")]) == 2
    assert "config file not found" in capsys.readouterr().err


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert check_script.main(["--format", "xml"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_annotation_escaping_keeps_commas_and_newlines_out_of_the_command() -> None:
    finding = Finding("docs/a,b.md", 3, 1, "warning", "x", "two\nlines, 100%")
    assert (
        github([finding]).splitlines()[0]
        == "::warning file=docs/a%2Cb.md,line=3,col=1,title=x::two%0Alines, 100%25"
    )
    assert human([Finding("references.bib", 0, 0, "info", "bib-missing", "gone")]).startswith(
        "references.bib: info: gone [bib-missing]"
    )


@pytest.mark.parametrize("overlay", ["bib-syntax", "front-matter", "bib-duplicates"])
def test_bad_input_never_gives_a_traceback(tmp_path: Path, overlay: str) -> None:
    """As editors run it: a subprocess, from the project folder."""
    config = project(tmp_path, overlay)
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check.py")],
        cwd=config.parent,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert ": error: " in result.stdout


@pytest.mark.parametrize("option", ["--review-months", "--cache-days"])
def test_negative_ages_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    assert check_script.main(["-f", str(project(tmp_path)), option, "-5"]) == 2
    assert f"{option} must be 0 or more, not -5" in capsys.readouterr().err


def test_a_missing_bib_file_exits_2_and_still_reports_the_pages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = project(tmp_path, "malformed-key")
    (config.parent / "references.bib").unlink()
    assert check_script.main(["-f", str(config)]) == 2
    captured = capsys.readouterr()
    assert "[bib-missing]" in captured.out and "[citation-malformed-key]" in captured.out
    assert "configuration error" in captured.err


def test_ctrl_c_prints_one_line_and_exits_130(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(options: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(check_script, "run", interrupted)
    assert check_script.main(["-f", str(project(tmp_path))]) == 130
    assert capsys.readouterr().err == "check.py: interrupted\n"
