"""The citation syntax of our Markdown, parsed in one place for the renderer and the checker.

A citation is ``[@key]`` or ``[@a; @b]``. Anything that looks like one (``[@`` ... ``]``) is
returned, even with keys that break the convention (``[@Smith:2020]``, ``[@a, p. 3]``), so that
the checker can report them instead of skipping them silently; ``is_well_formed_key`` tells the
two apart. Text that Markdown does not render as prose is never a citation: fenced code
(``` and ~~~, any length, indented too), inline code spans, HTML comments, URLs and autolinks,
link targets (``[t](https://x/@y)``), e-mail addresses, and ``[@x](...)`` link texts.

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
        if closer_index is None:
            index += 1  # a lone backtick run is literal text
            continue
        closer = runs[closer_index]
        # A code span cannot cross a blank line (it ends the paragraph).
        if _BLANK_LINE.search(text, opener.end(), closer.start()):
            index += 1
            continue
        spans.append((opener.start(), closer.end()))
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
    _code_span_spans,
    _pattern_spans(_HTML_COMMENT),
    _pattern_spans(_AUTOLINK),
    _link_target_spans,
    _bare_url_spans,
    _email_spans,
)


def mask_non_prose(markdown: str) -> str:
    """The text with code, comments, URLs, link targets and e-mail addresses replaced by NULs."""
    masked = markdown
    for spans_of in _MASKERS:
        masked = _apply(masked, spans_of(masked))
    return masked


def _split_keys(body: str) -> tuple[str, ...]:
    parts = body.split(";")
    keys = [parts[0].strip()]
    for part in parts[1:]:
        part = part.strip()
        keys.append(part[1:].strip() if part.startswith("@") else part)
    return tuple(keys)


def find_citations(markdown: str, *, line_offset: int = 0) -> list[Citation]:
    """Every citation block in ``markdown`` (a page body), in order of appearance."""
    if not _BLOCK_START.search(markdown):
        return []  # most text has no citation at all: skip the masking
    masked = mask_non_prose(markdown)
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
