"""Shared fixtures: the site is built once per test session, strictly, into a temporary folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
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


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built strictly once; tests read its HTML."""
    site_dir = tmp_path_factory.mktemp("site")
    result = build_site(ROOT / "mkdocs.yml", site_dir)
    if result.returncode != 0:
        pytest.fail(f"strict build failed:\n{result.stdout}\n{result.stderr}")
    return site_dir


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
