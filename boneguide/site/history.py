"""MkDocs plugin: each page's last change date from git, shown beside its last-reviewed date.

One `git log` for the whole docs folder per build (not one per page), so the cost stays flat
as the guide grows. Outside a git checkout, or for uncommitted pages, no date is shown.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from mkdocs.plugins import BasePlugin
from mkdocs.structure.pages import Page


def last_change_dates(docs_dir: Path) -> dict[str, str]:
    """Map each path under docs_dir (relative, POSIX) to the ISO date of its last commit."""
    try:
        out = subprocess.run(  # --relative: paths relative to docs_dir, as MkDocs names pages
            ["git", "log", "--format=#%cs", "--name-only", "--no-renames", "--relative", "--", "."],
            cwd=docs_dir,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return {}
    dates: dict[str, str] = {}
    current = ""
    for line in out.splitlines():
        if line.startswith("#"):
            current = line[1:]
        elif line:
            dates.setdefault(line, current)  # newest first: keep the first seen
    return dates


class PageHistoryPlugin(BasePlugin):
    def __init__(self) -> None:
        self.dates: dict[str, str] = {}

    def on_pre_build(self, *, config: Any) -> None:
        self.dates = last_change_dates(Path(config["docs_dir"]))

    def on_page_markdown(self, markdown: str, *, page: Page, config: Any, files: Any) -> str:
        date = self.dates.get(page.file.src_uri)
        if date:
            page.meta["git_updated"] = date
        return markdown
