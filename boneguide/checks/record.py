"""A record of the project's own site build, so that the checker reads that site instead of building again.

`mkdocs build` with the bng-check-record plugin writes build/check-record.json: per page, the
citations its Markdown held at each plugin step (what the checker's own build records, build.py),
and the size and modification time of every file the build could have read and of every file it
wrote. The checker (checks/__init__.py) reads the built site instead of building when
``reusable`` says the record still holds:

* the build wrote into the site_dir mkdocs.yml names (not a variant's, the checker's or serve's
  temporary one), built every page, and logged no warning;
* no file of the project has changed since the build began, nor the installed packages, nor the
  commit (page history comes from git); no file of the site has changed since it was written.

Size and modification time, not content: hashing every file would cost what the reuse saves on a
large site, and an edit changes the modification time.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from hashlib import sha256
from importlib import metadata
from pathlib import Path
from typing import Any

from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files
from mkdocs.utils import CountHandler
from mkdocs.utils.yaml import yaml_load

from boneguide.checks import build
from boneguide.checks.citations import stage_counts
from boneguide.export.version import git_output
from boneguide.files import walk_files, write_atomically

FORMAT = 2
RECORD = Path("build") / "check-record.json"
# The checker's default caches (checks/__init__.py), beside mkdocs.yml.
CHECK_CACHE = Path("build") / "check-cache"
LINKCHECK_CACHE = Path("build") / "linkcheck-cache.json"
# What the checker itself writes while it checks: reading the record must not make it stale.
CHECKER_OUTPUTS = (RECORD, CHECK_CACHE, LINKCHECK_CACHE)


def configured_site_dir(config_file: Path) -> Path:
    """The site_dir mkdocs.yml names (MkDocs' default: site), as an absolute path."""
    with config_file.open("rb") as file:
        raw = yaml_load(file) or {}
    return (config_file.parent / str(raw.get("site_dir") or "site")).resolve()


def file_stats(root: Path, left_out: Collection[Path] = ()) -> dict[str, list[int]]:
    """Every file under ``root`` (relative, posix) -> [size, modification time in ns].

    A file removed while we walk is left out: its absence changes the fingerprint.
    """
    return {
        path.relative_to(root).as_posix(): [stat.st_size, stat.st_mtime_ns]
        for path, stat in walk_files(root, left_out)
    }


def inputs_fingerprint(project_dir: Path, site_dir: Path) -> str:
    """What the build could have read: the project's files but the site and the checker's own
    outputs, the installed packages, Python, the commit."""
    left_out = {site_dir, *(project_dir / path for path in CHECKER_OUTPUTS)}
    packages = sorted(f"{dist.metadata['Name']}=={dist.version}" for dist in metadata.distributions())
    data = {
        "format": FORMAT,
        "python": sys.version,
        "packages": packages,
        "commit": git_output(project_dir, "rev-parse", "HEAD") or "",
        "files": file_stats(project_dir, left_out),
    }
    return sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


class CheckRecordPlugin(BasePlugin):
    """bng-check-record: writes build/check-record.json after a clean `mkdocs build` of the project's site."""

    def __init__(self) -> None:
        self.building = False
        self.active = False
        self.pages: dict[str, build.PageRecord] = {}
        self.warnings = CountHandler(level=logging.WARNING)
        self.inputs = ""
        self.documentation_pages: set[str] = set()
        self.templates: dict[str, str] = {}  # by src_uri: the theme template each page was built with

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.building = command == "build" and not dirty  # serve's builds go to a temporary folder

    # First of the config handlers: the fingerprint is taken before any plugin reads its inputs, so
    # that an edit made while the site builds makes the record stale.
    @event_priority(100)
    def on_config(self, config: Any) -> Any:
        self.config_file = Path(config["config_file_path"]).resolve()
        self.site_dir = Path(config["site_dir"]).resolve()
        # Only the site the project publishes: a variant, the checker's or serve's build is elsewhere.
        self.active = self.building and self.site_dir == configured_site_dir(self.config_file)
        if not self.active:
            return config
        project_dir = self.config_file.parent
        (project_dir / RECORD).unlink(missing_ok=True)  # a build that fails leaves no record of an older one
        self.inputs = inputs_fingerprint(project_dir, self.site_dir)
        # Anew for each build: MkDocs keeps a plugin's instance for the next load of the same config.
        self.pages, self.templates, self.warnings = {}, {}, CountHandler(level=logging.WARNING)
        build.record_stages(config.plugins.events, self.pages)
        logging.getLogger("mkdocs").addHandler(self.warnings)
        return config

    def on_files(self, files: Files, *, config: Any) -> Files:
        self.documentation_pages = {file.src_uri for file in files.documentation_pages()}
        return files

    def on_post_page(self, output: str, *, page: Any, config: Any) -> str:
        record = self.pages.get(page.file.src_uri)
        if self.active and record is not None and record.citation_counts is None:
            self.templates[page.file.src_uri] = str(page.meta.get("template", "main.html"))
            record.citation_counts = stage_counts(record)
            record.stages = []  # the counts are what the record keeps
        return output

    @event_priority(-100)  # after every plugin that rewrites the written pages (bng-csp)
    def on_post_build(self, *, config: Any) -> None:
        if not self.active:
            return
        logging.getLogger("mkdocs").removeHandler(self.warnings)
        complete = self.documentation_pages <= self.pages.keys()
        if self.warnings.counts or not complete:
            return
        record = {
            "format": FORMAT,
            "written": time.strftime("%Y-%m-%d %H:%M:%S"),
            "config_file": str(self.config_file),
            "site_dir": str(self.site_dir),
            "site_url": config.get("site_url"),
            "inputs": self.inputs,
            "outputs": file_stats(self.site_dir),
            "pages": [
                {
                    "src_uri": page.src_uri,
                    "dest_uri": page.dest_uri,
                    "citations": dict(page.citation_counts or {}),
                    "template": self.templates.get(page.src_uri, ""),
                }
                for page in self.pages.values()
            ],
        }
        path = self.config_file.parent / RECORD
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, json.dumps(record))

    def on_build_error(self, *, error: Exception) -> None:
        logging.getLogger("mkdocs").removeHandler(self.warnings)


@dataclass
class BuiltSite:
    site_dir: Path
    pages: list[build.PageRecord]
    written: str
    # The pages whose theme is checked too (dest_uri): the first of each template and folder depth,
    # where its relative links could differ, as the checker's own build renders it (build._ThemeSkim).
    full_theme: set[str]


def reusable(config_file: Path, site_dir: Path, site_url: str | None) -> tuple[BuiltSite | None, str]:
    """The site mkdocs.yml names (``site_dir``), if the record of its build still holds; else None
    and why not."""
    config_file, site_dir = config_file.resolve(), site_dir.resolve()
    project_dir = config_file.parent
    try:
        record = json.loads((project_dir / RECORD).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, f"no {RECORD} (mkdocs build writes it with the bng-check-record plugin)"
    except (OSError, ValueError) as error:
        return None, f"{RECORD} is unreadable: {error}"
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        return None, f"{RECORD} is from another version of the checker"
    if record.get("config_file") != str(config_file) or record.get("site_dir") != str(site_dir):
        return None, f"{RECORD} is of another configuration"
    if record.get("site_url") != site_url:
        return None, "site_url has changed since the build"
    if record.get("inputs") != inputs_fingerprint(project_dir, site_dir):
        return None, "the project has changed since the build"
    if record.get("outputs") != file_stats(site_dir):
        return None, f"{site_dir} has changed since the build"
    pages = []
    first_of_kind: dict[tuple[str, int], str] = {}
    try:
        for page in record["pages"]:
            pages.append(
                build.PageRecord(
                    page["src_uri"],
                    page["dest_uri"],
                    citation_counts=Counter(page["citations"]),
                )
            )
            first_of_kind.setdefault((page["template"], page["dest_uri"].count("/")), page["dest_uri"])
    except (KeyError, TypeError, AttributeError) as error:  # edited by hand
        return None, f"{RECORD} is unreadable: {type(error).__name__}: {error}"
    return BuiltSite(site_dir, pages, str(record.get("written")), set(first_of_kind.values())), ""
