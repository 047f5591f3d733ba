"""scripts/page_weight.py measures a real first view from the browser's network log."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
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
    site_dir: Path, sample_nutrient: str, tmp_path: Path
) -> None:
    # A separate process: this session already runs Playwright's synchronous loop in this thread.
    out = tmp_path / "weight.json"
    command = [sys.executable, str(ROOT / "scripts" / "page_weight.py"), "--site-dir", str(site_dir)]
    run = subprocess.run(
        [*command, "--page", sample_nutrient, "--json", str(out)], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(out.read_text())
    html = (site_dir / sample_nutrient / "index.html").stat().st_size
    assert result["by_kind"]["html"]["body_bytes"] == html
    assert result["by_kind"]["css"]["requests"] >= 2 and result["by_kind"]["js"]["requests"] >= 1
    counted = sum(v["body_bytes"] for k, v in result["by_kind"].items() if k != "other")
    assert result["total_body_bytes"] == counted
    assert "HTML+CSS+JS+fonts" in run.stdout


def test_page_weight_refuses_a_folder_that_is_not_a_site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _load_script().main(["--site-dir", str(tmp_path)]) == 2
    assert "not a built site" in capsys.readouterr().err
