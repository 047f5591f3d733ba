"""The offline link and citation checker passes on the real site: the blocking gate CI runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from boneguide.checks import Options, run

pytestmark = pytest.mark.slow


def test_the_site_has_no_error(root: Path) -> None:
    result = run(Options(root / "mkdocs.yml"))
    errors = [
        f"{f.path}:{f.line}:{f.col}: {f.message} [{f.code}]" for f in result.findings if f.severity == "error"
    ]
    assert errors == []  # includes "build-failed": links and rendered citations were checked
