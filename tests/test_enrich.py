"""Metadata enrichment: the registries' client against a local HTTP server, the cache and its seed."""

from __future__ import annotations

import importlib.util
import json
import shutil
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from boneguide.enrich import (
    EnrichError,
    MetadataCache,
    RegistryClient,
    RegistryConfig,
    enrich_identifiers,
    records_from_seed,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"
REGISTRY = FIXTURES / "registry"


class Registry(BaseHTTPRequestHandler):
    """Recorded answers by path and query; every request is logged with its time."""

    log: list[tuple[float, str]]
    throttled: set[str]

    def do_GET(self) -> None:
        self.log.append((time.monotonic(), self.path))
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path.startswith("/throttled/") and self.path not in self.throttled:
            self.throttled.add(self.path)
            self.reply(429, b"slow down", headers={"Retry-After": "1"})
            return
        path = parts.path.removeprefix("/throttled")
        body: bytes | None = None
        if path == "/eutils/esummary.fcgi":
            name = {"31454046": "esummary-31454046.json", "99999999": "esummary-missing.json"}.get(
                query.get("id")
            )
            if query.get("id") == "12345":
                body = (REGISTRY / "malformed.txt").read_bytes()
            elif name:
                body = (REGISTRY / name).read_bytes()
        elif path == "/idconv/" and query.get("ids") == "PMC6714464":
            body = (REGISTRY / "idconv-PMC6714464.json").read_bytes()
        elif path == "/crossref/works/10.1001/jama.2019.11889":
            body = (REGISTRY / "crossref-10.1001-jama.2019.11889.json").read_bytes()
        if body is None:
            self.reply(404, b"not found")
        else:
            self.reply(200, body)

    def reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:  # keep pytest output clean
        pass


@pytest.fixture
def registry() -> Iterator[tuple[str, list[tuple[float, str]]]]:
    log: list[tuple[float, str]] = []
    handler = type("RecordedRegistry", (Registry,), {"log": log, "throttled": set()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", log
    server.shutdown()
    server.server_close()


def client_for(base: str, **overrides: object) -> RegistryClient:
    config = RegistryConfig(
        eutils=f"{base}/eutils",
        idconv=f"{base}/idconv/",
        crossref=f"{base}/crossref",
        min_interval=0.0,
        backoff=0.0,
        retries=2,
        timeout=5.0,
    )
    for name, value in overrides.items():
        setattr(config, name, value)
    return RegistryClient(config)


def test_esummary_200_gives_a_normalised_record(registry) -> None:
    base, log = registry
    record = client_for(base).fetch_pmid("31454046")
    assert record["authors"][:2] == ["Burt, LA", "Billington, EO"]
    assert record["title"].endswith("A Randomized Clinical Trial")  # trailing period dropped
    assert (record["journal"], record["year"], record["volume"], record["issue"]) == (
        "JAMA",
        "2019",
        "322",
        "8",
    )
    assert (record["doi"], record["pmcid"], record["status"]) == (
        "10.1001/jama.2019.11889",
        "PMC6714464",
        "verified",
    )
    assert record["seen_at"] == [f"{base}/eutils/esummary.fcgi?db=pubmed&id=31454046&retmode=json"]
    assert len(log) == 1


def test_pmcid_goes_through_the_id_converter(registry) -> None:
    base, log = registry
    record = client_for(base).fetch_pmcid("pmc6714464")
    assert record["id"] == "pmcid:PMC6714464"
    assert record["pmid"] == "31454046"
    assert [urlsplit(u).path for u in record["seen_at"]] == ["/idconv/", "/eutils/esummary.fcgi"]
    assert [urlsplit(p).path for _, p in log] == ["/idconv/", "/eutils/esummary.fcgi"]


def test_crossref_doi(registry) -> None:
    base, _ = registry
    record = client_for(base).fetch_doi("https://doi.org/10.1001/JAMA.2019.11889")
    assert record["id"] == "doi:10.1001/jama.2019.11889"
    assert record["authors"] == ["Burt, LA", "Billington, EO"]
    assert (record["journal"], record["year"]) == ("JAMA", "2019")


def test_404_and_missing_summary_are_errors_not_records(registry) -> None:
    base, _ = registry
    client = client_for(base)
    with pytest.raises(EnrichError, match="HTTP 404"):
        client.fetch_doi("10.9999/does-not-exist")
    with pytest.raises(EnrichError, match="no summary for PMID 99999999"):
        client.fetch_pmid("99999999")


def test_malformed_body_is_an_error(registry) -> None:
    base, _ = registry
    with pytest.raises(EnrichError, match="malformed JSON body"):
        client_for(base).fetch_pmid("12345")


def test_429_waits_for_retry_after_then_succeeds(registry) -> None:
    base, log = registry
    record = client_for(f"{base}/throttled").fetch_pmid("31454046")
    assert record["pmid"] == "31454046"
    assert len(log) == 2
    assert log[1][0] - log[0][0] >= 0.9  # Retry-After: 1 honoured


def test_429_beyond_the_retries_is_an_error(registry) -> None:
    base, log = registry
    with pytest.raises(EnrichError, match="HTTP 429"):
        client_for(f"{base}/throttled", retries=0).fetch_pmid("31454046")
    assert len(log) == 1


def test_requests_are_spaced_by_the_minimum_interval(registry) -> None:
    base, log = registry
    client = client_for(base, min_interval=0.3)
    client.fetch_pmid("31454046")
    client.fetch_pmid("31454046")
    assert log[1][0] - log[0][0] >= 0.25


def test_enrich_collects_failures_and_caches_successes(registry, tmp_path: Path) -> None:
    base, _ = registry
    cache = MetadataCache(tmp_path / "cache.json")
    added, errors = enrich_identifiers(
        cache,
        [("pmid", "31454046"), ("pmid", "99999999"), ("doi", "10.9/x"), ("nbk", "NBK1")],
        client_for(base),
    )
    assert added == ["pmid:31454046"]
    assert len(errors) == 2
    cache.save()
    saved = (tmp_path / "cache.json").read_text(encoding="utf-8")
    assert MetadataCache.load(tmp_path / "cache.json").dumps() == saved  # stable round trip
    assert json.loads(saved)["records"][0]["origin"] == "ncbi-esummary"


def test_seed_records_keep_seen_at_and_match_by_identifier_or_citation() -> None:
    seed = json.loads((FIXTURES / "seed-sample.json").read_text(encoding="utf-8"))
    records = {r["id"]: r for r in records_from_seed(seed, "seed-identifiers.json")}
    higgs = records["healthline-2"]
    assert higgs["seen_at"][0].startswith("https://pmc.ncbi.nlm.nih.gov/articles/PMC5508855/")
    assert "cited_as" not in higgs  # matched by its PMCID, never by marker
    assert records["healthline-1"] == {
        "id": "healthline-1",
        "input": "PMC6059859",
        "notes": records["healthline-1"]["notes"],
        "origin": "seed-identifiers.json",
        "pmcid": "PMC6059859",
        "status": "unresolved",
    }
    assert records["healthline-30"]["cited_as"] == ["healthline-osteoporosis-supplements:30"]  # no identifier
    assert records["lifeext-A16"]["cited_as"] == ["lifeext-2023-zinc-bone:16"]
    assert records["oracle-B1"]["cited_as"] == ["droracle-2025-zinc-osteoporosis:1"]


def test_committed_cache_holds_the_seed_with_provenance() -> None:
    cache = MetadataCache.load(ROOT / "sources" / "metadata-cache.json")
    burt = cache.find("healthline-10")
    assert burt is not None and burt["status"] == "verified"
    assert "https://jamanetwork.com/journals/jama/fullarticle/2748796" in burt["seen_at"]
    assert all(r.get("seen_at") for r in cache.records if r["status"] in ("verified", "partial"))


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_enrich_command_online_against_the_local_server(registry, tmp_path: Path) -> None:
    enrich = load_script("enrich_references").main
    base, _ = registry
    sources = tmp_path / "sources"
    shutil.copytree(FIXTURES / "sources", sources)
    bib = tmp_path / "references.bib"
    common = ["--sources", str(sources), "--bib", str(bib)]
    assert enrich(common) == 0  # offline, empty cache: identifier-only entries
    assert "@misc{pmid31454046," in bib.read_text(encoding="utf-8")
    online = ["--online", "--eutils", f"{base}/eutils", "--idconv", f"{base}/idconv/"]
    status = enrich([*common, *online, "--crossref", f"{base}/crossref", "--min-interval", "0"])
    text = bib.read_text(encoding="utf-8")
    assert status == 1  # PMID 99999999 could not be completed: reported, not fatal
    assert "@article{pmid31454046," in text  # completed from the registry, key unchanged
    assert "title = {Effect of High-Dose Vitamin {D} Supplementation" in text
    assert "@misc{pmid99999999," in text
    cache = json.loads((sources / "metadata-cache.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in cache["records"]] == ["pmid:31454046"]
    # Offline again: the cache alone gives the same file.
    assert enrich(common) == 0
    assert bib.read_text(encoding="utf-8") == text


SHARED_SEED = ROOT.parent / "shared" / "reference-metadata" / "seed-identifiers.json"
SEEDS = [FIXTURES / "seed-rerun.json"] + ([SHARED_SEED] if SHARED_SEED.exists() else [])


def test_a_record_is_never_downgraded_and_the_change_is_named(tmp_path: Path) -> None:
    cache = MetadataCache(tmp_path / "cache.json")
    verified = {"id": "x", "status": "verified", "title": "T", "notes": "Caveat: only the abstract was read."}
    assert cache.upsert(verified) == "added"
    assert cache.upsert({"id": "x", "status": "partial", "title": "Other"}) == (
        "kept as verified (the new record is only partial)"
    )
    assert cache.upsert({"id": "x", "status": "verified", "title": "T", "pmid": "1"}) == "completed with pmid"
    assert cache.find("x") == {**verified, "pmid": "1"}  # the caveat is kept
    assert cache.upsert({"id": "y", "status": "unresolved", "cited_as": ["s:1"]}) == "added"
    assert (
        cache.upsert({"id": "y", "status": "partial", "title": "U"}) == "upgraded from unresolved to partial"
    )
    assert cache.find("y") == {"id": "y", "status": "partial", "title": "U", "cited_as": ["s:1"]}


@pytest.mark.parametrize("seed", SEEDS, ids=lambda path: path.name)
def test_rerunning_the_seed_leaves_the_real_bibliography_unchanged(
    tmp_path: Path, seed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 18: the seed's poorer records replaced richer ones (8 entries fell back to identifiers)."""
    enrich = load_script("enrich_references").main
    shutil.copytree(ROOT / "sources", tmp_path / "sources")
    shutil.copy(ROOT / "references.bib", tmp_path / "references.bib")
    bib, cache = tmp_path / "references.bib", tmp_path / "sources" / "metadata-cache.json"
    before_bib, before_cache = bib.read_bytes(), cache.read_bytes()
    common = ["--sources", str(tmp_path / "sources"), "--bib", str(bib)]
    assert enrich([*common, "--seed", str(seed)]) == 0
    out = capsys.readouterr().out
    assert "healthline-26: kept as verified (the new record is only unresolved)" in out
    assert "no entry changed" in out
    assert bib.read_bytes() == before_bib
    assert cache.read_bytes() == before_cache


def test_a_malformed_seed_is_one_line_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    enrich = load_script("enrich_references").main
    sources = tmp_path / "sources"
    shutil.copytree(FIXTURES / "sources", sources)
    seed = tmp_path / "seed.json"
    seed.write_text('[{"id": "a", "status": "verified"},\n oops]\n', encoding="utf-8")
    common = ["--sources", str(sources), "--bib", str(tmp_path / "references.bib")]
    assert enrich([*common, "--seed", str(seed)]) == 2
    assert capsys.readouterr().err == f"error: {seed}:2:2: not valid JSON: Expecting value\n"
    seed.write_text('[{"status": "verified"}]\n', encoding="utf-8")
    assert enrich([*common, "--seed", str(seed)]) == 2
    assert "record 1: needs at least an 'id'" in capsys.readouterr().err
