"""The raw HTML a page may contain: an allow-list of elements, attributes and URL schemes.

Pages are written by anyone who opens a pull request, and Python-Markdown passes raw HTML and link
targets through untouched, so ``<script>``, ``<img onerror=…>`` or ``[x](javascript:…)`` in a page
would run on every reader's browser (issue 19). The checker refuses, as errors, anything outside
the allow-list below; the site's Content-Security-Policy (boneguide/site/csp.py) is the second line.

The Markdown source is read with the standard library's HTML tokenizer (``html.parser``), the one
Python-Markdown itself uses to find raw HTML blocks: it decodes entities (``&#106;avascript:``),
reads quoted, unquoted and slash-separated attributes and script bodies, and reports each tag's own
line and column, so a finding points at the tag that was typed. Where it and a browser part ways
the policy leans to the browser: comments a browser ends early are refused (html-comment) and
``<noscript>`` is not allowed. Fenced code and code spans are blanked (offsets kept) only where
Markdown is read, as Markdown shows them as text; in raw HTML a backtick hides nothing. attr_list's
``{: key=value }`` sets attributes too, and is read with that extension's own parser.

What the source check cannot see (a plugin's output, the theme) is covered by the link check of the
built pages (link-unsafe-scheme) and, in the reader's browser, by the Content-Security-Policy.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from markdown.extensions.attr_list import AttrListTreeprocessor, get_attrs_and_remainder
from markdown.inlinepatterns import AUTOLINK_RE, AUTOMAIL_RE

from boneguide.checks.model import Finding
from boneguide.frontmatter import split_front_matter

# Attributes every allowed element may carry. "markdown" is md_in_html's switch; aria-* is
# accessibility metadata the browser never runs. No style (CSS can overlay or exfiltrate) and no
# data-* (the theme's scripts act on data-md-* attributes).
GLOBAL_ATTRIBUTES = frozenset({"id", "class", "title", "lang", "dir", "role", "markdown", "hidden"})
GLOBAL_ATTRIBUTE_PREFIXES = ("aria-",)
# Element -> the attributes it may carry besides the global ones.
_TEXT_ELEMENTS = (
    "abbr", "b", "bdi", "bdo", "br", "caption", "cite", "code", "dd", "dfn", "div", "dl", "dt", "em",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "kbd", "li", "mark", "p",
    "pre", "s", "samp", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "tfoot",
    "thead", "tr", "u", "ul", "var", "wbr",
)  # fmt: skip
# Not <noscript>: a browser with scripting on reads its content as text up to "</noscript>", where
# this tokenizer sees tags, so '<noscript><p title="</noscript><img onerror=…>">' would pass here
# and run there. The intake checker's <noscript> is generated, not typed.
ALLOWED_ELEMENTS: dict[str, frozenset[str]] = {
    **{name: frozenset() for name in _TEXT_ELEMENTS},
    "a": frozenset({"href", "rel", "hreflang", "target"}),
    "img": frozenset({"src", "alt", "width", "height", "loading", "decoding"}),
    "blockquote": frozenset({"cite"}),
    "q": frozenset({"cite"}),
    "del": frozenset({"cite", "datetime"}),
    "ins": frozenset({"cite", "datetime"}),
    "time": frozenset({"datetime"}),
    "data": frozenset({"value"}),
    "details": frozenset({"open"}),
    "ol": frozenset({"start", "type", "reversed"}),
    "col": frozenset({"span"}),
    "colgroup": frozenset({"span"}),
    "td": frozenset({"colspan", "rowspan", "headers", "align"}),
    "th": frozenset({"colspan", "rowspan", "headers", "scope", "abbr", "align"}),
}
# No <script>, not even an inert data block (type="application/json"): the theme's instant navigation
# re-creates the content's scripts without their type, and the copy then runs as JavaScript (or is
# refused by the Content-Security-Policy). A page's data goes in a data-… attribute its plugin writes.
# attr_list's {: key=value } sets attributes on the element Markdown makes, whichever it is.
ATTR_LIST_ATTRIBUTES = GLOBAL_ATTRIBUTES.union(*ALLOWED_ELEMENTS.values()) - {"type"}
URL_ATTRIBUTES = frozenset({"href", "src", "cite"})
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
# Pictures inlined as data: URLs; SVG is left out, as it can carry script when opened on its own.
SAFE_DATA_IMAGE = re.compile(r"data:image/(?:png|jpeg|gif|webp|avif)[;,]", re.IGNORECASE)
# Elements that never hold content: no end tag closes them.
_VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
# Python-Markdown's own autolink patterns: what it turns into <a href> rather than passing as HTML.
_AUTOLINK = re.compile(AUTOLINK_RE)
_AUTOMAIL = re.compile(AUTOMAIL_RE)
# attr_list's own pattern, tried at every "{" (a zero-width match, so two lists on one line are
# both read); its parser then stops at the first closing brace outside quotes, as the extension does.
_ATTR_LIST = re.compile(r"\{(?=" + AttrListTreeprocessor.BASE_RE.removeprefix(r"\{") + ")")
# A code span as Python-Markdown pairs it: a run of backticks closed by a run of the same length.
# Kept to one line on purpose: a span blanked too far could hide a tag that is really rendered,
# while one not blanked at worst reports HTML that is shown as code.
_CODE_SPAN = re.compile(r"(?<![`\\])(`+)(?!`)[^\n]*?(?<!`)\1(?!`)")
# What a browser removes from a URL before reading its scheme (URL Standard: leading and trailing
# C0 controls and spaces; tabs and newlines anywhere), so "java\tscript:" is still javascript:.
_URL_NOISE = re.compile(r"[\t\n\r]")


_C0_OR_SPACE = "".join(chr(c) for c in range(0x21))
# RFC 3986's scheme, as urlsplit reads it; a pattern, not urlsplit: the checker asks this of every
# link on every built page, and urlsplit also parses (and may refuse) the rest of the URL.
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


def unsafe_url(element: str, url: str) -> str | None:
    """Why ``url`` may not be a link or source on this site (a sentence after the URL), or None."""
    cleaned = _URL_NOISE.sub("", url)
    match = _SCHEME.match(cleaned.strip(_C0_OR_SPACE))  # the scheme a browser would see; none: relative
    scheme = match[1].lower() if match else ""
    if not scheme or scheme in SAFE_SCHEMES:
        return None
    if scheme == "data" and element in ("img", "source") and SAFE_DATA_IMAGE.match(cleaned.strip()):
        return None
    allowed = ", ".join(sorted(SAFE_SCHEMES))
    return (
        f"'{shown(url)}' uses the scheme '{scheme}:', which can run code or disguise content "
        f"(allowed: {allowed}, or a relative URL)"
    )


def shown(value: str, limit: int = 60) -> str:
    """``value`` for a one-line message: control characters escaped, long data: URLs cut."""
    visible = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\x{ord(m[0]):02x}", value)
    return visible if len(visible) <= limit else visible[: limit - 1] + "…"


@dataclass(frozen=True)
class RawTag:
    name: str
    attributes: list[tuple[str, str | None]]
    line: int  # 1-based, in the scanned text
    col: int  # 1-based
    text: str = ""  # the start tag as typed

    def position_of(self, value: str) -> tuple[int, int]:
        """Line and column of ``value`` as typed inside this tag; the tag's own when it is not there verbatim."""
        offset = self.text.find(value) if value else -1
        if offset < 0:
            return self.line, self.col
        before = self.text[:offset]
        newlines = before.count("\n")
        if not newlines:
            return self.line, self.col + offset
        return self.line + newlines, offset - before.rfind("\n")


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # attribute values arrive decoded, as a browser reads them
        self.tags: list[RawTag] = []
        self.early_closing_comments: list[tuple[int, int]] = []
        # Raw elements open at this point, and whether md_in_html reads Markdown inside each.
        self.open_elements: list[tuple[str, bool]] = []

    @property
    def in_markdown(self) -> bool:
        """Whether the text fed next is Markdown (where ``` and `code` are code), not raw HTML.

        Not while a tag, comment or script is unfinished, nor inside a raw element without the
        ``markdown`` attribute: Python-Markdown passes those through as typed, backticks and all.
        """
        if self.rawdata:  # html.parser's unfinished construct
            return False
        return not self.open_elements or self.open_elements[-1][1]

    def handle_comment(self, data: str) -> None:
        # This tokenizer ends a comment only at "-->"; a browser also at "<!-->", "<!--->" and
        # "--!>", and reads what follows as HTML: a tag hidden there would run unchecked.
        if data.startswith((">", "->")) or "--!>" in data:
            line, offset = self.getpos()
            self.early_closing_comments.append((line, offset + 1))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._collect(tag, attrs) and tag not in _VOID_ELEMENTS:
            values = dict(attrs)
            reads_markdown = "markdown" in values and (values["markdown"] or "1") != "0"
            self.open_elements.append((tag, reads_markdown))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/>, and an autolink ending in "/": a start tag that opens nothing (html.parser would
        # call handle_endtag as well).
        self._collect(tag, attrs)

    def _collect(self, tag: str, attrs: list[tuple[str, str | None]]) -> bool:
        """Keep the tag as typed; False for an autolink, which Markdown makes a link, not an element."""
        text = self.get_starttag_text() or ""
        line, offset = self.getpos()
        if link := _AUTOLINK.fullmatch(text):  # <scheme://…> renders as a link to it, any scheme
            self.tags.append(RawTag("a", [("href", link[1])], line, offset + 1, text))
            return False
        if _AUTOMAIL.fullmatch(text):  # <someone@…> becomes a mailto: link
            return False
        self.tags.append(RawTag(tag, attrs, line, offset + 1, text))
        return True

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.open_elements) - 1, -1, -1):
            if self.open_elements[index][0] == tag:
                del self.open_elements[index:]
                return


def _spaces(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def _closes_fence(line: str, fence: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(fence) and not stripped.strip(fence[0])


def _scan(text: str) -> tuple[_TagCollector, str]:
    """Tokenize a page's body line by line, blanking what Markdown shows as code (offsets kept);
    returns the tokenizer and the body as scanned, after a blank line for each line of front
    matter, so that both count the lines of ``text``.

    A fence or code span is code only where Markdown is read (collector.in_markdown): inside a
    raw ``<div>`` without ``markdown`` a browser runs what sits between backticks, so it is read.
    A line that starts with "<" may start a raw HTML block: its backticks are left to the tokenizer.
    """
    _, body, body_start = split_front_matter(text)
    collector = _TagCollector()
    fence: str | None = None
    scanned = ["\n" * (body_start - 1)]
    collector.feed(scanned[0])
    for line in body.splitlines(keepends=True):
        if fence is not None:
            if _closes_fence(line, fence):
                fence = None
            line = _spaces(line)
        elif collector.in_markdown and (opening := _FENCE.match(line)):
            fence = opening[1]
            line = _spaces(line)
        elif collector.in_markdown and not line.lstrip().startswith("<"):
            line = _CODE_SPAN.sub(lambda m: _spaces(m[0]), line)
        collector.feed(line)
        scanned.append(line)
    collector.close()
    return collector, "".join(scanned)


def raw_tags(text: str) -> list[RawTag]:
    """The start tags typed in a Markdown page (front matter and code left out), at their lines in ``text``."""
    return _scan(text)[0].tags


def tag_problems(tag: RawTag) -> list[tuple[str, str]]:
    """(code, message) for each way ``tag`` breaks the policy."""
    if tag.name not in ALLOWED_ELEMENTS:
        return [
            (
                "html-element",
                f"raw HTML element <{tag.name}> is not allowed in pages (it can run code, load other "
                f"sites or change the page around it); see boneguide/checks/html_policy.py",
            )
        ]
    problems = []
    allowed = GLOBAL_ATTRIBUTES | ALLOWED_ELEMENTS[tag.name]
    for attribute, value in tag.attributes:
        if attribute not in allowed and not attribute.startswith(GLOBAL_ATTRIBUTE_PREFIXES):
            why = " (an event handler runs script)" if attribute.startswith("on") else ""
            problems.append(
                ("html-attribute", f"attribute '{attribute}' is not allowed on <{tag.name}>{why}")
            )
        elif attribute in URL_ATTRIBUTES and value and (problem := unsafe_url(tag.name, value)):
            problems.append(("html-url-scheme", f"<{tag.name} {attribute}> {problem}"))
    return problems


def attr_list_problems(body: str) -> list[tuple[int, int, str, str]]:
    """(line, col, code, message) for attributes set with attr_list's ``{: key=value }`` in ``body``.

    Read with the extension's own pattern and parser. Only key=value pairs are judged: a bare word
    in braces is far more often prose than a boolean attribute, and none of them runs code.
    """
    problems = []
    line_starts = [0] + [m.end() for m in re.finditer("\n", body)]
    for match in _ATTR_LIST.finditer(body):
        attributes, _ = get_attrs_and_remainder(match[1])
        line = bisect.bisect_right(line_starts, match.start())
        col = match.start() - line_starts[line - 1] + 1
        for key, value in attributes:
            if value is None or key == ".":
                continue
            if key not in ATTR_LIST_ATTRIBUTES and not key.startswith(GLOBAL_ATTRIBUTE_PREFIXES):
                why = " (an event handler runs script)" if key.startswith("on") else ""
                problems.append(
                    (line, col, "html-attribute", f"attribute '{key}' set with {{: }} is not allowed{why}")
                )
            elif key in URL_ATTRIBUTES and (problem := unsafe_url("a", value)):
                problems.append((line, col, "html-url-scheme", f"{{: {key}}} {problem}"))
    return problems


def check_page(text: str, display_path: str) -> list[Finding]:
    """Every breach of the raw-HTML policy in a Markdown page, at the tag's own line and column."""
    collector, body = _scan(text)
    findings = [
        Finding(display_path, tag.line, tag.col, "error", code, message)
        for tag in collector.tags
        for code, message in tag_problems(tag)
    ]
    findings += [
        Finding(
            display_path,
            line,
            col,
            "error",
            "html-comment",
            "a browser ends this comment before its '-->' (at '<!-->', '<!--->' or '--!>') and reads the rest "
            "as HTML: write comments as <!-- text -->",
        )
        for line, col in collector.early_closing_comments
    ]
    findings += [
        Finding(display_path, line, col, "error", code, message)
        for line, col, code, message in attr_list_problems(body)
    ]
    return findings
