"""plugin_timing charges each plugin for its own handlers' time, and only for it."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from checkproject import project
from mkdocs.plugins import BasePlugin, PluginCollection

from boneguide.plugin_timing import HandlerTimes


class Outer(BasePlugin):
    def __init__(self, collection: PluginCollection) -> None:
        super().__init__()
        self.collection = collection

    def on_page_markdown(self, markdown: str, **kwargs: Any) -> str:
        time.sleep(0.01)
        # As bng-citations does when it renders a page again: other plugins' events fire inside.
        self.collection.on_page_content("<p>x</p>", page=None, config=None, files=None)
        return markdown


class Inner(BasePlugin):
    def on_page_content(self, html: str, **kwargs: Any) -> str:
        time.sleep(0.3)
        return html


def test_a_handler_is_not_charged_for_the_handlers_it_fires() -> None:
    collection = PluginCollection()
    collection["outer"] = Outer(collection)
    collection["inner"] = Inner()
    times = HandlerTimes(SimpleNamespace(plugins=collection))  # type: ignore[arg-type]
    collection.on_page_markdown("text", page=None, config=None, files=None)
    report = times.report()
    assert report["inner"]["page_content"] >= 0.3
    assert 0.01 <= report["outer"]["page_markdown"] < 0.2  # 0.31 if charged for Inner's sleep
    assert report["outer"]["seconds"] == report["outer"]["page_markdown"]


def test_a_build_reports_each_plugin_and_fails_loudly(tmp_path: Path) -> None:
    config = project(tmp_path, "not-rendered")  # the base fixture plus a hook on page_markdown
    command = [
        sys.executable,
        "-m",
        "boneguide.plugin_timing",
        "-f",
        str(config),
        "-d",
        str(tmp_path / "site"),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["build_seconds"] > 0
    assert {"bng-citations", "bng-nutrients", "hooks"} <= set(report["plugins"])
    assert report["plugins"]["bng-citations"]["page_markdown"] > 0
    assert (tmp_path / "site" / "index.html").is_file()

    config.write_text(config.read_text(encoding="utf-8") + "\nnot: [valid\n", encoding="utf-8")
    failed = subprocess.run(command, capture_output=True, text=True, check=False)
    assert failed.returncode == 1 and failed.stdout == ""
    assert "plugin_timing: the build failed" in failed.stderr
