"""The checker's fixture projects: a clean base with one fault overlaid (tests/fixtures/check)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "check"
TODAY = dt.date(2026, 6, 1)


def project(tmp_path: Path, overlay: str | None) -> Path:
    """The clean base fixture with one fault overlay copied over it; its mkdocs.yml."""
    target = tmp_path / "project"
    shutil.copytree(FIXTURES / "base", target)
    if overlay:
        shutil.copytree(FIXTURES / overlay, target, dirs_exist_ok=True)
    return target / "mkdocs.yml"


def findings(tmp_path: Path, overlay: str | None, *severities: str) -> list[tuple]:
    """The checker's findings on the base fixture with ``overlay``: errors and warnings by default."""
    from boneguide.checks import Options, run

    result = run(Options(project(tmp_path, overlay), today=TODAY))
    wanted = severities or ("error", "warning")
    return [
        (f.path, f.line, f.col, f.severity, f.code, f.message)
        for f in result.findings
        if f.severity in wanted
    ]
