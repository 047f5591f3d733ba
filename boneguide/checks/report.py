"""Render findings for people (path:line:col), GitHub workflow annotations, or JSON for tools."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict

from boneguide.checks.model import Finding

FORMATS = ("human", "github", "json")


def summary(findings: list[Finding]) -> str:
    counts = Counter(f.severity for f in findings)
    return ", ".join(f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in ("error", "warning", "info"))


def human(findings: list[Finding]) -> str:
    lines = [f"{f.location}: {f.severity}: {f.message} [{f.code}]" for f in findings]
    lines.append(f"{summary(findings)}.")
    return "\n".join(lines) + "\n"


def _escape_data(text: str) -> str:
    # The workflow-command escaping GitHub documents for messages and for properties.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github(findings: list[Finding]) -> str:
    command = {"error": "error", "warning": "warning", "info": "notice"}
    lines = []
    for f in findings:
        props = [f"file={_escape_property(f.path)}"]
        if f.line:
            props.append(f"line={f.line}")
            if f.col:
                props.append(f"col={f.col}")
        props.append(f"title={_escape_property(f.code)}")
        lines.append(f"::{command[f.severity]} {','.join(props)}::{_escape_data(f.message)}")
    lines.append(f"{summary(findings)}.")
    return "\n".join(lines) + "\n"


def as_json(findings: list[Finding], timings: dict[str, float] | None = None) -> str:
    counts = Counter(f.severity for f in findings)
    payload = {
        "findings": [asdict(f) for f in findings],
        "summary": {s: counts[s] for s in ("error", "warning", "info")},
        "timings": timings or {},
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def render(findings: list[Finding], fmt: str, timings: dict[str, float] | None = None) -> str:
    if fmt == "github":
        return github(findings)
    if fmt == "json":
        return as_json(findings, timings)
    return human(findings)
