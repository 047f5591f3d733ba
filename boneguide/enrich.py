"""Reference metadata from public records: the committed cache, its seed, and the registries' client.

The cache (``sources/metadata-cache.json``) holds one normalised record per work read from a public
page or registry: bibliographic fields, ``status`` (verified | partial | unresolved), ``seen_at``
(where the fields were read) and ``cited_as`` (``source-id:marker`` of citations it was matched to
by hand when the citation carries no identifier). The importer reads only the cache, so builds are
reproducible offline; ``enrich --online`` asks the registries (NCBI E-utilities, the PMC ID
converter, Crossref) for identifiers the cache lacks and adds their normalised answers.
Nothing is ever filled in from memory.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from boneguide.files import write_atomically
from boneguide.identifiers import (
    DOI_RE,
    NBK_PATH_RE,
    canonical_url,
    normalise_doi,
    normalise_nbk,
    normalise_pmcid,
    normalise_pmid,
)

REGISTRY_SCHEMES = ("pmid", "pmcid", "doi")  # the identifiers RegistryClient.fetch looks up
STATUS_RANK = {"verified": 3, "partial": 2, "unverified": 1, "unresolved": 0}
RECORD_FIELDS = (
    "type",
    "authors",
    "authors_truncated",
    "title",
    "journal",
    "publisher",
    "year",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "pmcid",
    "nbk",
    "url",
    "urldate",
)
# Each identifier's canonical form, and how a seed record's ``input`` names it.
NORMALISERS = {"doi": normalise_doi, "pmid": normalise_pmid, "pmcid": normalise_pmcid, "nbk": normalise_nbk}
INPUT_PATTERNS = (
    ("pmcid", re.compile(r"\bPMC\d+\b")),
    ("pmid", re.compile(r"\bPMID:?\s*\d+")),
    ("nbk", re.compile(r"\bNBK\d+\b")),
    ("doi", DOI_RE),
)
SEED_SOURCES = {
    "lifeext-A": "lifeext-2023-zinc-bone",
    "healthline-": "healthline-osteoporosis-supplements",
    "oracle-B": "droracle-2025-zinc-osteoporosis",
}


class EnrichError(Exception):
    """A registry answered with something we cannot use (HTTP error, malformed body)."""


# --- records and the cache -----------------------------------------------------------------------


def normalise_record(record: dict[str, Any]) -> dict[str, Any]:
    """Identifiers in their canonical forms, years as strings, empty fields dropped."""
    out = {k: v for k, v in record.items() if v not in (None, "", [], {})}
    for name in NORMALISERS.keys() & out.keys():
        out[name] = NORMALISERS[name](out[name])
    if "year" in out:
        out["year"] = str(out["year"])
    if "url" in out:
        if "nbk" not in out and (m := NBK_PATH_RE.search(out["url"])):
            out["nbk"] = normalise_nbk(m.group(1))
        out["url"] = canonical_url(out["url"])
    return out


def identifiers_in_text(text: str) -> dict[str, str]:
    """Identifiers named in a seed record's ``input`` ('PMC6059859', 'PMID 30956224', 'DOI 10.1/x')."""
    # Each normaliser keeps only what the pattern means: 'PMID: 30956224' -> '30956224'.
    return {
        name: NORMALISERS[name](m.group(0)) for name, pattern in INPUT_PATTERNS if (m := pattern.search(text))
    }


def cited_as_for_seed(record_id: str, has_identifier: bool) -> list[str]:
    """Seed ids name the citation they were read for: lifeext-A18 -> lifeext-2023-zinc-bone:18.

    Healthline records that name an identifier are matched by it instead: a marker of file 004 can
    point to different works at different places, an identifier cannot.
    """
    for prefix, source_id in SEED_SOURCES.items():
        if record_id.startswith(prefix):
            marker = record_id.removeprefix(prefix)
            if prefix == "healthline-" and has_identifier:
                return []
            return [f"{source_id}:{marker}"]
    return []


def records_from_seed(seed: list[dict[str, Any]], seed_name: str) -> list[dict[str, Any]]:
    """Records of ``reference-metadata/seed-identifiers.json`` in the cache's shape."""
    records = []
    for position, item in enumerate(seed):
        if not isinstance(item, dict) or not item.get("id") or not item.get("status"):
            raise EnrichError(f"{seed_name}: record {position + 1}: needs at least an 'id' and a 'status'")
        input_ids = identifiers_in_text(item.get("input", ""))
        record: dict[str, Any] = {"id": item["id"], "origin": seed_name, "status": item["status"]}
        for name in (*RECORD_FIELDS, "input", "notes", "editions"):
            if name in item:
                record[name] = item[name]
        for name, value in input_ids.items():
            record.setdefault(name, value)
        record["seen_at"] = list(item.get("seen_at", []))
        record["same_as"] = list(item.get("same_as", []))
        record["cited_as"] = cited_as_for_seed(item["id"], bool(input_ids))
        records.append(normalise_record(record))
    return records


@dataclass
class MetadataCache:
    path: Path
    records: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> MetadataCache:
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise EnrichError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from exc
        return cls(path, [normalise_record(r) for r in data.get("records", [])])

    def upsert(self, record: dict[str, Any]) -> str:
        """Add or merge a record; never downgrade one. Returns what happened, for the report.

        The record of the same id that is surer (verified > partial > unverified > unresolved)
        wins whole: a rerun of an older seed must not replace what editors read since, and their
        caveats (notes) go with it. At the same status the cached record is kept, completed with
        any field it lacks. A surer new record replaces it, keeping the citations it was matched
        to by hand (cited_as).
        """
        record = normalise_record(record)
        old = self.find(record["id"])
        if old is None:
            self.records.append(record)
            return "added"
        new_rank = STATUS_RANK.get(record.get("status", ""), 0)
        old_rank = STATUS_RANK.get(old.get("status", ""), 0)
        if new_rank > old_rank:
            cited_as = list(dict.fromkeys([*old.get("cited_as", []), *record.get("cited_as", [])]))
            merged = {**record, "cited_as": cited_as} if cited_as else record
            outcome = f"upgraded from {old.get('status')} to {record.get('status')}"
        elif new_rank < old_rank:
            return f"kept as {old.get('status')} (the new record is only {record.get('status')})"
        else:
            merged = {**record, **old}
            if merged == old:
                return "unchanged"
            added = ", ".join(sorted(set(merged) - set(old)))
            outcome = f"completed with {added}"
        self.records = [r for r in self.records if r["id"] != record["id"]] + [normalise_record(merged)]
        return outcome

    def find(self, record_id: str) -> dict[str, Any] | None:
        return next((r for r in self.records if r["id"] == record_id), None)

    def dumps(self) -> str:
        records = sorted(self.records, key=lambda r: r["id"])
        return json.dumps({"records": records}, indent=2, ensure_ascii=False, sort_keys=True) + "\n"

    def save(self) -> None:
        write_atomically(self.path, self.dumps())


# --- registries -------------------------------------------------------------------------------


@dataclass
class RegistryConfig:
    """Base URLs are settings so tests can point the client at a local server."""

    eutils: str = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
    idconv: str = "https://pmc.ncbi.nlm.nih.gov/tools/idconv/api/v1/articles/"
    crossref: str = "https://api.crossref.org"
    min_interval: float = 0.34  # NCBI asks for at most 3 requests a second without an API key
    retries: int = 3
    backoff: float = 0.5
    timeout: float = 20.0
    contact: str = "bone-nutrient-guide editors (https://github.com/bone-nutrient-guide/bone-nutrient-guide)"


class RegistryClient:
    """Polite HTTP: one session, a minimum interval between requests, retries honouring Retry-After."""

    def __init__(self, config: RegistryConfig) -> None:
        self.config = config
        retry = Retry(
            total=self.config.retries,
            backoff_factor=self.config.backoff,
            status_forcelist=(429, 500, 502, 503, 504),
            raise_on_status=False,
        )
        self.session = requests.Session()
        self.session.mount("http://", HTTPAdapter(max_retries=retry))
        self.session.mount("https://", HTTPAdapter(max_retries=retry))
        self.session.headers["User-Agent"] = f"boneguide-enrich/0.1 ({self.config.contact})"
        self._last_request = 0.0

    def get_json(self, url: str, params: dict[str, str] | None = None) -> tuple[Any, str]:
        wait = self.config.min_interval - (time.monotonic() - self._last_request)
        if wait > 0:
            time.sleep(wait)
        try:
            response = self.session.get(url, params=params, timeout=self.config.timeout)
        except requests.RequestException as exc:
            raise EnrichError(f"{url}: request failed: {exc}") from exc
        finally:
            self._last_request = time.monotonic()
        if response.status_code != 200:
            raise EnrichError(f"{response.url}: HTTP {response.status_code}")
        try:
            return response.json(), response.url
        except ValueError as exc:
            raise EnrichError(f"{response.url}: malformed JSON body") from exc

    # Each fetch returns a normalised record or raises EnrichError.

    def fetch(self, scheme: str, value: str) -> dict[str, Any]:
        """The record of one of REGISTRY_SCHEMES, from the registry that answers for it."""
        return {"pmid": self.fetch_pmid, "pmcid": self.fetch_pmcid, "doi": self.fetch_doi}[scheme](value)

    def fetch_pmid(self, pmid: str) -> dict[str, Any]:
        pmid = normalise_pmid(pmid)
        data, url = self.get_json(
            f"{self.config.eutils}/esummary.fcgi", {"db": "pubmed", "id": pmid, "retmode": "json"}
        )
        try:
            doc = data["result"][pmid]
        except (KeyError, TypeError) as exc:
            raise EnrichError(f"{url}: no summary for PMID {pmid}") from exc
        if not isinstance(doc, dict) or "error" in doc or not doc.get("title"):
            raise EnrichError(f"{url}: no summary for PMID {pmid}")
        return esummary_record(doc, url)

    def fetch_pmcid(self, pmcid: str) -> dict[str, Any]:
        pmcid = normalise_pmcid(pmcid)
        data, url = self.get_json(self.config.idconv, {"ids": pmcid, "format": "json"})
        try:
            entry = data["records"][0]
        except (KeyError, IndexError, TypeError) as exc:
            raise EnrichError(f"{url}: no record for {pmcid}") from exc
        if not isinstance(entry, dict) or entry.get("status") == "error" or not entry.get("pmid"):
            raise EnrichError(f"{url}: {pmcid} has no PMID in the ID converter")
        record = self.fetch_pmid(entry["pmid"])
        record.setdefault("pmcid", pmcid)
        record["seen_at"] = [url, *record["seen_at"]]
        record["id"] = f"pmcid:{pmcid}"
        return normalise_record(record)

    def fetch_doi(self, doi: str) -> dict[str, Any]:
        doi = normalise_doi(doi)
        data, url = self.get_json(f"{self.config.crossref}/works/{quote(doi, safe='/')}")
        try:
            message = data["message"]
            title = message["title"][0]
        except (KeyError, IndexError, TypeError) as exc:
            raise EnrichError(f"{url}: malformed Crossref record for {doi}") from exc
        return crossref_record(message, title, url)


def esummary_record(doc: dict[str, Any], url: str) -> dict[str, Any]:
    ids = {a.get("idtype"): a.get("value", "") for a in doc.get("articleids", []) if isinstance(a, dict)}
    authors = []
    for author in doc.get("authors", []):
        name = author.get("name", "") if isinstance(author, dict) else ""
        family, _, initials = name.rpartition(" ")
        if name:
            authors.append(f"{family}, {initials}" if family else name)
    year = re.search(r"\d{4}", doc.get("pubdate", "") or doc.get("epubdate", ""))
    pmid = normalise_pmid(doc.get("uid", ids.get("pubmed", "")))
    record = {
        "id": f"pmid:{pmid}",
        "origin": "ncbi-esummary",
        "status": "verified",
        "type": "article",
        "authors": authors,
        "title": (doc.get("title") or "").rstrip("."),
        "journal": doc.get("fulljournalname") or doc.get("source"),
        "year": year.group(0) if year else None,
        "volume": doc.get("volume"),
        "issue": doc.get("issue"),
        "pages": doc.get("pages"),
        "doi": ids.get("doi"),
        "pmid": pmid,
        "pmcid": ids.get("pmc") or ids.get("pmcid", "").split(";")[0].removeprefix("pmc-id: "),
        "seen_at": [url],
    }
    return normalise_record(record)


def crossref_record(message: dict[str, Any], title: str, url: str) -> dict[str, Any]:
    authors = [
        f"{a['family']}, {a.get('given', '')}".rstrip(", ")
        for a in message.get("author", [])
        if isinstance(a, dict) and a.get("family")
    ]
    parts = (message.get("issued") or {}).get("date-parts") or [[None]]
    year = parts[0][0] if parts and parts[0] else None
    doi = normalise_doi(message.get("DOI", ""))
    record = {
        "id": f"doi:{doi}",
        "origin": "crossref",
        "status": "verified",
        "type": "article" if message.get("type") == "journal-article" else message.get("type", "misc"),
        "authors": authors,
        "title": title,
        "journal": (message.get("container-title") or [None])[0],
        "publisher": message.get("publisher"),
        "year": year,
        "volume": message.get("volume"),
        "issue": message.get("issue"),
        "pages": message.get("page"),
        "doi": doi,
        "seen_at": [url],
    }
    return normalise_record(record)


def enrich_identifiers(
    cache: MetadataCache, wanted: Iterable[tuple[str, str]], client: RegistryClient
) -> tuple[list[str], list[str]]:
    """Fetch each ``(scheme, value)`` the cache has no record for; returns (added ids, errors)."""
    added, errors = [], []
    for scheme, value in wanted:
        if scheme not in REGISTRY_SCHEMES:
            continue
        try:
            record = client.fetch(scheme, value)
        except EnrichError as exc:
            errors.append(str(exc))
            continue
        cache.upsert(record)
        added.append(record["id"])
    return added, errors
