"""Online link checking against a local HTTP server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from boneguide.checks import Options, online, run
from boneguide.checks.online import Settings, Target


class Handler(BaseHTTPRequestHandler):
    hits: ClassVar[Counter[tuple[str, str]]] = Counter()
    times: ClassVar[dict[str, list[float]]] = {}

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def _answer(self, status: int, headers: dict[str, str] | None = None, body: bytes = b"") -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _route(self) -> None:
        path = self.path
        Handler.hits[(self.command, path)] += 1
        Handler.times.setdefault(path, []).append(time.monotonic())
        count = Handler.hits[("HEAD", path)] + Handler.hits[("GET", path)]
        if path == "/ok":
            self._answer(200)
        elif path == "/moved":
            self._answer(301, {"Location": "/ok"})
        elif path == "/missing":
            self._answer(404)
        elif path == "/gone":
            self._answer(410)
        elif path == "/busy":  # 429 with Retry-After once, then fine
            self._answer(429, {"Retry-After": "1"}) if count == 1 else self._answer(200)
        elif path == "/always-busy":
            self._answer(429, {"Retry-After": "3600"})
        elif path == "/forbidden":
            self._answer(403)
        elif path == "/flaky":  # 500 once, then fine
            self._answer(500) if count == 1 else self._answer(200)
        elif path == "/slow":
            time.sleep(1.0)
            self._answer(200)
        elif path == "/no-head":
            self._answer(405) if self.command == "HEAD" else self._answer(200)
        elif path.startswith("/handles/"):
            found = path.endswith("/10.1000/found")
            body = json.dumps({"responseCode": 1 if found else 100}).encode()
            self._answer(200 if found else 404, {"Content-Type": "application/json"}, body)
        elif path.startswith("/esummary"):
            pmid = path.rsplit("id=", 1)[-1]
            record = {"uid": pmid} if pmid == "123" else {"uid": pmid, "error": "cannot get document summary"}
            self._answer(
                200, {"Content-Type": "application/json"}, json.dumps({"result": {pmid: record}}).encode()
            )
        else:
            self._answer(404)

    do_GET = _route
    do_HEAD = _route


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def fresh_counts() -> None:
    Handler.hits.clear()
    Handler.times.clear()


def fast(server: str, **overrides: object) -> Settings:
    base = {
        "connect_timeout": 0.5,
        "read_timeout": 0.3,
        "retries": 2,
        "backoff_factor": 0.01,
        "max_retry_after": 2.0,
        "per_host_delay": 0.0,
        "per_host_concurrency": 4,
        "workers": 4,
        "blocking_hosts": (*online.BLOCKING_HOSTS, "blocked.example"),
        "only_hosts": ("127.0.0.1", "blocked.example"),  # never the internet
        "doi_registry": f"{server}/handles/",
        "pubmed_registry": f"{server}/esummary",
        "pmc_registry": f"{server}/idconv",
    }
    return Settings(**{**base, **overrides})  # type: ignore[arg-type]


def outcome(server: str, path: str, **overrides: object) -> online.Outcome:
    settings = fast(server, **overrides)
    session = online._session(settings)
    gate = online._HostGate(settings.per_host_concurrency, settings.per_host_delay)
    return online.check_url(server + path, session, gate, settings)


def test_200_is_fine(server: str) -> None:
    assert outcome(server, "/ok").status == "ok"


def test_redirect_is_followed_and_reported(server: str) -> None:
    result = outcome(server, "/moved")
    assert (result.status, result.code, result.final_url) == ("redirected", 200, server + "/ok")
    assert result.detail == f"redirects (301) to {server}/ok"


@pytest.mark.parametrize(
    ("path", "detail"), [("/missing", "404 Not Found"), ("/gone", "410 Gone (gone for good)")]
)
def test_404_and_410_are_broken(server: str, path: str, detail: str) -> None:
    result = outcome(server, path)
    assert (result.status, result.detail) == ("broken", detail)


def test_retry_after_is_honoured_on_429(server: str) -> None:
    result = outcome(server, "/busy")
    assert result.status == "ok"
    first, second = Handler.times["/busy"][:2]
    assert second - first >= 0.9  # waited the Retry-After second, not the tiny backoff


def test_a_retry_after_longer_than_the_cap_is_not_waited_for(server: str) -> None:
    started = time.monotonic()
    result = outcome(server, "/always-busy")
    assert result.status == "rate-limited"
    assert time.monotonic() - started < 2


def test_403_is_reported_as_refusing_automated_clients_not_broken(server: str) -> None:
    result = outcome(server, "/forbidden")
    assert result.status == "blocked"
    assert "refuses automated clients" in result.detail


def test_500_then_200_is_retried_to_success(server: str) -> None:
    assert outcome(server, "/flaky").status == "ok"
    assert Handler.hits[("HEAD", "/flaky")] == 2


def test_slow_response_times_out(server: str) -> None:
    result = outcome(server, "/slow", retries=0)
    assert result.status == "timeout"


def test_head_refused_falls_back_to_get(server: str) -> None:
    assert outcome(server, "/no-head").status == "ok"
    assert Handler.hits[("GET", "/no-head")] == 1


def test_hosts_that_block_bots_are_unverifiable_and_not_requested(tmp_path: Path) -> None:
    settings = Settings(blocking_hosts=("doi.org",))
    (finding,) = online.check(
        [Target("https://doi.org/10.1000/x", "x.md", 1, 1)], tmp_path / "c.json", settings=settings
    )
    assert finding.code == "online-unverifiable"
    assert "unverifiable from CI" in finding.message


def test_per_host_delay_spaces_requests() -> None:
    gate = online._HostGate(concurrency=1, delay=0.2)
    starts = []
    for _ in range(3):
        with gate.enter("example.org"):
            starts.append(time.monotonic())
    assert starts[2] - starts[0] >= 0.39


def test_check_reports_locations_and_caches_fine_results(server: str, tmp_path: Path) -> None:
    cache = tmp_path / "linkcheck-cache.json"
    targets = [
        Target(server + "/ok", "docs/a.md", 3, 5),
        Target(server + "/missing", "docs/a.md", 7, 1),
        Target("https://blocked.example/x", "references.bib", 9, 9),
    ]
    today = dt.date(2026, 6, 1)
    findings = online.check(targets, cache, settings=fast(server), today=today)
    assert [(f.path, f.line, f.col, f.severity, f.code) for f in findings] == [
        ("docs/a.md", 7, 1, "error", "online-broken"),
        ("references.bib", 9, 9, "info", "online-unverifiable"),
    ]
    assert json.loads(cache.read_text())["results"][server + "/ok"]["checked"] == "2026-06-01"
    Handler.hits.clear()
    online.check(targets, cache, settings=fast(server), today=today + dt.timedelta(days=3))
    assert Handler.hits[("HEAD", "/ok")] == 0  # fine 3 days ago: not asked again
    assert Handler.hits[("HEAD", "/missing")] == 1  # broken results are always checked again
    online.check(targets, cache, settings=fast(server), today=today + dt.timedelta(days=30))
    assert Handler.hits[("HEAD", "/ok")] == 1  # too old: checked again


def test_damaged_cache_is_ignored(server: str, tmp_path: Path) -> None:
    cache = tmp_path / "cache.json"
    cache.write_text("{not json")
    assert online.check([Target(server + "/ok", "x.md", 1, 1)], cache, settings=fast(server)) == []


def test_dois_and_pmids_are_checked_against_their_registries(server: str, tmp_path: Path) -> None:
    targets = [
        Target("doi:10.1000/found", "references.bib", 1, 1, "doi", "10.1000/found"),
        Target("doi:10.1000/nothing", "references.bib", 2, 1, "doi", "10.1000/nothing"),
        Target("pmid:123", "references.bib", 3, 1, "pmid", "123"),
        Target("pmid:999", "references.bib", 4, 1, "pmid", "999"),
    ]
    findings = online.check(targets, tmp_path / "c.json", settings=fast(server))
    assert [(f.line, f.code, f.message) for f in findings] == [
        (2, "online-broken", "doi 10.1000/nothing: not known to its registry"),
        (4, "online-broken", "pmid 999: not known to its registry"),
    ]


def test_online_mode_of_the_whole_checker_reports_a_dead_page_link(server: str, tmp_path: Path) -> None:
    config = tmp_path / "project" / "mkdocs.yml"
    shutil.copytree(Path(__file__).parent / "fixtures" / "check" / "base", config.parent)
    (config.parent / "docs" / "index.md").write_text(
        f"# Home\n\nSee [a dead page]({server}/gone) and [a live one]({server}/ok) [@clarke2008normal].\n"
    )
    result = run(
        Options(
            config,
            online=True,
            online_settings=fast(server, check_registries=False),
            cache_path=tmp_path / "cache.json",
            today=dt.date(2026, 6, 1),
        )
    )
    online_findings = [
        (f.path, f.line, f.col, f.code, f.message) for f in result.findings if f.code.startswith("online")
    ]
    assert online_findings == [
        ("docs/index.md", 3, 19, "online-broken", f"{server}/gone: 410 Gone (gone for good)")
    ]


def _refused_urls(count: int) -> list[str]:
    """Addresses on 127.0.0.1 where nothing listens: each port is a distinct host that refuses."""
    import socket

    ports = []
    holders = []
    for _ in range(count):
        holder = socket.socket()
        holder.bind(("127.0.0.1", 0))  # bound, never listening: connecting is refused at once
        holders.append(holder)
        ports.append(holder.getsockname()[1])
    urls = [f"http://127.0.0.1:{port}/page" for port in ports]
    for holder in holders:
        holder.close()
    return urls


def test_refused_connections_everywhere_give_one_network_unreachable_verdict(tmp_path: Path) -> None:
    targets = [Target(url, "docs/a.md", n + 1, 1) for n, url in enumerate(_refused_urls(40))]
    # The shipped timing (retries and backoff): the verdict must come quickly with them too.
    settings = Settings(only_hosts=("127.0.0.1",), check_registries=False, workers=4)
    started = time.monotonic()
    findings = online.check(targets, tmp_path / "c.json", settings=settings, verdict_path="mkdocs.yml")
    assert time.monotonic() - started < 30
    assert [(f.path, f.line, f.severity, f.code) for f in findings] == [
        ("mkdocs.yml", 0, "error", "online-unreachable")
    ]
    assert findings[0].message.startswith("network unreachable: connection refused (127.0.0.1:")
    assert findings[0].message.endswith(
        "; 40 of 40 external links and identifiers were not checked (run again when online)"
    )


def test_a_resolver_failure_gives_the_verdict_and_names_the_cause(tmp_path: Path) -> None:
    # ".invalid" never resolves (RFC 6761): a resolver failure without the internet.
    hosts = [f"host{n}.invalid" for n in range(10)]
    targets = [Target(f"http://{host}/x", "docs/a.md", 1, n + 1) for n, host in enumerate(hosts)]
    settings = Settings(only_hosts=tuple(hosts), check_registries=False, retries=0, workers=2)
    started = time.monotonic()
    findings = online.check(targets, tmp_path / "c.json", settings=settings)
    assert time.monotonic() - started < 30
    assert [f.code for f in findings] == ["online-unreachable"]
    assert "the host name could not be resolved" in findings[0].message
    assert not json.loads((tmp_path / "c.json").read_text())["results"]  # failures are not cached


def test_one_dead_host_among_live_ones_is_a_broken_link_not_a_dead_network(
    server: str, tmp_path: Path
) -> None:
    dead = _refused_urls(2)
    targets = [
        Target(dead[0], "docs/a.md", 1, 1),
        Target(server + "/ok", "docs/a.md", 2, 1),
        Target(dead[1], "docs/a.md", 3, 1),
        Target(server + "/missing", "docs/a.md", 4, 1),
    ]
    findings = online.check(targets, tmp_path / "c.json", settings=fast(server, workers=1))
    assert [(f.line, f.code) for f in findings] == [
        (1, "online-broken"),
        (3, "online-broken"),
        (4, "online-broken"),
    ]


def test_check_py_online_without_network_exits_1_with_one_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    config = tmp_path / "project" / "mkdocs.yml"
    shutil.copytree(Path(__file__).parent / "fixtures" / "check" / "base", config.parent)
    links = " ".join(f"[l{n}]({url})" for n, url in enumerate(_refused_urls(12)))
    (config.parent / "docs" / "index.md").write_text(f"# Home\n\n{links} [@clarke2008normal].\n")
    spec = importlib.util.spec_from_file_location(
        "check_script", Path(__file__).parent.parent / "scripts" / "check.py"
    )
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    settings = Settings(only_hosts=("127.0.0.1",), check_registries=False)
    monkeypatch.setattr(online, "Settings", lambda: settings)  # never the internet
    code = script.main(["-f", str(config), "--online", "--cache", str(tmp_path / "c.json")])
    out = capsys.readouterr().out
    assert code == 1
    assert out.count("[online-unreachable]") == 1
    assert "online-broken" not in out


def test_after_the_verdict_nothing_else_is_requested(server: str, tmp_path: Path) -> None:
    targets = [Target(url, "docs/a.md", 1, 1) for url in _refused_urls(3)]
    targets += [Target(f"{server}/ok?{n}", "docs/a.md", 2, 1) for n in range(20)]
    findings = online.check(targets, tmp_path / "c.json", settings=fast(server))
    assert [f.code for f in findings] == ["online-unreachable"]
    assert sum(Handler.hits.values()) == 0


def test_silently_dropped_connections_give_the_verdict_within_30_seconds(tmp_path: Path) -> None:
    # A listener whose queue is full drops further SYNs without a word, as a firewall that drops
    # packets does: connections neither succeed nor fail until the connect timeout.
    listeners, fillers = [], []
    for _ in range(4):
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        filler = socket.create_connection(listener.getsockname())
        listeners.append(listener)
        fillers.append(filler)
    urls = [
        f"http://127.0.0.1:{listener.getsockname()[1]}/page{n}" for listener in listeners for n in range(10)
    ]
    targets = [Target(url, "docs/a.md", n + 1, 1) for n, url in enumerate(urls)]
    # The shipped retries, backoff and connect timeout: each probe would otherwise wait 4 × 10 s.
    settings = Settings(only_hosts=("127.0.0.1",), check_registries=False, per_host_delay=0)
    started = time.monotonic()
    try:
        findings = online.check(targets, tmp_path / "c.json", settings=settings)
    finally:
        for sock in [*fillers, *listeners]:
            sock.close()
    assert time.monotonic() - started < 30
    assert [f.code for f in findings] == ["online-unreachable"]
    assert "no connection within the timeout" in findings[0].message
    assert findings[0].message.endswith(
        "40 of 40 external links and identifiers were not checked (run again when online)"
    )
