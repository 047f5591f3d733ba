"""`mkdocs serve` rebuilds when what the plugins read besides the pages changes (issue 18)."""

from __future__ import annotations

import os
import queue
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from mkdocs.config import load_config

from boneguide import frontmatter

FIXTURE = Path(__file__).parent / "fixtures" / "serve"
WAIT_SECONDS = 60  # an upper bound for a build of a one-page site on a slow CI machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """`mkdocs serve` in a subprocess, its log read line by line on a thread (no polling sleeps)."""

    def __init__(self, project: Path) -> None:
        self.port = free_port()
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-f", "mkdocs.yml", "-a", f"127.0.0.1:{self.port}"],
            cwd=project,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.log: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)  # the server exited

    def wait_for(self, text: str) -> None:
        """Block until a log line holds ``text``; fail after WAIT_SECONDS or if the server exits."""
        deadline = time.monotonic() + WAIT_SECONDS
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                break
            if line is None:
                pytest.fail(f"mkdocs serve exited before {text!r}:\n{''.join(self.log)}")
            self.log.append(line)
            if text in line:
                return
        pytest.fail(f"no {text!r} from mkdocs serve within {WAIT_SECONDS} s:\n{''.join(self.log)}")

    def page(self, path: str = "") -> str:
        # No proxy: the request must stay on this machine whatever the environment says.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"http://127.0.0.1:{self.port}/{path}", timeout=WAIT_SECONDS) as response:
            return response.read().decode("utf-8")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    server = Server(project)
    try:
        yield server, project
    finally:
        server.stop()


def test_serve_rebuilds_the_page_when_the_bibliography_is_edited(served: tuple[Server, Path]) -> None:
    server, project = served
    server.wait_for("Serving on")  # logged after the watcher has started
    before = server.page()
    assert "Normal bone anatomy and physiology" in before
    bib = project / "references.bib"
    bib.write_text(
        bib.read_text(encoding="utf-8").replace("Normal bone anatomy", "Edited bone anatomy"),
        encoding="utf-8",
    )
    deadline = time.monotonic() + WAIT_SECONDS
    after = before
    # Each "Reloading browsers" is logged once a rebuilt site is served; should a rebuild start
    # before the edit was seen, the next one brings it (bounded by wait_for and the deadline).
    while "Edited bone anatomy" not in after and time.monotonic() < deadline:
        server.wait_for("Reloading browsers")
        after = server.page()
    assert "Edited bone anatomy and physiology" in after
    assert "Normal bone anatomy" not in after


def test_each_plugin_watches_what_it_reads(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    (project / "sources").mkdir()
    (project / "studies").mkdir()
    config_file = project / "mkdocs.yml"
    config_file.write_text(
        config_file.read_text(encoding="utf-8").replace(
            "plugins:\n", "plugins:\n  - bng-nutrients\n  - bng-sources\n"
        ),
        encoding="utf-8",
    )
    config = load_config(str(config_file))
    for name in ("bng-nutrients", "bng-sources", "bng-citations"):
        config = config.plugins[name].on_config(config)
    watched = {Path(path).resolve() for path in config["watch"]}
    assert {
        (project / "references.bib").resolve(),
        (project / "sources").resolve(),
        (project / "studies").resolve(),
        frontmatter.SCHEMA_DIR.resolve(),
    } <= watched
    assert len(config["watch"]) == len(watched), "a path is watched twice"


def test_a_schema_edited_while_serving_is_read_again_on_the_next_build(tmp_path: Path) -> None:
    config = load_config(str(FIXTURE / "mkdocs.yml"), plugins=["bng-nutrients"])
    plugin = config.plugins["bng-nutrients"]
    first = frontmatter.schema("nutrient-page")
    assert frontmatter.schema("nutrient-page") is first  # kept for the life of the process
    plugin.on_config(config)
    assert frontmatter.schema("nutrient-page") is not first
    assert frontmatter.schema("nutrient-page") == first
