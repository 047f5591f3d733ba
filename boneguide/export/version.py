"""The edition label printed on the PDF cover and the offline copy: build date and git commit."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

# Paths whose uncommitted changes make an export differ from its commit.
CONTENT_PATHS = ("docs", "references.bib", "mkdocs.yml", "overrides")


def git_output(root: Path, *args: str) -> str | None:
    """What ``git args`` prints in ``root``, or None outside a git checkout or without git."""
    try:
        result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return result.stdout.strip()


def current_edition(root: Path) -> str:
    """'<date>, commit <hash>', then ' with local changes' when the content differs from the commit.

    The date is the build's (UTC), or SOURCE_DATE_EPOCH's for reproducible builds; the commit is a
    short hash, or "unknown" outside a git checkout.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch and epoch.isdigit() else datetime.now(UTC)
    commit = git_output(root, "rev-parse", "--short=10", "HEAD")
    status = git_output(root, "status", "--porcelain", "--", *CONTENT_PATHS) if commit else None
    suffix = " with local changes" if status else ""
    return f"{moment.date().isoformat()}, commit {commit or 'unknown'}{suffix}"
