"""Build a MkDocs project strictly in a subprocess (shared by conftest.py and fixture-project tests).

A module of its own because `from conftest import ...` resolves to whichever conftest.py pytest
imported last (tests/browser/ has one too), which breaks when the whole suite runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

MKDOCS = [sys.executable, "-m", "mkdocs"]


def build_site(
    config: Path, site_dir: Path, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(extra_env or {})}
    return subprocess.run(
        [*MKDOCS, "build", "--strict", "-f", str(config), "-d", str(site_dir)],
        capture_output=True,
        text=True,
        env=env,
        cwd=config.parent,
        check=False,
    )
