"""The Bibliography page: every entry of references.bib, where the site cites it, where it came from.

Built by the bng-citations plugin in two steps, so it never depends on page order:

1. ``expand_markdown`` (when the page is about to be built, the last of all, and rendered again
   from Markdown: see CitationsPlugin._expand_bibliography_page): the placeholder
   ``<!-- bng:bibliography -->`` becomes download links and one heading per kind of work (so the table of contents lists them),
   each followed by an empty slot ``<!--bng-bib-list:<kind>-->``;
2. ``render_slots`` (after every page has been rendered): each slot becomes the kind's entries,
   sorted by first author, each with its "cited in" links (page and section heading anchor) and
   its provenance from the ``cited-in`` field (source article and marker number, linked to the
   Sources page).

The lists go into the page's final HTML only (``on_post_page``), never through Markdown or the
search index: with 10,000 entries, Python-Markdown's raw-HTML parsing and the search plugin's
HTML parser each cost several seconds, and search_index.json would carry the whole bibliography
to every reader. No reference list is indexed on the citing pages either (CitationsPlugin.on_post_page):
readers search the bibliography with this page's filter.
"""

from __future__ import annotations

import html
from collections import Counter
from typing import TYPE_CHECKING, Any

from mkdocs.utils import get_relative_url

from boneguide.references_format import (
    KIND_LABELS,
    KIND_ORDER,
    CitedAt,
    FormattedBibliography,
    FormattedEntry,
)

if TYPE_CHECKING:
    from mkdocs.structure.pages import Page


MARKER = "<!-- bng:bibliography -->"
SUMMARY_SLOT = "<!--bng-bib-summary-->"
LIST_SLOT = "<!--bng-bib-list:{kind}-->"
SOURCES_PAGE = "sources.md"


def expand_markdown(markdown: str, page: Page, bibliography: FormattedBibliography, config: Any) -> str:
    """``markdown`` with its MARKER expanded (the plugin calls this only for a page that holds one)."""
    downloads = config.downloads_dir.strip("/")
    here = page.file.src_uri
    editors_view = bool(config.editors_view)
    counts = Counter(entry.kind for entry in bibliography.entries.values())
    parts = [
        f"{len(bibliography.entries)} works, sorted by first author within each kind. {SUMMARY_SLOT}",
        "",
        "**Download the whole bibliography** for a reference manager: "
        f"[references.bib (BibTeX)]({get_relative_url(f'{downloads}/references.bib', here)}) · "
        f"[references.csl.json (CSL-JSON)]({get_relative_url(f'{downloads}/references.csl.json', here)})",
        "",
        # Filled in by citations.js; hidden without JavaScript, where the grouped list still works.
        '<div class="bng-bib-filter" hidden><label>Filter by author, title or journal '
        '<input type="search" class="bng-bib-filter__text" autocomplete="off"></label> '
        + (
            '<label><input type="checkbox" class="bng-bib-filter__cited"> cited on the site only</label> '
            if editors_view
            else ""
        )
        + '<output class="bng-bib-filter__count" aria-live="polite"></output></div>',
        "",
    ]
    for kind in KIND_ORDER:
        if not counts[kind]:
            continue
        parts += [
            f"## {KIND_LABELS[kind]} ({counts[kind]}) {{#kind-{kind}}}",
            "",
            LIST_SLOT.format(kind=kind),
            "",
        ]
    return markdown.replace(MARKER, "\n".join(parts), 1)


def _cited_in_html(places: list[CitedAt], page: Page, pages: dict[str, Page]) -> str:
    counts = Counter((c.src_uri, c.section_id) for c in places)
    links = []
    for (src_uri, section_id), count in counts.items():
        citing = pages[src_uri]
        place = next(c for c in places if c.src_uri == src_uri and c.section_id == section_id)
        href = citing.file.url_relative_to(page.file) + (f"#{section_id}" if section_id else "")
        label = html.escape(citing.title or src_uri)
        if place.section_title and place.section_title != citing.title:
            label += " › " + html.escape(place.section_title)
        times = f" ({count}×)" if count > 1 else ""
        links.append(
            f'<a class="bng-bib__cited" href="{html.escape(href, quote=True)}" '
            f'data-cite-id="{place.cite_id}">{label}</a>{times}'
        )
    return "Cited in: " + "; ".join(links)


def _provenance_html(entry: FormattedEntry, page: Page, sources_page: Page | None) -> str:
    if not entry.cited_in:
        return ""
    items = []
    for source_id, marker in entry.cited_in:
        name = html.escape(source_id)
        if sources_page is not None:
            href = sources_page.file.url_relative_to(page.file)
            if f'id="{source_id}"' in (sources_page.content or ""):
                href += f"#{source_id}"
            name = f'<a href="{html.escape(href, quote=True)}">{name}</a>'
        items.append(f"{name} ref. {html.escape(marker)}" if marker else name)
    return "Listed by source article: " + "; ".join(items)


def render_slots(
    page: Page,
    bibliography: FormattedBibliography,
    cited_at: dict[str, list[CitedAt]],
    pages: dict[str, Page],
    sources_page: Page | None,
    *,
    editors_view: bool = False,
) -> dict[str, str]:
    """Slot -> HTML: the summary sentence and one sorted list per kind of work.

    Readers get each reference and where the guide cites it. Citation keys, metadata badges,
    uncited-entry notes and which source article listed the work are editors' workings, shown only
    with ``editors_view`` (the Sources page shows the provenance to everyone).
    """

    def meta(entry: FormattedEntry) -> str:
        cited = _cited_in_html(cited_at[entry.key], page, pages) if cited_at.get(entry.key) else ""
        if not editors_view:
            return cited
        kept = f"; kept: {html.escape(entry.keep_unused)}" if entry.keep_unused else ""
        parts = [
            f'<code class="bng-bib__key">{entry.key}</code>',
            cited or f"Not cited on the site{kept}",
            _provenance_html(entry, page, sources_page),
        ]
        return " · ".join(part for part in parts if part)

    cited = sum(1 for key in bibliography.entries if cited_at.get(key))
    slots = {SUMMARY_SLOT: f"{cited} of them are cited on the site."}

    def item(entry: FormattedEntry) -> str:
        body = entry.html + entry.flag_html if editors_view else entry.html
        details = meta(entry)
        return (
            f'<li id="ref-{entry.key}" class="bng-bib__entry" data-reference-key="{entry.key}" '
            f'data-kind="{entry.kind}"><p class="bng-ref">{body}</p>'
            + (f'<p class="bng-bib__meta">{details}</p>' if details else "")
            + "</li>"
        )

    ordered = sorted(bibliography.entries.values(), key=lambda e: e.sort_key)
    for kind in KIND_ORDER:
        items = [item(entry) for entry in ordered if entry.kind == kind]
        slots[LIST_SLOT.format(kind=kind)] = (
            f'<ul class="bng-bibliography" data-kind="{kind}">\n' + "\n".join(items) + "\n</ul>"
        )
    return slots


def fill(text: str, slots: dict[str, str]) -> str:
    for slot, replacement in slots.items():
        text = text.replace(slot, replacement, 1)
    return text
