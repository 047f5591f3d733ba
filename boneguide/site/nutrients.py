"""MkDocs plugin: nutrient front matter -> intake tables, the at-a-glance table, tags and a JSON file.

Every intake value on the site is typed once, in a nutrient page's front matter, and rendered here.
Placeholders (HTML comments, so a page stays readable without the plugin):
  <!-- bng:intake-table -->   the page's own adult intake and upper-level tables
  <!-- bng:at-a-glance -->    one comparison row per nutrient page
"""

from __future__ import annotations

import json
import posixpath
from pathlib import Path
from typing import Any

from mkdocs.config import base, config_options
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from boneguide import frontmatter

log = get_plugin_logger(__name__)

INTAKE_MARKER = "<!-- bng:intake-table -->"
GLANCE_MARKER = "<!-- bng:at-a-glance -->"
KIND_LABELS = {
    "vitamin": "Vitamin",
    "macromineral": "Macromineral",
    "trace-element": "Trace element",
    "phytoestrogen": "Phytoestrogen",
    "other": "Other",
}
EVIDENCE_LABELS = {"high": "High", "moderate": "Moderate", "low": "Low", "very-low": "Very low"}
EVIDENCE_PAGE = "overview/evidence.md"


class NutrientDataConfig(base.Config):
    pages_dir = config_options.Type(str, default="nutrients")
    json_path = config_options.Type(str, default="data/nutrients.json")


def _number(amount: float) -> str:
    # ",g" would print 1e+06; round away float noise such as 15 * 40.000001.
    return f"{round(amount, 6):,f}".rstrip("0").rstrip(".")


def format_amount(amount: float, unit: str, alt: dict[str, Any] | None = None) -> str:
    """'15 µg (600 IU)': the second unit only when the amount is in the unit it converts from."""
    text = f"{_number(amount)} {unit.removesuffix('/day')}"
    if alt and alt["unit"] != unit:
        text += f" ({_number(amount * alt['factor'])} {alt['unit'].removesuffix('/day')})"
    return text


def _span(amounts: list[float]) -> str:
    return _number(amounts[0]) if len(amounts) == 1 else f"{_number(amounts[0])}–{_number(amounts[-1])}"


def _age_key(ages: str) -> tuple[int, int]:
    low, _, high = ages.replace("+", "–999").partition("–")
    return int(low), int(high or low)


def intake_tables(data: dict[str, Any]) -> str:
    """Markdown for one page's 'How much' tables, each value cited."""
    intake = data["intake"]
    unit, alt = intake["unit"], intake.get("alt_unit")
    default_key = intake["source"]
    lines: list[str] = []
    if intake["values"]:
        kinds = sorted({v["type"] for v in intake["values"]})
        label = " or ".join(
            {"RDA": "Recommended Dietary Allowance (RDA)", "AI": "Adequate Intake (AI)"}[k] for k in kinds
        )
        lines += [f"**Adults: {label}, per day.** Set by the {intake['authority']} [@{default_key}].", ""]
        if alt:
            lines += [
                f"Amounts in brackets are in {alt['unit'].removesuffix('/day')} [@{alt['source']}].",
                "",
            ]
        lines += ["| Ages (years) | Women | Men |", "| --- | --- | --- |"]
        rows: dict[str, dict[str, str]] = {}
        for value in intake["values"]:
            cell = f"{format_amount(value['amount'], unit, alt)} ({value['type']})"
            if value.get("source") and value["source"] != default_key:
                cell += f" [@{value['source']}]"
            if value.get("note"):
                cell += f" — {_cell(value['note'])}"
            sexes = ("female", "male") if value["sex"] == "all" else (value["sex"],)
            for sex in sexes:
                rows.setdefault(value["ages"], {})[sex] = cell
        for ages in sorted(rows, key=_age_key):
            row = rows[ages]
            lines.append(f"| {ages} | {row.get('female', '—')} | {row.get('male', '—')} |")
        lines.append("")
    else:
        lines += [f"**No RDA or AI.** {intake['no_reference_value']}", ""]
    if intake["upper_limits"]:
        lines += [
            "**Tolerable Upper Intake Level (UL), adults, per day.**",
            "",
            "| Population | Ages (years) | UL | Applies to |",
            "| --- | --- | --- | --- |",
        ]
        for limit in sorted(intake["upper_limits"], key=lambda v: _age_key(v["ages"])):
            cite = f" [@{limit.get('source', default_key)}]"
            limit_unit = limit.get("unit", unit)
            amount = format_amount(limit["amount"], limit_unit, alt if limit_unit == unit else None)
            note = f" — {_cell(limit['note'])}" if limit.get("note") else ""
            lines.append(
                f"| {_cell(limit['group'])} | {limit['ages']} | {amount}{cite}{note} | {limit['applies_to']} |"
            )
        lines.append("")
    else:
        lines += [
            "**No Tolerable Upper Intake Level (UL) has been set** by the "
            f"{intake['authority']} [@{default_key}]. That is not proof of safety at any dose.",
            "",
        ]
    lines += [f"- {note}" for note in intake.get("notes", [])]
    return "\n".join(lines) + "\n"


def adult_range(data: dict[str, Any]) -> str:
    """At-a-glance cell: the span of adult RDA/AI values, cited ('8–11 mg (RDA)')."""
    intake = data["intake"]
    values = [v for v in intake["values"] if _age_key(v["ages"])[0] >= 19]
    if not values:
        return "None set"
    amounts = sorted({v["amount"] for v in values})
    unit, alt = intake["unit"], intake.get("alt_unit")
    text = f"{_span(amounts)} {unit.removesuffix('/day')}"
    if alt and alt["unit"] != unit:
        text += f" ({_span([a * alt['factor'] for a in amounts])} {alt['unit'].removesuffix('/day')})"
    kinds = "/".join(sorted({v["type"] for v in values}))
    return f"{text} ({kinds}) [@{intake['source']}]"


def adult_upper(data: dict[str, Any]) -> str:
    """At-a-glance cell: the span of adult ULs, with what they apply to unless total intake."""
    intake = data["intake"]
    limits = [v for v in intake["upper_limits"] if _age_key(v["ages"])[0] >= 19]
    if not limits:
        return "None set"
    amounts = sorted({v["amount"] for v in limits})
    unit = limits[0].get("unit") or intake["unit"]
    text = f"{_span(amounts)} {unit.removesuffix('/day')}"
    alt = intake.get("alt_unit")
    if alt and unit == intake["unit"] and alt["unit"] != unit:
        text += f" ({_span([a * alt['factor'] for a in amounts])} {alt['unit'].removesuffix('/day')})"
    scopes = sorted({v["applies_to"] for v in limits} - {"total intake"})
    scope = f", {'; '.join(scopes)}" if scopes else ""
    sources = sorted({v.get("source", intake["source"]) for v in limits})
    return f"{text}{scope} [{'; '.join('@' + key for key in sources)}]"


def _cell(text: str) -> str:
    # A literal "|" in front-matter text would split a Markdown table cell.
    return text.replace("|", "\\|")


def _readable_path(path: Path, project: Path) -> Path:
    """docs/nutrients/zinc.md rather than an absolute path, so messages read like file:line."""
    try:
        return path.resolve().relative_to(project.resolve())
    except ValueError:
        return path


class NutrientDataPlugin(BasePlugin[NutrientDataConfig]):
    def __init__(self) -> None:
        self.nutrients: dict[str, dict[str, Any]] = {}

    def on_files(self, files: Files, *, config: Any) -> Files:
        self.nutrients = {}
        problems: list[str] = []
        prefix = self.config.pages_dir.rstrip("/") + "/"
        for file in files.documentation_pages():
            if not file.src_uri.startswith(prefix) or file.src_uri.endswith("index.md"):
                continue
            source = Path(file.abs_src_path)
            shown = _readable_path(source, Path(config["config_file_path"]).parent)
            try:
                text = source.read_text(encoding="utf-8")
                self.nutrients[file.src_uri] = frontmatter.validate_nutrient_page(shown, text)
            except frontmatter.FrontMatterError as error:
                problems.extend(str(p) for p in error.problems)
            except UnicodeDecodeError as error:
                problems.append(f"{shown}:1: not UTF-8 text ({error.reason} at byte {error.start})")
        if problems:
            raise PluginError("Invalid nutrient front matter:\n  " + "\n  ".join(problems))
        return files

    def _glance_table(self, page: Page) -> str:
        lines = [
            "| Nutrient | Kind | Evidence for bone | Adult RDA/AI per day | Adult upper level per day |",
            "| --- | --- | --- | --- | --- |",
        ]
        evidence_link = posixpath.relpath(EVIDENCE_PAGE, posixpath.dirname(page.file.src_uri) or ".")
        for src_uri, data in sorted(self.nutrients.items(), key=lambda item: item[1]["title"].lower()):
            link = posixpath.relpath(src_uri, posixpath.dirname(page.file.src_uri) or ".")
            level = EVIDENCE_LABELS[data["evidence_level"]]
            lines.append(
                f"| [{_cell(data['title'])}]({link}) | {KIND_LABELS[data['kind']]} | "
                f"[{level}]({evidence_link}#{data['evidence_level']}): {_cell(data['evidence_summary'])} | "
                f"{adult_range(data)} | {adult_upper(data)} |"
            )
        return "\n".join(lines) + "\n"

    def on_page_markdown(self, markdown: str, *, page: Page, config: Any, files: Files) -> str:
        data = self.nutrients.get(page.file.src_uri)
        if data is not None:
            tags = list(page.meta.get("tags") or [])
            for tag in (KIND_LABELS[data["kind"]], f"Evidence: {EVIDENCE_LABELS[data['evidence_level']]}"):
                if tag not in tags:
                    tags.append(tag)
            page.meta["tags"] = tags
            page.meta.setdefault("description", data["summary"])
            markdown = markdown.replace(INTAKE_MARKER, intake_tables(data))
        elif INTAKE_MARKER in markdown:
            raise PluginError(
                f"{page.file.src_uri}: {INTAKE_MARKER} on a page outside "
                f"{self.config.pages_dir}/ has no intake data to render"
            )
        if GLANCE_MARKER in markdown:
            markdown = markdown.replace(GLANCE_MARKER, self._glance_table(page))
        return markdown

    def on_post_build(self, *, config: Any) -> None:
        target = Path(config["site_dir"]) / self.config.json_path
        target.parent.mkdir(parents=True, exist_ok=True)
        records = [
            {"page": src_uri.removesuffix(".md") + "/", **data}
            for src_uri, data in sorted(self.nutrients.items())
        ]
        payload = {"schema": "nutrient-page.schema.json", "nutrients": records}
        target.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
