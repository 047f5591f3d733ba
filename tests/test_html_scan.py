"""The built pages' start tags, as the checker reads them (boneguide/checks/html_scan.py)."""

from __future__ import annotations

import pytest

from boneguide.checks.html_scan import start_tags


def test_filtered_tags_come_in_document_order_with_their_lines() -> None:
    page = b'<!doctype html>\n<html><body>\n<p>text <a href="#x">link</a></p>\n<h2 id="x">Title</h2>\n<span>no</span>\n'
    tags = list(start_tags(page, frozenset({"a"}), ("id",)))
    assert [(tag.name, tag.attributes, tag.line) for tag in tags] == [
        ("a", {"href": "#x"}, 3),
        ("h2", {"id": "x"}, 4),
    ]


@pytest.mark.parametrize("page", ["", " \n\t", "<!-- only a comment -->", "<!doctype html>", b"\n"])
def test_a_page_without_elements_has_no_tags(page: str | bytes) -> None:
    # Filters naming every element lxml could make of these pages (it wraps text in html, body, p).
    assert list(start_tags(page, frozenset({"html", "head", "body", "p"}), ("id",))) == []
