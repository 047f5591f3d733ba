"""Build a variant of the site (print, offline) from mkdocs.yml plus overrides, in memory.

Why not a second YAML file with ``INHERIT``: MkDocs replaces lists when it merges, so an inheriting
file would have to repeat the whole ``plugins`` list and would silently drift when someone adds a
plugin to mkdocs.yml. Here the variant appends to whatever mkdocs.yml says at build time.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import MkDocsException
from mkdocs.utils.yaml import yaml_load

from boneguide import mkdocs_run


class ExportError(Exception):
    """A build step failed; the message names what to fix."""


def raw_config(config_file: Path) -> dict[str, Any]:
    """mkdocs.yml as plain data (INHERIT and !ENV resolved), before MkDocs validates it."""
    try:
        with config_file.open("rb") as fd:
            return yaml_load(fd)
    except (OSError, MkDocsException) as error:
        raise ExportError(f"{config_file}: cannot read the MkDocs configuration: {error}") from error


def _plugin_name(plugin: Any) -> str:
    return next(iter(plugin)) if isinstance(plugin, dict) else str(plugin)


def with_plugin_options(plugins: list[Any], name: str, **options: Any) -> list[Any]:
    """``plugins`` (mkdocs.yml's list) with ``options`` set on the plugin called ``name``, if listed."""
    configured = []
    for plugin in plugins:
        if _plugin_name(plugin) == name:
            own = plugin[name] if isinstance(plugin, dict) else None
            plugin = {name: {**(own or {}), **options}}
        configured.append(plugin)
    return configured


def _show_mkdocs_warnings() -> None:
    """MkDocs' CLI normally installs this handler; an in-process build needs its own."""
    logger = logging.getLogger("mkdocs")
    if not any(getattr(h, "_bng_export", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setLevel(logging.WARNING)
        handler.setFormatter(logging.Formatter("mkdocs: %(levelname)s - %(message)s"))
        handler._bng_export = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.setLevel(min(logger.level or logging.WARNING, logging.WARNING))


def build_variant(
    config_file: Path,
    site_dir: Path,
    *,
    extra_plugins: list[Any] | None = None,
    overrides: Callable[[dict[str, Any]], dict[str, Any]],
    strict: bool = True,
) -> MkDocsConfig:
    """Strictly build mkdocs.yml with ``extra_plugins`` appended to its plugins and the top-level
    options that ``overrides(raw_config)`` returns replacing its own (a ``plugins`` list it returns
    replaces mkdocs.yml's before ``extra_plugins`` are appended); returns the config used.
    ``strict=False`` is for drafts only: warnings are shown but do not stop the build."""
    raw = raw_config(config_file)
    options = overrides(raw)
    plugins = list(options.get("plugins", raw.get("plugins", [])))
    names = {_plugin_name(p) for p in plugins}
    plugins += [p for p in extra_plugins or [] if _plugin_name(p) not in names]
    options.update(plugins=plugins, site_dir=str(site_dir), strict=strict)
    _show_mkdocs_warnings()
    try:
        config = mkdocs_run.load(config_file, **options)
        mkdocs_run.build(config)
    except mkdocs_run.ConfigLoadError as error:
        raise ExportError(str(error)) from error
    except (MkDocsException, OSError) as error:  # Abort (strict warnings), PluginError
        raise ExportError(f"{config_file}: the site build failed: {error}") from error
    return config
