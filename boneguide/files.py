"""Files: walking those a build reads, writing safely (atomic replacement), and the JSON caches built on it.

The citation plugin caches its formatted bibliography and the checker its bibliography findings;
both are JSON (a file in build/ is never run as code) named by a hash of everything they depend on,
and each keeps only its newest few files.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from typing import Any

from boneguide import CACHE_VERSIONS

_DIGEST = 32  # hex digits of the hash in a cache file's name


def walk_files(root: Path, left_out: Collection[Path] = ()) -> Iterator[tuple[Path, os.stat_result]]:
    """Every file under ``root`` (none if there is no such folder) with its stat, but ``left_out``.

    Hidden files and folders (.git, .venv, editor swaps, .DS_Store) and bytecode caches change
    without changing what a build reads: counting them would make a build's record or a PDF stale
    as soon as the package is imported.
    """
    for folder, folders, names in os.walk(root):
        here = Path(folder)
        folders[:] = [
            name
            for name in folders
            if not name.startswith(".") and name != "__pycache__" and here / name not in left_out
        ]
        for name in names:
            path = here / name
            if name.startswith(".") or path in left_out:
                continue
            try:
                stat = path.stat()
            except OSError:  # removed while we walked: it is not there any more
                continue
            yield path, stat


def write_atomically(path: Path, text: str) -> None:
    """Write through a temporary file and rename it: Ctrl-C or a full disk mid-write leaves the
    old file whole, never half a file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


# Every module of the package: a cache written by other code is never served, and no hand-kept
# list of the files a cache depends on can go out of date (one once left keys.py out).
PACKAGE_SOURCES = tuple(sorted(Path(__file__).parent.rglob("*.py")))


@functools.cache
def _package_code() -> bytes:
    """Read once per process: `mkdocs serve` runs the code it imported, so a code edit needs a restart."""
    return b"".join(source.read_bytes() for source in PACKAGE_SOURCES)


def cache_file(folder: Path, prefix: str, inputs: Iterable[bytes]) -> Path:
    """The cache file for these inputs, the package's code and pybtex's version."""
    hasher = hashlib.sha256()
    for data in [*inputs, _package_code()]:
        hasher.update(data)
    for version in CACHE_VERSIONS:
        hasher.update(version.encode())
    return folder / f"{prefix}{hasher.hexdigest()[:_DIGEST]}.json"


def read_cache(path: Path) -> Any:
    """The cached data, or None when there is none or it is torn (only a lost speed-up)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_cache(path: Path, payload: Any, keep: int) -> bool:
    """Write ``payload`` and prune this cache's older files to the ``keep`` newest; False if it could not."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, json.dumps(payload, ensure_ascii=False))
        prefix = path.name[: -(_DIGEST + len(".json"))]
        # Only this cache's files, whatever else shares the folder (and an earlier release's pickles).
        ours = re.compile(re.escape(prefix) + rf"[0-9a-f]{{{_DIGEST}}}\.(json|pickle)")
        files = [f for f in path.parent.iterdir() if f != path and ours.fullmatch(f.name)]
        older = sorted(
            (f for f in files if f.suffix == ".json"), key=lambda f: f.stat().st_mtime, reverse=True
        )
        for stale in [*older[keep - 1 :], *(f for f in files if f.suffix == ".pickle")]:
            stale.unlink(missing_ok=True)
    except OSError:
        return False
    return True
