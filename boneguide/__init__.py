"""Bone Nutrient Guide tooling.

The data flows one way, and the modules follow it:
source citation lists (``citelists``) -> ``references.bib`` (``bibliography``, ``enrich``)
-> pages (``frontmatter``, ``site``) -> built site -> ``checks`` and ``export``.
"""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
