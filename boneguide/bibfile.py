"""references.bib, read one way by the importer, the citation plugin and the checker.

pybtex parses values well but keeps no source positions, stops at the first problem when strict,
and on an unclosed brace names the line where it gave up (often the next entry). So the file is
scanned here for where each entry and field starts (by hand: no BibTeX library exposes positions),
the field whose brace or quote was never closed is named, and pybtex parses each well-formed entry
on its own, so that one bad entry hides no other. Every problem is a Finding at its line and column.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path

import pybtex.errors
from pybtex.database import BibliographyData, Entry
from pybtex.database.input import bibtex as pybtex_bibtex

from boneguide.diagnostics import Finding


class BibError(Exception):
    """A .bib file that cannot be used as it stands; the message names the file, line and column."""


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
    text: str = ""  # the entry as written, from its '@' to its closing brace
    parsed: Entry | None = None  # pybtex's reading, when the entry is well formed
    leading: str = ""  # what an editor wrote above it (set by the importer, which writes it back)


class _Cursor:
    def __init__(self, text: str):
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    def where(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.line_starts, offset)  # 1-based: starts at or before offset
        return line, offset - self.line_starts[line - 1] + 1


class _Unclosed(Exception):
    def __init__(self, resume_at: int):
        self.resume_at = resume_at


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _read_braced(text: str, pos: int) -> int:
    """From an opening '{' or '"' at pos, the offset after its match; _Unclosed if a new entry starts first.

    Inside quotes, braces nest but a backslash escapes nothing; inside braces, it escapes the next character.
    """
    quoted = text[pos] == '"'
    depth = 0
    index = pos + 1 if quoted else pos
    while index < len(text):
        char = text[index]
        if char == "\\" and not quoted:
            index += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0 and not quoted:
                return index + 1
        elif char == '"' and quoted and depth <= 0:
            return index + 1
        elif char == "\n" and _NEXT_ENTRY_AT_LINE_START.match(text, index):
            raise _Unclosed(index + 1)
        index += 1
    raise _Unclosed(len(text))


@dataclass(frozen=True)
class Block:
    """An @comment, @preamble or @string block (an @string's macro is usable by the entries after it)."""

    kind: str
    start: int
    end: int
    line: int
    col: int


def scan(
    text: str, blocks: list[Block] | None = None, path: str = ""
) -> tuple[list[BibEntry], list[Finding]]:
    """Entries and syntax problems; each closed @comment, @preamble and @string is added to `blocks`."""
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
        if entry_type in {"comment", "preamble", "string"}:
            line, col = cursor.where(at)
            try:
                pos = _read_braced(text, match.end() - 1) if match[2] == "{" else text.find(")", at) + 1
            except _Unclosed as unclosed:
                problems.append(
                    Finding(path, line, col, "error", "bib-syntax", f"@{entry_type} is not closed")
                )
                pos = unclosed.resume_at
            else:
                if blocks is not None and pos > at:
                    blocks.append(Block(entry_type, at, pos, line, col))
            if pos <= at:
                pos = at + 1
            continue
        entry = _scan_entry(text, cursor, match, problems, path)
        entry.text = text[entry.start : entry.end].rstrip()
        entries.append(entry)
        pos = entry.end
    return entries, problems


def _scan_entry(
    text: str, cursor: _Cursor, match: re.Match[str], problems: list[Finding], path: str
) -> BibEntry:
    """The entry whose '@type{' ``match`` found; its ``end`` is where scanning resumes."""
    entry_type = match[1].lower()
    closer = "}" if match[2] == "{" else ")"
    at = match.start()
    line, col = cursor.where(at)
    key_start = _skip_space(text, match.end())
    key_end = key_start
    while key_end < len(text) and text[key_end] not in ",}\n" and text[key_end] != closer:
        key_end += 1
    key = text[key_start:key_end].strip()
    key_line, key_col = cursor.where(key_start)
    entry = BibEntry(entry_type, key, line, col, key_line, key_col, at, len(text))

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
            return entry
        char = text[pos]
        if char == closer:
            entry.end = pos + 1
            return entry
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
            return entry
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
            pos = _read_value(text, pos)
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
            return entry
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


def _read_value(text: str, pos: int) -> int:
    while True:
        if pos >= len(text):
            raise _Unclosed(len(text))
        char = text[pos]
        if char in '{"':
            pos = _read_braced(text, pos)
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


# --- the file: entries with their places, pybtex's reading of each, every problem ---------------


class _StrictParser(pybtex_bibtex.Parser):
    """pybtex's parser, raising on every problem instead of printing and carrying on."""

    def handle_error(self, error: Exception) -> None:
        raise error


@dataclass
class BibFile:
    path: Path
    display_path: str  # as findings name it (relative to the project where possible)
    text: str = ""
    entries: dict[str, BibEntry] = field(default_factory=dict)  # first entry of each key, in file order
    blocks: list[Block] = field(default_factory=list)  # @comment, @preamble and @string, in file order
    problems: list[Finding] = field(default_factory=list)
    readable: bool = True

    def value(self, key: str, name: str) -> str | None:
        """A field's text (pybtex's when it parsed the entry, else the raw value without its outer braces)."""
        entry = self.entries[key]
        if entry.parsed is not None:
            if name in ("author", "editor") and entry.parsed.persons.get(name):
                return " and ".join(str(p) for p in entry.parsed.persons[name])
            text = entry.parsed.fields.get(name)
            return None if text is None else str(text).strip()
        raw_field = entry.fields.get(name)
        if raw_field is None:
            return None
        raw = raw_field.raw
        if len(raw) >= 2 and raw[0] + raw[-1] in ("{}", '""'):
            raw = raw[1:-1]
        return raw.strip()

    def data(self) -> BibliographyData:
        """pybtex's view of the entries it could read (for formatting)."""
        data = BibliographyData()
        for key, entry in self.entries.items():
            if entry.parsed is not None:
                data.add_entry(key, entry.parsed)
        return data

    def raise_for_errors(self) -> None:
        """For the scripts, which write the file back: BibError at the file's first problem."""
        errors = [problem for problem in self.problems if problem.severity == "error"]
        if errors:
            raise BibError(str(min(errors, key=lambda problem: (problem.line, problem.col))))


def _finding(bib: BibFile, line: int, col: int, message: str, code: str = "bib-syntax") -> Finding:
    return Finding(bib.display_path, line, col, "error", code, message)


def load(path: Path, display_path: str | None = None) -> BibFile:
    """Read and parse ``path``; a missing or unreadable file is a problem, not an exception."""
    bib = BibFile(path, str(path) if display_path is None else display_path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        bib.readable = False
        bib.problems.append(_finding(bib, 0, 0, "bibliography file not found", "bib-missing"))
        return bib
    except OSError as error:
        bib.readable = False
        bib.problems.append(_finding(bib, 0, 0, f"cannot read the bibliography: {error}", "bib-unreadable"))
        return bib
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # Each bad byte at its line; the rest of the file is still read (U+FFFD in their place).
        bib.problems += [
            _finding(bib, line, col, reason, "bib-unreadable") for line, col, reason in utf8_errors(data)
        ]
        text = data.decode("utf-8", errors="replace")
    _parse_into(bib, text)
    return bib


def parse_text(text: str, name: str) -> BibFile:
    """The same reading of a text not (yet) on disk, e.g. a file about to be written."""
    bib = BibFile(Path(name), name)
    _parse_into(bib, text)
    return bib


def _parse_into(bib: BibFile, text: str) -> None:
    bib.text = text
    entries, problems = scan(text, bib.blocks, bib.display_path)
    bib.problems += problems
    # Each entry is parsed on its own (one bad entry must not hide the others), so the @string
    # macros defined before it are read first, in file order, as pybtex does for the whole file.
    macro_parser = _StrictParser()
    macros = iter(block for block in bib.blocks if block.kind == "string")
    next_macro = next(macros, None)
    first_of: dict[str, BibEntry] = {}  # BibTeX and pybtex compare keys without case
    for entry in entries:
        first = first_of.get(entry.key.lower())
        if first is not None:
            same = "" if first.key == entry.key else f" as '{first.key}'"
            bib.problems.append(
                _finding(
                    bib,
                    entry.key_line,
                    entry.key_col,
                    f"duplicate key '{entry.key}' (first defined at line {first.key_line}{same})",
                    "bib-duplicate-key",
                )
            )
            continue
        if not entry.key:
            continue
        first_of[entry.key.lower()] = bib.entries[entry.key] = entry
        for repeated in entry.duplicate_fields:
            bib.problems.append(
                _finding(
                    bib,
                    repeated.line,
                    repeated.col,
                    f"entry '{entry.key}': field '{repeated.name}' is given twice",
                    "bib-duplicate-field",
                )
            )
        while next_macro is not None and next_macro.start < entry.start:
            _read_macro(bib, next_macro, macro_parser)
            next_macro = next(macros, None)
        if entry.broken or entry.duplicate_fields:
            continue
        parser = _StrictParser(macros=macro_parser.macros)
        try:
            entry.parsed = parser.parse_string(text[entry.start : entry.end]).entries.get(entry.key)
        # pybtex raises assorted types on malformed input; none may stop the reading
        except Exception as error:
            line, col = entry.line, entry.col
            if lineno := getattr(error, "lineno", None):
                line, col = entry.line + max(int(lineno), 1) - 1, 0
            bib.problems.append(_finding(bib, line, col, f"entry '{entry.key}': {_reason(error)}"))
    for block in [next_macro, *macros] if next_macro else []:  # after the last entry
        _read_macro(bib, block, macro_parser)


def _read_macro(bib: BibFile, block: Block, parser: _StrictParser) -> None:
    """Define an @string's macro in `parser`; a malformed one is reported and stays undefined."""
    try:
        parser.parse_string(bib.text[block.start : block.end])
    except Exception as error:  # pybtex raises assorted types on malformed input
        bib.problems.append(_finding(bib, block.line, block.col, f"@string: {_reason(error)}"))


def _reason(error: Exception) -> str:
    """pybtex's message without its "in line N": a finding gives the line in the file itself."""
    return re.sub(r"\s*in line \d+", "", str(error)).strip()


def read_data(path: Path) -> tuple[BibliographyData, list[Finding]]:
    """pybtex's reading of every entry it can read, and the file's problems, for formatting.

    A well-formed file (the usual case) is parsed by pybtex in one pass without locating anything,
    in about a quarter less time on 10,000 entries; only a file with a problem is read by load().
    OSError propagates: the caller decides what a missing file means.
    """
    data = path.read_bytes()
    try:
        with pybtex.errors.capture() as errors:  # this parse only: no process-wide strict switch
            parsed = pybtex_bibtex.Parser().parse_string(data.decode("utf-8"))
        if not errors:
            return parsed, []
    except Exception:  # pybtex raises assorted types on malformed input; load() names each problem
        pass
    bib = load(path)
    return bib.data(), bib.problems


_KEY_AT_LINE_START = re.compile(r"^[ \t]*@[ \t]*(\w+)[ \t]*[{(][ \t]*([^,\s{}()]+)[ \t]*,", re.M)


def quick_keys(path: Path) -> set[str]:
    """The entry keys, read with a regex in milliseconds (load() takes seconds on 10,000 entries):
    the citation plugin checks the pages' citations with them while pybtex is still at work."""
    text = path.read_text(encoding="utf-8", errors="replace")
    return {
        key
        for kind, key in _KEY_AT_LINE_START.findall(text)
        if kind.lower() not in ("comment", "preamble", "string")
    }


def utf8_errors(data: bytes) -> list[tuple[int, int, str]]:
    """(line, column, reason) of every byte sequence that is not UTF-8, 1-based, so the editor can
    go to it: Python's own error names a byte offset, which no editor jumps to."""
    problems: list[tuple[int, int, str]] = []
    position = 0
    while True:
        try:
            data[position:].decode("utf-8")
            return problems
        except UnicodeDecodeError as error:
            start = position + error.start
            if problems and error.start == 0:  # a run of bad bytes (a Latin-1 "é" is one) is one problem
                position = position + error.end
                continue
            line_start = data.rfind(b"\n", 0, start) + 1
            column = len(data[line_start:start].decode("utf-8", errors="replace")) + 1
            byte = data[start : start + 1].hex()
            problems.append(
                (
                    data.count(b"\n", 0, start) + 1,
                    column,
                    f"byte 0x{byte} is not UTF-8 ({error.reason}): save the file as UTF-8",
                )
            )
            position = position + error.end
