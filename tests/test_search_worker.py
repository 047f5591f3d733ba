"""The built site's search runs through our worker (docs/assets/javascripts/search-worker.js).

overrides/main.html names Material's own worker by its hashed file name; a Material upgrade changes
that name, and search would then silently find nothing. The browser tests in
tests/browser/test_search.py assert what readers see; this one names the file to fix.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit


def test_the_search_worker_and_materials_worker_exist(built_site: Path) -> None:
    html = (built_site / "index.html").read_text(encoding="utf-8")
    config = json.loads(
        re.search(r'<script id="__config" type="application/json">(.*?)</script>', html, re.S)[1]
    )
    worker = urlsplit(config["search"])
    assert worker.path.endswith("assets/javascripts/search-worker.js"), config["search"]
    assert (built_site / worker.path).is_file()
    material = parse_qs(worker.query)["material"][0]
    target = urljoin(worker.path, material)
    assert (built_site / target).is_file(), (
        f"overrides/main.html names {material}, which the theme no longer ships: update the hash"
    )


def test_nutrient_pages_do_not_show_the_summary_added_for_search(built_site: Path) -> None:
    page = (built_site / "nutrients" / "vitamin-d" / "index.html").read_text(encoding="utf-8")
    assert "bng-search-summary" not in page
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    entry = next(doc for doc in index["docs"] if doc["location"] == "nutrients/vitamin-d/")
    assert len(entry["text"]) > 40, entry
