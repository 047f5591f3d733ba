"""Shared fixtures: the site is built once per test session, strictly, into a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitebuild import build_site

ROOT = Path(__file__).resolve().parent.parent


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
