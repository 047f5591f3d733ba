"""An offline copy of the site as a zip: open index.html from a folder, with no network.

Material's ``offline`` plugin does most of it (no directory URLs, search index inlined as a
script). Two gaps, measured on a prototype: its search worker shim is loaded from unpkg.com, and
instant navigation cannot work from file://. So the variant loads a vendored copy of the shim and
drops instant navigation; every internal link is then checked to resolve to a file in the copy.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import shutil
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from boneguide.export.variant import ExportError, build_variant, with_plugin_options
from boneguide.export.version import current_edition
from boneguide.files import walk_files

FOLDER_NAME = "bone-nutrient-guide"
SHIM = "assets/javascripts/vendor/iframe-worker/shim.js"
IFRAME_WORKER_SHA256 = "e8e412dbcfea9b7e31b5ffa288d7b6035915e714c542f4176a0cdbe262fc9609"
# Features that need a web server: instant loading fetches pages with XHR, which file:// refuses.
SERVER_ONLY_FEATURES = {"navigation.instant", "navigation.instant.prefetch", "navigation.instant.progress"}
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # fixed, so the same site gives the same zip
LINK = re.compile(r"""<(?:a|link)\b[^>]*?\bhref=["']([^"'#?]*)[^"']*["']""", re.I)
SOURCE = re.compile(r"""<(?:script|img|iframe|source)\b[^>]*?\bsrc=["']([^"'#?]*)[^"']*["']""", re.I)


@dataclass
class OfflineResult:
    path: Path
    files: int
    bytes: int
    seconds: float
    pdf_included: bool


# Everything the PDF is made from, relative to the project: pages and theme, the bibliography and
# what it is built from, the study records the tables show. The tooling package (plugins, schemas,
# reference formatting) is an input too; PACKAGE_DIR is added to these.
PDF_INPUT_FILES = ("mkdocs.yml", "references.bib")
PDF_INPUT_FOLDERS = ("docs", "overrides", "sources", "studies")
PACKAGE_DIR = Path(__file__).resolve().parent.parent


def newest_input(root: Path, package: Path = PACKAGE_DIR) -> tuple[float, Path | None]:
    """The latest modification time among the PDF's inputs, and the file that has it."""
    times = []
    for path in (root / name for name in PDF_INPUT_FILES):
        with contextlib.suppress(OSError):  # none, or removed while we looked: not an input
            times.append((path.stat().st_mtime, path))
    for folder in (*(root / name for name in PDF_INPUT_FOLDERS), package):
        times += ((stat.st_mtime, path) for path, stat in walk_files(folder))
    return max(times, key=lambda found: found[0], default=(0.0, None))


def pdf_staleness(pdf: Path, root: Path, package: Path = PACKAGE_DIR) -> str | None:
    """Why `pdf` must be rebuilt before it is bundled (missing, or older than one of its inputs),
    or None when it is up to date."""
    if not pdf.is_file():
        return f"{pdf} is missing"
    mtime, newest = newest_input(root, package)
    if newest is not None and pdf.stat().st_mtime < mtime:
        shown = newest.relative_to(root).as_posix() if newest.is_relative_to(root) else newest
        return f"{pdf} is older than {shown}"
    return None


def check_shim(docs_dir: Path) -> None:
    shim = docs_dir / SHIM
    if not shim.is_file():
        raise ExportError(f"{shim}: missing; offline search needs the vendored iframe-worker shim")
    digest = hashlib.sha256(shim.read_bytes()).hexdigest()
    if digest != IFRAME_WORKER_SHA256:
        raise ExportError(
            f"{shim}: sha256 {digest} is not the vendored iframe-worker 1.0.4 "
            f"({IFRAME_WORKER_SHA256}); see VENDOR.txt beside it"
        )


def _offline_overrides(raw: dict[str, Any], root: Path, pdf: Path | None) -> dict[str, Any]:
    extra = dict(raw.get("extra") or {})
    extra["polyfills"] = [SHIM]
    extra["bng_pdf"] = pdf.name if pdf else None  # None hides the "Download PDF" link
    plugins = list(raw.get("plugins") or [])
    if pdf:  # bng-downloads links the bundled PDF (and handouts beside it), not the published copy
        plugins = with_plugin_options(plugins, "bng-downloads", build_dir=str(pdf.resolve().parent))
    extra["bng_edition"] = current_edition(root)
    theme = dict(raw.get("theme") or {})
    theme["features"] = [f for f in theme.get("features", []) if f not in SERVER_ONLY_FEATURES]
    return {"extra": extra, "theme": theme, "plugins": plugins}


RELATIVE_URL = re.compile(r"""(\b(?:href|src)=["'])([^"'#?:]+)([#?][^"']*)?(["'])""", re.I)


def _offline_target(page: Path, path: str) -> Path | None:
    """The file a relative link of ``page`` means, trying what templates and raw HTML written for
    directory URLs meant: 'about/' is about.html, and '../x' is counted from the page's folder URL."""
    for base in (page.parent, page.with_suffix("")):
        target = (base / unquote(path)).resolve()
        for candidate in (target, target / "index.html", target.with_name(target.name + ".html")):
            if candidate.is_file():
                return candidate
    return None


def _repair_match(page: Path, match: re.Match[str]) -> str:
    prefix, path, rest, quote = match.groups()
    if path.startswith("/") or (page.parent / unquote(path)).resolve().is_file():
        return match.group(0)
    target = _offline_target(page, path)
    if target is None:
        return match.group(0)  # left for broken_local_links to report
    return f"{prefix}{os.path.relpath(target, page.parent)}{rest or ''}{quote}"


def repair_links(site: Path) -> int:
    """Rewrite relative links that only work with directory URLs to the files the offline build
    wrote (templates say 'about/', raw HTML in pages says '../../data/x.json'); returns how many
    pages changed."""
    changed = 0
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        repaired = RELATIVE_URL.sub(functools.partial(_repair_match, page), text)
        if repaired != text:
            page.write_text(repaired, encoding="utf-8")
            changed += 1
    return changed


def broken_local_links(site: Path) -> list[str]:
    """Internal links and resources of every page that do not resolve to a file of the copy.

    From file:// a link to a folder ('about/') opens a directory listing, not its page, so only
    files count.
    """
    problems: list[str] = []
    for page in sorted(site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        for match in [*LINK.finditer(text), *SOURCE.finditer(text)]:
            target = match.group(1)
            parts = urlsplit(target)
            if not target or parts.scheme or parts.netloc or target.startswith("//"):
                continue
            resolved = (page.parent / unquote(parts.path)).resolve()
            if not resolved.is_file():
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{page.relative_to(site)}:{line}: {target}")
    return problems


def write_zip(site: Path, output: Path) -> int:
    """Zip ``site`` under one top folder, files sorted and timestamps fixed; returns the file count."""
    files = sorted(p for p in site.rglob("*") if p.is_file())
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_suffix(".zip.part")
    with zipfile.ZipFile(partial, "w") as archive:
        for path in files:
            info = zipfile.ZipInfo(f"{FOLDER_NAME}/{path.relative_to(site).as_posix()}", ZIP_TIMESTAMP)
            info.external_attr = 0o644 << 16
            # Compression set here: the archive's own settings apply only to members it names itself.
            archive.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED, compresslevel=9)
    partial.replace(output)
    return len(files)


README = """Bone Nutrient Guide: offline copy ({edition})

Open index.html in a web browser. Navigation, search and citations work with no network.
{pdf_line}The text is licensed under CC BY 4.0; it is general information, not medical advice.
Online version: {site_url}
"""


def build_offline(
    config_file: Path, output: Path, *, pdf: Path | None = None, strict: bool = True
) -> OfflineResult:
    started = time.perf_counter()
    config_file = config_file.resolve()
    root = config_file.parent
    check_shim(root / "docs")
    with tempfile.TemporaryDirectory(prefix="bng-offline-") as tmp:
        site = Path(tmp) / FOLDER_NAME
        config = build_variant(
            config_file,
            site,
            extra_plugins=["offline"],
            overrides=lambda raw: _offline_overrides(raw, root, pdf),
            strict=strict,
        )
        if not (site / "search" / "search_index.js").is_file():
            raise ExportError(f"{config_file}: the offline build wrote no search/search_index.js")
        if pdf:
            if not pdf.is_file():
                raise ExportError(f"{pdf}: no such PDF to bundle (run `make pdf` first, or pass --no-pdf)")
            shutil.copyfile(pdf, site / pdf.name)
        for server_only in ("404.html", "sitemap.xml", "sitemap.xml.gz"):  # no server to use them
            (site / server_only).unlink(missing_ok=True)
        repair_links(site)
        broken = broken_local_links(site)
        if broken and strict:
            raise ExportError(
                "links that do not open from file:// in the offline copy:\n  " + "\n  ".join(broken[:40])
            )
        for problem in broken:
            print(
                f"build_offline: warning (draft): link does not open from file://: {problem}", file=sys.stderr
            )
        (site / "README.txt").write_text(
            README.format(
                edition=config["extra"]["bng_edition"],
                pdf_line=f"{pdf.name} is the same guide as one PDF.\n" if pdf else "",
                site_url=config["site_url"] or "",
            ),
            encoding="utf-8",
        )
        files = write_zip(site, output)
    return OfflineResult(
        path=output,
        files=files,
        bytes=output.stat().st_size,
        seconds=time.perf_counter() - started,
        pdf_included=pdf is not None,
    )
