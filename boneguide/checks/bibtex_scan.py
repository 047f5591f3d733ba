"""Locate BibTeX entries and fields with their line and column.

pybtex parses values well but keeps no source positions, and on an unclosed brace it reports the
line where it gave up (often the next entry); this scanner finds where each entry and field starts
and names the field whose brace or quote was never closed. pybtex still parses every entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from boneguide.diagnostics import Finding

_ENTRY_START = re.compile(r"@[ \t]*([A-Za-z]+)[ \t\r\n]*([{(])")
_NEXT_ENTRY_AT_LINE_START = re.compile(r"\n[ \t]*@[ \t]*[A-Za-z]+[ \t]*[{(]")
_NAME = re.compile(r"[A-Za-z_][\w\-:.+/]*")
_NUMBER = re.compile(r"\d+")
_SWALLOWED_FIELD = re.compile(r"\n[ \t]*([A-Za-z][\w\-]*)[ \t]*=")


@dataclass
class BibField:
    name: str  # lowercase
    raw: str  # the value as written, outer braces/quotes kept
    line: int
    col: int
    value_line: int
    value_col: int


@dataclass
class BibEntry:
    entry_type: str  # lowercase
    key: str
    line: int  # of the '@'
    col: int
    key_line: int
    key_col: int
    start: int
    end: int
    fields: dict[str, BibField] = field(default_factory=dict)
    duplicate_fields: list[BibField] = field(default_factory=list)
    broken: bool = False  # the scanner found a syntax problem in it


class _Cursor:
    def __init__(self, text: str):
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    def where(self, offset: int) -> tuple[int, int]:
        low, high = 0, len(self.line_starts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if self.line_starts[middle] <= offset:
                low = middle
            else:
                high = middle - 1
        return low + 1, offset - self.line_starts[low] + 1


class _Unclosed(Exception):
    def __init__(self, resume_at: int):
        self.resume_at = resume_at


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _read_braced(text: str, pos: int, closer: str) -> int:
    """From an opening '{' or '"' at pos, the offset after its match; _Unclosed if a new entry starts first."""
    depth = 0
    index = pos
    if text[pos] == '"':
        index = pos + 1
        while index < len(text):
            char = text[index]
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
            elif char == '"' and depth <= 0:
                return index + 1
            elif char == "\n" and _NEXT_ENTRY_AT_LINE_START.match(text, index):
                raise _Unclosed(index + 1)
            index += 1
        raise _Unclosed(len(text))
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index + 1
        elif char == "\n" and _NEXT_ENTRY_AT_LINE_START.match(text, index):
            raise _Unclosed(index + 1)
        index += 1
    raise _Unclosed(len(text))


@dataclass(frozen=True)
class MacroBlock:
    """An @string definition: the entries after it may use its name (BibTeX reads in order)."""

    start: int
    end: int
    line: int
    col: int


def scan(
    text: str, macros: list[MacroBlock] | None = None, path: str = ""
) -> tuple[list[BibEntry], list[Finding]]:
    """Entries and syntax problems; each well-formed @string block is added to `macros` if given."""
    cursor = _Cursor(text)
    entries: list[BibEntry] = []
    problems: list[Finding] = []
    pos = 0
    while True:
        at = text.find("@", pos)
        if at < 0:
            break
        match = _ENTRY_START.match(text, at)
        if not match:
            pos = at + 1
            continue
        entry_type = match[1].lower()
        closer = "}" if match[2] == "{" else ")"
        line, col = cursor.where(at)
        if entry_type in {"comment", "preamble", "string"}:
            try:
                pos = (
                    _read_braced(text, match.end() - 1, closer) if match[2] == "{" else text.find(")", at) + 1
                )
            except _Unclosed as unclosed:
                problems.append(
                    Finding(path, line, col, "error", "bib-syntax", f"@{entry_type} is not closed")
                )
                pos = unclosed.resume_at
            else:
                if entry_type == "string" and macros is not None and pos > at:
                    macros.append(MacroBlock(at, pos, line, col))
            if pos <= at:
                pos = at + 1
            continue
        pos = _scan_entry(text, cursor, match, entry_type, closer, entries, problems, path)
    return entries, problems


def _scan_entry(
    text: str,
    cursor: _Cursor,
    match: re.Match[str],
    entry_type: str,
    closer: str,
    entries: list[BibEntry],
    problems: list[Finding],
    path: str,
) -> int:
    at = match.start()
    line, col = cursor.where(at)
    key_start = _skip_space(text, match.end())
    key_end = key_start
    while key_end < len(text) and text[key_end] not in ",}\n" and text[key_end] != closer:
        key_end += 1
    key = text[key_start:key_end].strip()
    key_line, key_col = cursor.where(key_start)
    entry = BibEntry(entry_type, key, line, col, key_line, key_col, at, len(text))
    entries.append(entry)

    def problem(offset: int, message: str) -> None:
        entry.broken = True
        problems.append(Finding(path, *cursor.where(offset), "error", "bib-syntax", message))

    if not key:
        problem(key_start, f"@{entry_type} entry has no citation key")
    pos = key_end
    if pos < len(text) and text[pos] == "\n":
        problem(key_start, f"entry '{key}': expected ',' after the citation key")
    while True:
        pos = _skip_space(text, pos)
        if pos >= len(text):
            problem(at, f"entry '{key}' is not closed (no '{closer}' before the end of the file)")
            entry.end = len(text)
            return len(text)
        char = text[pos]
        if char == closer:
            entry.end = pos + 1
            return pos + 1
        if char == ",":
            pos += 1
            continue
        if char == "@" and not text[text.rfind("\n", 0, pos) + 1 : pos].strip():
            swallowing = next((f for f in entry.fields.values() if _SWALLOWED_FIELD.search(f.raw)), None)
            if swallowing is not None:
                swallowed = _SWALLOWED_FIELD.search(swallowing.raw)
                assert swallowed is not None
                offset = cursor.line_starts[swallowing.value_line - 1] + swallowing.value_col - 1
                problem(
                    offset,
                    f"entry '{key}': the value of '{swallowing.name}' runs on into the next field "
                    f"'{swallowed[1]}': a closing brace or quote is missing",
                )
            else:
                problem(
                    at, f"entry '{key}' is not closed before the next entry at line {cursor.where(pos)[0]}"
                )
            entry.end = pos
            return pos
        name_match = _NAME.match(text, pos)
        if not name_match:
            problem(pos, f"entry '{key}': expected a field name, found {text[pos]!r}")
            next_comma = text.find(",", pos)
            next_line = text.find("\n", pos)
            pos = min(x for x in (next_comma, next_line, len(text)) if x >= 0) + 1
            continue
        name = name_match[0].lower()
        name_line, name_col = cursor.where(pos)
        pos = _skip_space(text, name_match.end())
        if pos >= len(text) or text[pos] != "=":
            problem(pos, f"entry '{key}': expected '=' after field name '{name}'")
            continue
        pos = _skip_space(text, pos + 1)
        value_start = pos
        try:
            pos = _read_value(text, pos, closer)
        except _Unclosed as unclosed:
            opener = text[value_start] if value_start < len(text) else "{"
            where = (
                f"before the next entry at line {cursor.where(unclosed.resume_at)[0]}"
                if unclosed.resume_at < len(text)
                else "before the end of the file"
            )
            problem(
                value_start,
                f"entry '{key}': the value of '{name}' opened with {opener!r} is not closed {where}",
            )
            entry.end = unclosed.resume_at
            return unclosed.resume_at
        except ValueError as error:
            problem(pos, f"entry '{key}', field '{name}': {error}")
            pos += 1
            continue
        value_line, value_col = cursor.where(value_start)
        bib_field = BibField(name, text[value_start:pos].strip(), name_line, name_col, value_line, value_col)
        if name in entry.fields:
            entry.duplicate_fields.append(bib_field)
        else:
            entry.fields[name] = bib_field
        after = _skip_space(text, pos)
        if after < len(text) and text[after] not in f",{closer}@":
            problem(after, f"entry '{key}': expected ',' after the value of '{name}'")
            pos = after


def _read_value(text: str, pos: int, closer: str) -> int:
    while True:
        if pos >= len(text):
            raise _Unclosed(len(text))
        char = text[pos]
        if char in '{"':
            pos = _read_braced(text, pos, closer)
        elif number := _NUMBER.match(text, pos):
            pos = number.end()
        elif name := _NAME.match(text, pos):
            pos = name.end()
        else:
            raise ValueError(f"expected a value, found {char!r}")
        after = _skip_space(text, pos)
        if after < len(text) and text[after] == "#":
            pos = _skip_space(text, after + 1)
            continue
        return pos
