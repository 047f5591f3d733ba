"""scripts/page_weight.py measures a real first view from the browser's network log."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]


def _load_script():
    spec = importlib.util.spec_from_file_location("page_weight", ROOT / "scripts" / "page_weight.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_page_weight_counts_html_css_and_js_of_a_nutrient_page(
    site_dir: Path, sample_nutrient: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page_weight = _load_script()
    out = tmp_path / "weight.json"
    assert page_weight.main(["--site-dir", str(site_dir), "--page", sample_nutrient, "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    html = (site_dir / sample_nutrient / "index.html").stat().st_size
    assert result["by_kind"]["html"]["body_bytes"] == html
    assert result["by_kind"]["css"]["requests"] >= 2 and result["by_kind"]["js"]["requests"] >= 1
    counted = sum(v["body_bytes"] for k, v in result["by_kind"].items() if k != "other")
    assert result["total_body_bytes"] == counted
    assert "HTML+CSS+JS+fonts" in capsys.readouterr().out


def test_page_weight_refuses_a_folder_that_is_not_a_site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _load_script().main(["--site-dir", str(tmp_path)]) == 2
    assert "not a built site" in capsys.readouterr().err
