"""The .bib scanner and rules, without building a site."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from boneguide.checks import bibliography
from boneguide.checks.bibtex_scan import scan
from boneguide.checks.urls import url_problem


def check_text(tmp_path: Path, text: str) -> list[tuple[int, int, str, str]]:
    path = tmp_path / "refs.bib"
    path.write_text(text, encoding="utf-8")
    bib, findings = bibliography.load(path, "refs.bib")
    findings += bibliography.check(bib, dt.date(2026, 6, 1))
    return [(f.line, f.col, f.code, f.message) for f in findings]


def test_scanner_locates_entries_and_fields() -> None:
    entries, problems = scan('% comment\n@Article{a2020x,\n  Title = "A {B} c" # {d},\n  year = 2020\n}\n')
    assert problems == []
    [entry] = entries
    assert (entry.entry_type, entry.key, entry.line, entry.key_line, entry.key_col) == (
        "article",
        "a2020x",
        2,
        2,
        10,
    )
    assert (entry.fields["title"].line, entry.fields["title"].value_col) == (3, 11)
    assert entry.fields["year"].raw == "2020"


def test_unclosed_entry_at_end_of_file(tmp_path: Path) -> None:
    assert check_text(tmp_path, "@misc{a2020x,\n  title = {T}\n") == [
        (1, 1, "bib-syntax", "entry 'a2020x' is not closed (no '}' before the end of the file)")
    ]


def test_unclosed_value_before_next_entry_without_a_swallowed_field(tmp_path: Path) -> None:
    text = "@misc{a2020x,\n  title = {T\n}\n@misc{b2020y,\n  title = {U}\n}\n"
    assert (1, 1, "bib-syntax", "entry 'a2020x' is not closed before the next entry at line 4") in check_text(
        tmp_path, text
    )


def test_missing_comma_between_fields(tmp_path: Path) -> None:
    text = "@misc{a2020x,\n  title = {T}\n  year = {2020}\n}\n"
    assert check_text(tmp_path, text)[0] == (
        3,
        3,
        "bib-syntax",
        "entry 'a2020x': expected ',' after the value of 'title'",
    )


def test_pybtex_errors_are_mapped_to_file_lines(tmp_path: Path) -> None:
    text = "@misc{x2020ok,\n  title = {T}\n}\n\n@misc{a2020x,\n  title = {T},\n  publisher = nosuchmacro\n}\n"
    assert [f for f in check_text(tmp_path, text) if f[2] == "bib-syntax"] == [
        (7, 0, "bib-syntax", "entry 'a2020x': undefined string: nosuchmacro")
    ]


def test_duplicate_field_is_reported(tmp_path: Path) -> None:
    text = "@misc{a2020x,\n  title = {T},\n  title = {U}\n}\n"
    assert (3, 3, "bib-duplicate-field", "entry 'a2020x': field 'title' is given twice") in check_text(
        tmp_path, text
    )


def test_unverified_entries_only_warn_about_missing_fields(tmp_path: Path) -> None:
    text = "@misc{pmid30956224,\n  pmid = {30956224},\n  metadata-status = {unverified}\n}\n"
    assert check_text(tmp_path, text) == [
        (
            1,
            7,
            "bib-missing-field",
            "entry 'pmid30956224': @misc needs 'title' (metadata-status is unverified)",
        )
    ]


def test_future_urldate_and_bad_status(tmp_path: Path) -> None:
    text = (
        "@online{odsndzinc,\n  title = {Zinc},\n  url = {https://ods.od.nih.gov/x},\n"
        "  urldate = {2027-01-01},\n  metadata-status = {checked}\n}\n"
    )
    assert {(f[2], f[3]) for f in check_text(tmp_path, text)} == {
        ("bib-urldate", "entry 'odsndzinc': urldate 2027-01-01 is in the future"),
        (
            "bib-field-value",
            "entry 'odsndzinc': metadata-status must be one of verified, partial, unverified, not 'checked'",
        ),
    }


@pytest.mark.parametrize(
    ("isbn", "valid"),
    [
        ("978-0-309-07279-3", True),
        ("0-309-06350-7", True),
        ("0-8044-2957-X", True),
        ("978-0-309-07279-4", False),
        ("12345", False),
    ],
)
def test_isbn_checksums(isbn: str, valid: bool) -> None:
    assert bibliography.isbn_is_valid(isbn) is valid


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://example.org/a?b=1", None),
        ("https://example.org/?target=https://other.org/", None),  # a URL in a query is fine
        ("https://example.org/ahttps://example.org/b", "looks like two URLs run together"),
        ("https://example.org/a b", "contains white space"),
        ("javascript:alert(1)", "has the scheme 'javascript', not http or https"),
        ("example.org/a", "has the scheme '(none)', not http or https"),
        ("https://", "has no valid host name ('')"),
    ],
)
def test_url_syntax(url: str, problem: str | None) -> None:
    assert url_problem(url) == problem


def test_unreadable_bytes_do_not_crash(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_bytes(b"@misc{a2020x, title = {\xff\xfe}}")
    _bib, findings = bibliography.load(path, "refs.bib")
    assert [f.code for f in findings] == ["bib-unreadable"]
