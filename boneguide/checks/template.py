"""The nutrient-page template: the content rules every docs/nutrients/*.md page keeps.

Findings (errors, at the line of the offending block or heading):

* template-heading: one H1, and the H2 headings of the template in its order (``TEMPLATE_H2``).
* template-verdict: one ``**Verdict:**`` line, under "What studies in people show", citing the
  studies it rests on.
* template-placeholder: each generated table's marker once, on its own line, in its section.
* template-references: "## References" followed by ``\\bibliography``.
* template-evidence: the front matter grades both bone density and fractures.
* template-nutrient-id: nutrient_id is the file's name (links, handouts and study records use it).
* citation-missing: a factual block with no ``[@key]``. Blocks are paragraphs, list items (each
  nested item its own block) and table body rows, outside fenced code and whole-line HTML comments.
  A block needs no citation when every sentence of it is a bold label (``**Trials.**``) heading the
  rest of its block or the next block of its section (a bold sentence under which nothing follows is
  a claim in bold), a
  lead-in ending with ":" followed by a list, the verdict, or a sentence pointing readers to the
  evidence page or glossary ("see [how we judge evidence](…)": editorial policy, explained there). "References" is exempt.
* editors-workings: talk of source articles, our sources or verification, in the body or the
  front matter; provenance belongs on the Sources page. It applies to every reader page
  (``editors_workings``), not only nutrient pages.
* intake-in-prose: a clause naming a reference intake (RDA, AI, UL, "upper level",
  "recommended" …) that also types an amount equal to one of the page's adult front-matter values
  or upper levels (or another authority's, or their alt_unit conversion): the generated tables are
  the one place they are written, so prose cannot drift from them. Study doses may coincide with a
  reference value; they are flagged only when presented as one. In "Where authorities and studies
  disagree", a sentence attributing the figure to a named source article quotes it, which is the
  point of that section.

Hand-written block reader: the rules are about the Markdown as an editor wrote it (lines, list
items, table rows), which Python-Markdown's tree no longer has line numbers for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from boneguide import frontmatter
from boneguide.checks.model import Finding
from boneguide.citesyntax import find_citations
from boneguide.frontmatter import stage_of
from boneguide.site.nutrients import (
    EVIDENCE_MARKER,
    FOODS_MARKER,
    FORMS_MARKER,
    GLANCE_MARKER,
    INTAKE_MARKER,
    MEDICINES_MARKER,
    STUDIES_MARKER,
)

TEMPLATE_H2 = [
    "Key points",
    "What it does in bone",
    "What studies in people show",
    "How much",
    "Too little",
    "Food sources",
    "Supplement forms",
    "Safety and interactions",
    "Where authorities and studies disagree",
    "References",
]
STUDY_SECTION = "What studies in people show"
DISAGREEMENT_SECTION = "Where authorities and studies disagree"
# Each generated table's placeholder, and the section it must stand in.
PLACEHOLDER_SECTIONS = {
    EVIDENCE_MARKER: STUDY_SECTION,
    STUDIES_MARKER: STUDY_SECTION,
    INTAKE_MARKER: "How much",
    FOODS_MARKER: "Food sources",
    FORMS_MARKER: "Supplement forms",
    MEDICINES_MARKER: "Safety and interactions",
}
# Soy isoflavones: no authority tabulates their foods or forms as for a mineral.
OPTIONAL_PLACEHOLDERS = {FOODS_MARKER, FORMS_MARKER}
ADULT_STAGES = ("adults", "pregnancy", "lactation")

EDITORS_WORKINGS = re.compile(
    r"\bour (own )?(sources?|source articles?)\b|\bsource article\b|\bgoing by (its|the) title\b"
    r"|Life Extension|Healthline|Dr\.?\s?Oracle|\bunverified\b|\bwe could not (trace|verify|read)\b",
    re.I,
)
FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*(\{[^}]*\})?\s*#*\s*$")
LIST_ITEM = re.compile(r"^(\s*)([-*+]|\d+[.)])\s+")
TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
ADMONITION = re.compile(r"^\s*(!!!|\?\?\?\+?)\s")
VERDICT = re.compile(r"^\*\*Verdict:\*\*")
# The US names and, as other_authorities' values are reference amounts too, the schema's names of
# theirs (PRI, RNI, RI, LTI, "safe intake"; "population reference intake" for EFSA's PRI).
INTAKE_TERM = re.compile(
    r"\b(RDAs?|AIs?|ULs?|RDIs?|DRIs?|PRIs?|RNIs?|RIs?|LTIs?)\b"
    r"|(?i:\bupper (intake )?(level|limit)s?\b|\brecommended\b|\badequate intake\b|\bdaily value\b"
    r"|\ballowances?\b|\breference (nutrient )?intakes?\b|\bsafe intakes?\b)"
)
AMOUNT = re.compile(
    r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)(?:\s*(?:–|-|to)\s*(\d[\d,]*(?:\.\d+)?))?\s*(mg|µg|μg|mcg|IU|g|milligrams?|micrograms?|grams?)\b"
)
# A comma or semicolon followed by a space, or a spaced dash: "4,000" stays one amount, and a colon
# often joins a term to its value ("Upper level: 4,000 IU").
CLAUSE_BREAK = re.compile(r"[,;]\s|\s[–—]\s")
# A sentence ends at ".", "?" or "!" (bold or italic markup may close after it), then space and a
# capital, digit, markup or bracket; a decimal point ("2.5 mg") and the full stop of "et al.", "e.g.",
# "i.e." or "vs." end none. A blank line, a list item, a heading or a table row ends one too, for
# the study check reads a whole section. The template rules and the study check read sentences alike.
SENTENCE_END = re.compile(
    r"(?<!\bal\.)(?<!\bvs\.)(?<!\be\.g\.)(?<!\bi\.e\.)"
    r"(?:(?<=[.!?])|(?<=[.!?]\*)|(?<=[.!?]\*\*))\s+(?=[A-Z0-9*_(\[])"
    r"|\n(?:[ \t]*\n)+|\n(?=[ \t]*(?:[-*+] |\d+[.)] |#|\|))"
)
BOLD_LABEL = re.compile(r"^(\*\*[^*]+\*\*|\*[^*]+\*)$")
# A pointer to the policy ("see [how we judge evidence](…)"); a glossary link on a term of a claim
# does not make the claim editorial.
EDITORIAL_LINK = re.compile(r"\b[Ss]ee \[[^\]]*\]\((\.\./)?overview/(evidence|glossary)\.md[#)]")
NAMED_SOURCE = re.compile(
    r"Healthline|Life Extension|Dr\.?\s?Oracle|source article|consumer (guide|page|Q&A|article)", re.I
)


@dataclass(frozen=True)
class Block:
    section: str  # the H2 it sits under ("" before the first)
    line: int  # 1-based line in the file
    kind: str  # paragraph | item | row
    text: str


def body_lines(text: str) -> list[tuple[int, str]]:
    """(file line number, text) for the body, without fenced code and whole-line HTML comments."""
    _yaml, body, start = frontmatter.split_front_matter(text)
    result: list[tuple[int, str]] = []
    in_fence = in_comment = False
    for number, line in enumerate(body.splitlines(), start):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        stripped = line.strip()
        if in_fence:
            continue
        if in_comment or (stripped.startswith("<!--") and "-->" not in stripped):
            in_comment = "-->" not in stripped
            continue
        if stripped.startswith("<!--") and stripped.endswith("-->"):
            result.append((number, ""))  # keeps a comment from joining two paragraphs
            continue
        result.append((number, line))
    return result


def headings(lines: Iterable[tuple[int, str]], level: int) -> list[tuple[int, str]]:
    found = []
    for number, line in lines:
        match = HEADING.match(line)
        if match and len(match.group(1)) == level:
            found.append((number, match.group(2)))
    return found


def blocks(lines: Iterable[tuple[int, str]]) -> list[Block]:
    found: list[Block] = []
    section = ""
    current: list[str] = []
    start, kind = 0, "paragraph"

    def close() -> None:
        nonlocal current
        joined = " ".join(part.strip() for part in current).strip()
        if joined:
            found.append(Block(section, start, kind, joined))
        current = []

    for number, line in lines:
        heading = HEADING.match(line)
        if heading:
            close()
            if len(heading.group(1)) == 2:
                section = heading.group(2)
            continue
        stripped = line.strip()
        if not stripped or stripped == r"\bibliography" or ADMONITION.match(line):
            close()
        elif TABLE_SEPARATOR.match(line):
            if found and found[-1].kind == "row" and not current:
                found.pop()  # the header row above the separator
        elif stripped.startswith("|"):
            close()
            found.append(Block(section, number, "row", stripped))
        elif LIST_ITEM.match(line):
            close()
            current, start, kind = [LIST_ITEM.sub("", line)], number, "item"
        elif current:
            current.append(stripped)
        else:
            current, start, kind = [stripped], number, "paragraph"
    close()
    return found


def cited_keys(text: str) -> list[str]:
    return [key for citation in find_citations(text) for key in citation.keys]


def sentences(text: str) -> list[str]:
    for citation in reversed(find_citations(text)):
        text = text[: citation.start] + text[citation.end :]
    return [s.strip() for s in SENTENCE_END.split(text) if s.strip()]


def sentence_at(text: str, offset: int) -> str:
    """The sentence of ``text``, citations and all, that ``offset`` falls in."""
    start, end = 0, len(text)
    for boundary in SENTENCE_END.finditer(text):
        if offset < boundary.start():
            end = boundary.start()
            break
        start = boundary.end()
    return text[start:end]


# mcg, the Greek mu, and units written out ("15 micrograms"): the same amount as "15 µg".
SPELLED_UNITS = {"mcg": "µg", "μg": "µg", "microgram": "µg", "milligram": "mg", "gram": "g"}


def _normal_unit(unit: str) -> str:
    unit = unit.removesuffix("/day")
    return SPELLED_UNITS.get(unit.removesuffix("s"), unit)


def reference_amounts(data: dict[str, Any]) -> set[tuple[float, str]]:
    """The adult reference values of the front matter (a child's value that equals a study dose,
    400 IU for infants, would flag the dose), in their unit and their alt_unit."""
    intake = data["intake"]
    unit, alt = _normal_unit(intake["unit"]), intake.get("alt_unit")
    # An upper level may name its own unit; a value is in its authority's (the schema allows no other).
    amounts = {
        (float(item["amount"]), _normal_unit(item.get("unit", body["unit"])))
        for body in [intake, *intake.get("other_authorities", [])]
        for item in [*body["values"], *body.get("upper_limits", [])]
        if stage_of(item) in ADULT_STAGES
    }
    if alt:
        amounts |= {
            (round(a * alt["factor"], 6), _normal_unit(alt["unit"])) for a, u in set(amounts) if u == unit
        }
    return amounts


def amounts_in(sentence: str) -> set[tuple[float, str]]:
    """The amounts typed, in their unit; grams also in mg, as the front matter gives calcium's
    2,500 mg upper level that prose may call 2.5 g."""
    found = set()
    for low, high, unit in AMOUNT.findall(sentence):
        for number in (low, high):
            if number:
                amount = float(number.replace(",", ""))
                found.add((amount, _normal_unit(unit)))
                if _normal_unit(unit) == "g":
                    found.add((round(amount * 1000, 6), "mg"))
    return found


def _needs_no_citation(sentence: str, *, label: bool) -> bool:
    return bool(
        VERDICT.match(sentence) or (label and BOLD_LABEL.match(sentence)) or EDITORIAL_LINK.search(sentence)
    )


class _Page:
    def __init__(self, display: str, text: str) -> None:
        self.display = display
        self.text = text
        self.lines = body_lines(text)
        self.blocks = blocks(self.lines)
        self.findings: list[Finding] = []

    def error(self, line: int, code: str, message: str) -> None:
        self.findings.append(Finding(self.display, line, 0, "error", code, message))


def _check_headings(page: _Page) -> None:
    h1 = headings(page.lines, 1)
    if len(h1) != 1:
        line = h1[1][0] if len(h1) > 1 else 1
        page.error(line, "template-heading", f"one H1 expected, found {len(h1)}")
    found = headings(page.lines, 2)
    titles = [title for _line, title in found]
    if titles == TEMPLATE_H2:
        return
    for position, wanted in enumerate(TEMPLATE_H2):
        if position >= len(found):
            line = found[-1][0] if found else 1
            page.error(
                line, "template-heading", f"'## {wanted}' is missing (template: {', '.join(TEMPLATE_H2)})"
            )
            return
        if found[position][1] != wanted:
            line, title = found[position]
            page.error(line, "template-heading", f"'## {title}' where the template has '## {wanted}' here")
            return
    line, title = found[len(TEMPLATE_H2)]
    page.error(line, "template-heading", f"'## {title}' is not in the template (it ends with References)")


def _check_verdict(page: _Page) -> None:
    verdicts = [b for b in page.blocks if VERDICT.match(b.text)]
    if len(verdicts) != 1:
        line = verdicts[1].line if verdicts else 1
        page.error(line, "template-verdict", f"one **Verdict:** line expected, found {len(verdicts)}")
        return
    (verdict,) = verdicts
    if verdict.section != STUDY_SECTION:
        page.error(verdict.line, "template-verdict", f"the verdict belongs under '## {STUDY_SECTION}'")
    if not cited_keys(verdict.text):
        page.error(verdict.line, "template-verdict", "the verdict must cite the studies it rests on")


def _check_placeholders(page: _Page) -> None:
    placed: dict[str, tuple[int, str]] = {}
    section = ""
    for number, line in enumerate(page.text.splitlines(), 1):
        heading = HEADING.match(line)
        if heading and len(heading.group(1)) == 2:
            section = heading.group(2)
        marker = line.strip()
        if marker == GLANCE_MARKER:
            page.error(number, "template-placeholder", f"{marker} belongs on the At a glance page")
        if marker in PLACEHOLDER_SECTIONS:
            if marker in placed:
                page.error(number, "template-placeholder", f"{marker} appears twice")
            placed.setdefault(marker, (number, section))
    for marker, wanted in PLACEHOLDER_SECTIONS.items():
        if marker not in placed:
            if marker not in OPTIONAL_PLACEHOLDERS:
                page.error(1, "template-placeholder", f"{marker} is missing: put it under '## {wanted}'")
        elif placed[marker][1] != wanted:
            number, section = placed[marker]
            page.error(
                number, "template-placeholder", f"{marker} stands under '## {section}', not '## {wanted}'"
            )


def _check_references(page: _Page) -> None:
    lines = [(n, line.strip()) for n, line in page.lines]
    after = [n for n, line in lines if line == "## References"]
    if after and not any(line == r"\bibliography" for n, line in lines if n > after[0]):
        page.error(after[0], "template-references", r"'## References' must be followed by \bibliography")


def _check_uncited(page: _Page) -> None:
    for position, block in enumerate(page.blocks):
        if block.section == "References" or cited_keys(block.text):
            continue
        following = page.blocks[position + 1] if position + 1 < len(page.blocks) else None
        if block.text.endswith(":") and following is not None and following.kind == "item":
            continue
        said = sentences(block.text)
        # A bold label heads something: the rest of its block, or the next block of its section; a
        # bold sentence standing alone, or after another, is a claim in bold.
        heads = len(said) > 1 or (following is not None and following.section == block.section)
        bare = [s for i, s in enumerate(said) if not _needs_no_citation(s, label=i == 0 and heads)]
        if bare:
            page.error(block.line, "citation-missing", f"no [@key] citation for: {bare[0][:110]!r}")


def _check_editors_workings(page: _Page) -> None:
    # Front-matter prose (evidence effects, notes) is shown to readers as much as the body is.
    raw, _body, _start = frontmatter.split_front_matter(page.text)
    lines = [*enumerate(raw.splitlines(), 2), *page.lines] if raw else page.lines
    for position, (number, line) in enumerate(lines):
        next_number, next_line = lines[position + 1] if position + 1 < len(lines) else (0, "")
        # Prose is wrapped: a phrase broken onto the next line ("a source\narticle") is found at its
        # first line, and one that starts on the next line is left for that line.
        line = line.rstrip()
        joined = f"{line} {next_line.strip()}" if next_number == number + 1 else line
        if (match := EDITORS_WORKINGS.search(joined)) and match.start() < len(line):
            page.error(
                number, "editors-workings", f"{match.group()!r}: provenance belongs on the Sources page"
            )


def _check_typed_intakes(page: _Page, data: dict[str, Any]) -> None:
    reference = reference_amounts(data)
    for block in page.blocks:
        for sentence in sentences(block.text):
            # Term and amount in one clause: "median intake of 1.6 mg a day, more than the RDA" is a
            # survey figure that only happens to equal a reference value.
            clauses = [c for c in CLAUSE_BREAK.split(sentence) if INTAKE_TERM.search(c)]
            typed = {amount for clause in clauses for amount in amounts_in(clause)} & reference
            quoting = block.section == DISAGREEMENT_SECTION and NAMED_SOURCE.search(sentence)
            if typed and not quoting:
                shown = ", ".join(f"{a:g} {u}" for a, u in sorted(typed))
                page.error(
                    block.line,
                    "intake-in-prose",
                    f"{shown} typed as a reference intake; the front matter's generated tables give it: "
                    f"{sentence[:100]!r}",
                )


def _check_evidence(page: _Page, data: dict[str, Any]) -> None:
    outcomes = {grade.get("outcome") for grade in data.get("evidence", [])}
    missing = {"bone-density", "fractures"} - outcomes
    if missing:
        line = frontmatter.top_level_line(page.text, "evidence")
        page.error(line, "template-evidence", f"grade {' and '.join(sorted(missing))} in the evidence list")


def _check_nutrient_id(page: _Page, data: dict[str, Any]) -> None:
    stem = page.display.rsplit("/", 1)[-1].removesuffix(".md")
    if data.get("nutrient_id") != stem:
        line = frontmatter.top_level_line(page.text, "nutrient_id")
        page.error(line, "template-nutrient-id", f"nutrient_id must be the file's name, '{stem}'")


def editors_workings(display: str, text: str) -> list[Finding]:
    """The editors-workings rule alone, for reader pages outside docs/nutrients/."""
    page = _Page(display, text)
    _check_editors_workings(page)
    return page.findings


def check_nutrient_page(display: str, text: str, data: dict[str, Any] | None) -> list[Finding]:
    """Every template rule; ``data`` is the validated front matter (None if it is invalid, which
    front-matter findings report: the rules that read it are then left out)."""
    page = _Page(display, text)
    _check_headings(page)
    _check_verdict(page)
    _check_placeholders(page)
    _check_references(page)
    _check_uncited(page)
    _check_editors_workings(page)
    if data is not None:
        _check_typed_intakes(page, data)
        _check_evidence(page, data)
        _check_nutrient_id(page, data)
    return page.findings
