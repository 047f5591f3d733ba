"""scripts/validate_frontmatter.py: broken front matter is reported at file:line, exit 1."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import validate_frontmatter

from boneguide.scaffold import render_page


def test_valid_page_passes(tmp_path: Path) -> None:
    import datetime as dt

    page = tmp_path / "iodine.md"
    page.write_text(render_page("Iodine", "trace-element", dt.date(2026, 1, 1)))
    assert validate_frontmatter.main([str(page)]) == 0


def test_bad_yaml_is_reported_with_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "bad.md"
    page.write_text("---\ntitle: Zinc\nkind: [unclosed\n---\n# Zinc\n")
    assert validate_frontmatter.main([str(page)]) == 1
    err = capsys.readouterr().err
    assert f"{page}:" in err and "not valid YAML" in err


def test_schema_violation_names_field_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import datetime as dt

    text = render_page("Iodine", "trace-element", dt.date(2026, 1, 1)).replace(
        "evidence_level: very-low", "evidence_level: excellent"
    )
    page = tmp_path / "iodine.md"
    page.write_text(text)
    assert validate_frontmatter.main([str(page)]) == 1
    line = text.splitlines().index("evidence_level: excellent") + 1
    assert f"{page}:{line}: evidence_level:" in capsys.readouterr().err


def test_missing_file_is_an_error_not_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert validate_frontmatter.main([str(tmp_path / "nope.md")]) == 1
    assert "cannot read" in capsys.readouterr().err
