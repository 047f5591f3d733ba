"""copied-sentence: a run of words on a page that repeats a source article word for word.

The source articles' text is not in the repository (it is not ours to publish), so each source
keeps fingerprints instead: ``sources/<id>/fingerprints.txt``, one hash per run of ``RUN_WORDS``
consecutive words of the article, written by ``scripts/fingerprint_sources.py`` from the captured
text. The checker hashes every run of a page's paragraphs the same way. Facts and figures may carry
over; sentences may not. A quoted or emphasised span (a quotation, a work's title) is not our prose:
it breaks a run instead of extending it. Paragraphs are compared whole, so a run split across
wrapped lines is found too.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

from boneguide.checks.model import Finding

RUN_WORDS = 8
FINGERPRINT_FILE = "fingerprints.txt"
HEADER = (
    f"# copied-sentence fingerprints: blake2b (6 bytes) of each run of {RUN_WORDS} words, lower-cased,"
    " apostrophes straight, joined by spaces; written by scripts/fingerprint_sources.py from {captured}\n"
)
WORD = re.compile(r"[a-z0-9µ]+(?:'[a-z]+)?")
# Bold before italic: '**Trials.**' is one span, or its closing '*' would open an italic one that
# runs on to the next '*' of the line and hides the words between.
QUOTED = re.compile(
    r'"[^"\n]{1,300}"|“[^”]{1,300}”|\*\*[^*\n]{1,300}\*\*|\*[^*\n]{1,300}\*|(?<!\w)_[^_\n]{1,300}_(?!\w)'
)
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def fingerprint(words: tuple[str, ...]) -> str:
    return hashlib.blake2b(" ".join(words).encode("utf-8"), digest_size=6).hexdigest()


def _runs(words: list[str]) -> Iterator[tuple[int, str]]:
    for start in range(len(words) - RUN_WORDS + 1):
        yield start, fingerprint(tuple(words[start : start + RUN_WORDS]))


def _words(text: str) -> list[str]:
    # "don’t" and "don't" are one word: an editor's keyboard may type either apostrophe.
    return WORD.findall(text.lower().replace("’", "'"))


def article_fingerprints(text: str) -> set[str]:
    return {hashed for _start, hashed in _runs(_words(text))}


def write_fingerprints(path: Path, article_text: str, captured: str) -> int:
    """Write the article's fingerprints (sorted, so a rerun changes nothing); return how many."""
    hashes = sorted(article_fingerprints(article_text))
    path.write_text(HEADER.format(captured=captured) + "".join(f"{h}\n" for h in hashes), encoding="utf-8")
    return len(hashes)


def load_fingerprints(sources_dir: Path) -> dict[str, str]:
    """Every source's fingerprints: hash -> the source's id (its folder name)."""
    known: dict[str, str] = {}
    for path in sorted(sources_dir.glob(f"*/{FINGERPRINT_FILE}")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                known.setdefault(line.strip(), path.parent.name)
    return known


def _words_with_lines(text: str) -> list[tuple[str, int]]:
    return [(w, n) for n, line in enumerate(text.splitlines(), 1) for w in _words(line)]


def _unquoted(paragraph: str) -> str:
    """Quoted spans replaced by a word no article holds, keeping their line breaks."""

    def blank(match: re.Match[str]) -> str:
        return "\n".join("qqquotedqq" for _ in range(match.group().count("\n") + 1))

    return QUOTED.sub(blank, paragraph)


def check_page(display: str, text: str, known: dict[str, str]) -> list[Finding]:
    if not known:
        return []
    findings = []
    reported: set[int] = set()
    breaks = list(PARAGRAPH_BREAK.finditer(text))
    starts = [0] + [m.end() for m in breaks]
    ends = [m.start() for m in breaks] + [len(text)]
    for start, end in zip(starts, ends, strict=True):
        first_line = text.count("\n", 0, start)
        located = _words_with_lines(_unquoted(text[start:end]))
        words = [w for w, _n in located]
        for position, hashed in _runs(words):
            source = known.get(hashed)
            line = first_line + located[position][1]
            if source is None or line in reported:
                continue
            reported.add(line)
            run = " ".join(words[position : position + RUN_WORDS])
            findings.append(
                Finding(
                    display,
                    line,
                    0,
                    "error",
                    "copied-sentence",
                    f'"{run} …" repeats the source article {source} word for word: say it in our own words',
                )
            )
    return findings
