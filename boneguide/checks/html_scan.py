"""The start tags of built HTML pages, read with lxml (libxml2's HTML parser).

html.parser took longer than the site build on this site, and our earlier regex scanner spent
1.3 s on a Bibliography page of 10,000 entries (9 MB, 100,000 tags): lxml reads it in 0.3 s, and
it knows HTML's rules (comments, script and style bodies, entities, unquoted attributes) rather
than approximating them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple, cast

from lxml import etree

# huge_tree lifts libxml2's safety limits (10 MB text nodes, very deep trees): our own pages are
# trusted, and a large project's Bibliography page is already 9 MB. etree's parser, not lxml.html's:
# that one picks a Python class for every element (a third of the time on a large site).
_PARSER = etree.HTMLParser(encoding="utf-8", huge_tree=True, remove_comments=True)


class Tag(NamedTuple):  # not a dataclass: a large site has hundreds of thousands, and a tuple is made fastest
    name: str  # lowercase
    attributes: dict[str, str]
    line: int  # 1-based line of the start tag in the page


def start_tags(page: str | bytes, names: frozenset[str], attributes: tuple[str, ...]) -> Iterator[Tag]:
    """Elements in document order, only those named or having one of the attributes.

    ``page``: text, or valid UTF-8 bytes (as MkDocs writes a page: no need to decode it first).
    """
    data = page if isinstance(page, bytes) else page.encode("utf-8")
    try:
        # None for a page without elements: blank, comments or a doctype alone (the stubs say it never is)
        root: etree._Element | None = etree.fromstring(data, parser=_PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):  # nothing parsable: no tags
        return
    if root is None:
        return
    for element in root.iter(etree.Element):
        # libxml2's HTML parser lower-cases tag and attribute names; a parsed tree's tags are str
        name = cast(str, element.tag)
        values = element.attrib
        if name not in names:
            for attribute in attributes:  # a loop, not any(): this runs for every element of every page
                if attribute in values:
                    break
            else:
                continue
        yield Tag(name, dict(values), element.sourceline or 0)
