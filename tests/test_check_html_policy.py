"""Raw HTML and link schemes a page may use (issue 19): each fault class refused at the tag that was typed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from checkproject import TODAY, findings, project

from boneguide.checks import Options, run
from boneguide.checks.html_policy import check_page, raw_tags, unsafe_url

PAGE = "docs/nutrients/zinc.md"
ALLOWED = Path(__file__).parent / "fixtures" / "html-policy" / "allowed"
NOT_ALLOWED = "which can run code or disguise content (allowed: http, https, mailto, or a relative URL)"


def test_the_raw_html_the_site_uses_is_accepted(tmp_path: Path) -> None:
    """Cards and boxes with markdown, links, br, abbr, images, the intake checker's div and JSON data.

    Kept apart from the fault overlays in fixtures/check, every one of which holds a fault.
    """
    config = project(tmp_path, None)
    shutil.copytree(ALLOWED, config.parent, dirs_exist_ok=True)
    result = run(Options(config, today=TODAY)).findings
    assert [f for f in result if f.severity != "info"] == []


def test_javascript_and_data_links_in_markdown_are_refused(tmp_path: Path) -> None:
    assert findings(tmp_path, "html-unsafe-link") == [
        (PAGE, 35, 58, "error", "link-unsafe-scheme", f"a 'javascript:alert(1)' uses the scheme 'javascript:', {NOT_ALLOWED}"),
        (PAGE, 36, 15, "error", "link-unsafe-scheme", f"a 'data:text/html,<b>hi</b>' uses the scheme 'data:', {NOT_ALLOWED}"),
    ]  # fmt: skip


def test_a_raw_script_is_refused(tmp_path: Path) -> None:
    assert findings(tmp_path, "html-script") == [
        (
            PAGE,
            35,
            1,
            "error",
            "html-element",
            "raw HTML element <script> is not allowed in pages (it can run code, load other sites or change "
            "the page around it); see boneguide/checks/html_policy.py",
        )
    ]


def test_a_raw_iframe_is_refused(tmp_path: Path) -> None:
    [finding] = findings(tmp_path, "html-iframe")
    assert finding[:5] == (PAGE, 35, 1, "error", "html-element")
    assert finding[5].startswith("raw HTML element <iframe> is not allowed in pages")


def test_an_event_handler_is_refused_at_the_tag_typed_not_at_code_showing_it(tmp_path: Path) -> None:
    """The same text in a code span (line 35) and a fence (line 38) is shown, not run: line 42 is the tag."""
    assert findings(tmp_path, "html-event-handler") == [
        (PAGE, 42, 16, "error", "html-attribute", "attribute 'onerror' is not allowed on <img> (an event handler runs script)"),
        (PAGE, 42, 25, "error", "link-broken", "img 'x' points to a missing file (/nutrients/zinc/x)"),
    ]  # fmt: skip


def test_encoded_and_split_javascript_urls_in_raw_html_are_refused_once(tmp_path: Path) -> None:
    """Entities and line breaks a browser removes do not hide the scheme; the built link is not reported again."""
    assert findings(tmp_path, "html-url-scheme") == [
        (PAGE, 35, 7, "error", "html-url-scheme", f"<a href> 'javascript:alert(1)' uses the scheme 'javascript:', {NOT_ALLOWED}"),
        (PAGE, 35, 65, "error", "html-url-scheme", f"<a href> 'java\\x0ascript:alert(2)' uses the scheme 'javascript:', {NOT_ALLOWED}"),
    ]  # fmt: skip


def test_attributes_set_with_attr_list_are_held_to_the_same_policy(tmp_path: Path) -> None:
    """{: onmouseover=… } on a heading, {: href=javascript:… } on a link, {: style=… } after text."""
    assert findings(tmp_path, "html-attr-list") == [
        (PAGE, 33, 15, "error", "html-attribute", "attribute 'onmouseover' set with {: } is not allowed (an event handler runs script)"),
        (PAGE, 35, 35, "error", "html-url-scheme", f"{{: href}} 'javascript:alert(2)' uses the scheme 'javascript:', {NOT_ALLOWED}"),
        (PAGE, 35, 71, "error", "html-attribute", "attribute 'style' set with {: } is not allowed"),
    ]  # fmt: skip


def test_a_comment_a_browser_ends_early_is_refused(tmp_path: Path) -> None:
    """'<!-->' is a whole comment to a browser: the <img onerror> after it is live, not commented out."""
    result = findings(tmp_path, "html-comment")
    assert [f[:5] for f in result] == [
        (PAGE, 36, 1, "error", "html-comment"),
        (PAGE, 36, 16, "error", "link-broken"),  # the image a browser would load
    ]


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("<svg/onload=alert(1)>", "html-element"),
        ("<style>body{display:none}</style>", "html-element"),
        ("<object data='x.swf'></object>", "html-element"),
        ("<form action='https://example.org'><input name=q></form>", "html-element"),
        ("<base href='https://example.org/'>", "html-element"),
        ("<meta http-equiv=refresh content='0;url=https://example.org'>", "html-element"),
        ("<script type='module'>import('x')</script>", "html-element"),
        ("<script type='application/json' src='x.js'></script>", "html-element"),
        (
            '<script type="application/json">{"zinc": 8}</script>',
            "html-element",
        ),  # re-run untyped by the theme
        ("<IMG SRC=x ONERROR=alert(1)>", "html-attribute"),
        ("<img src=x/onerror=alert(1) onload=alert(2)>", "html-attribute"),
        ("<p style='position:fixed;inset:0'>x</p>", "html-attribute"),
        ("<a href='#' data-md-component='search'>x</a>", "html-attribute"),
        ("<a href=' JaVaScRiPt:alert(1)'>x</a>", "html-url-scheme"),
        ("<a href='vbscript:msgbox(1)'>x</a>", "html-url-scheme"),
        ("<img src='data:image/svg+xml,<svg onload=alert(1)>'>", "html-url-scheme"),
        ("<javascript://%0aalert(1)>", "html-url-scheme"),  # a Markdown autolink of any scheme
        ("<javascript://%0aalert(1)/>", "html-url-scheme"),  # ending in "/": read as <br/> is
        ("<noscript><p title='</noscript><img src=x onerror=alert(1)>'></noscript>", "html-element"),
        ("<!---> <img src=x onerror=alert(1)> -->", "html-comment"),
        ("<!-- a --!> <img src=x onerror=alert(1)> -->", "html-comment"),
        ("*x*{: onclick='a()' }", "html-attribute"),
    ],
)
def test_the_policy_refuses(typed: str, code: str) -> None:
    assert code in {f.code for f in check_page(f"# Page\n\nText {typed} text.\n", "p.md")}


@pytest.mark.parametrize(
    "typed",
    [
        "`<script>alert(1)</script>`",
        "``a ` <iframe>``",
        "<https://example.org/a>",
        "<https://example.org/>",
        "<editors@example.org>",
        "<!-- bng:intake-table -->",
        "<a href='../x/' title='x'>x</a>",
        "<td colspan=2 aria-label='x'>",
        "<img src='data:image/png;base64,AAAA' alt=''>",
        "5 < 6 and a<b",
    ],
)
def test_the_policy_accepts(typed: str) -> None:
    assert check_page(f"# Page\n\nText {typed} text.\n", "p.md") == []


def test_front_matter_and_fences_are_not_read_as_html_and_lines_count_from_the_file() -> None:
    text = "---\ntitle: '<script>'\n---\n# T\n\n~~~\n<script>\n~~~\n\n<b>ok</b> <iframe></iframe>\n"
    [finding] = check_page(text, "p.md")
    assert (finding.line, finding.col, finding.code) == (10, 11, "html-element")


def test_tags_carry_the_tokenizers_positions() -> None:
    tags = raw_tags("# T\n\n<div markdown>\n  <img\n    src='a.png'>\n</div>\n")
    assert [(t.name, t.line, t.col) for t in tags] == [("div", 3, 1), ("img", 4, 3)]
    assert tags[1].position_of("a.png") == (5, 10)


def test_safe_urls() -> None:
    assert unsafe_url("a", "https://example.org") is None
    assert unsafe_url("a", "mailto:editors@example.org") is None
    assert unsafe_url("a", "../zinc/#intake") is None
    assert unsafe_url("a", "data:image/png;base64,AAAA") is not None  # only pictures may be inlined
    assert unsafe_url("a", "java\tscript:alert(1)") is not None


@pytest.mark.parametrize(
    ("typed", "line"),
    [
        ("<div>\n```\n</div>\n<script>alert(1)</script>\n```\n", 4),  # ``` in raw HTML is no fence
        ("<div>`<script>alert(1)</script>`</div>\n", 1),  # nor a backtick a code span
        ("<span title='x\n`'><script>alert(1)</script>`\n", 2),  # nor one inside an unfinished tag
    ],
)
def test_backticks_in_raw_html_hide_nothing(typed: str, line: int) -> None:
    assert [(f.line - 2, f.code) for f in check_page(f"# Page\n\n{typed}", "p.md")] == [
        (line, "html-element")
    ]


def test_code_inside_a_markdown_block_is_shown_not_run() -> None:
    text = '# Page\n\n<div markdown="1">\n\n```\n<script>x</script>\n```\n\nText `<iframe>` here.\n\n</div>\n'
    assert check_page(text, "p.md") == []
