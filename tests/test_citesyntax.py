"""The citation-syntax parser shared by the renderer and the checker."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boneguide.citesyntax import Citation, find_citations, find_stray_citations, is_well_formed_key


def keys_of(text: str) -> list[tuple[str, ...]]:
    return [c.keys for c in find_citations(text)]


def test_single_and_grouped_citations_with_positions() -> None:
    text = "Bone [@clarke2008normal].\nZinc helps [@a2020x; @b2021y] here."
    assert find_citations(text) == [
        Citation(("clarke2008normal",), 1, 6, 5, 24, "[@clarke2008normal]"),
        Citation(("a2020x", "b2021y"), 2, 12, 37, 55, "[@a2020x; @b2021y]"),
    ]


def test_line_offset_shifts_lines_for_bodies_after_front_matter() -> None:
    [citation] = find_citations("\n[@a2020x]", line_offset=10)
    assert (citation.line, citation.column) == (12, 1)


def test_group_may_wrap_onto_the_next_line() -> None:
    [citation] = find_citations("see [@a2020x;\n  @b2020y] now")
    assert citation.keys == ("a2020x", "b2020y")
    assert citation.raw == "[@a2020x;\n  @b2020y]"


@pytest.mark.parametrize(
    "text",
    [
        "```\n[@a2020x]\n```",
        "~~~~python\n[@a2020x]\n~~~~",
        "    ```\n    [@a2020x]\n    ```",  # indented fence, as inside a list item
        "````\n```\n[@a2020x]\n```\n````",  # a longer fence holds a shorter one
        "```\n[@a2020x]\n",  # an unclosed fence runs to the end
        "Use `[@a2020x]` in Markdown.",
        "Use ``code with ` and [@a2020x]`` here.",
        "Mail editors@example.org or [editors@example.org].",
        "<https://example.org/@a2020x> and <me@example.org>",
        "https://example.org/[@a2020x] and www.example.org/@a2020x",
        "[a link](https://example.org/@a2020x) and [b](https://x.org/[@a2020x])",
        "A footnote[^a2020x] and [^1].",
        "<!-- [@a2020x] -->",
        r"An escaped \[@a2020x].",
        "[@a2020x](https://example.org) is a link text.",
        "[@a2020x][ref] is a reference link.",
        "[@a2020x]: https://example.org is a link definition.",
    ],
)
def test_text_that_is_not_prose_holds_no_citation(text: str) -> None:
    assert find_citations(text) == []


def test_citation_after_a_closed_fence_is_found() -> None:
    assert keys_of("```\n[@a2020x]\n```\nThen [@b2020y].") == [("b2020y",)]


def test_malformed_keys_are_captured_for_the_checker() -> None:
    assert keys_of("[@Smith:2020] [@a2020x, p. 3] [@a2020x; b2020y]") == [
        ("Smith:2020",),
        ("a2020x, p. 3",),
        ("a2020x", "b2020y"),
    ]
    assert not is_well_formed_key("Smith:2020")
    assert is_well_formed_key("pmc6059859")


# --- properties -------------------------------------------------------------------------------
# No deadline: the machine is shared, and a slow example is not a wrong one.

KEYS = st.from_regex(r"[a-z][a-z0-9]{0,15}", fullmatch=True)
# Prose that cannot itself form or break a citation: no brackets, backticks, @, <, ~, \ or URLs.
PROSE = st.text(
    alphabet=st.characters(
        codec="utf-8",
        exclude_characters="[]`@<>~\\():/\x00\r",
        exclude_categories=("Cs", "Cc"),
    )
    | st.just("\n"),
    max_size=40,
).filter(lambda s: "\n\n" not in s and "www." not in s)
ANY_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="`~\r\x00", exclude_categories=("Cs",)),
    max_size=80,
)


@given(
    st.lists(st.tuples(PROSE, st.lists(KEYS, min_size=1, max_size=3)), min_size=1, max_size=6),
    PROSE,
)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_round_trip_generated_citations_are_all_found_where_they_were_put(
    parts: list[tuple[str, list[str]]], tail: str
) -> None:
    text = ""
    expected = []
    for prose, keys in parts:
        text += prose + " "
        raw = "[" + "; ".join("@" + k for k in keys) + "]"
        line = text.count("\n") + 1
        column = len(text) - (text.rfind("\n") + 1) + 1
        expected.append((tuple(keys), line, column, len(text), raw))
        text += raw
    text += " " + tail
    found = find_citations(text)
    assert [(c.keys, c.line, c.column, c.start, c.raw) for c in found] == expected
    assert all(text[c.start : c.end] == c.raw for c in found)


@given(ANY_TEXT, st.sampled_from(["```", "~~~", "````", "~~~~~"]), st.sampled_from(["", "  ", "    "]))
@settings(max_examples=200, deadline=None)
def test_any_text_inside_a_code_fence_yields_no_citation(inner: str, fence: str, indent: str) -> None:
    inner = inner.replace(fence[0] * 3, "")  # keep the fence closed where we close it
    text = f"{indent}{fence}\n{inner}\n{indent}{fence}\n"
    assert find_citations(text) == []


@given(ANY_TEXT)
@settings(max_examples=200, deadline=None)
def test_any_text_in_an_inline_code_span_yields_no_citation(inner: str) -> None:
    inner = inner.replace("\n", " ")
    assert find_citations(f"Before ``{inner.replace('`', '')}`` after.") == []


@given(st.text(max_size=200))
@settings(max_examples=300, deadline=None)
def test_never_fails_and_every_result_is_consistent(text: str) -> None:
    for citation in find_citations(text):
        assert text[citation.start : citation.end] == citation.raw
        assert citation.raw.startswith("[") and citation.raw.endswith("]")
        assert citation.line == text.count("\n", 0, citation.start) + 1
        assert citation.column == citation.start - (text.rfind("\n", 0, citation.start) + 1) + 1


@given(
    KEYS, st.from_regex(r"[a-z]{1,10}(\.[a-z]{2,6}){1,2}", fullmatch=True), st.sampled_from(["https", "http"])
)
@settings(max_examples=200, deadline=None)
def test_urls_autolinks_and_email_addresses_never_cite(key: str, domain: str, scheme: str) -> None:
    text = (
        f"See {scheme}://{domain}/[@{key}] and <{scheme}://{domain}/@{key}> or "
        f"[the page]({scheme}://{domain}/@{key}); write to {key}@{domain} or [{key}@{domain}]."
    )
    assert find_citations(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Para.\n\n    [@a2020x]\n",  # an indented code block after a blank line
        "    [@a2020x]\n",  # at the start of the document
        "Para.\n\n\t[@a2020x]\n",  # a tab indents too
        "Para.\n\n    code\n\n    [@a2020x]\n\nAfter.",  # a blank line inside the block
    ],
)
def test_indented_code_blocks_hold_no_citation(text: str) -> None:
    assert keys_of(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "- item\n\n    [@a2020x] continues the item\n",
        "1. item\n\n    [@a2020x]\n",
        '!!! note "Title"\n\n    [@a2020x] in an admonition\n',
        '=== "Tab"\n\n    [@a2020x]\n',
        "[^1]: note\n\n    [@a2020x]\n",
        "Para\n    [@a2020x] cannot interrupt a paragraph\n",
        "---\ntitle: x\nevidence:\n\n    - reason: [@a2020x]\n---\nBody\n",  # front matter is YAML
    ],
)
def test_indented_text_that_markdown_renders_as_prose_keeps_its_citation(text: str) -> None:
    assert keys_of(text) == [("a2020x",)]


def test_a_paragraph_after_a_list_ends_it_and_the_next_indented_block_is_code() -> None:
    assert keys_of("- item\n\nPara [@b2020y].\n\n    [@a2020x]\n") == [("b2020y",)]


def test_yaml_given_alone_is_not_read_as_indented_code() -> None:
    yaml_text = "evidence:\n\n    - reason: [@a2020x]\n"
    assert find_citations(yaml_text) == []
    assert [c.keys for c in find_citations(yaml_text, indented_code=False)] == [("a2020x",)]


@pytest.mark.parametrize(
    ("text", "raw", "key"),
    [
        ("As [see @a2020x] shows.", "[see @a2020x]", "a2020x"),
        ("As shown [-@a2020x].", "[-@a2020x]", "a2020x"),
        ("[e.g. @a2020x, p. 3; @b2020y]", "[e.g. @a2020x, p. 3; @b2020y]", "a2020x"),
        ("As @a2020x showed.", "@a2020x", "a2020x"),
        ("(@a2020x).", "@a2020x", "a2020x"),
    ],
)
def test_citations_the_renderer_prints_as_text_are_found(text: str, raw: str, key: str) -> None:
    [stray] = find_stray_citations(text)
    assert (stray.raw, stray.key) == (raw, key)
    assert find_citations(text) == []  # and they are not citations


@pytest.mark.parametrize(
    "text",
    [
        "Write to editors@example.org.",
        "Type `@a2020x` or `[see @a2020x]`.",
        "```\nAs @a2020x\n```",
        "Para.\n\n    As @a2020x\n",
        "See https://example.org/@user and <mailto:a@b.org>.",
        "Cited [@a2020x; @b2020y] and linked [@nih](https://x) or [ask @nih](https://x).",
        "<!-- @a2020x -->",
        "2 @ 3 and \\@a2020x",
        "<style>\n@media print { .x { color: red } }\n</style>",
    ],
)
def test_e_mail_code_links_and_real_citations_are_not_stray(text: str) -> None:
    assert find_stray_citations(text) == []


def test_stray_citations_carry_their_position() -> None:
    [stray] = find_stray_citations("x\nAs @a2020x showed", line_offset=5)
    assert (stray.line, stray.column) == (7, 4)
