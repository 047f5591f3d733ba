"""The start tags of built HTML pages, read with lxml (libxml2's HTML parser).

html.parser took longer than the site build on this site, and our earlier regex scanner spent
1.3 s on a Bibliography page of 10,000 entries (9 MB, 100,000 tags): lxml reads it in 0.3 s, and
it knows HTML's rules (comments, script and style bodies, entities, unquoted attributes) rather
than approximating them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast

from lxml import etree
from lxml import html as lxml_html

# huge_tree lifts libxml2's safety limits (10 MB text nodes, very deep trees): our own pages are
# trusted, and a large project's Bibliography page is already 9 MB.
_PARSER = lxml_html.HTMLParser(encoding="utf-8", huge_tree=True, remove_comments=True)


@dataclass(frozen=True)
class Tag:
    name: str  # lowercase
    attributes: dict[str, str]
    line: int  # 1-based line of the start tag in the page


def start_tags(
    page: str | bytes, names: frozenset[str] = frozenset(), attributes: tuple[str, ...] = ()
) -> Iterator[Tag]:
    """Elements in document order; with filters, only those named or having one of the attributes.

    ``page``: text, or valid UTF-8 bytes (as MkDocs writes a page: no need to decode it first).
    """
    if not page.strip():
        return
    data = page if isinstance(page, bytes) else page.encode("utf-8")
    try:
        root = lxml_html.document_fromstring(data, parser=_PARSER)
    except (etree.ParserError, ValueError):  # nothing parsable: no tags, as for an empty page
        return
    for element in root.iter(etree.Element):
        # libxml2's HTML parser lower-cases tag and attribute names; a parsed tree's tags are str
        name = cast(str, element.tag)
        values = element.attrib
        if (names or attributes) and name not in names and not any(a in values for a in attributes):
            continue
        yield Tag(name, dict(values), element.sourceline or 0)
