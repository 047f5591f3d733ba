"""`make serve` and the other editing targets need no root: only test, pdf, offline and bench set up Debian."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SYSTEM_SETUP = "scripts/setup_system.sh"


@pytest.fixture(scope="module")
def fresh_clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What make reads of a fresh clone: no .venv, so every stamp is out of date."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    clone = tmp_path_factory.mktemp("clone")
    for name in ("Makefile", "pyproject.toml", "requirements", "scripts"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, clone / name)
        else:
            shutil.copy(source, clone / name)
    return clone


def dry_run(clone: Path, target: str) -> str:
    result = subprocess.run(
        ["make", "-n", target], cwd=clone, capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("target", ["serve", "build", "check", "import", "enrich", "lint", "setup"])
def test_editing_targets_install_only_the_python_environment(fresh_clone: Path, target: str) -> None:
    commands = dry_run(fresh_clone, target)
    assert "requirements/requirements.lock" in commands  # the Python environment is still installed
    assert SYSTEM_SETUP not in commands
    assert "apt-get" not in commands


@pytest.mark.parametrize("target", ["test", "pdf", "offline", "setup-system"])
def test_tests_and_exports_also_install_the_debian_packages(fresh_clone: Path, target: str) -> None:
    assert f"bash {SYSTEM_SETUP}" in dry_run(fresh_clone, target)
