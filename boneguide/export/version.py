"""The edition label printed on the PDF cover and the offline copy: build date and git commit."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

# Paths whose uncommitted changes make an export differ from its commit.
CONTENT_PATHS = ("docs", "references.bib", "mkdocs.yml", "overrides")


@dataclass(frozen=True)
class Edition:
    date: str  # ISO date of the build (UTC), or of SOURCE_DATE_EPOCH for reproducible builds
    commit: str  # short commit hash, or "unknown" outside a git checkout
    modified: bool  # content differs from the commit

    @property
    def label(self) -> str:
        suffix = " with local changes" if self.modified else ""
        return f"{self.date}, commit {self.commit}{suffix}"


def _git(root: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return result.stdout.strip()


def current_edition(root: Path) -> Edition:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch and epoch.isdigit() else datetime.now(UTC)
    commit = _git(root, "rev-parse", "--short=10", "HEAD")
    status = _git(root, "status", "--porcelain", "--", *CONTENT_PATHS) if commit else None
    return Edition(date=moment.date().isoformat(), commit=commit or "unknown", modified=bool(status))
