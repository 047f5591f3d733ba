"""Every page passes axe-core without serious or critical violations and works by keyboard alone.

The checks run on the session's crawls of the site (site_crawl.py, page_probes.py): light desktop
for axe on every page and for the keyboard; axe's colour rules, in the light and the dark scheme, on
the first element of each kind (page_probes.COLOUR_RULES), the dark scheme on the pages that between
them hold every kind (site_crawl.component_cover).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from page_probes import Findings

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_or_critical_violation_on_any_page(
    desktop_crawl: Findings, dark_crawl: Findings, artifacts: Path, scheme: str
) -> None:
    crawl = desktop_crawl if scheme == "light" else dark_crawl
    # The per-page counts of every impact, for the report (test-artifacts/ is not committed).
    summary = crawl.notes.get(f"axe_{scheme}", {})
    (artifacts / f"axe-{scheme}.json").write_text(json.dumps(summary, indent=2, sort_keys=True))
    failures = crawl.failures[f"axe_{scheme}"]
    assert not failures, "\n".join(failures)


def test_the_colour_rules_read_every_kind_of_element_in_both_schemes(
    desktop_crawl: Findings, dark_crawl: Findings
) -> None:
    light = desktop_crawl.notes["colour_kinds_light"]
    dark = dark_crawl.notes["colour_kinds_dark"]
    assert len(light) > 100, f"the colour rules read only {len(light)} kinds of element"
    # The dark crawl reads the component cover, chosen from the built HTML: a kind that only a
    # page's scripts add elsewhere would go unchecked in the dark scheme.
    missed = {kind: path for kind, path in light.items() if kind not in dark}
    assert not missed, f"kinds of element the dark scheme's colour rules never read: {missed}"


def test_skip_link_comes_first_and_leads_into_the_content(desktop_crawl: Findings) -> None:
    failures = desktop_crawl.failures["skip_link"]
    assert not failures, "\n".join(failures)


def test_focus_is_visible_on_every_tab_stop(desktop_crawl: Findings) -> None:
    failures = desktop_crawl.failures["focus_ring"]
    assert not failures, "\n".join(sorted(set(failures)))
