"""Scaffolding for editors: a new nutrient page from the template, with its nav entry."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from pathlib import Path

import yaml

from boneguide import frontmatter
from boneguide.identifiers import DOI_FULL_RE, PMCID_RE, PMID_RE, normalise_doi, normalise_pmcid, url_for
from boneguide.keys import ascii_fold, authored_key, identifier_key

TEMPLATE = """\
---
title: {title_yaml}
nutrient_id: {nutrient_id_yaml}
kind: {kind}
summary: {summary_yaml}
evidence:
  - outcome: bone-density
    population: TODO who the grade is about
    direction: not-studied
    reason: TODO one line on why (design, size, consistency, directness).
    studies: []
last_reviewed: {today}
reviewers: [TODO your name]
intake:
  authority: TODO the body that set the values (e.g. Food and Nutrition Board, US National Academies)
  source: todo
  unit: mg/day
  values: []
  upper_limits: []
  no_reference_value: TODO replace with RDA/AI rows for every life stage under values, or say why none exists.
---

# {title} and bone health

## Key points

- TODO 3 to 6 plain-language bullets, each ending with its citation [@todo].

## What it does in bone

TODO mechanisms, each with the kind of evidence behind it (cell, animal or human study) [@todo].

## What studies in people show

TODO trials and meta-analyses first, then observational studies: population, size, dose,
duration and outcome, each with a record in studies/{nutrient_id}.yml [@todo].

**Verdict:** TODO what the body of evidence shows, naming the studies it rests on [@todo].

<!-- bng:evidence -->

### Studies in people

<!-- bng:studies -->

## How much

<!-- bng:intake-table -->

TODO how supplements were dosed in the studies cited (unit, population) [@todo].

## Too little

TODO signs of deficiency, who is at risk, how status is measured and its limits [@todo].

## Food sources

<!-- bng:foods -->

TODO what limits absorption, where it matters [@todo].

## Supplement forms

<!-- bng:supplement-forms -->

TODO with or without food, how the forms differ [@todo].

## Safety and interactions

TODO the basis of the upper level, and interactions with other nutrients [@todo].

### Medicines

<!-- bng:medicines -->

## Where authorities and studies disagree

TODO each disagreement named with both citations and why they differ.

## References

\\bibliography
"""


class ScaffoldError(Exception):
    pass


MAX_SLUG = 100


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_fold(name).lower()).strip("-")
    if not slug or not slug[0].isalpha():
        raise ScaffoldError(f"cannot make a page id from {name!r}: start with a letter")
    if len(slug) > MAX_SLUG:  # the id is a file name: the file system caps its length
        raise ScaffoldError(
            f"cannot make a page id from {name!r}: {len(slug)} characters, at most {MAX_SLUG}; use a shorter name"
        )
    return slug


def yaml_scalar(text: str) -> str:
    """`text` as a YAML scalar usable both as a key and as a value: plain when it reads back as
    itself, else double-quoted (JSON is YAML), so names like "Omega-3: fish oil" or "No" are data."""
    with contextlib.suppress(yaml.YAMLError):
        if yaml.safe_load(f"{text}: x") == {text: "x"} and yaml.safe_load(f"k: {text}") == {"k": text}:
            return text
    return json.dumps(text, ensure_ascii=False)


def display_name(name: str) -> str:
    # One line: a newline or tab in the name would break the heading, the nav entry and the YAML.
    return " ".join(name.split())


def render_page(name: str, kind: str, today: dt.date) -> str:
    title = display_name(name)
    return TEMPLATE.format(
        title=title,
        title_yaml=yaml_scalar(title),
        summary_yaml=yaml_scalar(
            f"TODO one plain sentence on {title.lower()} and bone, 20 to 300 characters long."
        ),
        nutrient_id=slugify(name),
        nutrient_id_yaml=yaml_scalar(slugify(name)),  # "no", "on", "null" are not strings in YAML
        kind=kind,
        today=today.isoformat(),
    )


def add_nav_entry(config_text: str, title: str, src: str) -> str:
    """Insert `- title: src` after the last nutrients/ entry of the nav, keeping comments intact.

    Written by hand because a YAML round-trip (PyYAML) would drop the file's comments.
    """
    lines = config_text.splitlines(keepends=True)
    positions = [
        i for i, line in enumerate(lines) if re.match(r"^\s*-\s+[^#]*:\s+nutrients/\S+\.md\s*$", line)
    ]
    if not positions:
        raise ScaffoldError("mkdocs.yml has no nav entry under nutrients/ to add the page beside")
    last = positions[-1]
    indent = lines[last][: lines[last].index("-")]  # the matched line starts with its bullet
    lines.insert(last + 1, f"{indent}- {title}: {src}\n")
    return "".join(lines)


def create_nutrient_page(root: Path, name: str, kind: str = "other", today: dt.date | None = None) -> Path:
    """Write docs/nutrients/<id>.md from the template and add it to the nav; refuse to overwrite."""
    nutrient_id = slugify(name)
    page = root / "docs" / "nutrients" / f"{nutrient_id}.md"
    if page.exists():
        raise ScaffoldError(f"{page.relative_to(root)} already exists; edit it instead")
    text = render_page(name, kind, today or dt.date.today())
    try:  # the template itself must satisfy the schema
        frontmatter.validate_nutrient_page(page, text)
    except frontmatter.FrontMatterError as error:
        # The page does not exist yet: name the input at fault, not a file the editor cannot open.
        problems = "; ".join(problem.message for problem in error.problems)
        raise ScaffoldError(f"cannot make a page for {name!r}: {problems} (nothing written)") from None
    config = root / "mkdocs.yml"
    new_config = add_nav_entry(
        config.read_text(encoding="utf-8"), yaml_scalar(display_name(name)), f"nutrients/{nutrient_id}.md"
    )
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(text, encoding="utf-8")
    config.write_text(new_config, encoding="utf-8")
    return page


# --- adding a reference ------------------------------------------------------------------------


class Refused(ScaffoldError):
    """Well-formed input that cannot be added as asked (exit status 1), a duplicate among them."""


class DuplicateReference(Refused):
    def __init__(self, key: str, line: int, reason: str):
        super().__init__(f"already in references.bib as '{key}' (line {line}): {reason}; cite it as [@{key}]")


def normalise_identifier(scheme: str, value: str) -> str:
    """Validated, canonical identifier; a malformed one is refused with the reason. A zero too:
    PubMed and PMC number from 1, and it would be written to references.bib as an identifier no
    registry knows."""
    text = value.strip()
    if scheme == "pmid":
        text = re.sub(r"^(?:pmid:?\s*)", "", text, flags=re.IGNORECASE)
        if not PMID_RE.match(text):
            raise ScaffoldError(f"malformed PMID {value!r}: a PMID is 1 to 9 digits, e.g. 31454046")
        if not text.strip("0"):
            raise ScaffoldError(f"malformed PMID {value!r}: identifiers start at 1, e.g. 31454046")
        return text.lstrip("0")
    if scheme == "pmcid":
        if not PMCID_RE.match(text.upper()):
            raise ScaffoldError(f"malformed PMCID {value!r}: 'PMC' followed by digits, e.g. PMC6714464")
        if not text[3:].strip("0"):
            raise ScaffoldError(f"malformed PMCID {value!r}: identifiers start at 1, e.g. PMC6714464")
        return normalise_pmcid(text)
    if scheme == "doi":
        doi = normalise_doi(text)
        if not DOI_FULL_RE.match(doi):
            raise ScaffoldError(
                f"malformed DOI {value!r}: a DOI starts with 10.NNNN/, e.g. 10.1001/jama.2019.11889"
            )
        return doi
    raise ScaffoldError(f"unknown identifier scheme {scheme!r}")


def find_cached_record(records: list[dict], scheme: str, value: str) -> dict | None:
    """The most trusted cached record carrying this identifier (verified before partial)."""
    from boneguide.enrich import STATUS_RANK

    matches = [r for r in records if str(r.get(scheme, "")).lower() == value.lower() and r.get("title")]
    return max(matches, key=lambda r: STATUS_RANK.get(r.get("status", ""), 0), default=None)


def find_duplicate(existing: list, record: dict) -> tuple[str, int, str] | None:
    from boneguide.bibliography import entry_tokens, identity_tokens, record_identifiers

    tokens = identity_tokens(record_identifiers(record), record.get("title"), record.get("year"))
    for raw in existing:
        shared = tokens & entry_tokens(raw.parsed)
        if shared:
            what = sorted(shared)[0]
            reason = (
                "same title and year" if what.startswith("title:") else f"same {what.replace(':', ' ', 1)}"
            )
            return raw.key, raw.line, reason
    return None


def entry_fields(record: dict) -> dict[str, str]:
    """BibTeX fields from a normalised record: only what the record holds, plus honest flags from
    its ``status``, ``seen_at`` (where it was read) and ``note``."""
    from boneguide.bibliography import record_fields

    seen_at = list(record.get("seen_at", []))
    fields = {"ENTRYTYPE": "article" if record.get("journal") else "misc", **record_fields(record, record)}
    if record.get("organization") and record.get("journal") and "author" not in fields:
        fields["author"] = "{" + str(record["organization"]) + "}"  # a corporate author, kept whole
    for name in ("journal", "publisher", "organization"):
        if record.get(name):
            fields[name] = str(record[name])
    # A work with no identifier is at least findable at the page it was read on.
    url = record.get("url") or url_for(record) or next(iter(seen_at), None)
    if url:
        fields["url"] = url
    fields["metadata-status"] = record["status"]
    if seen_at:
        fields["seen-at"] = "; ".join(seen_at)
    if record.get("note"):
        fields["note"] = str(record["note"])
    return fields


def reference_key(record: dict, scheme: str, value: str, taken: set[str]) -> str:
    if record.get("authors") and record.get("title"):
        return authored_key(record["authors"][0], record.get("year"), record["title"], taken)
    try:
        return identifier_key(scheme, value)
    except ValueError:
        # The key convention has pmc/pmid/nbk keys only: a work known by nothing but a DOI has no
        # key until its authors, year and title are read.
        if record.get("title"):
            raise Refused(
                f"the record of {scheme} {value} names no personal author, so it has no key: add it "
                "with --record, giving its organization and a key (acronym + year + subject)"
            ) from None
        raise Refused(
            f"no record of {scheme} {value} in the metadata cache, and a work known only by a "
            f"{scheme.upper()} has no key: run again with --online to read it from the registries, "
            "or add it with --record after reading its page"
        ) from None


def append_entry(bib_path: Path, key: str, fields: dict[str, str]) -> None:
    """Append one entry, after checking that the whole file still parses: nothing half-written."""
    from boneguide.bibfile import parse_text
    from boneguide.bibliography import render_entry

    text = bib_path.read_text(encoding="utf-8") if bib_path.exists() else ""
    new_text = text.rstrip("\n") + ("\n\n" if text.strip() else "") + render_entry(key, fields) + "\n"
    parse_text(new_text, str(bib_path)).raise_for_errors()
    bib_path.write_text(new_text, encoding="utf-8")


def complete_entry(bib_path: Path, existing: list, record: dict) -> str:
    """Rewrite the entry named by ``record['key']`` from a record read on a public page, in place.

    Fields the record holds replace the entry's; fields it lacks (a PMCID, say) are kept, and so is
    provenance (cited-in, keep-unused, the old note beside the new). Refused when the record is less
    sure than the entry (verified is never replaced by partial) or shares no identifier with it.
    """
    from boneguide.bibfile import parse_text
    from boneguide.bibliography import UNCONFIRMED_NOTES, entry_field_values, render_entry
    from boneguide.enrich import STATUS_RANK

    key = record.get("key")
    raw = next((r for r in existing if r.key == key), None)
    if raw is None:
        raise ScaffoldError(f"no entry '{key}' in {bib_path.name} to complete")
    assert isinstance(key, str)  # it is an entry's key
    old = entry_field_values(raw.parsed)
    old_status = old.get("metadata-status", "unverified")
    if STATUS_RANK.get(record["status"], 0) < STATUS_RANK.get(old_status, 0):
        raise ScaffoldError(
            f"entry '{key}' (line {raw.line}) is {old_status}; a {record['status']} record would downgrade it"
        )
    if find_duplicate([raw], record) is None:  # the record is not this entry's work
        raise ScaffoldError(
            f"the record shares no DOI, PMID, PMCID, URL or title and year with entry '{key}' (line {raw.line})"
        )
    fields = {**old, **entry_fields(record)}
    if old["ENTRYTYPE"] != "misc":
        fields["ENTRYTYPE"] = old["ENTRYTYPE"]
    # The importer's stand-in for a missing title ("PubMed 29440373") goes when the record gives one
    # (entry_fields never sets howpublished: the entry's own is still in fields).
    if old.get("howpublished") and record.get("title") and not old.get("title"):
        del fields["howpublished"]
    old_seen = [s.strip() for s in old.get("seen-at", "").split(";") if s.strip()]
    fields["seen-at"] = "; ".join(dict.fromkeys([*old_seen, *record["seen_at"]]))
    old_note = old.get("note", "")
    for unconfirmed in UNCONFIRMED_NOTES:  # the record read confirms the entry now
        old_note = old_note.replace(unconfirmed, "").strip()
    fields["note"] = " ".join(note for note in (old_note, str(record.get("note", ""))) if note)
    if not fields["note"]:
        del fields["note"]
    text = bib_path.read_text(encoding="utf-8")
    new_text = text.replace(raw.text, render_entry(key, fields), 1)
    parse_text(new_text, str(bib_path)).raise_for_errors()
    bib_path.write_text(new_text, encoding="utf-8")
    return key
