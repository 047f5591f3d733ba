"""MkDocs plugin: the Sources page, rendered at build time from sources/ and references.bib.

The placeholder ``<!-- bng:sources -->`` becomes, for each source article: what it is (kind,
publisher, date), how many references it has, how many resolved to works in the bibliography
(read from the entries' ``cited-in`` fields, so the page shows what the site really holds), which
work each marker points to, and the unresolved items and inconsistent markers, listed honestly.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mkdocs.config import base, config_options
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger

from boneguide import frontmatter
from boneguide.bibfile import BibError
from boneguide.bibliography import entry_tokens, load_bib
from boneguide.citelists import Citation, SourceList, load_sources, marker_sort_key
from boneguide.identifiers import identifier_tokens
from boneguide.site.nutrients import cell, stacked, table_head

log = get_plugin_logger(__name__)

MARKER = "<!-- bng:sources -->"
CITATION_PLUGIN = "bng-citations"
FORMAT_LABELS = {
    "vancouver": "numbered reference list (Vancouver style)",
    "link-list": "list of every link of the page, aligned with the in-text markers",
    "markers-only": "in-text markers only: the reference list was not captured",
}


@dataclass
class BibIndex:
    """``source-id:marker`` -> keys of the entries whose ``cited-in`` names it."""

    by_ref: dict[str, list[str]]
    status: dict[str, str]
    tokens: dict[str, set[str]]


def index_bibliography(bib_path: Path) -> BibIndex:
    by_ref: dict[str, list[str]] = defaultdict(list)
    status: dict[str, str] = {}
    tokens: dict[str, set[str]] = {}
    for raw in load_bib(bib_path):
        assert raw.parsed is not None  # load_bib raises at an entry pybtex could not read
        fields = raw.parsed.fields
        status[raw.key] = fields.get("metadata-status", "")
        tokens[raw.key] = entry_tokens(raw.parsed)
        for ref in (r.strip() for r in fields.get("cited-in", "").split(";")):
            if ref:
                by_ref[ref].append(raw.key)
    return BibIndex(dict(by_ref), status, tokens)


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace("*", "\\*").replace("_", "\\_")


def _keys(keys: list[str], index: BibIndex) -> str:
    parts = []
    for key in keys:
        status = index.status.get(key, "")
        parts.append(f"`{key}`" + (f" ({status})" if status and status != "verified" else ""))
    return ", ".join(parts)


def keys_for(citation: Citation, keys: list[str], index: BibIndex) -> list[str]:
    """The entries among ``keys`` that carry this occurrence's identifier or link."""
    mine = identifier_tokens(citation.identifiers)
    return [k for k in keys if mine & index.tokens.get(k, set())] or keys


def source_counts(source: SourceList, index: BibIndex) -> tuple[int, int, list[str]]:
    """(references, resolved, markers the sources resolve but the bibliography lacks)."""
    markers = source.markers
    resolved = [m for m in markers if index.by_ref.get(f"{source.source_id}:{m}")]
    parsed = {c.marker for c in source.citations}
    missing = [m for m in markers if m in parsed and m not in resolved]
    return len(markers), len(resolved), missing


def render_source(source: SourceList, index: BibIndex, claims: list[dict[str, Any]]) -> list[str]:
    meta = source.meta
    total, resolved, _ = source_counts(source, index)
    lines = [f"## {_escape(meta.get('title', source.source_id))} {{#{source.source_id}}}", ""]
    facts = [
        ("Source id", f"`{source.source_id}`"),
        ("Kind", meta.get("kind", "")),
        ("Publisher", meta.get("publisher", "")),
        ("Author", meta.get("author", "")),
        ("Date", str(meta.get("date", "")) if meta.get("date") else ""),
        ("Address", f"<{meta['url']}>" if meta.get("url") else "not recorded in the capture"),
        ("Citation list", FORMAT_LABELS[meta["format"]]),
        ("References", f"{total}, of which {resolved} resolved to works in the bibliography"),
    ]
    lines += [f"- **{label}:** {value}" for label, value in facts if value]
    lines.append("")
    if meta.get("notes"):
        lines += [_escape(" ".join(str(meta["notes"]).split())), ""]
    lines += render_claims(claims)

    occurrences: dict[str, list[Citation]] = defaultdict(list)
    for citation in source.citations:
        occurrences[citation.marker].append(citation)
    inconsistent = {i.marker: i for i in source.inconsistencies}
    if source.citations:
        lines += table_head("Marker", "Work in the bibliography", "Cited as")
        for marker in sorted(occurrences, key=marker_sort_key):
            keys = index.by_ref.get(f"{source.source_id}:{marker}", [])
            work = _keys(keys, index) if keys else "not in the bibliography yet (run `make import`)"
            if marker in inconsistent and keys:
                work = "; ".join(
                    f"occurrence {c.occurrence}: {_keys(keys_for(c, keys, index), index)}"
                    for c in occurrences[marker]
                )
            raws = list(dict.fromkeys(c.raw for c in occurrences[marker]))
            cited = "<br>".join(_escape(r if len(r) <= 160 else r[:157] + "…") for r in raws)
            flag = " ⚠" if marker in inconsistent else ""
            lines.append(f"| {marker}{flag} | {work} | {cited} |")
        lines.append("")

    if source.inconsistencies:
        lines += ['!!! warning "Inconsistent markers"', ""]
        for inconsistency in source.inconsistencies:
            places = "; ".join(f"occurrence {n} links to {target}" for n, target in inconsistency.occurrences)
            lines.append(
                f"    Marker {inconsistency.marker} points to different works at different places "
                f"({_escape(places)}). Both works are kept in the bibliography, each recording marker "
                f"{inconsistency.marker} in its `cited-in` field, so every claim keeps the source it was "
                "actually linked to."
            )
        lines.append("")

    if source.unresolved:
        lines += [f"**Unresolved ({len(source.unresolved)}):** not in the bibliography, nothing guessed.", ""]
        for item in sorted(source.unresolved, key=lambda u: marker_sort_key(u.marker)):
            raw = f" The item reads: “{_escape(item.raw)}”." if item.raw else ""
            lines.append(f"- Marker {item.marker}: {item.reason}.{raw}")
        lines.append("")
    return lines


VERDICT_ORDER = ["wrong", "overstated", "untraceable", "partly supported", "supported"]


def render_claims(claims: list[dict[str, Any]]) -> list[str]:
    """What the article claimed, checked: a table, worst verdicts first, each finding cited."""
    if not claims:
        return []
    counts = {v: sum(c["verdict"] == v for c in claims) for v in VERDICT_ORDER}
    summary = ", ".join(f"{n} {v}" for v, n in counts.items() if n)
    table = table_head("Nutrient", "What the article claimed", "Verdict", "What the evidence shows")
    for claim in sorted(claims, key=lambda c: (VERDICT_ORDER.index(c["verdict"]), c["nutrient"])):
        nutrient = claim["nutrient"].replace("-", " ").capitalize()
        table.append(
            f"| {nutrient} | {cell(claim['claim'])} | **{claim['verdict']}** | {cell(claim['finding'])} |"
        )
    return [f"**Claims checked ({len(claims)}):** {summary}.", "", stacked("bng-claims", table)]


def render_sources(
    sources: list[SourceList], index: BibIndex, claims: dict[str, list[dict[str, Any]]] | None = None
) -> str:
    lines = table_head("Source article", "Kind", "References", "Resolved", "Unresolved")
    for source in sources:
        total, resolved, _ = source_counts(source, index)
        title = _escape(source.meta.get("title", source.source_id))
        lines.append(
            f"| [{title}](#{source.source_id}) | {source.meta.get('kind', '')} | {total} | {resolved} | "
            f"{total - resolved} |"
        )
    lines.append("")
    for source in sources:
        lines += render_source(source, index, (claims or {}).get(source.source_id, []))
    return "\n".join(lines)


def load_claims(sources_dir: Path, root: Path) -> dict[str, list[dict[str, Any]]]:
    """Each source's checked claims (sources/<id>/claims.yml), by source id."""
    found: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(sources_dir.glob("*/claims.yml")):
        shown = path.relative_to(root) if path.is_relative_to(root) else path
        # A FrontMatterError is a ValueError: the plugin reports it with its file:line problems.
        found[path.parent.name] = frontmatter.validate_claims_file(shown, path.read_text(encoding="utf-8"))
    return found


class SourcesConfig(base.Config):
    sources_dir = config_options.Type(str, default="sources")
    bib_file = config_options.Type(str, default="references.bib")


class SourcesPlugin(BasePlugin[SourcesConfig]):
    """``bng-sources``: fills ``<!-- bng:sources -->``."""

    def on_config(self, config: Any) -> Any:
        root = Path(config["config_file_path"]).parent
        # `mkdocs serve` rebuilds when what the Sources page is made from changes, as it does for pages.
        for path in ((root / self.config.sources_dir).resolve(), (root / self.config.bib_file).resolve()):
            if path.exists() and str(path) not in config["watch"]:
                config["watch"].append(str(path))
        return config

    def on_page_markdown(self, markdown: str, page: Any, config: Any, files: Any) -> str:
        if MARKER not in markdown:
            return markdown
        root = Path(config["config_file_path"]).parent
        notice = ""
        try:
            sources = load_sources(root / self.config.sources_dir)
            try:
                index = index_bibliography(root / self.config.bib_file)
            except BibError as exc:
                # The articles and their markers do not depend on the bibliography: the page is still
                # made (other pages link to its anchors), saying why no work is resolved.
                index = BibIndex({}, {}, {})
                notice = (
                    f'!!! failure "The bibliography could not be read"\n\n    {_escape(str(exc))}. '
                    "No marker is shown resolved until it is fixed.\n\n"
                )
                if CITATION_PLUGIN not in config["plugins"]:  # which otherwise reports it, at its line
                    log.error(f"bng-sources: {exc}")
            claims = load_claims(root / self.config.sources_dir, root)
        except (BibError, ValueError, OSError) as exc:
            raise PluginError(f"bng-sources: {exc}") from exc
        for source in sources:
            for issue in source.issues:
                log.warning(f"bng-sources: {issue}")
            _, _, missing = source_counts(source, index)
            if missing and not notice:  # with no readable bibliography every marker is "missing"
                log.warning(
                    f"bng-sources: {source.source_id} markers {', '.join(missing)} resolve to works that "
                    f"{self.config.bib_file} does not list: run make import"
                )
        return markdown.replace(MARKER, notice + render_sources(sources, index, claims))
