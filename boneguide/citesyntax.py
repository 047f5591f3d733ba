"""The citation syntax of our Markdown, parsed in one place for the renderer and the checker.

A citation is ``[@key]`` or ``[@a; @b]``. Anything that looks like one (``[@`` ... ``]``) is
returned, even with keys that break the convention (``[@Smith:2020]``, ``[@a, p. 3]``), so that
the checker can report them instead of skipping them silently; ``is_well_formed_key`` tells the
two apart. Text that Markdown does not render as prose is never a citation: fenced code
(``` and ~~~, any length, indented too), indented code blocks (four spaces or a tab after a blank
line, outside lists, admonitions, tabs and footnotes), inline code spans, HTML comments, URLs and autolinks,
link targets (``[t](https://x/@y)``), e-mail addresses, and ``[@x](...)`` link texts.

``find_stray_citations`` finds what an author meant as a citation but our renderer prints as
text: ``[see @key]``, ``[-@key]`` (pandoc's prefixes and author suppression, which we do not
support) and a bare ``@key`` in prose.

Written by hand because no library parses this pandoc-like subset without rendering the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from boneguide.keys import KEY_PATTERN

# Masked characters are replaced by this, keeping newlines, so offsets stay valid and a masked
# span can never become part of a citation.
_MASK = "\x00"

_FENCE_OPEN = re.compile(r"^[ \t>]*(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)$")
_BACKTICKS = re.compile(r"`+")
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_AUTOLINK = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9+.\-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>@]+)>")
_BARE_URL = re.compile(r"(?:\b[a-zA-Z][a-zA-Z0-9+.\-]*://|\bwww\.|\bmailto:)[^\s<>\"'\x00]*")
_EMAIL_LOCAL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+-")
_EMAIL_DOMAIN = re.compile(r"[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
_LINK_TARGET_START = re.compile(r"\]\(")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# Lines whose indented continuation is their content, not code (Python-Markdown and the
# admonition, details, tabbed and footnote extensions): list items, !!! / ??? / ???+ blocks,
# === tabs, footnote definitions and definition-list bodies.
_CONTAINER_START = re.compile(r"^ {0,3}(?:[-*+][ \t]|\d+[.)][ \t]|!!!|\?\?\?|===|\[\^[^\]]+\]:|:[ \t])")
_INDENTED = re.compile(r"^(?: {4}|[ ]{0,3}\t)")

# "[" + optional space + "@" + anything without brackets, masks or a blank line + "]".
_BLOCK = re.compile(r"(?<!\\)\[[ \t]*@(?P<body>(?:[^\[\]\x00\n]|\n(?![ \t]*\n))*)\]")


@dataclass(frozen=True)
class Citation:
    """One ``[@...]`` block in the Markdown text it was found in."""

    keys: tuple[str, ...]  # in order, e.g. ("a", "b") for [@a; @b]; may be malformed
    line: int  # 1-based line in the Markdown text given (plus line_offset)
    column: int  # 1-based column of the opening '['
    start: int  # offset of '[' in the text
    end: int  # offset just after ']'
    raw: str  # the exact source text, "[@a; @b]"


def is_well_formed_key(key: str) -> bool:
    """The syntax every key must have (``[a-z][a-z0-9]*``); the naming convention is keys.is_valid_key."""
    return bool(KEY_PATTERN.match(key))


_NOT_NEWLINE = re.compile(r"[^\n]")
_BLOCK_START = re.compile(r"\[[ \t]*@")


def _apply(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with every span's characters but newlines replaced by the mask character."""
    if not spans:
        return text
    pieces = []
    position = 0
    for start, end in sorted(spans):
        if end <= position:
            continue
        start = max(start, position)
        pieces += [text[position:start], _NOT_NEWLINE.sub(_MASK, text[start:end])]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _fence_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    offset = 0
    open_fence: str | None = None
    block_start = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if open_fence is None:
            if "``" in body or "~~" in body:
                match = _FENCE_OPEN.match(body)
                # A backtick fence's info string cannot contain a backtick (CommonMark): that is inline code.
                if match and not (match["fence"][0] == "`" and "`" in match["info"]):
                    open_fence = match["fence"]
                    block_start = offset
        else:
            stripped = body.lstrip(" \t>")
            run = len(stripped) - len(stripped.lstrip(open_fence[0]))
            if run >= len(open_fence) and not stripped[run:].strip():
                spans.append((block_start, offset + len(body)))
                open_fence = None
        offset += len(line)
    if open_fence is not None:  # an unclosed fence runs to the end of the document
        spans.append((block_start, len(text)))
    return spans


def _indented_code_spans(text: str) -> list[tuple[int, int]]:
    """Indented code blocks: Python-Markdown shows them as <pre><code>, so nothing there is cited.

    Only a real one: it follows a blank line (an indented line cannot interrupt a paragraph) and
    is not the indented content of a list item, admonition, tab or footnote.
    """
    if "    " not in text and "\t" not in text:
        return []
    # Imported here: the citation plugin's worker process imports this module, never needs YAML.
    from boneguide.frontmatter import split_front_matter

    _front, content, _line = split_front_matter(text)  # a page's YAML front matter is indented data
    offset = len(text) - len(content)
    spans: list[tuple[int, int]] = []
    previous_blank = True
    in_container = False
    block_start: int | None = None
    block_end = 0
    for line in content.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        blank = not body.strip()
        if block_start is not None:
            if blank:
                pass  # a blank line inside the block belongs to it if more code follows
            elif _INDENTED.match(body):
                block_end = offset + len(body)
            else:
                spans.append((block_start, block_end))
                block_start = None
        if block_start is None and not blank:
            if _INDENTED.match(body):
                if previous_blank and not in_container:
                    block_start, block_end = offset, offset + len(body)
            elif _CONTAINER_START.match(body):
                in_container = True
            elif previous_blank or not body.startswith((" ", "\t")):
                # An unindented paragraph after a blank line ends the list or admonition; without
                # one it may be a lazy continuation line, so the container goes on.
                in_container = in_container and not previous_blank
        previous_blank = blank
        offset += len(line)
    if block_start is not None:
        spans.append((block_start, block_end))
    return spans


def _code_span_spans(text: str) -> list[tuple[int, int]]:
    runs = list(_BACKTICKS.finditer(text))
    spans = []
    index = 0
    while index < len(runs):
        opener = runs[index]
        width = len(opener.group())
        closer_index = next(
            (j for j in range(index + 1, len(runs)) if len(runs[j].group()) == width),
            None,
        )
        # A lone backtick run is literal text, and a code span cannot cross a blank line (it ends
        # the paragraph): either way the opener is text and the next run may open a span.
        if closer_index is None or _BLANK_LINE.search(text, opener.end(), runs[closer_index].start()):
            index += 1
            continue
        spans.append((opener.start(), runs[closer_index].end()))
        index = closer_index + 1
    return spans


def _link_target_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _LINK_TARGET_START.finditer(text):
        depth = 1
        position = match.end()
        while position < len(text) and depth:
            if text[position] == "(":
                depth += 1
            elif text[position] == ")":
                depth -= 1
            elif text[position] == "\n" and text[position + 1 : position + 2] == "\n":
                break
            position += 1
        if depth == 0:
            spans.append((match.end(), position - 1))
    return spans


def _pattern_spans(pattern: re.Pattern[str]) -> Callable[[str], list[tuple[int, int]]]:
    return lambda text: [match.span() for match in pattern.finditer(text)]


def _bare_url_spans(text: str) -> list[tuple[int, int]]:
    if "://" not in text and "www." not in text and "mailto:" not in text:
        return []  # the regex tries every word start: skip it for the many pages without a URL
    return [match.span() for match in _BARE_URL.finditer(text)]


def _email_spans(text: str) -> list[tuple[int, int]]:
    # From each "@" outwards, not a regex from every position: the same spans, a tenth of the time.
    spans: list[tuple[int, int]] = []
    at = text.find("@")
    while at != -1:
        start = at
        while start > 0 and text[start - 1] in _EMAIL_LOCAL:
            start -= 1
        domain = _EMAIL_DOMAIN.match(text, at + 1)
        if start < at and domain and (not spans or start >= spans[-1][1]):
            spans.append((start, domain.end()))
        at = text.find("@", domain.end() if domain and start < at else at + 1)
    return spans


# In this order: what is inside code is not a comment, URL or e-mail address, and so on.
_MASKERS: tuple[Callable[[str], list[tuple[int, int]]], ...] = (
    _fence_spans,
    _indented_code_spans,
    _code_span_spans,
    _pattern_spans(_HTML_COMMENT),
    _pattern_spans(_AUTOLINK),
    _link_target_spans,
    _bare_url_spans,
    _email_spans,
)


def mask_non_prose(markdown: str, *, indented_code: bool = True) -> str:
    """The text with code, comments, URLs, link targets and e-mail addresses replaced by NULs.

    ``indented_code=False`` for text that is not Markdown but YAML (front matter given alone),
    where indentation is structure.
    """
    masked = markdown
    for spans_of in _MASKERS:
        if spans_of is _indented_code_spans and not indented_code:
            continue
        masked = _apply(masked, spans_of(masked))
    return masked


def _split_keys(body: str) -> tuple[str, ...]:
    """``a; @b;c`` -> ("a", "b", "c"): the block's own "[@" took the first key's "@"."""
    first, *rest = body.split(";")
    return (first.strip(), *(part.strip().removeprefix("@").strip() for part in rest))


def find_citations(markdown: str, *, line_offset: int = 0, indented_code: bool = True) -> list[Citation]:
    """Every citation block in ``markdown`` (a page body), in order of appearance.

    ``indented_code=False`` when ``markdown`` is YAML front matter on its own (see mask_non_prose).
    """
    if not _BLOCK_START.search(markdown):
        return []  # most text has no citation at all: skip the masking
    masked = mask_non_prose(markdown, indented_code=indented_code)
    citations: list[Citation] = []
    for match in _BLOCK.finditer(masked):
        start, end = match.span()
        following = masked[end : end + 2]
        # [@x](url) and [@x][ref] are links, [@x]: url at a line start is a link definition.
        if following[:1] == "(" or (following[:1] == "[" and following != "[@"):
            continue
        line_start = masked.rfind("\n", 0, start) + 1
        if following[:1] == ":" and not masked[line_start:start].strip():
            continue
        citations.append(
            Citation(
                keys=_split_keys(match["body"]),
                line=masked.count("\n", 0, start) + 1 + line_offset,
                column=start - line_start + 1,
                start=start,
                end=end,
                raw=markdown[start:end],
            )
        )
    return citations


def line_in_source(source_citations: list[Citation], citations: list[Citation], index: int) -> int | None:
    """The line of ``citations[index]`` (found in a page's Markdown as a plugin sees it: front
    matter removed, generated tables inserted) in the page's source file, whose citations are
    ``source_citations`` (``find_citations(source)``), or None when the citation is not in the
    source (generated content).

    Matched by its exact text and how many identical citations come before it, never by
    searching for its key: an empty key (``[@]``, ``[@a;;@b]``) or a key that also appears in
    an earlier sentence would otherwise point at the wrong line.
    """
    citation = citations[index]
    earlier = sum(1 for other in citations[:index] if other.raw == citation.raw)
    in_source = [found for found in source_citations if found.raw == citation.raw]
    if not in_source:
        return None
    return in_source[min(earlier, len(in_source) - 1)].line


@dataclass(frozen=True)
class StrayCitation:
    """Something meant as a citation that the renderer prints as text."""

    key: str
    line: int
    column: int  # 1-based, of the '[' or the bare '@'
    raw: str  # "[see @key]", "[-@key]", "@key"


# A bracket holding "@key" after other text or a '-': [see @a], [-@a], [e.g. @a; @b].
_PREFIXED_BLOCK = re.compile(
    r"(?<!\\)\[(?P<before>[^\[\]\x00\n@]*?)(?<![\w.%+\-])-?@(?P<key>[A-Za-z0-9_][\w:.\-]*)"
    r"(?:[^\[\]\x00]|\n(?![ \t]*\n))*?\]"
)
_RAW_CODE_ELEMENT = re.compile(r"<(style|script)\b.*?(?:</\1\s*>|\Z)", re.DOTALL | re.IGNORECASE)
# "@" at a word start, followed by a key: pandoc's in-text citation, which we do not render.
_BARE = re.compile(r"(?<![\w@.%+\-\\/`\x00])@(?P<key>[A-Za-z0-9_][A-Za-z0-9_:.\-]*[A-Za-z0-9_]|[A-Za-z0-9_])")


def find_stray_citations(markdown: str, *, line_offset: int = 0) -> list[StrayCitation]:
    """``[see @key]``, ``[-@key]`` and bare ``@key`` in prose (code, URLs and e-mail exempt)."""
    if "@" not in markdown:
        return []
    masked = mask_non_prose(markdown)
    # CSS at-rules (@media) and script in raw HTML are not prose either.
    masked = _apply(masked, [match.span() for match in _RAW_CODE_ELEMENT.finditer(masked)])
    strays: list[StrayCitation] = []
    # Real citation blocks and [@x](url) link texts are not stray: mask every [@...] block.
    masked = _apply(masked, [match.span() for match in _BLOCK.finditer(masked)])
    found: list[tuple[int, int, str]] = []
    link_texts: list[tuple[int, int]] = []
    for match in _PREFIXED_BLOCK.finditer(masked):
        if masked[match.end() : match.end() + 1] in ("(", "["):
            link_texts.append(match.span())  # a link's text, such as [write to @nih](...)
        else:
            found.append((match.start(), match.end(), match["key"]))
    masked = _apply(masked, link_texts + [(start, end) for start, end, _key in found])
    found += [(m.start(), m.end(), m["key"]) for m in _BARE.finditer(masked)]
    for start, end, key in sorted(found):
        line_start = masked.rfind("\n", 0, start) + 1
        strays.append(
            StrayCitation(
                key=key.rstrip(".:"),
                line=masked.count("\n", 0, start) + 1 + line_offset,
                column=start - line_start + 1,
                raw=markdown[start:end],
            )
        )
    return strays
