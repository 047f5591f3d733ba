"""Bone Nutrient Guide tooling.

The data flows one way, and the modules follow it:
source citation lists (``citelists``) -> ``references.bib`` (read by ``bibfile``; written by
``bibliography``, ``enrich``)
-> pages (``frontmatter``, ``site``) -> built site -> ``checks`` and ``export``.
"""

from importlib.metadata import version
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# What a cache of parsed or formatted bibliography data depends on besides its input files: this
# package's code and pybtex, which parses entries and splits names (bibfile.py).
CACHE_VERSIONS = (f"boneguide {version('boneguide')}", f"pybtex {version('pybtex')}")
