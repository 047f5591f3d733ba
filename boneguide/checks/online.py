"""Online link check: the HTTP policy around requests + urllib3's Retry.

urllib3 does the retries, the exponential backoff and the Retry-After waits (on 429 and 503);
this module adds what no library does for us: a per-host concurrency limit and delay, HEAD then
GET fallback, hosts known to block automated clients, identifier checks against their registries,
and a cache of results with their dates.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3 import exceptions as urllib3_exceptions
from urllib3.util.retry import Retry

from boneguide.bibfile import BibFile
from boneguide.checks.model import Finding, Severity, Target
from boneguide.files import read_cache, write_atomically

# Hosts that answer automated clients with 403, captchas or nothing: a failure there says nothing
# about the link, so they are reported as unverifiable rather than requested. Subdomains included.
BLOCKING_HOSTS = (
    "doi.org",
    "dx.doi.org",
    "pubmed.ncbi.nlm.nih.gov",
    "pmc.ncbi.nlm.nih.gov",
    "www.ncbi.nlm.nih.gov",
    "ods.od.nih.gov",
    "link.springer.com",
    "jamanetwork.com",
    "bmj.com",
    "sciencedirect.com",
    "onlinelibrary.wiley.com",
    "academic.oup.com",
    "tandfonline.com",
    "journals.lww.com",
    "nap.nationalacademies.org",
    "researchgate.net",
)


@dataclass
class Settings:
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    retries: int = 3  # after the first try
    backoff_factor: float = 1.0  # waits 0, 2, 4, ... seconds between retries (urllib3's rule)
    # A longer Retry-After is not waited for: the URL is reported as rate-limited.
    max_retry_after: float = 120.0
    per_host_concurrency: int = 2
    # This many hosts in a row that cannot be connected to (refused, unresolvable, no route) mean
    # the network, not the links, is down: the rest is not requested and one verdict is reported.
    unreachable_after: int = 3
    per_host_delay: float = 1.0  # seconds between the starts of two requests to one host
    workers: int = 8
    max_redirects: int = 10
    user_agent: str = (
        "BoneNutrientGuide-linkcheck/1.0 (+https://github.com/bone-nutrient-guide/bone-nutrient-guide)"
    )
    blocking_hosts: tuple[str, ...] = BLOCKING_HOSTS
    only_hosts: tuple[str, ...] = ()  # when set, other hosts are not requested at all (tests: 127.0.0.1)
    check_registries: bool = True
    doi_registry: str = "https://doi.org/api/handles/"  # the handle API answers scripts; doi.org pages do not
    pubmed_registry: str = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esummary.fcgi"
    pmc_registry: str = "https://www.ncbi.nlm.nih.gov/pmc/utils/idconv/v1.0/"


@dataclass
class Outcome:
    status: str  # ok | redirected | broken | blocked | rate-limited | timeout | error | unverifiable
    detail: str
    code: int | None = None
    final_url: str | None = None
    checked: str = ""  # the day it was asked (check()'s today), kept with it in the cache
    # Why the host could not be connected to at all ("" when it answered or timed out reading);
    # feeds the network-unreachable verdict and is never cached.
    unreachable: str = ""

    def cached(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "unreachable"}


class _CappedRetry(Retry):
    """Retry whose Retry-After waits are capped, so a server cannot stall the weekly job for hours."""

    cap: float  # Settings.max_retry_after, set by _session; new() passes it on to each copy

    def get_retry_after(self, response: Any) -> float | None:
        value = super().get_retry_after(response)
        if value is not None and value > self.cap:
            return None  # is_retry() still retries after backoff; the final status reports it
        return value

    def new(self, **kwargs: Any) -> _CappedRetry:
        retry = super().new(**kwargs)
        retry.cap = self.cap
        return retry


def _session(settings: Settings) -> requests.Session:
    # total bounds connection, read and status retries alike. Redirects are requests' to follow
    # (session.max_redirects): it never lets urllib3 follow one, so Retry's redirect count is unused.
    # Retry's defaults already retry HEAD and GET and honour Retry-After.
    retry = _CappedRetry(
        total=settings.retries,
        backoff_factor=settings.backoff_factor,
        status_forcelist=(429, 500, 502, 503, 504),
        raise_on_status=False,  # the last answer is returned and judged: requests never raises RetryError
    )
    retry.cap = settings.max_retry_after
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry, pool_maxsize=max(settings.workers, 4))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = settings.user_agent
    session.max_redirects = settings.max_redirects
    return session


class _HostGate:
    """At most N requests at once to one host, and a minimum delay between their starts."""

    def __init__(self, concurrency: int, delay: float):
        self.concurrency = concurrency
        self.delay = delay
        self.lock = threading.Lock()
        self.semaphores: dict[str, threading.Semaphore] = {}
        self.next_start: dict[str, float] = {}

    @contextlib.contextmanager
    def enter(self, host: str) -> Iterator[None]:
        with self.lock:
            semaphore = self.semaphores.setdefault(host, threading.Semaphore(self.concurrency))
        with semaphore:
            with self.lock:
                now = time.monotonic()
                start = max(now, self.next_start.get(host, now))
                self.next_start[host] = start + self.delay
            if start > now:
                time.sleep(start - now)
            yield


def _blocked(host: str, settings: Settings) -> Outcome | None:
    """The verdict on a link to a host that blocks automated clients (not requested), else None."""
    name = host.lower().split(":")[0]
    if any(name == blocked or name.endswith("." + blocked) for blocked in settings.blocking_hosts):
        return Outcome(
            "unverifiable", f"unverifiable from CI: {host} blocks automated clients; check by hand"
        )
    return None


def _connection_failure(error: BaseException) -> str:
    """The cause when no connection could be made at all (resolver, refused, no route), else ""."""
    chain: list[BaseException] = []
    pending: list[BaseException | None] = [error]
    while pending:  # urllib3 wraps the cause in MaxRetryError, requests wraps that again
        current = pending.pop()
        if current is None or any(current is seen for seen in chain):
            continue
        chain.append(current)
        pending += [current.__cause__, current.__context__, getattr(current, "reason", None)]
        pending += [arg for arg in current.args if isinstance(arg, BaseException)]
    # Most specific first: urllib3's NewConnectionError subclasses ConnectTimeoutError.
    rules: list[tuple[type[BaseException], str]] = [
        (urllib3_exceptions.NameResolutionError, "the host name could not be resolved"),
        (socket.gaierror, "the host name could not be resolved"),
        (ConnectionRefusedError, "connection refused"),
        (urllib3_exceptions.NewConnectionError, "no connection could be made"),
        (urllib3_exceptions.ConnectTimeoutError, "no connection within the timeout"),
    ]
    for kind, cause in rules:
        if any(isinstance(current, kind) for current in chain):
            return cause
    unreachable = (errno.ENETUNREACH, errno.EHOSTUNREACH)
    if any(isinstance(current, OSError) and current.errno in unreachable for current in chain):
        return "no route to the host"
    return ""


class _Breaker:
    """Trips after N hosts in a row could not be connected to; any answer from a host resets it."""

    def __init__(self, limit: int):
        self.limit = max(1, limit)
        self.lock = threading.Lock()
        self.failed: dict[str, str] = {}  # host -> cause, since the last host that answered
        self.tripped = False

    def record(self, host: str, outcome: Outcome) -> None:
        with self.lock:
            if self.tripped:
                return
            if outcome.unreachable:
                self.failed[host] = outcome.unreachable
                self.tripped = len(self.failed) >= self.limit
            else:
                self.failed.clear()

    def cause(self) -> str:
        causes = sorted(set(self.failed.values()))
        hosts = ", ".join(sorted(self.failed))
        return f"{'; '.join(causes)} ({hosts})"


def _probe(targets: list[Target], ask: Any, deadline: float) -> dict[str, Outcome | None]:
    """Each target asked on its own daemon thread, waiting at most `deadline` seconds in all.

    Plain daemon threads, not a pool: where packets are silently dropped a resolver can hang well
    past any timeout requests can set, and a pool's threads would hold the process until it ends.
    """
    results: dict[str, Outcome | None] = {}

    def run(target: Target) -> None:
        results[target.url] = ask(target)

    threads = [threading.Thread(target=run, args=(target,), daemon=True) for target in targets]
    for thread in threads:
        thread.start()
    end = time.monotonic() + deadline
    for thread in threads:
        thread.join(max(0.0, end - time.monotonic()))
    return dict(results)


def _describe(response: requests.Response) -> str:
    return f"{response.status_code} {response.reason or ''}".strip()


def check_url(url: str, session: requests.Session, gate: _HostGate, settings: Settings) -> Outcome:
    """The link asked for (check() has already left out hosts that block automated clients)."""
    host = urlsplit(url).netloc
    timeout = (settings.connect_timeout, settings.read_timeout)
    try:
        with gate.enter(host):
            response = session.head(url, allow_redirects=True, timeout=timeout)
        if response.status_code >= 400 and response.status_code not in (429,):
            # Many servers refuse or mishandle HEAD: the GET answer is the one that counts.
            with gate.enter(host):
                response = session.get(url, allow_redirects=True, timeout=timeout, stream=True)
                response.close()
    except requests.exceptions.TooManyRedirects:
        return Outcome("broken", f"more than {settings.max_redirects} redirects")
    except (requests.exceptions.Timeout, requests.exceptions.ConnectionError) as error:
        reason = str(error.args[0]) if error.args else str(error)
        cause = _connection_failure(error)
        if isinstance(error, requests.exceptions.Timeout) or "timed out" in reason.lower():
            return Outcome(
                "timeout",
                f"no answer within {settings.connect_timeout:g}/{settings.read_timeout:g} s",
                unreachable=cause,
            )
        return Outcome("broken", f"cannot connect ({reason[:160]})", unreachable=cause)
    except requests.exceptions.RequestException as error:
        return Outcome("error", f"request failed: {error}"[:200])
    code = response.status_code
    if code == 429:
        return Outcome("rate-limited", f"{_describe(response)}: rate-limited, not verified", code)
    if code in (401, 403):
        return Outcome(
            "blocked", f"{_describe(response)}: the server refuses automated clients; check by hand", code
        )
    if code >= 400:
        gone = " (gone for good)" if code == 410 else ""
        return Outcome("broken", f"{_describe(response)}{gone}", code)
    if response.history:
        hops = " -> ".join(str(r.status_code) for r in response.history)
        return Outcome("redirected", f"redirects ({hops}) to {response.url}", code, response.url)
    return Outcome("ok", _describe(response), code)


def check_identifier(
    target: Target, session: requests.Session, gate: _HostGate, settings: Settings
) -> Outcome:
    """A DOI, PMID or PMCID looked up in its registry's API (which, unlike the landing pages, answers scripts)."""
    url = _request_url(target, settings)
    host = urlsplit(url).netloc
    try:
        with gate.enter(host):
            response = session.get(url, timeout=(settings.connect_timeout, settings.read_timeout))
        payload = response.json() if response.content else {}
    except requests.exceptions.Timeout as error:
        return Outcome(
            "timeout",
            f"the {target.kind} registry did not answer in time",
            unreachable=_connection_failure(error),
        )
    except (requests.exceptions.RequestException, ValueError) as error:
        return Outcome(
            "error",
            f"the {target.kind} registry could not be asked: {error}"[:200],
            unreachable=_connection_failure(error),
        )
    found = _registry_found(target, response.status_code, payload)
    if found is None:
        return Outcome(
            "error", f"the {target.kind} registry answered {_describe(response)}", response.status_code
        )
    if not found:
        return Outcome("broken", "not known to its registry", response.status_code)
    return Outcome("ok", "found in its registry", response.status_code)


def _registry_found(target: Target, status: int, payload: Any) -> bool | None:
    if target.kind == "doi":  # Handle API: responseCode 1 = found, 100 = not found
        code = payload.get("responseCode") if isinstance(payload, dict) else None
        return True if code == 1 else False if code == 100 or status == 404 else None
    if status >= 400 or not isinstance(payload, dict):
        return None
    if target.kind == "pmid":
        record = payload.get("result", {}).get(target.identifier)
        return isinstance(record, dict) and "error" not in record
    records = payload.get("records") or []
    return bool(records) and all(r.get("status") != "error" and r.get("pmcid") for r in records)


def _request_url(target: Target, settings: Settings) -> str:
    """What is requested for a target: the link itself, or its identifier at the registry's API."""
    if target.kind == "doi":
        return settings.doi_registry + quote(target.identifier, safe="/")
    if target.kind == "pmid":
        return f"{settings.pubmed_registry}?db=pubmed&retmode=json&id={quote(target.identifier)}"
    if target.kind == "pmcid":
        return f"{settings.pmc_registry}?format=json&ids={quote(target.identifier)}"
    return target.url


def _request_host(target: Target, settings: Settings) -> str:
    return urlsplit(_request_url(target, settings)).netloc.lower()


def bibliography_targets(bib: BibFile) -> list[Target]:
    targets = []
    for key, entry in bib.entries.items():
        for name in ("url", "doi", "pmid", "pmcid"):
            value = bib.value(key, name)
            bib_field = entry.fields.get(name)
            if not value or bib_field is None:
                continue
            targets.append(
                Target(
                    value if name == "url" else f"{name}:{value}",
                    bib.display_path,
                    bib_field.value_line,
                    bib_field.value_col,
                    name,
                    value,
                )
            )
    return targets


_SEVERITY: dict[str, Severity] = {  # every status but "ok", which is no finding
    "broken": "error",
    "error": "warning",
    "timeout": "warning",
    "rate-limited": "warning",
    "blocked": "warning",
    "redirected": "info",
    "unverifiable": "info",
}


def check(
    targets: Iterable[Target],
    cache_path: Path,
    *,
    settings: Settings | None = None,
    cache_days: int = 7,
    today: dt.date | None = None,
    verdict_path: str = "mkdocs.yml",
) -> list[Finding]:
    """Findings for the targets; when the network is unreachable, one `online-unreachable` error
    (at `verdict_path`) instead of a finding per link, within seconds rather than minutes."""
    settings = settings or Settings()
    today = today or dt.date.today()
    targets = list(targets)
    data = read_cache(cache_path)  # None with no cache yet, or a damaged one: everything is checked again
    cache: dict[str, dict[str, Any]] = data.get("results", {}) if isinstance(data, dict) else {}
    fresh_after = today - dt.timedelta(days=cache_days)
    by_url: dict[str, Target] = {}
    for target in targets:
        by_url.setdefault(target.url, target)
    to_check = []
    outcomes: dict[str, Outcome] = {}
    registry_hosts = {
        urlsplit(u).hostname for u in (settings.doi_registry, settings.pubmed_registry, settings.pmc_registry)
    }
    for url, target in by_url.items():
        cached = cache.get(url)
        host = urlsplit(url).hostname if target.kind == "url" else None
        if settings.only_hosts and (
            host not in settings.only_hosts if host else not registry_hosts <= set(settings.only_hosts)
        ):
            continue
        if target.kind == "url" and (blocked := _blocked(urlsplit(url).netloc, settings)):
            outcomes[url] = blocked
            continue
        if target.kind != "url" and not settings.check_registries:
            continue
        if cached and cached.get("status") in ("ok", "redirected"):
            with contextlib.suppress(ValueError, TypeError):
                if dt.date.fromisoformat(cached["checked"]) >= fresh_after:
                    fields: dict[str, Any] = {
                        k: cached.get(k) for k in ("status", "detail", "code", "final_url", "checked")
                    }
                    outcomes[url] = Outcome(**fields)
                    continue
        to_check.append(target)

    session = _session(settings)
    gate = _HostGate(settings.per_host_concurrency, settings.per_host_delay)
    breaker = _Breaker(settings.unreachable_after)

    def one(target: Target, with_session: requests.Session = session) -> tuple[str, Outcome | None]:
        if breaker.tripped:  # the network is down: asking the remaining hosts would only wait
            return target.url, None
        if target.kind == "url":
            outcome = check_url(target.url, with_session, gate, settings)
        else:
            outcome = check_identifier(target, with_session, gate, settings)
        breaker.record(_request_host(target, settings), outcome)
        return target.url, outcome

    # Probe first: one try, no retries, on each of the first few distinct hosts, before the rest
    # start. With no network they all fail together and nothing else is requested; a probe that
    # could not connect is asked again, with retries, with the rest if the network proves up.
    first_of_host: dict[str, Target] = {}
    for target in to_check:
        if len(first_of_host) < breaker.limit:
            first_of_host.setdefault(_request_host(target, settings), target)
    probe = list(first_of_host.values())
    probe_session = _session(replace(settings, retries=0))
    probed = _probe(probe, lambda target: one(target, probe_session)[1], settings.connect_timeout + 2)
    probe_session.close()
    for target in probe:
        if target.url not in probed:  # no answer at all, not even a timeout (a resolver that hangs)
            silent = Outcome(
                "timeout",
                "no answer within the timeout",
                unreachable=f"no answer within {settings.connect_timeout + 2:g} s",
            )
            probed[target.url] = silent
            breaker.record(_request_host(target, settings), silent)
    retry_probe = [
        target
        for target in probe
        if not breaker.tripped and (outcome := probed[target.url]) is not None and outcome.unreachable
    ]
    rest = retry_probe + [target for target in to_check if target not in probe]
    with ThreadPoolExecutor(max_workers=max(1, settings.workers)) as pool:
        # The probes' outcomes first: a probe asked again with the rest keeps its later one.
        for url, outcome in [*probed.items(), *pool.map(one, rest)]:
            if outcome is not None:
                outcomes[url] = outcome
                outcome.checked = today.isoformat()
    session.close()
    for url in {target.url for target in to_check} & outcomes.keys():
        if not (breaker.tripped and outcomes[url].unreachable):  # the network's fault, not the link's
            cache[url] = outcomes[url].cached()
    with contextlib.suppress(OSError):
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"version": 1, "results": cache}
        write_atomically(cache_path, json.dumps(payload, indent=1, sort_keys=True) + "\n")

    findings = []
    if breaker.tripped:
        unchecked = sum(1 for t in to_check if t.url not in outcomes or outcomes[t.url].unreachable)
        findings.append(
            Finding(
                verdict_path,
                0,
                0,
                "error",
                "online-unreachable",
                f"network unreachable: {breaker.cause()}; {unchecked} of {len(to_check)} external "
                "links and identifiers were not checked (run again when online)",
            )
        )
    for target in targets:
        outcome = outcomes.get(target.url)
        if outcome is None or outcome.status == "ok":
            continue
        if breaker.tripped and outcome.unreachable:
            continue  # the verdict above says it once
        label = target.url if target.kind == "url" else f"{target.kind} {target.identifier}"
        findings.append(
            Finding(
                target.path,
                target.line,
                target.col,
                _SEVERITY[outcome.status],
                f"online-{outcome.status}",
                f"{label}: {outcome.detail}",
            )
        )
    return findings
