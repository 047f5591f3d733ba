"""A fast scan of the start tags in built HTML pages.

html.parser took longer than the site build on this site (Material repeats a large navigation on
every page); the pages are generated, well-formed HTML, so a regex over start tags is enough and
about ten times faster. Comments and script/style bodies are skipped.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*?)?)\s*/?>", re.S)
_ATTRIBUTE = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_SKIPPED = re.compile(r"<!--.*?-->|<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)


@dataclass(frozen=True)
class Tag:
    name: str  # lowercase
    attributes: dict[str, str]
    offset: int


class HtmlText:
    def __init__(self, text: str):
        self.text = text
        self._newlines: list[int] | None = None

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and column of an offset."""
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        line = bisect.bisect_left(self._newlines, offset)
        start = self._newlines[line - 1] + 1 if line else 0
        return line + 1, offset - start + 1

    def tags(self, names: frozenset[str] = frozenset(), attributes: tuple[str, ...] = ()) -> Iterator[Tag]:
        """Start tags in order; with filters, only those named or having one of the attributes (faster)."""
        skipped = [(m.start(), m.end(), m.group(1)) for m in _SKIPPED.finditer(self.text)]
        starts = [s for s, _, _ in skipped]
        for match in _TAG.finditer(self.text):
            index = bisect.bisect_right(starts, match.start()) - 1
            if index >= 0:
                start, end, kind = skipped[index]
                # Inside a comment, or inside a script/style body (its own opening tag still counts).
                if start < match.start() < end and not (kind and match.start() == start):
                    continue
            name = match.group(1).lower()
            text = match.group(2) or ""
            if (names or attributes) and name not in names and not any(a in text for a in attributes):
                continue
            values: dict[str, str] = {}
            for attribute in _ATTRIBUTE.finditer(text):
                value = next((v for v in attribute.group(2, 3, 4) if v is not None), "")
                values.setdefault(attribute.group(1).lower(), html.unescape(value) if "&" in value else value)
            yield Tag(name, values, match.start())
