"""Links on the built site: every internal link, #anchor, image and file must exist.

Checked on the HTML, not the Markdown, so links in raw HTML, in plugin-generated content (intake
and at-a-glance tables, the bibliography, tags) and in the theme are covered too. A link to a scheme
that runs code or disguises content (javascript:, data:text/html, …) is an error, link-unsafe-scheme,
wherever it came from: a Markdown ``[x](javascript:…)`` never reaches the raw-HTML policy.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import SplitResult, unquote, urlsplit

from boneguide.checks.html_policy import RawTag, raw_tags, unsafe_url
from boneguide.checks.html_scan import Tag, start_tags
from boneguide.checks.model import Finding, Target
from boneguide.checks.urls import url_problem
from boneguide.export import PDF_NAME, ZIP_NAME
from boneguide.site.downloads import HANDOUT_DIR

_LINK_ATTRIBUTES = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "img": ("src",),
    "script": ("src",),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
}
# Exports `make pdf` / `make offline` write (bng-downloads copies them into the site when they
# exist): links to them are fine although the checker's own build may not have them.
POST_BUILD_FILES = frozenset({f"/{PDF_NAME}", f"/{ZIP_NAME}"})


def _is_export(target: str) -> bool:
    return target in POST_BUILD_FILES or (
        target.startswith(f"/{HANDOUT_DIR}/") and target.endswith(".pdf") and target.count("/") == 2
    )


# Not links to check, but not code either. javascript:, data: and the rest are judged by the
# raw-HTML policy (html_policy.unsafe_url): a page's author must not make a reader's click run code.
_IGNORED_SCHEMES = ("tel:", "about:")
# The theme's search-share button (overrides/partials/search.html, as in Material) does nothing.
_INERT_URLS = frozenset({"javascript:void(0)"})


_UNPARSABLE = urlsplit("")


@functools.lru_cache(maxsize=1 << 16)  # half of a large site's links repeat (theme, reference lists)
def _split(url: str) -> SplitResult:
    try:
        return urlsplit(url)
    except ValueError:  # e.g. "http://[broken": reported, never a traceback
        return _UNPARSABLE


@dataclass
class Reference:
    tag: str
    url: str
    line: int  # in the HTML file


@dataclass
class HtmlPage:
    tags: list[Tag] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    references: list[Reference] = field(default_factory=list)


def parse_html(text: str | bytes) -> HtmlPage:
    """``text``: the page's HTML, or its valid UTF-8 bytes (see html_scan.start_tags)."""
    page = HtmlPage()
    for tag in start_tags(text, frozenset(_LINK_ATTRIBUTES), ("id", "name", "data-citation-key")):
        page.tags.append(tag)
        values = tag.attributes
        if values.get("id"):
            page.ids.add(values["id"])
        if tag.name == "a" and values.get("name"):
            page.ids.add(values["name"])
        for attribute in _LINK_ATTRIBUTES.get(tag.name, ()):
            value = values.get(attribute, "").strip()
            if not value:
                continue
            if tag.name == "link" and values.get("rel", "") in ("preconnect", "dns-prefetch"):
                continue
            if attribute == "srcset":
                urls = [part.strip().split()[0] for part in value.split(",") if part.strip()]
            else:
                urls = [value]
            page.references += [Reference(tag.name, url, tag.line) for url in urls]
    return page


def load_pages(
    site_dir: Path, parsed: dict[str, tuple[bytes, HtmlPage]]
) -> tuple[dict[str, HtmlPage], list[Finding]]:
    """Every built HTML page, by its path relative to site_dir.

    ``parsed``: pages already parsed, with the bytes they were parsed from; a file that no longer
    holds those bytes is parsed again.
    """
    pages: dict[str, HtmlPage] = {}
    findings = []
    for html_file in sorted(site_dir.rglob("*.html")):
        relative = html_file.relative_to(site_dir).as_posix()
        try:
            data = html_file.read_bytes()
        except OSError as error:
            findings.append(Finding(f"site/{relative}", 0, 0, "error", "html-unreadable", str(error)))
            continue
        known = parsed.get(relative)
        pages[relative] = (
            known[1] if known and known[0] == data else parse_html(data.decode("utf-8", "replace"))
        )
    return pages, findings


@dataclass
class SiteLinks:
    findings: list[Finding] = field(default_factory=list)
    external: list[Target] = field(default_factory=list)


class Locator:
    """Where a link in a built page was typed: the Markdown source line, if it can be found.

    A link typed as raw HTML is found by the HTML tokenizer's own position of its tag (the n-th
    ``<img src="x">`` of the page for the n-th such image built), not by the first line that holds
    the text ``x``; a Markdown link, which no HTML parser sees, by the line that holds its URL.
    """

    def __init__(self, source_text: str | None):
        self.source_text = source_text
        self.lines = source_text.splitlines() if source_text else []
        self._raw_tags: dict[tuple[str, str], list[RawTag]] | None = None
        self._seen: dict[tuple[str, str], int] = {}

    def _typed_tag(self, tag: str, url: str) -> RawTag | None:
        if self._raw_tags is None:  # parsed on the first broken link only: most pages have none
            self._raw_tags = {}
            for raw in raw_tags(self.source_text or ""):
                for attribute, value in raw.attributes:
                    if value is not None and attribute in ("href", "src", "srcset", "data", "poster"):
                        self._raw_tags.setdefault((raw.name, value.strip()), []).append(raw)
        typed = self._raw_tags.get((tag, url))
        if not typed:
            return None
        index = self._seen.get((tag, url), 0)
        self._seen[(tag, url)] = index + 1
        return typed[min(index, len(typed) - 1)]

    def find(self, url: str, tag: str = "") -> tuple[int, int]:
        """Line and column of ``url`` in the source; (0, 0) when it is not there."""
        if tag and (typed := self._typed_tag(tag, url)):
            return typed.position_of(url)
        parts = _split(url)
        candidates = [url]
        if parts.fragment:
            candidates.append("#" + parts.fragment)
        stem = posixpath.basename(parts.path.rstrip("/"))
        if stem and stem not in ("index.html", ".."):
            candidates += [stem.removesuffix(".html") + ".md", stem]
        for candidate in candidates:
            for number, line in enumerate(self.lines, start=1):
                column = line.find(candidate)
                if column >= 0:
                    return number, column + 1
        return 0, 0


def _site_file(site_dir: Path, path: str) -> str | None:
    """The file a site-absolute, normalised URL path serves, relative to site_dir, or None."""
    relative = unquote(path).lstrip("/")
    candidate = site_dir / relative
    if path.endswith("/") or not relative or candidate.is_dir():
        candidate = candidate / "index.html"
    if ".." in Path(relative).parts or not candidate.is_file():
        return None
    return candidate.relative_to(site_dir).as_posix()


def check_site(
    site_dir: Path,
    pages: dict[str, HtmlPage],
    site_url: str | None,
    sources: dict[str, tuple[str, str | None]],
    *,
    collect_external: bool = True,
) -> SiteLinks:
    """Check every HTML page under site_dir.

    ``sources`` maps a page's HTML path (relative to site_dir) to (display path of its Markdown
    source, source text) so findings point at the line an editor typed. External links are
    collected (and located in their source, a search per link) only with ``collect_external``,
    for the online check.
    """
    result = SiteLinks()
    site_file = functools.cache(functools.partial(_site_file, site_dir))  # many links share a target
    site = urlsplit(site_url or "")
    site_prefix = site.path.rstrip("/") + "/"  # "/" without a site_url
    # Theme links repeat on every page: a broken one is reported once, with a count.
    # Keyed by the problem, which names the resolved target: the same theme link is relative on each page.
    unlocated: dict[str, list[tuple[str, Reference]]] = {}
    for relative, page in pages.items():
        display, source_text = sources.get(relative, (f"site/{relative}", None))
        locator = Locator(source_text)
        base = "/" + posixpath.dirname(relative) + "/" if posixpath.dirname(relative) else "/"
        for reference in page.references:
            url = reference.url
            lowered = url.lower()
            if lowered.startswith(_IGNORED_SCHEMES) or lowered in _INERT_URLS:
                continue
            if unsafe := unsafe_url(reference.tag, url):
                line, col = locator.find(url, reference.tag)
                result.findings.append(
                    Finding(display, line, col, "error", "link-unsafe-scheme", f"{reference.tag} {unsafe}")
                )
                continue
            if lowered.startswith("data:"):  # an inlined picture the policy accepts: nothing to fetch
                continue
            parts = _split(url)
            if parts is _UNPARSABLE:
                problem: str | None = "cannot be parsed as a URL"
            elif lowered.startswith("mailto:"):
                if not re.fullmatch(r"mailto:[^@\s]+@[^@\s]+\.[^@\s]+", url.split("?")[0]):
                    problem = "is not a valid e-mail link"
                else:
                    continue
            elif parts.scheme or url.startswith("//"):
                is_own_site = (
                    site.netloc and parts.netloc == site.netloc and parts.path.startswith(site_prefix)
                )
                if not is_own_site:
                    problem = url_problem(url if parts.scheme else "https:" + url)
                    if problem is None:
                        if collect_external:
                            result.external.append(Target(url, display, *locator.find(url)))
                        continue
                else:
                    problem = _internal_problem(
                        site_file, pages, "/" + parts.path[len(site_prefix) :], parts.fragment, reference
                    )
            else:
                path_part = parts.path
                if site_prefix != "/" and path_part.startswith(site_prefix):
                    path_part = "/" + path_part[len(site_prefix) :]  # site-absolute, as on 404.html
                target = posixpath.normpath(posixpath.join(base, path_part)) if path_part else "/" + relative
                if path_part.endswith("/") and not target.endswith("/"):
                    target += "/"
                problem = _internal_problem(site_file, pages, target, parts.fragment, reference, own=relative)
            if problem is None:
                continue
            line, col = locator.find(url, reference.tag)
            if line:
                result.findings.append(
                    Finding(display, line, col, "error", "link-broken", f"{reference.tag} '{url}' {problem}")
                )
            else:
                unlocated.setdefault(problem, []).append((display, reference))
    for problem, where in unlocated.items():
        (path, reference), others = where[0], len(where) - 1
        url = reference.url
        also = f" (and on {others} other page{'s' if others != 1 else ''})" if others else ""
        result.findings.append(
            Finding(
                path,
                0,
                0,
                "error",
                "link-broken",
                f"{reference.tag} '{url}' {problem} (in the built HTML, line {reference.line}){also}",
            )
        )
    return result


def _internal_problem(
    site_file: Callable[[str], str | None],
    pages: dict[str, HtmlPage],
    target: str,
    fragment: str,
    reference: Reference,
    own: str | None = None,
) -> str | None:
    relative = own if own is not None and target == "/" + own else site_file(target)
    if relative is None:
        if _is_export(target):
            return None
        is_page = target.endswith(("/", ".html", ".md")) or "." not in posixpath.basename(target)
        kind = "page" if reference.tag in ("a", "area") and is_page else "file"
        return f"points to a missing {kind} ({target})"
    if not fragment or relative not in pages:
        return None
    anchor = unquote(fragment)
    if anchor in pages[relative].ids:
        return None
    return f"points to a missing anchor '#{anchor}' in {relative}"
