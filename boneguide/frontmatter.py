"""Read and validate the YAML front matter of pages, reporting problems at file:line."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SCHEMA_PATH = Path(__file__).parent / "schema" / "nutrient-page.schema.json"
FENCE = "---"


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class FrontMatterError(ValueError):
    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text.

    PyYAML turns ``2026-13-45`` into a ValueError with no line; as a string it reaches the
    schema's ``format: date`` check, which reports it at its line like any other error.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@cache
def nutrient_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Return (yaml text or None, body, line number where the body starts)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != FENCE:
        return None, text, 1
    for index in range(1, len(lines)):
        if lines[index].strip() in (FENCE, "..."):
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    return "".join(lines[1:]), "", len(lines) + 1


def _line_index(node: yaml.Node, prefix: tuple = ()) -> dict[tuple, int]:
    """Map each JSON path in the YAML document to its 1-based line (offset by the opening fence)."""
    index = {prefix: node.start_mark.line + 2}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            index.update(_line_index(value_node, (*prefix, key_node.value)))
            index[(*prefix, key_node.value)] = key_node.start_mark.line + 2
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            index.update(_line_index(item, (*prefix, position)))
    return index


def _duplicate_keys(node: yaml.Node) -> list[tuple[str, int]]:
    """Keys given twice in one mapping: PyYAML silently keeps the last, hiding the first value."""
    found: list[tuple[str, int]] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if key_node.value in seen:
                found.append((key_node.value, key_node.start_mark.line + 2))
            seen.add(key_node.value)
            found += _duplicate_keys(value_node)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            found += _duplicate_keys(item)
    return found


def _jsonable(value: Any) -> Any:
    # YAML turns 2026-01-31 into a date; the schema speaks JSON, where it is a string.
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def load(path: Path, text: str | None = None) -> tuple[dict[str, Any], dict[tuple, int]]:
    """Parse a page's front matter; raise FrontMatterError naming the file and line."""
    text = path.read_text(encoding="utf-8") if text is None else text
    raw, _body, _start = split_front_matter(text)
    if raw is None:
        return {}, {}
    try:
        node = yaml.compose(raw, Loader=_Loader)
        data = yaml.load(raw, Loader=_Loader)  # _Loader is a SafeLoader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        problem = getattr(error, "problem", None) or str(error)
        raise FrontMatterError([Problem(path, line, f"front matter is not valid YAML: {problem}")]) from None
    if data is None:
        return {}, {}
    duplicates = _duplicate_keys(node)
    if duplicates:
        raise FrontMatterError(
            [Problem(path, line, f"key {key!r} is given twice") for key, line in duplicates]
        )
    if not isinstance(data, dict):
        raise FrontMatterError([Problem(path, 2, "front matter must be a mapping of keys to values")])
    return _jsonable(data), _line_index(node) if node is not None else {}


def validate_nutrient_page(path: Path, text: str | None = None) -> dict[str, Any]:
    """Load and validate a nutrient page's front matter against the JSON Schema."""
    data, lines = load(path, text)
    validator = jsonschema.Draft202012Validator(
        nutrient_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    problems = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        location = tuple(error.absolute_path)
        while location and location not in lines:
            location = location[:-1]
        where = ".".join(str(p) for p in error.absolute_path) or "front matter"
        problems.append(Problem(path, lines.get(location, 1), f"{where}: {error.message}"))
    if not problems:
        problems += _intake_conflicts(path, data, lines)
    if problems:
        raise FrontMatterError(problems)
    return data


def _intake_conflicts(path: Path, data: dict[str, Any], lines: dict[tuple, int]) -> list[Problem]:
    """Two values for the same sex and ages would fill one table cell: the second would hide the first."""
    problems: list[Problem] = []
    taken: dict[tuple[str, str], int] = {}
    for position, value in enumerate(data["intake"]["values"]):
        sexes = ("female", "male") if value["sex"] == "all" else (value["sex"],)
        for sex in sexes:
            if (sex, value["ages"]) in taken:
                first = taken[(sex, value["ages"])]
                problems.append(
                    Problem(
                        path,
                        lines.get(("intake", "values", position), 1),
                        f"intake.values.{position}: a second value for {sex}, ages {value['ages']} "
                        f"(the first is intake.values.{first})",
                    )
                )
            else:
                taken[(sex, value["ages"])] = position
    return problems
