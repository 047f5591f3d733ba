"""The .bib scanner and rules, without building a site."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from boneguide import bibfile, files
from boneguide.bibfile import scan
from boneguide.checks import bibliography
from boneguide.checks.urls import url_problem


def check_text(tmp_path: Path, text: str) -> list[tuple[int, int, str, str]]:
    path = tmp_path / "refs.bib"
    path.write_text(text, encoding="utf-8")
    bib = bibfile.load(path, "refs.bib")
    findings = list(bib.problems)
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
    bib = bibfile.load(path, "refs.bib")
    findings = list(bib.problems)
    assert [f.code for f in findings] == ["bib-unreadable"]


def test_string_macros_are_defined_for_the_entries_after_them(tmp_path: Path) -> None:
    text = (
        '@string{jbmr = "Journal of Bone and Mineral Research"}\n'  # 1
        "@STRING(osteo = {Osteoporos Int})\n"  # 2
        "@article{smith2020zinc,\n  author = {Smith, J},\n  title = {Zinc},\n"  # 3-5
        "  journal = jbmr # { (Suppl)},\n  year = {2020}\n}\n"  # 6-8
        "@article{doe2021bone,\n  author = {Doe, J},\n  title = {Bone},\n"  # 9-11
        "  journal = Osteo,\n  month = jan,\n  year = {2021}\n}\n"  # 12-15
        "@article{roe2021late,\n  author = {Roe, J},\n  title = {Late},\n"  # 16-18
        "  journal = later,\n  year = {2021}\n}\n"  # 19-21
        '@string{later = "Later Journal"}\n'  # 22: BibTeX reads in order, as the build does
    )
    path = tmp_path / "refs.bib"
    path.write_text(text, encoding="utf-8")
    bib = bibfile.load(path, "refs.bib")
    findings = list(bib.problems)
    assert [(f.line, f.code, f.message) for f in findings] == [
        (19, "bib-syntax", "entry 'roe2021late': undefined string: later")
    ]
    assert bib.value("smith2020zinc", "journal") == "Journal of Bone and Mineral Research (Suppl)"
    assert bib.value("doe2021bone", "journal") == "Osteoporos Int"


def test_a_malformed_string_macro_is_reported_at_its_line(tmp_path: Path) -> None:
    text = "@misc{a2020x,\n  title = {T}\n}\n@string{= {x}}\n"
    assert [(line, code) for line, _, code, _ in check_text(tmp_path, text) if code == "bib-syntax"] == [
        (4, "bib-syntax")
    ]


NOT_UTF8 = b"@misc{a2020x,\n  title = {ok}\n}\n@misc{b2020y,\n  title = {caf\xe9 au lait \xff}\n}\n"


def test_bytes_that_are_not_utf8_are_reported_at_their_line_and_the_rest_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_bytes(NOT_UTF8)
    bib = bibfile.load(path, "refs.bib")
    findings = list(bib.problems)
    assert [(f.line, f.col, f.code) for f in findings] == [
        (5, 15, "bib-unreadable"),
        (5, 25, "bib-unreadable"),
    ]
    assert findings[0].message == "byte 0xe9 is not UTF-8 (invalid continuation byte): save the file as UTF-8"
    assert set(bib.entries) == {"a2020x", "b2020y"}


def test_the_build_and_the_scripts_name_the_line_of_a_byte_that_is_not_utf8(tmp_path: Path) -> None:
    from boneguide.bibfile import BibError
    from boneguide.bibliography import load_bib
    from boneguide.site.citations import _parse

    path = tmp_path / "refs.bib"
    path.write_bytes(NOT_UTF8)
    with pytest.raises(BibError, match=r"refs\.bib:5:15: byte 0xe9 is not UTF-8"):
        load_bib(path)
    data, problems = _parse(path)
    assert (
        problems[0]
        == f"{path}:5:15: byte 0xe9 is not UTF-8 (invalid continuation byte): save the file as UTF-8"
    )
    assert set(data.entries) == {"a2020x", "b2020y"}  # the build still shows the other entries


def test_the_cached_result_reads_back_the_same_field_values(tmp_path: Path) -> None:
    """The second run reads the first one's cache: a value that starts with '{' and ends with '}'
    keeps them (a braced "{}" must stay non-empty, as keep-unused and the identifying fields are
    tested for emptiness)."""
    path = tmp_path / "refs.bib"
    path.write_text(
        "@misc{clarke2008normal,\n  title = {{DNA} and {RNA}},\n  keep-unused = {{}},\n  year = {2008}\n}\n",
        encoding="utf-8",
    )
    today = dt.date(2026, 6, 1)
    fresh, fresh_findings = bibliography.load_and_check(path, "refs.bib", today, tmp_path / "cache")
    cached, cached_findings = bibliography.load_and_check(path, "refs.bib", today, tmp_path / "cache")
    assert cached.entries["clarke2008normal"].parsed is None  # it did come from the cache
    for name in ("title", "keep-unused", "year"):
        assert cached.value("clarke2008normal", name) == fresh.value("clarke2008normal", name)
    assert fresh.value("clarke2008normal", "keep-unused") == "{}"
    assert cached_findings == fresh_findings


def test_the_cache_is_not_served_to_other_package_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The findings depend on the checks' code (and identifiers.py's patterns...): an edit to the
    package must not be served the findings cached before it (files.cache_file keys on the code)."""
    path = tmp_path / "refs.bib"
    path.write_text("@misc{clarke2008normal,\n  title = {Normal},\n  year = {2008}\n}\n", encoding="utf-8")
    cache = tmp_path / "cache"
    bibliography.load_and_check(path, "refs.bib", dt.date(2026, 6, 1), cache)
    (first,) = cache.glob("bibliography-*.json")
    bibliography.load_and_check(path, "refs.bib", dt.date(2026, 6, 1), cache)
    assert list(cache.glob("bibliography-*.json")) == [first]  # the same code: the cache is used
    monkeypatch.setattr(files, "_package_code", lambda: b"an edited package")
    bibliography.load_and_check(path, "refs.bib", dt.date(2026, 6, 1), cache)
    assert first not in list(cache.glob("bibliography-*.json"))  # written anew, the old one pruned
