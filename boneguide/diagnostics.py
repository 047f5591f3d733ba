"""The one diagnostic type: a message at a file, line and column, with a severity and a stable code.

Every reader of input (front matter, citation lists, the BibTeX scanner) and every check returns
these; the checker's renderers (checks/report.py) print them for people, GitHub and tools.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, order=True)
class Finding:
    path: str  # relative to the project (the folder of mkdocs.yml) where possible
    line: int  # 1-based; 0 when the problem concerns the whole file
    col: int  # 1-based; 0 when unknown
    severity: Severity
    code: str  # stable identifier, e.g. "citation-unknown-key"
    message: str

    @property
    def location(self) -> str:
        """path, path:line or path:line:col, as editors and compilers write it."""
        if not self.line:
            return self.path
        return f"{self.path}:{self.line}:{self.col}" if self.col else f"{self.path}:{self.line}"

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


def display_path(path: Path, project_dir: Path) -> str:
    """docs/nutrients/zinc.md rather than an absolute path, so a message reads like file:line."""
    try:
        return path.resolve().relative_to(project_dir.resolve()).as_posix()
    except ValueError:
        return str(path)
