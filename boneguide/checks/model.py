"""What every check returns: findings with a location an editor can jump to."""

from __future__ import annotations

from dataclasses import asdict, dataclass
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

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


# Findings that mean the configuration names something that is not there: the run still reports
# everything else, but the exit status is 2 (configuration error), as for a ConfigError.
CONFIGURATION_CODES = frozenset({"bib-missing"})


class ConfigError(Exception):
    """The project cannot be checked at all (exit 2): unreadable config, no bibliography named."""


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(
        set(findings), key=lambda f: (f.path, f.line, f.col, SEVERITY_ORDER[f.severity], f.code, f.message)
    )
