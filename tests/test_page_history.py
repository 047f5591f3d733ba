"""Page history: last change dates come from one git log over docs/."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from boneguide.site.history import last_change_dates


def git(repo: Path, *args: str, date: str | None = None) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    if date:
        env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def test_newest_commit_date_per_page(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "nutrients").mkdir(parents=True)
    git(tmp_path, "init", "-q")
    (docs / "index.md").write_text("# Home\n")
    (docs / "nutrients" / "zinc.md").write_text("# Zinc\n")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "first", date="2024-03-01T12:00:00+00:00")
    (docs / "nutrients" / "zinc.md").write_text("# Zinc, revised\n")
    git(tmp_path, "commit", "-qam", "second", date="2025-07-09T12:00:00+00:00")
    (docs / "draft.md").write_text("# Not committed\n")

    dates = last_change_dates(docs)

    assert dates == {"index.md": "2024-03-01", "nutrients/zinc.md": "2025-07-09"}


def test_outside_git_there_are_no_dates(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    assert last_change_dates(tmp_path / "docs") == {}
