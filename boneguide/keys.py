"""The citation-key convention, in one place so importer, scaffolding and checker agree.

A key is lowercase ASCII ``[a-z0-9]`` only, because mkdocs-bibtex's ``[@key]`` parser and our own
stop at ``:`` and ``.``:

* ``{author}{year}{word}`` for a work with an author (or an organisation acting as author) and a
  title: first author's family name, four-digit year (``nd`` when the work is undated), first
  significant word of the title, e.g. ``clarke2008normal``. When that key is taken by another
  work, further title words are appended until it is unique. Organisations use their acronym
  (``ods``, ``nasem``); undated fact sheets name their subject: ``odsndvitamink``.
* ``{scheme}{number}`` for a work known only by an identifier: ``pmc6059859``, ``pmid30956224``,
  ``nbk532266``.

Keys are never changed once published: the importer reuses the key already in ``references.bib``
for a work it recognises.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Container

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9]*$")
AUTHORED_KEY_PATTERN = re.compile(r"^[a-z]+(?:\d{4}|nd)[a-z0-9]+$")
IDENTIFIER_KEY_PATTERN = re.compile(r"^(?:pmc|pmid|nbk)\d+$")

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "on",
        "in",
        "and",
        "or",
        "for",
        "to",
        "with",
        "at",
        "by",
        "from",
        "as",
        "is",
        "are",
        "be",
        "does",
        "do",
        "did",
        "what",
        "how",
        "can",
        "its",
        "their",
        "our",
        "your",
        "into",
        "about",
        "between",
        "versus",
        "vs",
    ]
)


def ascii_fold(text: str) -> str:
    """'Rodríguez' -> 'Rodriguez'; characters with no ASCII form are dropped."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def family_name_token(author: str) -> str:
    """The key's author part from 'Family, Given' or 'Given Family' (or an organisation)."""
    family = author.split(",")[0] if "," in author else author.split()[-1] if author.split() else ""
    first = ascii_fold(family).strip().split(" ")[0]
    return re.sub(r"[^a-z]", "", first.lower())


def title_words(title: str) -> list[str]:
    words = re.findall(r"[a-z0-9]+", ascii_fold(title).lower())
    return [w for w in words if w not in STOPWORDS]


def is_valid_key(key: str) -> bool:
    # Both forms are within KEY_PATTERN, the syntax every key must have.
    return bool(AUTHORED_KEY_PATTERN.match(key) or IDENTIFIER_KEY_PATTERN.match(key))


def authored_key(
    first_author: str,
    year: int | str | None,
    title: str,
    taken: Container[str] = (),
    subject: str | None = None,
) -> str:
    """``{author}{year}{word}``, lengthened with further title words until not in ``taken``.

    ``subject`` replaces the title words where a title starts generically, as on fact sheets:
    ODS "Vitamin K: Fact Sheet for Health Professionals", ``subject="vitamin k"`` -> ``odsndvitamink``.
    """
    author = family_name_token(first_author) or "anon"
    year_part = str(year) if year and re.fullmatch(r"\d{4}", str(year)) else "nd"
    words = [re.sub(r"[^a-z0-9]", "", subject.lower())] if subject else title_words(title) or ["untitled"]
    for count in range(1, len(words) + 1):
        key = f"{author}{year_part}{''.join(words[:count])}"
        if key not in taken:
            return key
    return next(f"{key}{n}" for n in itertools.count(2) if f"{key}{n}" not in taken)


def identifier_key(scheme: str, value: str) -> str:
    """``pmc6059859`` / ``pmid30956224`` / ``nbk532266`` for identifier-only entries."""
    digits = re.sub(r"\D", "", value)
    if scheme not in {"pmcid", "pmid", "nbk"} or not digits:
        raise ValueError(f"no identifier key for {scheme}:{value}")
    return f"{'pmc' if scheme == 'pmcid' else scheme}{digits}"
