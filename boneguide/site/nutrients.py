"""MkDocs plugin: nutrient front matter and study records -> the generated tables and JSON files.

Every intake value, food amount, supplement form, medicine interaction, evidence grade and study
record on the site is typed once, as data, and rendered here. Placeholders (HTML comments, so a page
stays readable without the plugin):
  <!-- bng:evidence -->          certainty and direction per outcome (nutrient pages)
  <!-- bng:studies -->           "Studies in people", from studies/<nutrient_id>.yml
  <!-- bng:intake-table -->      intake values and upper levels for every life stage, then other authorities
  <!-- bng:foods -->             foods with amounts and the share of the adult RDA/AI
  <!-- bng:supplement-forms -->  supplement forms with the share of the element
  <!-- bng:medicines -->         the page's medicine interactions
  <!-- bng:at-a-glance -->       one comparison row per nutrient page (any page)
  <!-- bng:medicines-all -->     every interaction, by medicine class (any page)
  <!-- bng:nutrient-cards -->    a card per nutrient, for the home page (any page)
  <!-- bng:intake-checker -->    the intake checker's form and its data (any page)
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mkdocs.config import base, config_options
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from boneguide import frontmatter
from boneguide.bibfile import BibError
from boneguide.bibliography import load_bib
from boneguide.diagnostics import display_path
from boneguide.frontmatter import age_range, stage_of
from boneguide.references_format import is_others

EVIDENCE_MARKER = "<!-- bng:evidence -->"
STUDIES_MARKER = "<!-- bng:studies -->"
INTAKE_MARKER = "<!-- bng:intake-table -->"
FOODS_MARKER = "<!-- bng:foods -->"
FORMS_MARKER = "<!-- bng:supplement-forms -->"
MEDICINES_MARKER = "<!-- bng:medicines -->"
GLANCE_MARKER = "<!-- bng:at-a-glance -->"
ALL_MEDICINES_MARKER = "<!-- bng:medicines-all -->"
CARDS_MARKER = "<!-- bng:nutrient-cards -->"
CHECKER_MARKER = "<!-- bng:intake-checker -->"
PAGE_MARKERS = (EVIDENCE_MARKER, STUDIES_MARKER, INTAKE_MARKER, FOODS_MARKER, FORMS_MARKER, MEDICINES_MARKER)

KIND_LABELS = {
    "vitamin": "Vitamin",
    "macromineral": "Macromineral",
    "trace-element": "Trace element",
    "phytoestrogen": "Phytoestrogen",
    "other": "Other",
}
CERTAINTY_LABELS = {"high": "High", "moderate": "Moderate", "low": "Low", "very-low": "Very low"}
DIRECTION_LABELS = {
    "benefit": "benefit",
    "no-benefit": "no benefit",
    "harm": "harm",
    "unclear": "unclear",
    "not-studied": "not studied",
}
OUTCOME_LABELS = {
    "bone-density": "Bone density",
    "fractures": "Fractures",
    "falls": "Falls",
    "bone-turnover": "Bone turnover markers",
    "fracture-healing": "Fracture healing",
}
STAGE_TITLES = {
    "infants": "Infants",
    "children": "Children",
    "teens": "Teens",
    "adults": "Adults",
    "pregnancy": "Pregnancy",
    "lactation": "Breastfeeding",
}
TYPE_LABELS = {
    "RDA": "Recommended Dietary Allowance (RDA)",
    "AI": "Adequate Intake (AI)",
    "PRI": "Population Reference Intake (PRI)",
    "RNI": "Reference Nutrient Intake (RNI)",
    "RI": "Reference Intake (RI)",
    "safe intake": "safe intake",
    "LTI": "Lower Threshold Intake (LTI)",
}
MEDICINE_CLASSES = {
    "bisphosphonates": "Bisphosphonates",
    "levothyroxine": "Levothyroxine",
    "quinolone-antibiotics": "Quinolone antibiotics",
    "tetracycline-antibiotics": "Tetracycline antibiotics",
    "thiazide-diuretics": "Thiazide diuretics",
    "loop-diuretics": "Loop diuretics",
    "potassium-sparing-diuretics": "Potassium-sparing diuretics",
    "proton-pump-inhibitors": "Proton-pump inhibitors",
    "h2-blockers": "H2 blockers",
    "glucocorticoids": "Glucocorticoids",
    "vitamin-k-antagonists": "Warfarin and other vitamin K antagonists",
    "orlistat": "Orlistat",
    "anticonvulsants": "Anticonvulsants",
    "penicillamine": "Penicillamine",
    "bile-acid-sequestrants": "Bile-acid sequestrants",
    "cisplatin": "Cisplatin",
    "integrase-inhibitors": "HIV integrase inhibitors",
    "digoxin": "Digoxin",
    "calcium-channel-blockers": "Calcium-channel blockers",
    "statins-and-niacin": "Statins with niacin",
    "aluminium-antacids": "Aluminium-containing antacids",
    "oestrogens-and-tamoxifen": "Oestrogens and tamoxifen",
    "other": "Other medicines",
}
DESIGN_ORDER = [
    "guideline",
    "systematic review",
    "meta-analysis of trials",
    "meta-analysis of trials and observational studies",
    "meta-analysis of observational studies",
    "randomised controlled trial",
    "non-randomised trial",
    "mendelian randomisation study",
    "cohort study",
    "case-control study",
    "cross-sectional study",
]
EVIDENCE_PAGE = "overview/evidence.md"
# Words a study's population may open with that are not names, lowercased after its size ("1,200
# adults aged 60"); any other capital is kept, as lowercasing a name printed "12,216 dutch men".
ORDINARY_FIRST_WORDS = frozenset(
    [
        "adults",
        "apparently",
        "black",
        "boys",
        "breast",
        "children",
        "community-dwelling",
        "elderly",
        "female",
        "generally",
        "girls",
        "healthy",
        "infants",
        "male",
        "men",
        "middle-aged",
        "observational",
        "older",
        "participants",
        "patients",
        "people",
        "perimenopausal",
        "postmenopausal",
        "pregnant",
        "premenopausal",
        "randomised",
        "women",
        "young",
    ]
)


class NutrientDataConfig(base.Config):
    pages_dir = config_options.Type(str, default="nutrients")
    studies_dir = config_options.Type(str, default="studies")
    bib_file = config_options.Type(str, default="references.bib")
    # Pages outside pages_dir that list studies too: {studies file stem: page}, e.g. herbal products.
    study_pages = config_options.Type(dict, default={})
    # Editorial policy the checker enforces (boneguide/checks/template.py, studies.py): nutrient pages
    # keep the guide's template; each rests on at least this many study records
    # ({default: n, <nutrient_id>: n}).
    template = config_options.Type(bool, default=False)
    min_study_records = config_options.Type(dict, default={})


# --- amounts and ages ---------------------------------------------------------------------------


def _number(amount: float) -> str:
    # ",g" would print 1e+06; round away float noise such as 15 * 40.000001.
    return f"{round(amount, 6):,f}".rstrip("0").rstrip(".")


def _short_unit(unit: str) -> str:
    return unit.removesuffix("/day")


def format_amount(amount: float, unit: str, alt: dict[str, Any] | None = None) -> str:
    """'15 µg (600 IU)': the second unit only when the amount is in the unit it converts from."""
    return _amounts([amount], unit, alt)


def _amounts(amounts: list[float], unit: str, alt: dict[str, Any] | None = None) -> str:
    """format_amount for one amount or a span of sorted amounts, '8–11 mg'."""
    text = f"{_span(amounts)} {_short_unit(unit)}"
    if alt and alt["unit"] != unit:
        text += f" ({_span([_converted(a, alt['factor']) for a in amounts])} {_short_unit(alt['unit'])})"
    return text


def _converted(amount: float, factor: float) -> float:
    """``amount * factor`` to as many significant digits as ``amount`` is written with: a conversion
    adds no precision. The US report's 38 µg is its 1,500 IU rounded, so 38 x 40 = 1,520 IU is a
    limit no authority set; 1,500 IU is the one it printed."""
    digits = len(_number(amount).replace(",", "").replace(".", "").lstrip("0"))
    return float(f"{amount * factor:.{digits}g}")


def _span(amounts: list[float]) -> str:
    return _number(amounts[0]) if len(amounts) == 1 else f"{_number(amounts[0])}–{_number(amounts[-1])}"


def _ages_label(ages: str) -> str:
    return ages if ages.endswith("months") else f"{ages} years"


def _covers(limit: dict[str, Any], item: dict[str, Any]) -> bool:
    """Does an upper level's life stage and age band contain this intake value's?"""
    if stage_of(limit) != stage_of(item):
        return False
    if limit.get("sex", "all") not in ("all", item.get("sex", "all")):
        return False
    low, high = age_range(limit["ages"])
    item_low, item_high = age_range(item["ages"])
    return low <= item_low and item_high <= high


def cell(text: str) -> str:
    # A literal "|" or a line break in data text would split a Markdown table.
    return " ".join(str(text).split()).replace("|", "\\|")


def table_head(*columns: str) -> list[str]:
    """A Markdown table's header row and its separator."""
    return ["| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]


def stacked(css_class: str, table: list[str]) -> str:
    """``table`` in a block that phones show as one card per row (extra.css labels each cell)."""
    return "\n".join([f'<div class="bng-stack {css_class}" markdown>', "", *table, "", "</div>", ""]) + "\n"


def _cite(key: str | None) -> str:
    return f" [@{key}]" if key else ""


def _annotated(text: str, item: dict[str, Any], default: str) -> str:
    """``text`` with the item's own source cited (unless it is the table's ``default``) and its note."""
    if item.get("source") != default:
        text += _cite(item.get("source"))
    if item.get("note"):
        text += f" — {cell(item['note'])}"
    return text


# --- the intake tables ----------------------------------------------------------------------------


def _limit_text(limit: dict[str, Any], unit: str, alt: Any, default: str, scope: bool = False) -> str:
    """An upper level with its citation (with ``scope``, what it applies to unless total intake); the
    second unit converts the intake unit only, not a limit set in a unit of its own."""
    limit_unit = limit.get("unit", unit)
    text = format_amount(limit["amount"], limit_unit, alt if limit_unit == unit else None)
    if scope and limit.get("applies_to", "total intake") != "total intake":
        text += f" ({limit['applies_to']})"
    return _annotated(text, limit, default)


def _mixed_scopes(limits: list[dict[str, Any]]) -> bool:
    """Do the upper levels count different things? Then each says its own; else _scope_note does."""
    return len({limit["applies_to"] for limit in limits}) > 1


def _scope_note(limits: list[dict[str, Any]]) -> list[str]:
    """The sentence saying what every upper level counts, when that is one thing besides total intake."""
    scopes = {limit["applies_to"] for limit in limits}
    if len(scopes) != 1 or scopes == {"total intake"}:
        return []
    return [f"The upper level counts {scopes.pop()}, not food.", ""]


def _upper_cell(limits: list[dict[str, Any]], item: dict[str, Any], unit: str, alt: Any, default: str) -> str:
    scope = _mixed_scopes(limits)
    parts = [_limit_text(limit, unit, alt, default, scope) for limit in limits if _covers(limit, item)]
    return "; ".join(dict.fromkeys(parts)) or "—"


def _stage_table(
    title: str,
    items: list[dict[str, Any]],
    limits: list[dict[str, Any]],
    intake: dict[str, Any],
    columns: str,
) -> list[str]:
    """One life-stage table; ``columns`` is 'sex' (female/male or one column) or 'stage'."""
    unit, alt, default = intake["unit"], intake.get("alt_unit"), intake["source"]
    kinds = sorted({v["type"] for v in items})
    same_kind = len(kinds) == 1

    def value_cell(value: dict[str, Any] | None) -> str:
        if value is None:
            return "—"
        text = format_amount(value["amount"], unit, alt)
        if not same_kind:
            text += f" ({value['type']})"
        return _annotated(text, value, default)

    rows: dict[str, dict[str, dict[str, Any]]] = {}
    for value in items:
        slot = stage_of(value) if columns == "stage" else value["sex"]
        rows.setdefault(value["ages"], {})[slot] = value
    if columns == "stage":
        heads = ["pregnancy", "lactation"]
    elif all(_same_for_both_sexes(row) for row in rows.values()):
        heads = ["all"]  # one column where women and men share every value: it fits a phone
    else:
        heads = ["female", "male"]
    sexes = {"female": "Women", "male": "Men"} if title == "Adults" else {"female": "Female", "male": "Male"}
    labels = {**STAGE_TITLES, "all": "Per day", **sexes}
    kind_note = f" ({kinds[0]})" if same_kind else ""
    lines = [
        f"**{title}**{kind_note}",
        "",
        *table_head("Ages", *(labels[h] for h in heads), "Upper level"),
    ]
    for ages in sorted(rows, key=age_range):
        row = rows[ages]

        def pick(head: str, row: dict[str, dict[str, Any]] = row) -> dict[str, Any] | None:
            # A sex's column falls back to the value for both; the one column (rows alike) shows women's.
            return row.get(head) or row.get("all") or (row.get("female") if head == "all" else None)

        cells = [value_cell(pick(head)) for head in heads]
        uppers = {slot: _upper_cell(limits, value, unit, alt, default) for slot, value in row.items()}
        if len(set(uppers.values())) == 1:
            upper = next(iter(uppers.values()))
        else:
            upper = "; ".join(f"{labels.get(slot, slot)}: {text}" for slot, text in uppers.items())
        lines.append(f"| {_ages_label(ages)} | " + " | ".join(cells) + f" | {upper} |")
    return [*lines, ""]


def _same_for_both_sexes(row: dict[str, dict[str, Any]]) -> bool:
    if "all" in row and len(row) == 1:
        return True
    female, male = row.get("female"), row.get("male")
    fields = ("amount", "type", "source", "note")
    return bool(female and male and all(female.get(f) == male.get(f) for f in fields))


def intake_tables(data: dict[str, Any]) -> str:
    """Markdown for one page's 'How much' tables: every life stage, then other authorities."""
    intake = data["intake"]
    unit, alt, default = intake["unit"], intake.get("alt_unit"), intake["source"]
    values, limits = intake["values"], intake["upper_limits"]
    lines: list[str] = []
    if values:
        kinds = sorted({v["type"] for v in values})
        label = " or ".join(TYPE_LABELS[k] for k in kinds)
        lines += [
            f"**{label} per day, and the Tolerable Upper Intake Level (upper level, UL), by life "
            f"stage.** Set by the {intake['authority']} [@{default}].",
            "",
        ]
        if alt:
            lines += [f"Amounts in brackets are in {_short_unit(alt['unit'])} [@{alt['source']}].", ""]
        lines += _scope_note(limits)
        groups = [
            ("Infants and children", ("infants", "children"), "sex"),
            ("Teens", ("teens",), "sex"),
            ("Adults", ("adults",), "sex"),
            ("Pregnancy and breastfeeding", ("pregnancy", "lactation"), "stage"),
        ]
        for title, stages, columns in groups:
            items = [v for v in values if stage_of(v) in stages]
            if items:
                lines += _stage_table(title, items, limits, intake, columns)
        if any(line.startswith("|") and "| — |" in line for line in lines):
            lines += ["A dash (—) means the authority set no value for that life stage.", ""]
    else:
        lines += [f"**No RDA or AI.** {intake['no_reference_value']}", ""]
        if limits:
            lines += [
                f"**Tolerable Upper Intake Level (upper level, UL) per day**, set by the "
                f"{intake['authority']} [@{default}].",
                "",
                *_scope_note(limits),
                *table_head("Life stage", "Ages", "Upper level"),
            ]
            scope = _mixed_scopes(limits)
            for limit in sorted(
                limits, key=lambda v: (list(STAGE_TITLES).index(stage_of(v)), age_range(v["ages"]))
            ):
                upper = _limit_text(limit, unit, alt, default, scope)
                lines.append(f"| {STAGE_TITLES[stage_of(limit)]} | {_ages_label(limit['ages'])} | {upper} |")
            lines.append("")
    if not limits:
        lines += [
            f"**No Tolerable Upper Intake Level (UL) has been set** by the {intake['authority']} "
            f"[@{default}]. That is not proof of safety at any dose.",
            "",
        ]
    lines += other_authorities_table(intake)
    lines += [f"- {note}" for note in intake.get("notes", [])]
    return "\n".join(lines) + "\n"


def other_authorities_table(intake: dict[str, Any]) -> list[str]:
    authorities = intake.get("other_authorities") or []
    if not authorities:
        return []
    lines = [
        "**Other authorities.** Bodies outside the US and Canada set their own values, from the "
        "same evidence read differently; see the section on disagreements below.",
        "",
        *table_head("Authority", "Who", "Intake per day", "Upper level"),
    ]
    for body in authorities:
        unit = body["unit"]
        name = f"{cell(body['short'])}{_cite(body['source'])}"
        limits = body.get("upper_limits") or []
        upper_texts = [_limit_text(limit, unit, None, body["source"], scope=True) for limit in limits]
        used: set[int] = set()
        for value in sorted(body["values"], key=lambda v: age_range(v["ages"])):
            text = _annotated(
                f"{format_amount(value['amount'], unit)} ({value['type']})", value, body["source"]
            )
            uppers = []
            for index, limit in enumerate(limits):
                if _covers({**limit, "stage": stage_of(value)}, value):
                    used.add(index)
                    uppers.append(upper_texts[index])
            who = f"{cell(value['group'])}, {_ages_label(value['ages'])}"
            lines.append(f"| {name} | {who} | {text} | {'; '.join(uppers) or '—'} |")
        for index, limit in enumerate(limits):
            if index not in used:
                who = f"{cell(limit['group'])}, {_ages_label(limit['ages'])}"
                lines.append(f"| {name} | {who} | — | {upper_texts[index]} |")
    lines.append("")
    notes = [body["note"] for body in authorities if body.get("note")]
    return lines + [f"- {note}" for note in notes]


# --- adults, for the comparison tables ----------------------------------------------------------------


def adult_values(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [v for v in data["intake"]["values"] if stage_of(v) == "adults"]


def adult_range(data: dict[str, Any]) -> str:
    """At-a-glance cell: the span of adult RDA/AI values, cited ('8–11 mg (RDA)')."""
    intake = data["intake"]
    values = adult_values(data)
    if not values:
        return "None set"
    amounts = sorted({v["amount"] for v in values})
    text = _amounts(amounts, intake["unit"], intake.get("alt_unit"))
    kinds = "/".join(sorted({v["type"] for v in values}))
    return f"{text} ({kinds}) [@{intake['source']}]"


def adult_upper(data: dict[str, Any]) -> str:
    """At-a-glance cell: the span of adult ULs, with what they apply to unless total intake; limits
    in another unit or on something else than the rest get a span of their own."""
    intake = data["intake"]
    limits = [v for v in intake["upper_limits"] if stage_of(v) == "adults"]
    if not limits:
        return "None set"
    spans: dict[tuple[str, str], set[float]] = {}
    for limit in limits:
        spans.setdefault((limit.get("unit", intake["unit"]), limit["applies_to"]), set()).add(limit["amount"])
    parts = []
    for (unit, scope), amounts in spans.items():
        text = _amounts(sorted(amounts), unit, intake.get("alt_unit") if unit == intake["unit"] else None)
        parts.append(text if scope == "total intake" else f"{text}, {scope}")
    sources = sorted({v.get("source", intake["source"]) for v in limits})
    return f"{'; '.join(parts)}{_sources_cite(sources)}"


# --- evidence, foods, forms, medicines ------------------------------------------------------------


def evidence_list(data: dict[str, Any], evidence_link: str) -> str:
    """The page's certainty and direction per outcome, each linked to the scale and cited."""
    lines = ['<div class="bng-evidence" markdown>', "", "**Certainty of the evidence, by outcome**", ""]
    for grade in data["evidence"]:
        outcome = OUTCOME_LABELS[grade["outcome"]]
        direction = DIRECTION_LABELS[grade["direction"]]
        if grade.get("certainty"):
            level = CERTAINTY_LABELS[grade["certainty"]]
            verdict = f"[{level} certainty]({evidence_link}#{grade['certainty']}): {direction}"
        else:
            verdict = f"[Not studied]({evidence_link}#not-studied)"
        cite = _sources_cite(grade["studies"]) if grade["studies"] else ""
        effect = f" {grade['effect']}" if grade.get("effect") else ""
        reason = grade["reason"].rstrip().removesuffix(".")
        lines.append(f"- **{outcome}**, {grade['population']}: **{verdict}**. {reason}{cite}.{effect}")
    return "\n".join([*lines, "", "</div>", ""])


def evidence_cell(data: dict[str, Any], evidence_link: str) -> str:
    parts = []
    for grade in data["evidence"]:
        outcome = OUTCOME_LABELS[grade["outcome"]]
        if grade.get("certainty"):
            level = CERTAINTY_LABELS[grade["certainty"]]
            parts.append(
                f"{outcome}: [{level}]({evidence_link}#{grade['certainty']}), "
                f"{DIRECTION_LABELS[grade['direction']]}"
            )
        else:
            parts.append(f"{outcome}: not studied")
    return "<br>".join(parts)


def foods_table(data: dict[str, Any]) -> str:
    foods = data.get("foods")
    if not foods:
        return ""
    intake = data["intake"]
    unit = intake["unit"]
    adults = sorted(adult_values(data), key=lambda v: age_range(v["ages"]))
    reference: list[tuple[str, float]] = []
    columns = ["Food", "Serving", "Amount"]
    if adults:
        youngest = adults[0]["ages"]
        band = [v for v in adults if v["ages"] == youngest]
        for sex, label in (("female", "women"), ("male", "men")):
            match = next((v for v in band if v["sex"] in (sex, "all")), None)
            if match:
                reference.append((label, match["amount"]))
        if len(reference) == 2 and reference[0][1] == reference[1][1]:
            reference = [("adults", reference[0][1])]
        kind = adults[0]["type"]
        who = " / ".join(label for label, _ in reference)
        columns.append(f"Share of the {kind}, {who} {_ages_label(youngest)}")
    lines = [f"**Amounts in common foods** [@{foods['source']}].", "", *table_head(*columns)]
    for food in foods["items"]:
        food_unit = food.get("unit", unit)
        amounts = [food["amount"], *([food["amount_high"]] if "amount_high" in food else [])]
        amount = _amounts(amounts, food_unit) + _cite(food.get("source"))
        row = f"| {cell(food['food'])} | {cell(food['serving'])} | {amount} |"
        if reference:
            factor = _unit_factor(food_unit, unit)
            alt = intake.get("alt_unit")
            if factor is None and alt and food_unit == alt["unit"]:
                factor = 1 / alt["factor"]  # a table in IU, against an RDA in µg
            if factor is None:
                row += " — |"
            else:
                shares = [
                    "–".join(dict.fromkeys(f"{round(100 * a * factor / value)}" for a in amounts)) + "%"
                    for _, value in reference
                ]
                row += f" {' / '.join(shares)} |"
        lines.append(row)
    lines.append("")
    if foods.get("note"):
        lines += [foods["note"], ""]
    return "\n".join(lines) + "\n"


def _unit_factor(unit: str, target: str) -> float | None:
    scale = {"g/day": 1e6, "mg/day": 1e3, "µg/day": 1.0}
    if unit == target:
        return 1.0
    if unit in scale and target in scale:
        return scale[unit] / scale[target]
    return None


def forms_table(data: dict[str, Any]) -> str:
    forms = data.get("supplement_forms") or []
    if not forms:
        return ""
    lines = table_head("Form", "Share that is the nutrient", "Notes")
    for form in forms:
        share = f"{_number(form['element_percent'])}%" if form.get("element_percent") else "—"
        lines.append(f"| {cell(form['form'])} | {share} | {cell(form['note'])} [@{form['source']}] |")
    return "\n".join([*lines, ""]) + "\n"


def _sources_cite(keys: list[str]) -> str:
    return f" [{'; '.join('@' + key for key in keys)}]"


def _medicine_row(item: dict[str, Any], *between: str) -> str:
    """One interaction's table row: the medicines, any ``between`` cells, what happens, the advice (cited)."""
    name = MEDICINE_CLASSES[item["class"]]
    if item.get("medicines"):
        name += f" ({cell(item['medicines'])})"
    cells = [name, *between, cell(item["effect"]), cell(item["advice"]) + _sources_cite(item["sources"])]
    return "| " + " | ".join(cells) + " |"


def medicines_table(data: dict[str, Any]) -> str:
    medicines = data.get("medicines") or []
    if not medicines:
        return (
            f"No interaction between {data['title'].lower()} and a medicine is recorded in this guide. "
            "That is not proof that none exists: a pharmacist can check a particular medicine.\n"
        )
    table = table_head("Medicines", "What happens", "What authorities advise")
    return stacked("bng-medicines", table + [_medicine_row(item) for item in medicines])


# --- study records ------------------------------------------------------------------------------


def author_year(entry: Any) -> str:
    """'Nielsen et al. 2011' from a pybtex entry (an organisation when there is no author)."""
    people = entry.persons.get("author") or []
    if not people:
        name = entry.fields.get("organization") or entry.fields.get("publisher") or "Anonymous"
    else:
        name = " ".join(people[0].prelast_names + people[0].last_names)
        if len(people) > 2 or is_others(people[-1]):  # BibTeX's "and others" is et al.
            name += " et al."
        elif len(people) == 2:
            name += f" and {' '.join(people[1].last_names)}"
    return f"{re.sub(r'[{}]', '', name)} {entry.fields.get('year', 'n.d.')}"


def _after_number(population: str) -> str:
    """'Adults aged 60' as it reads after a number or a semicolon: an ordinary first word lowercased.
    Only words in ORDINARY_FIRST_WORDS are: a name ('Dutch men', 'Japanese patients', 'Puerto
    Rican adults') keeps its capital, and a new ordinary word keeps one until it is listed."""
    first, _, rest = population.partition(" ")
    if first.rstrip(",;:").lower() not in ORDINARY_FIRST_WORDS or not first[1:].islower():
        return population
    return f"{first.lower()} {rest}".rstrip()


def studies_table(records: list[dict[str, Any]], labels: dict[str, str]) -> str:
    if not records:
        return ""

    def order(record: dict[str, Any]) -> tuple[int, int, str]:
        # By design as DESIGN_ORDER ranks them, then newest first (the year of the record's label).
        found = re.search(r"\d{4}", labels.get(record["key"], ""))
        return DESIGN_ORDER.index(record["design"]), -int(found.group()) if found else 0, record["key"]

    lines = table_head("Study", "Design and people", "Dose and length", "Main result")
    for record in sorted(records, key=order):
        name = labels.get(record["key"], record["key"])
        if record.get("name"):
            name = f"{cell(record['name'])}: {name}"
        population = _after_number(cell(record["population"]))
        people = f"{record['participants']:,} {population}" if record.get("participants") else population
        if record.get("studies_pooled"):
            people = f"{record['studies_pooled']} studies; {people}"
        design = f"{record['design'].capitalize()}; {people}"
        dose = cell(record["exposure"])
        if record.get("comparator"):
            dose += f" vs {cell(record['comparator'])}"
        dose += f"; {cell(record['duration'])}"
        result = cell(record["result"])
        if record.get("limitations"):
            result += f" *Limitations:* {cell(record['limitations'])}"
        lines.append(f"| {name} [@{record['key']}] | {design} | {dose} | {result} |")
    return stacked("bng-studies", lines)


def load_studies(directory: Path, project: Path) -> tuple[list[dict[str, Any]], list[str]]:
    records: list[dict[str, Any]] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.yml")):
        shown = Path(display_path(path, project))
        found = _validated(path, shown, frontmatter.validate_studies_file, problems)
        if found is None:
            continue
        for record in found:
            where = f"{shown}:{record['line']}"
            if record["key"] in seen:
                problems.append(
                    f"{where}: a second record for '{record['key']}' (the first is {seen[record['key']]})"
                )
                continue
            seen[record["key"]] = where
            record["file"] = str(shown)
            records.append(record)
    return records, problems


# --- the plugin -------------------------------------------------------------------------------------


def _validated(path: Path, shown: Path, validate: Callable[[Path, str], Any], problems: list[str]) -> Any:
    """``validate(shown, text)`` of the file at ``path``, or None with its problems (file:line) added."""
    try:
        return validate(shown, path.read_text(encoding="utf-8"))
    except frontmatter.FrontMatterError as error:
        problems.extend(str(p) for p in error.problems)
    except UnicodeDecodeError as error:
        problems.append(f"{shown}:1: not UTF-8 text ({error.reason} at byte {error.start})")
    return None


class NutrientDataPlugin(BasePlugin[NutrientDataConfig]):
    def __init__(self) -> None:
        self.nutrients: dict[str, dict[str, Any]] = {}  # by src_uri, in title order as every list shows them
        self.studies: list[dict[str, Any]] = []
        self.labels: dict[str, str] = {}

    def on_config(self, config: Any) -> Any:
        project = Path(config["config_file_path"]).parent
        # `mkdocs serve` rebuilds when what this plugin reads besides the pages changes: the study
        # records, the schemas that validate them and the front matter, the bibliography (labels).
        watched = (
            project / self.config.studies_dir,
            frontmatter.SCHEMA_DIR,
            project / self.config.bib_file,
        )
        for path in (p.resolve() for p in watched):
            if path.exists() and str(path) not in config["watch"]:
                config["watch"].append(str(path))
        # frontmatter keeps each parsed schema for the life of the process, and `mkdocs serve`
        # rebuilds in the same process: read them afresh each build (three small files, ~1 ms).
        frontmatter.schema.cache_clear()
        return config

    def on_files(self, files: Files, *, config: Any) -> Files:
        self.nutrients = {}
        problems: list[str] = []
        project = Path(config["config_file_path"]).parent
        prefix = self.config.pages_dir.rstrip("/") + "/"
        ids: dict[str, str] = {}
        for file in files.documentation_pages():
            if not file.src_uri.startswith(prefix) or file.src_uri.endswith("index.md"):
                continue
            assert file.abs_src_path is not None  # nutrient pages are files in docs/, not generated
            source = Path(file.abs_src_path)
            shown = Path(display_path(source, project))
            data = _validated(source, shown, frontmatter.validate_nutrient_page, problems)
            if data is None:
                continue
            if data["nutrient_id"] in ids:
                problems.append(
                    f"{shown}:1: nutrient_id '{data['nutrient_id']}' is already used by {ids[data['nutrient_id']]}"
                )
                continue
            ids[data["nutrient_id"]] = str(shown)
            self.nutrients[file.src_uri] = data
        self.nutrients = dict(sorted(self.nutrients.items(), key=lambda item: item[1]["title"].lower()))
        self.studies, study_problems = load_studies(project / self.config.studies_dir, project)
        problems += study_problems
        for page_id, src_uri in self.config.study_pages.items():
            if files.get_file_from_path(src_uri) is None:
                problems.append(
                    f"{config['config_file_path']}: bng-nutrients study_pages names {src_uri}, not a page"
                )
            ids.setdefault(page_id, src_uri)
        for record in self.studies:
            for page_id in [record["nutrient"], *record.get("pages", [])]:
                if page_id not in ids:
                    problems.append(
                        f"{record['file']}:{record['line']}: no nutrient page has nutrient_id '{page_id}'"
                    )
        if problems:
            raise PluginError("Invalid nutrient data:\n  " + "\n  ".join(problems))
        try:
            self.labels = {
                raw.key: author_year(raw.parsed) for raw in load_bib(project / self.config.bib_file)
            }
        except BibError:
            self.labels = {}  # the citation plugin reports the broken bibliography at its line
        return files

    def _studies_table(self, page_id: str) -> str:
        records = [r for r in self.studies if page_id in (r["nutrient"], *r.get("pages", []))]
        return studies_table(records, self.labels)

    def _glance_table(self, here: str, evidence_link: str) -> str:
        lines = table_head(
            "Nutrient", "Evidence for bone", "Adult RDA/AI per day", "Adult upper level per day"
        )
        for src_uri, data in self.nutrients.items():
            lines.append(
                f"| [{cell(data['title'])}]({get_relative_url(src_uri, here)}) | {evidence_cell(data, evidence_link)} | "
                f"{adult_range(data)} | {adult_upper(data)} |"
            )
        return stacked("bng-glance", lines)

    def _all_medicines(self, here: str) -> str:
        rows: list[tuple[int, str, str]] = []
        classes = list(MEDICINE_CLASSES)
        for src_uri, data in self.nutrients.items():
            for item in data.get("medicines") or []:
                link = f"[{cell(data['title'])}]({get_relative_url(src_uri, here)}#medicines)"
                rows.append((classes.index(item["class"]), data["title"].lower(), _medicine_row(item, link)))
        table = table_head("Medicines", "Nutrient", "What happens", "What authorities advise")
        return stacked("bng-medicines-all", table + [cells for _, _, cells in sorted(rows)])

    def _cards(self, here: str, evidence_link: str) -> str:
        lines = ['<div class="grid cards bng-cards" markdown>', ""]
        for src_uri, data in self.nutrients.items():
            grades = "; ".join(
                f"{OUTCOME_LABELS[g['outcome']].lower()}: "
                + (
                    f"{CERTAINTY_LABELS[g['certainty']].lower()} certainty, {DIRECTION_LABELS[g['direction']]}"
                    if g.get("certainty")
                    else "not studied"
                )
                for g in data["evidence"][:2]
            )
            lines += [
                f"-   **[{cell(data['title'])}]({get_relative_url(src_uri, here)})**",
                "",
                "    ---",
                "",
                f"    {data['summary'].strip()}",
                "",
                f"    [Evidence]({evidence_link}): {grades}.  ",
                f"    Adults: {_strip_cites(adult_range(data))}; upper level {_strip_cites(adult_upper(data))}.",
                "",
            ]
        return "\n".join([*lines, "</div>", ""]) + "\n"

    def _checker(self, page: Page, files: Files) -> str:
        payload = [
            {
                "id": data["nutrient_id"],
                "title": data["title"],
                "url": files.src_uris[src_uri].url_relative_to(page.file) + "#how-much",
                "unit": data["intake"]["unit"],
                "alt_unit": data["intake"].get("alt_unit"),
                "values": [_checker_fields(v) for v in data["intake"]["values"]],
                "upper_limits": [_checker_fields(v) for v in data["intake"]["upper_limits"]],
            }
            for src_uri, data in self.nutrients.items()
            if data["intake"]["values"] or data["intake"]["upper_limits"]
        ]
        # Embedded, not fetched: the offline copy opens from file://, where fetch() is refused. In an
        # attribute, not a <script type="application/json">: the theme's instant navigation re-creates
        # the content's script elements without their type and id, so the checker lost its data on
        # the published site (and the Content-Security-Policy refused the untyped copy as a script).
        data = html.escape(json.dumps(payload, ensure_ascii=False), quote=True)
        return (
            f'<div id="bng-intake-checker" class="bng-intake-checker" data-intake="{data}">'
            "<noscript>The intake checker needs JavaScript; every value is also in the tables of each "
            "nutrient page.</noscript></div>\n"
        )

    def on_page_markdown(self, markdown: str, *, page: Page, config: Any, files: Files) -> str:
        here = page.file.src_uri
        evidence_link = get_relative_url(EVIDENCE_PAGE, here)
        data = self.nutrients.get(here)
        study_page = next((k for k, v in self.config.study_pages.items() if v == here), None)
        if data is not None:
            tags = list(page.meta.get("tags") or [])
            if KIND_LABELS[data["kind"]] not in tags:
                tags.append(KIND_LABELS[data["kind"]])
            page.meta["tags"] = tags
            page.meta.setdefault("description", data["summary"])
            markdown = (
                markdown.replace(EVIDENCE_MARKER, evidence_list(data, evidence_link))
                .replace(STUDIES_MARKER, self._studies_table(data["nutrient_id"]))
                .replace(INTAKE_MARKER, intake_tables(data))
                .replace(FOODS_MARKER, foods_table(data))
                .replace(FORMS_MARKER, forms_table(data))
                .replace(MEDICINES_MARKER, medicines_table(data))
            )
        elif study_page is not None:
            markdown = markdown.replace(STUDIES_MARKER, self._studies_table(study_page))
        else:
            for marker in PAGE_MARKERS:
                if marker in markdown:
                    raise PluginError(
                        f"{here}: {marker} on a page outside "
                        f"{self.config.pages_dir}/ has no nutrient data to render"
                    )
        replacements = {
            GLANCE_MARKER: lambda: self._glance_table(here, evidence_link),
            ALL_MEDICINES_MARKER: lambda: self._all_medicines(here),
            CARDS_MARKER: lambda: self._cards(here, evidence_link),
            CHECKER_MARKER: lambda: self._checker(page, files),
        }
        for marker, render in replacements.items():
            if marker in markdown:
                markdown = markdown.replace(marker, render())
        return markdown

    def on_post_build(self, *, config: Any) -> None:
        records = [
            {"page": src_uri.removesuffix(".md") + "/", **data}
            for src_uri, data in sorted(self.nutrients.items())
        ]
        studies = [
            {k: v for k, v in record.items() if k not in ("line", "file")}
            for record in sorted(self.studies, key=lambda r: r["key"])
        ]
        # At the paths docs/overview/at-a-glance.md links to.
        data_dir = Path(config["site_dir"]) / "data"
        data_dir.mkdir(parents=True, exist_ok=True)
        for name, payload in (
            ("nutrients.json", {"schema": "nutrient-page.schema.json", "nutrients": records}),
            ("studies.json", {"schema": "studies.schema.json", "studies": studies}),
        ):
            text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
            (data_dir / name).write_text(text, encoding="utf-8")


def _checker_fields(item: dict[str, Any]) -> dict[str, Any]:
    # Only what the checker computes with: notes carry [@key] citations, which are not data.
    fields = ("sex", "ages", "type", "amount", "applies_to", "unit")
    return {"stage": stage_of(item), **{name: item[name] for name in fields if name in item}}


def _strip_cites(text: str) -> str:
    return re.sub(r"\s*\[@[^\]]*\]", "", text)
