"""Read and validate the YAML front matter of pages, reporting problems at file:line."""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any, cast

import jsonschema
import yaml

from boneguide.diagnostics import Finding

SCHEMA_DIR = Path(__file__).parent / "schema"
FENCE = "---"


def _problem(path: Path, line: int, message: str) -> Finding:
    return Finding(str(path), line, 0, "error", "front-matter", message)


class FrontMatterError(ValueError):
    def __init__(self, problems: list[Finding]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates, tagged !!timestamp or not, as the text written.

    PyYAML turns ``2026-13-45`` into a ValueError with no line; as a string it reaches the
    schema's ``format: date`` check, which reports it at its line like any other error.
    """


def _as_written(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _as_written)


# The fields that name citation keys: one key (intake.source, values[].source, a study's key) or a
# list of them (evidence[].studies, medicines[].sources). The checker locates them by these names too.
KEY_FIELDS = ("key", "source")
KEY_LISTS = ("sources", "studies")


def data_keys(value: Any) -> set[str]:
    """Citation keys named in structured data (source, key, studies, sources fields)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for name, item in value.items():
            if name in KEY_FIELDS and isinstance(item, str):
                found.add(item)
            elif name in KEY_LISTS and isinstance(item, list):
                found.update(k for k in item if isinstance(k, str))
            else:
                found |= data_keys(item)
    elif isinstance(value, list):
        for item in value:
            found |= data_keys(item)
    return found


@cache
def schema(name: str) -> dict[str, Any]:
    """SCHEMA_DIR/<name>.schema.json: nutrient-page, studies or claims."""
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


def validate_claims_file(path: Path, text: str) -> list[dict[str, Any]]:
    """Load and validate a source's claims.yml; raise FrontMatterError naming file and line."""
    data, lines = load_yaml(path, text, offset=1)
    problems = _schema_problems(path, data or [], lines, schema("claims"))
    if problems:
        raise FrontMatterError(problems)
    return data or []


def top_level_line(text: str, name: str) -> int:
    """The line of a top-level front-matter field (1 if absent), without parsing the YAML again:
    the checks that point at one field of already validated front matter would double its cost."""
    return next((n for n, line in enumerate(text.splitlines(), 1) if line.startswith(f"{name}:")), 1)


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Return (yaml text or None, body, line number where the body starts)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != FENCE:
        return None, text, 1
    for index in range(1, len(lines)):
        if lines[index].strip() in (FENCE, "..."):
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    return "".join(lines[1:]), "", len(lines) + 1


def _index_lines(
    node: yaml.Node, offset: int, lines: dict[tuple, int], prefix: tuple = ()
) -> list[tuple[str, int]]:
    """Record the 1-based line of each JSON path in ``lines``; return the keys given twice in one
    mapping (PyYAML silently keeps the last, hiding the first value)."""
    lines[prefix] = node.start_mark.line + offset
    twice: list[tuple[str, int]] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if key_node.value in seen:
                twice.append((key_node.value, key_node.start_mark.line + offset))
            seen.add(key_node.value)
            twice += _index_lines(value_node, offset, lines, (*prefix, key_node.value))
            lines[(*prefix, key_node.value)] = key_node.start_mark.line + offset
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            twice += _index_lines(item, offset, lines, (*prefix, position))
    return twice


def load(path: Path, text: str | None = None) -> tuple[dict[str, Any], dict[tuple, int]]:
    """Parse a page's front matter; raise FrontMatterError naming the file and line."""
    text = path.read_text(encoding="utf-8") if text is None else text
    raw, _body, _start = split_front_matter(text)
    if raw is None:
        return {}, {}
    data, lines = load_yaml(path, raw, offset=2)
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise FrontMatterError([_problem(path, 2, "front matter must be a mapping of keys to values")])
    return data, lines


def load_yaml(path: Path, raw: str, offset: int = 1) -> tuple[Any, dict[tuple, int]]:
    """Parse YAML that starts at line ``offset`` of ``path``: data and each JSON path's line."""
    try:
        node = yaml.compose(raw, Loader=_Loader)
        data = yaml.load(raw, Loader=_Loader)  # _Loader is a SafeLoader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + offset if mark else 1
        problem = getattr(error, "problem", None) or str(error)
        what = "front matter" if offset == 2 else "file"
        raise FrontMatterError([_problem(path, line, f"{what} is not valid YAML: {problem}")]) from None
    if node is None or data is None:
        return None, {}
    lines: dict[tuple, int] = {}
    duplicates = _index_lines(node, offset, lines)
    if duplicates:
        raise FrontMatterError(
            [_problem(path, line, f"key {key!r} is given twice") for key, line in duplicates]
        )
    return data, lines


def _non_finite(value: Any, location: tuple = ()) -> list[tuple[tuple, float]]:
    """Every NaN or infinity in the data (YAML's ``.nan``, ``.inf``), with its JSON path."""
    if isinstance(value, float) and not math.isfinite(value):
        return [(location, value)]
    if isinstance(value, dict):
        return [found for name, item in value.items() for found in _non_finite(item, (*location, name))]
    if isinstance(value, list):
        return [found for index, item in enumerate(value) for found in _non_finite(item, (*location, index))]
    return []


def _line_of(lines: dict[tuple, int], location: tuple) -> int:
    while location and location not in lines:
        location = location[:-1]
    return lines.get(location, 1)


def _schema_problems(path: Path, data: Any, lines: dict[tuple, int], schema: dict) -> list[Finding]:
    # Checked here, not left to the schema: every JSON Schema comparison with NaN is false, so
    # "maximum" lets .nan through, and the page would show "nan mg".
    non_finite = dict(_non_finite(data))
    problems = [
        _problem(
            path,
            _line_of(lines, location),
            f"{'.'.join(map(str, location)) or 'front matter'}: {value} is not a finite number",
        )
        for location, value in non_finite.items()
    ]
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        location = tuple(error.absolute_path)
        if location in non_finite:
            continue  # already reported, and "inf is greater than the maximum" would say it twice
        where = ".".join(str(p) for p in error.absolute_path) or "front matter"
        extras = _unexpected_keys(error)
        if extras:
            # jsonschema names them all in one error at the mapping's line: each gets its own.
            problems += [
                _problem(
                    path,
                    _line_of(lines, (*location, key)),
                    f"{where}: Additional properties are not allowed ({key!r} was unexpected)",
                )
                for key in extras
            ]
            continue
        problems.append(_problem(path, _line_of(lines, location), f"{where}: {_message(error)}"))
    return problems


def _message(error: jsonschema.ValidationError) -> str:
    """jsonschema's message, except for a choice of required keys, where it prints the whole mapping
    and "is not valid under any of the given schemas": name the keys to give instead."""
    branches = error.context or []
    if error.validator == "anyOf" and branches and all(b.validator == "required" for b in branches):
        given = error.instance if isinstance(error.instance, dict) else {}
        # A "required" error's validator_value is the list of keys that branch requires.
        missing = [name for b in branches for name in cast(list[str], b.validator_value) if name not in given]
        return f"give {' or '.join(map(repr, missing))}"
    return error.message


def _unexpected_keys(error: jsonschema.ValidationError) -> list[str]:
    """The keys an additionalProperties error is about (none for other errors): those not among the
    mapping's properties, as no schema in SCHEMA_DIR sets patternProperties."""
    if error.validator != "additionalProperties" or not isinstance(error.instance, dict):
        return []
    schema = error.schema if isinstance(error.schema, dict) else {}
    return [key for key in error.instance if key not in schema.get("properties", {})]


def validate_studies_file(path: Path, text: str | None = None) -> list[dict[str, Any]]:
    """Load and validate one studies/<nutrient_id>.yml file; records get 'nutrient' and 'line'."""
    text = path.read_text(encoding="utf-8") if text is None else text
    data, lines = load_yaml(path, text, offset=1)
    data = data or []
    problems = _schema_problems(path, data, lines, schema("studies"))
    if problems:
        raise FrontMatterError(problems)
    seen: dict[str, int] = {}
    for position, record in enumerate(data):
        line = lines.get((position,), 1)
        if record["key"] in seen:
            problems.append(
                _problem(
                    path,
                    line,
                    f"a second record for '{record['key']}' (the first is at line {seen[record['key']]})",
                )
            )
        seen.setdefault(record["key"], line)
        record["nutrient"] = path.stem
        record["line"] = line
    if problems:
        raise FrontMatterError(problems)
    return data


def validate_nutrient_page(path: Path, text: str | None = None) -> dict[str, Any]:
    """Load and validate a nutrient page's front matter against the JSON Schema."""
    data, lines = load(path, text)
    problems = _schema_problems(path, data, lines, schema("nutrient-page"))
    if not problems:
        problems += _intake_conflicts(path, data, lines)
    if problems:
        raise FrontMatterError(problems)
    return data


def _intake_conflicts(path: Path, data: dict[str, Any], lines: dict[tuple, int]) -> list[Finding]:
    """Two values for the same sex and ages would fill one table cell: the second would hide the first."""
    problems: list[Finding] = []
    taken: dict[tuple[str, str, str], int] = {}
    for position, value in enumerate(data["intake"]["values"]):
        sexes = ("female", "male") if value["sex"] == "all" else (value["sex"],)
        stage = value.get("stage", "")
        for sex in sexes:
            first = taken.setdefault((stage, sex, value["ages"]), position)
            if first != position:
                problems.append(
                    _problem(
                        path,
                        lines.get(("intake", "values", position), 1),
                        f"intake.values.{position}: a second value for {sex}, ages {value['ages']} "
                        f"(the first is intake.values.{first})",
                    )
                )
    return problems + _limits_below_intake(path, data, lines)


# --- life stages of intake values (the site's tables, the checks and the validation read them alike) --


def age_range(ages: str) -> tuple[float, float]:
    """(from, to) in years; '0–6 months' is (0, 0.5), '71+' is (71, 999)."""
    months = ages.endswith(" months")
    low, _, high = ages.removesuffix(" months").replace("+", "–999").partition("–")
    scale = 12 if months else 1
    return int(low) / scale, int(high or low) / scale


def stage_of(item: dict[str, Any]) -> str:
    if item.get("stage"):
        return item["stage"]
    low = age_range(item["ages"])[0]
    # Adults start at 19 in the US reports and at 18 in EFSA's; no teen range starts after 17.
    return "infants" if low < 1 else "children" if low < 14 else "teens" if low < 18 else "adults"


def _limits_below_intake(path: Path, data: dict[str, Any], lines: dict[tuple, int]) -> list[Finding]:
    """An upper level below the RDA/AI of the same people is a typing error, not advice.

    Only limits on total intake are compared: a limit on supplements alone (magnesium's 350 mg)
    may well be below the RDA, since food is not counted against it. A limit in a unit of its own
    (vitamin A's preformed retinol) cannot be compared with the intake values either.
    """
    intake = data["intake"]
    problems: list[Finding] = []
    for index, limit in enumerate(intake.get("upper_limits", [])):
        if limit.get("applies_to", "total intake") != "total intake":
            continue
        if limit.get("unit", intake.get("unit")) != intake.get("unit"):
            continue
        low, high = age_range(limit["ages"])
        for position, value in enumerate(intake["values"]):
            if stage_of(value) != stage_of(limit) or value["amount"] <= limit["amount"]:
                continue
            if limit.get("sex", "all") not in ("all", value["sex"]) and value["sex"] != "all":
                continue
            value_low, value_high = age_range(value["ages"])
            if value_high < low or high < value_low:
                continue
            unit = intake.get("unit", "")
            problems.append(
                _problem(
                    path,
                    lines.get(("intake", "upper_limits", index), 1),
                    f"intake.upper_limits.{index}: the upper level {limit['amount']:g} {unit} for ages "
                    f"{limit['ages']} is below the {value['type']} {value['amount']:g} {unit} of "
                    f"intake.values.{position} ({value['sex']}, ages {value['ages']}): one of them is "
                    "mistyped (a limit on supplements only says so in applies_to)",
                )
            )
    return problems
