"""The one way this package runs MkDocs in-process: load a config, build it as ``mkdocs build`` does.

The checker (checks/build.py), the exports (export/variant.py) and the plugin timer
(plugin_timing.py) each adjust the loaded config or its event handlers in their own way; loading,
the build's startup/shutdown events, the working directory and MkDocs' log are handled here once.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mkdocs.commands import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig


class ConfigLoadError(Exception):
    """mkdocs.yml cannot be loaded; the message says why, with what MkDocs logged."""


@dataclass(frozen=True)
class LogMessage:
    logger: str  # the logger's name: tells which plugin or part of MkDocs spoke, whatever the wording
    text: str


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[LogMessage] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a plugin's malformed log call must not stop the build
            text = str(record.msg)
        self.records.append(LogMessage(record.name, text))


@contextlib.contextmanager
def collected_warnings() -> Iterator[list[LogMessage]]:
    """MkDocs' warnings and errors while the block runs, kept rather than printed."""
    logger = logging.getLogger("mkdocs")
    collect = _Collect()
    logger.addHandler(collect)
    propagate = logger.propagate
    logger.propagate = False
    try:
        yield collect.records
    finally:
        logger.removeHandler(collect)
        logger.propagate = propagate


def load(config_file: Path, **options: Any) -> MkDocsConfig:
    """mkdocs.yml with ``options`` (site_dir, strict, plugins …) replacing its own."""
    if not config_file.is_file():
        raise ConfigLoadError(f"{config_file}: config file not found")
    with collected_warnings() as logged:
        try:
            return load_config(str(config_file), **options)
        except Exception as error:
            # MkDocs raises several types (Abort, ConfigurationError, YAMLError, OSError).
            details = "; ".join(m.text for m in logged) or str(error) or type(error).__name__
            details = " ".join(details.split())
            raise ConfigLoadError(f"{config_file}: cannot load the MkDocs config: {details}") from None


def build(config: MkDocsConfig) -> None:
    """Build as ``mkdocs build`` does: startup, build and shutdown events, from the project's folder
    (paths in some extensions' options, snippets' base_path, are relative to where mkdocs runs)."""
    with contextlib.chdir(Path(config["config_file_path"]).resolve().parent):
        config.plugins.on_startup(command="build", dirty=False)
        try:
            mkdocs_build.build(config)
        finally:
            config.plugins.on_shutdown()
