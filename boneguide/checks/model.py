"""What the checks return: findings with a location an editor can jump to, and the links and
identifiers the online check asks about, at the place they were written."""

from __future__ import annotations

from dataclasses import dataclass

from boneguide.diagnostics import SEVERITY_ORDER, Finding, Severity

__all__ = ["CONFIGURATION_CODES", "SEVERITY_ORDER", "ConfigError", "Finding", "Severity", "sort_findings"]


# Findings that mean the configuration names something that is not there: the run still reports
# everything else, but the exit status is 2 (configuration error), as for a ConfigError.
CONFIGURATION_CODES = frozenset({"bib-missing"})


class ConfigError(Exception):
    """The project cannot be checked at all (exit 2): unreadable config, no bibliography named."""


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(
        set(findings), key=lambda f: (f.path, f.line, f.col, SEVERITY_ORDER[f.severity], f.code, f.message)
    )


@dataclass(frozen=True)
class Target:
    """An external link or identifier for the online check (online.py), where it was written."""

    url: str
    path: str
    line: int
    col: int
    kind: str = "url"  # url | doi | pmid | pmcid
    identifier: str = ""
