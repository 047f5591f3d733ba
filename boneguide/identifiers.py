"""Identifiers of works, in one place: DOI, PMID, PMCID, NCBI Bookshelf ID (NBK) and URLs.

Their patterns, canonical forms and the links they resolve to, used by the citation-list parser,
the importer, the metadata enricher, the add-reference command and the checker alike.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, unquote, urlsplit, urlunsplit

ID_FIELDS = ("doi", "pmid", "pmcid", "nbk", "url")
# A whole field holding a DOI (the checker and add_reference validate with it); DOI_RE finds one in text.
DOI_FULL_RE = re.compile(r"^10\.\d{4,9}/\S+$")
DOI_RE = re.compile(r"10\.\d{4,9}/[^\s\"<>]+", re.IGNORECASE)
PMID_RE = re.compile(r"^\d{1,9}$")
PMCID_RE = re.compile(r"^PMC\d{1,9}$")  # as stored; typed input may be lowercase (match it upper-cased)
PMC_PATH_RE = re.compile(r"/(?:pmc/)?articles/(PMC\d+)", re.IGNORECASE)
NBK_PATH_RE = re.compile(r"/books/(NBK\d+)", re.IGNORECASE)
URL_RE = re.compile(r"https?://", re.IGNORECASE)
# What a publisher's address adds after the DOI in its path (frontiersin.org/articles/<doi>/full).
_VIEW_SUFFIX = re.compile(r"/(?:full|fulltext|abstract|pdf|epdf|html)/?$", re.IGNORECASE)
NCBI_HOSTS = {"www.ncbi.nlm.nih.gov", "ncbi.nlm.nih.gov", "pmc.ncbi.nlm.nih.gov", "pubmed.ncbi.nlm.nih.gov"}
# Europe PMC's record of a PubMed (MED) or PMC article: the same work as PubMed's or PMC's page.
EUROPE_PMC_HOSTS = {"europepmc.org", "www.europepmc.org"}
EUROPE_PMC_PATH_RE = re.compile(
    r"^/(?:article|abstract|api/fulltextRepo)/(MED|PMC)/(?:PMC)?(\d+)", re.IGNORECASE
)


def normalise_doi(value: str) -> str:
    text = unquote(value.strip())
    text = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", text, flags=re.IGNORECASE)
    return text.rstrip(".").lower()


def normalise_pmid(value: str) -> str:
    digits = re.sub(r"\D", "", str(value))
    return digits.lstrip("0") or digits


def normalise_pmcid(value: str) -> str:
    digits = re.sub(r"\D", "", str(value))
    return f"PMC{digits}" if digits else ""


def normalise_nbk(value: str) -> str:
    digits = re.sub(r"\D", "", str(value))
    return f"NBK{digits}" if digits else ""


def pmc_url(pmcid: str) -> str:
    return f"https://pmc.ncbi.nlm.nih.gov/articles/{pmcid}/"


def pubmed_url(pmid: str) -> str:
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"


def url_for(identifiers: dict[str, str]) -> str:
    if identifiers.get("pmcid"):
        return pmc_url(identifiers["pmcid"])
    if identifiers.get("pmid"):
        return pubmed_url(identifiers["pmid"])
    return identifiers.get("url", "")


def repair_url(text: str) -> str:
    """Two URLs run together ('https://a.comhttps://b/...'): the second one is the link."""
    starts = [m.start() for m in URL_RE.finditer(text)]
    return text[starts[-1] :].strip() if starts else text.strip()


def canonical_url(url: str) -> str:
    """https, lowercase host; NCBI display-only query strings dropped; PMC and PubMed in their current form."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower()
    path = parts.path or "/"
    if host in NCBI_HOSTS:
        if m := PMC_PATH_RE.search(path):
            return pmc_url(normalise_pmcid(m.group(1)))
        is_pubmed = host == "pubmed.ncbi.nlm.nih.gov" or path.lower().startswith("/pubmed/")
        if is_pubmed and (m := re.search(r"(\d+)", path)):
            return pubmed_url(normalise_pmid(m.group(1)))
        term = parse_qs(parts.query).get("term", [""])[0].strip()
        if is_pubmed and term:
            # A search, not a display option: a PMID searched for is that record; other terms stay.
            return (
                pubmed_url(term)
                if PMID_RE.match(term)
                else f"https://pubmed.ncbi.nlm.nih.gov/?term={quote(term)}"
            )
        return urlunsplit(("https", "www.ncbi.nlm.nih.gov", path, "", ""))
    if host in EUROPE_PMC_HOSTS and (m := EUROPE_PMC_PATH_RE.search(path)):
        source, number = m.group(1).upper(), m.group(2)
        return pubmed_url(normalise_pmid(number)) if source == "MED" else pmc_url(normalise_pmcid(number))
    return urlunsplit(("https", host, path, parts.query, ""))


def identifiers_from_url(url: str) -> dict[str, str]:
    """What a link names: PMCID, PMID, Bookshelf ID or a DOI in its path, and its canonical URL."""
    canonical = canonical_url(url)
    found: dict[str, str] = {}
    path = urlsplit(canonical).path
    if m := PMC_PATH_RE.search(path):
        found["pmcid"] = normalise_pmcid(m.group(1))
    elif canonical.startswith("https://pubmed.ncbi.nlm.nih.gov/") and (pmid := normalise_pmid(path)):
        found["pmid"] = pmid
    elif m := NBK_PATH_RE.search(path):
        found["nbk"] = normalise_nbk(m.group(1))
    elif m := DOI_RE.search(unquote(path)):
        found["doi"] = normalise_doi(_VIEW_SUFFIX.sub("", m.group(0)))
    elif (query_doi := parse_qs(urlsplit(canonical).query).get("doi", [""])[0]) and DOI_RE.fullmatch(
        query_doi
    ):
        found["doi"] = normalise_doi(query_doi)  # view.php?doi=10.3803/...
    found["url"] = canonical
    return found


def identifier_tokens(identifiers: dict[str, str]) -> set[str]:
    """Comparable tokens ('pmcid:PMC1', 'url:https://...') for deduplication."""
    return {
        f"{name}:{value.lower() if name in ('url', 'doi') else value}"
        for name in ID_FIELDS
        if (value := identifiers.get(name))
    }
