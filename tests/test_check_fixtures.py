"""Each fault kind, injected into a tiny fixture project, is caught at its exact location."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from checkproject import TODAY, findings, project

from boneguide.checks import ConfigError, Options, run
from boneguide.diagnostics import Finding


def test_clean_fixture_has_no_finding(tmp_path: Path) -> None:
    assert findings(tmp_path, None, "error", "warning", "info") == []


def test_unknown_key_is_reported_at_its_column_with_a_suggestion(tmp_path: Path) -> None:
    assert findings(tmp_path, "unknown-key") == [
        (
            "docs/evidence.md",
            5,
            20,
            "error",
            "citation-unknown-key",
            "unknown citation key 'clarke2008norml': not in references.bib (did you mean 'clarke2008normal'?)",
        )
    ]


def test_a_mistyped_key_in_front_matter_flow_style_is_reported_at_its_line(tmp_path: Path) -> None:
    """Front matter names keys in flow style ('studies: [...]', '{..., source: key}') on every
    nutrient page; a typo there was reported at line 0 as "a plugin generated a citation of unknown
    key", with no suggestion (found by the y4 hunt, mistyping a key of calcium.md's EFSA rows)."""
    config = project(tmp_path, None)
    page = config.parent / "docs" / "nutrients" / "zinc.md"
    text = page.read_text(encoding="utf-8")
    text = text.replace("studies: [clarke2008normal]", "studies: [clarke2008norml]")
    text = text.replace("total intake}", "total intake, source: iom2001dietry}")
    page.write_text(text, encoding="utf-8")
    found = [
        (f.path, f.line, f.col, f.severity, f.code, f.message)
        for f in run(Options(config, today=TODAY)).findings
    ]
    assert found == [
        (
            "docs/nutrients/zinc.md",
            12,
            15,
            "error",
            "citation-unknown-key",
            "unknown front-matter citation key 'clarke2008norml': not in references.bib "
            "(did you mean 'clarke2008normal'?)",
        ),
        (
            "docs/nutrients/zinc.md",
            24,
            82,
            "error",
            "citation-unknown-key",
            "unknown front-matter citation key 'iom2001dietry': not in references.bib "
            "(did you mean 'iom2001dietary'?)",
        ),
    ]


def test_malformed_key_is_reported_rather_than_skipped(tmp_path: Path) -> None:
    [finding] = findings(tmp_path, "malformed-key")
    assert finding[:5] == ("docs/evidence.md", 5, 20, "error", "citation-malformed-key")
    assert "'Clarke:2008' is malformed" in finding[5]
    assert "did you mean 'clarke2008normal'?" in finding[5]


def test_citation_dropped_by_a_plugin_is_reported_where_it_was_typed(tmp_path: Path) -> None:
    assert findings(tmp_path, "not-rendered") == [
        (
            "docs/evidence.md",
            5,
            20,
            "error",
            "citation-not-rendered",
            "citation 'clarke2008normal' does not appear as a rendered citation in the built page evidence/index.html",
        )
    ]


def test_unused_entries_are_information_unless_kept_on_purpose(tmp_path: Path) -> None:
    assert findings(tmp_path, "unused-entry", "error", "warning", "info") == [
        (
            "references.bib",
            26,
            10,
            "info",
            "bib-unused",
            "entry 'pizzorno2015nothing' is not cited on any page (add keep-unused = {reason} to keep it on purpose)",
        )
    ]


def test_unclosed_brace_names_the_field_and_the_rest_is_still_checked(tmp_path: Path) -> None:
    result = findings(tmp_path, "bib-syntax", "error", "info")
    assert (
        "references.bib",
        28,
        11,
        "error",
        "bib-syntax",
        "entry 'reid2017calcium': the value of 'title' runs on into the next field 'journal': "
        "a closing brace or quote is missing",
    ) in result
    # pybtex stops at the brace; bng-citations logs it (a strict build fails) and renders the rest,
    # so the checker's build goes on and the pages are checked too (tests/test_check_one_pass.py).
    assert not any(f[4] == "build-failed" for f in result)
    assert ("references.bib", 34, 10, "info", "bib-unused") in [f[:5] for f in result]


def test_duplicate_key_and_same_work_twice(tmp_path: Path) -> None:
    result = findings(tmp_path, "bib-duplicates")
    assert (
        "references.bib",
        26,
        10,
        "error",
        "bib-duplicate-key",
        "duplicate key 'clarke2008normal' (first defined at line 1)",
    ) in result
    assert (
        "references.bib",
        39,
        9,
        "error",
        "bib-same-work",
        "entries 'clarke2008normal' and 'clarke2008bone' have the same doi: the same work twice?",
    ) in result
    assert (
        "references.bib",
        36,
        11,
        "error",
        "bib-same-work",
        "entries 'clarke2008normal' and 'clarke2008bone' have the same title and year: the same work twice?",
    ) in result


def test_fields_identifiers_urls_years_and_keys(tmp_path: Path) -> None:
    result = {(f[1], f[4], f[5]) for f in findings(tmp_path, "bib-fields")}
    assert result == {
        (26, "bib-missing-field", "entry 'nielsen2011reported': @article needs 'journal'"),
        (
            30,
            "bib-doi",
            "entry 'nielsen2011reported': doi 'https://doi.org/10.1093/ajcn/nqy' should be the bare DOI "
            "(10.NNNN/...) without a URL or 'doi:' prefix",
        ),
        (31, "bib-pmid", "entry 'nielsen2011reported': pmid 'PMID2193' should be digits only"),
        (32, "bib-pmcid", "entry 'nielsen2011reported': pmcid '3142' should be 'PMC' followed by digits"),
        (
            33,
            "bib-url",
            "entry 'nielsen2011reported': url 'https://example.org/ahttps://example.org/b' looks like two URLs run together",
        ),
        (
            34,
            "bib-url",
            "entry 'nielsen2011reported': seen-at 'https://example.org/a b' contains white space",
        ),
        (
            34,
            "bib-url",
            "entry 'nielsen2011reported': seen-at 'ftp://example.org/c' has the scheme 'ftp', not http or https",
        ),
        (37, "bib-missing-field", "entry 'odsndcopper': @online needs 'urldate'"),
        (46, "bib-year", "entry 'iom1997dietary': year '97' is not a four-digit year between 1800 and 2027"),
        (
            47,
            "bib-isbn",
            "entry 'iom1997dietary': isbn '978-0-309-06350-1' is not a valid ISBN-10 or ISBN-13 (checksum or length)",
        ),
        (
            50,
            "bib-key-convention",
            "entry 'Hyun_2004': key does not follow the convention {family}{year|nd}{word} (e.g. clarke2008normal) "
            "or pmcNNN/pmidNNN/nbkNNN, lowercase letters and digits only (boneguide/keys.py)",
        ),
    }


def test_front_matter_error_names_file_and_line_and_build_failure_is_reported(tmp_path: Path) -> None:
    result = findings(tmp_path, "front-matter")
    assert result[0] == (
        "docs/nutrients/zinc.md",
        4,
        0,
        "error",
        "front-matter",
        "kind: 'mineral' is not one of ['vitamin', 'macromineral', 'trace-element', 'phytoestrogen', 'other']",
    )
    assert [f[4] for f in result] == ["front-matter", "build-failed"]


def test_front_matter_that_is_not_yaml_is_reported_not_a_crash(tmp_path: Path) -> None:
    """An unclosed '[' in a page's front matter stopped the whole checker with "internal error
    (FrontMatterError ...)": the citation-unidentified check read the front matter again and let the
    error out (found by the y4 hunt, on a copy of zinc.md and of glossary.md)."""
    config = project(tmp_path, None)
    page = config.parent / "docs" / "nutrients" / "zinc.md"
    page.write_text(page.read_text(encoding="utf-8").replace("title: Zinc", "title: [Zinc"), encoding="utf-8")
    result = run(Options(config, today=TODAY))
    assert [(f.path, f.line, f.code) for f in result.findings if f.severity == "error"][:1] == [
        ("docs/nutrients/zinc.md", 3, "front-matter")
    ]
    assert result.findings[0].message.startswith("front matter is not valid YAML")


def test_stale_review_date_is_a_warning(tmp_path: Path) -> None:
    assert findings(tmp_path, "stale-review") == [
        (
            "docs/nutrients/zinc.md",
            13,
            0,
            "warning",
            "review-stale",
            "last reviewed 2023-03-01, 39 months ago (pages are due a review every 24 months)",
        )
    ]


def test_review_period_is_configurable(tmp_path: Path) -> None:
    result = run(Options(project(tmp_path, "stale-review"), today=TODAY, review_months=48))
    assert [f for f in result.findings if f.code == "review-stale"] == []


def test_broken_links_in_markdown_and_raw_html_images_and_files(tmp_path: Path) -> None:
    page = "docs/index.md"
    assert findings(tmp_path, "broken-links") == [
        (
            page,
            7,
            12,
            "error",
            "link-broken",
            "a 'nutrients/copper/' points to a missing page (/nutrients/copper/)",
        ),
        (
            page,
            7,
            55,
            "error",
            "link-broken",
            "a 'evidence/#strong' points to a missing anchor '#strong' in evidence/index.html",
        ),
        (
            page,
            8,
            13,
            "error",
            "link-broken",
            "img 'img/missing.png' points to a missing file (/img/missing.png)",
        ),
        (page, 9, 12, "error", "link-broken", "a 'http://[broken/' cannot be parsed as a URL"),
        (
            page,
            12,
            28,
            "error",
            "link-broken",
            "a 'downloads/table.csv' points to a missing file (/downloads/table.csv)",
        ),
        (
            page,
            12,
            73,
            "error",
            "link-broken",
            "a 'https://example.org/a https://example.org/b' contains white space",
        ),
    ]


def test_broken_link_in_a_generated_table_is_found_on_the_built_page(tmp_path: Path) -> None:
    [finding] = findings(tmp_path, "generated-link")
    assert finding[:5] == ("docs/glance.md", 0, 0, "error", "link-broken")
    assert finding[5].startswith("a 'overview/evidence.md#low' points to a missing page")


@pytest.mark.parametrize(
    ("overlay", "reason"),
    [
        ("no-bibliography", "no bibliography named in mkdocs.yml"),
        ("broken-config", "cannot load the MkDocs config"),
    ],
)
def test_unusable_config_is_a_configuration_error(tmp_path: Path, overlay: str, reason: str) -> None:
    with pytest.raises(ConfigError, match=reason):
        run(Options(project(tmp_path, overlay), today=TODAY))


def test_missing_bibliography_file_is_reported_and_pages_still_checked(tmp_path: Path) -> None:
    config = project(tmp_path, "malformed-key")
    (config.parent / "references.bib").unlink()
    codes = {(f.path, f.code) for f in run(Options(config, today=TODAY)).findings}
    assert ("references.bib", "bib-missing") in codes
    assert ("mkdocs.yml", "build-failed") in codes  # the renderer cannot start without it
    assert ("docs/evidence.md", "citation-malformed-key") in codes


def test_mkdocs_warnings_are_errors_when_the_project_builds_strictly(tmp_path: Path) -> None:
    result = findings(tmp_path, "nav-missing")
    assert (
        "mkdocs.yml",
        0,
        0,
        "error",
        "build-warning",
        "MkDocs: A reference to 'nutrients/copper.md' is included in the 'nav' configuration, which is not found "
        "in the documentation files. (fails the strict build)",
    ) in result
    # The theme repeats the dead nav link on every page: one finding, with a count.
    [link] = [f for f in result if f[4] == "link-broken"]
    assert link[5].endswith("(and on 3 other pages)")


@pytest.mark.parametrize("full_theme", [False, True], ids=["theme-once-per-depth", "full-theme"])
def test_theme_links_are_checked_once_per_depth_and_content_links_on_every_page(
    tmp_path: Path, full_theme: bool
) -> None:
    """The theme is rendered on one page per template and depth (four pages, three depths here)."""
    run_result = run(Options(project(tmp_path, "theme-link"), today=TODAY, full_theme=full_theme))
    result = [(f.path, f.line, f.col, f.severity, f.code, f.message) for f in run_result.findings]
    others = 3 if full_theme else 2
    assert result == [
        (
            "docs/evidence.md",
            0,
            0,
            "error",
            "link-broken",
            "a '../retired-page/' points to a missing page (/retired-page/) (in the built HTML, line 105) "
            f"(and on {others} other pages)",
        ),
        # methods.md is the page whose theme is left out: its own content is still checked.
        (
            "docs/methods.md",
            3,
            66,
            "error",
            "link-broken",
            "a 'missing.md' points to a missing page (/methods/missing.md)",
        ),
    ]


def test_bibliography_checks_are_reused_until_the_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from boneguide.checks import bibliography

    config = project(tmp_path, "bib-fields")
    # serial: the checks run in this process, where no_load below is patched in
    first = run(Options(config, today=TODAY, serial=True)).findings
    assert list((config.parent / "build" / "check-cache").glob("bibliography-*.json"))

    def no_load(*_args: object) -> None:
        raise AssertionError("the bibliography was parsed again although its bytes did not change")

    monkeypatch.setattr(bibliography, "load_file", no_load)
    assert run(Options(config, today=TODAY, serial=True)).findings == first
    with pytest.raises(AssertionError, match="parsed again"):  # another day: dates are checked
        run(Options(config, today=TODAY + dt.timedelta(days=1), serial=True))
    with pytest.raises(AssertionError, match="parsed again"):  # no cache asked for
        run(Options(config, today=TODAY, cache_dir=False, serial=True))
    bib = config.parent / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="parsed again"):
        run(Options(config, today=TODAY, serial=True))


def test_a_study_record_naming_no_work_is_refused_at_its_line(tmp_path: Path) -> None:
    assert findings(tmp_path, "study-unknown-key") == [
        (
            "studies/zinc.yml",
            1,
            0,
            "error",
            "study-unknown-key",
            "study record 'nielsen2011reported' names no entry in references.bib: add the work first",
        )
    ]


def test_a_trial_described_without_a_record_is_flagged(tmp_path: Path) -> None:
    assert findings(tmp_path, "study-missing-record") == [
        (
            "docs/nutrients/zinc.md",
            31,
            80,
            "warning",
            "study-missing-record",
            "this sentence describes a study of people and cites 'clarke2008normal', which has no record in "
            "studies/: add one (design, people, dose, result, where read)",
        )
    ]


DESCRIBED = (
    "In a two-year randomised trial in 40 older adults,"  # the study-missing-record fixture's zinc page
)


def warnings_when_described_as(tmp_path: Path, lead: str) -> list[Finding]:
    """The checker's warnings once the fixture's zinc page introduces its trial with ``lead``."""
    config = project(tmp_path, "study-missing-record")
    page = config.parent / "docs" / "nutrients" / "zinc.md"
    page.write_text(page.read_text(encoding="utf-8").replace(DESCRIBED, lead), encoding="utf-8")
    return [f for f in run(Options(config, today=TODAY)).findings if f.severity == "warning"]


def test_a_decimal_point_does_not_end_the_sentence_a_trial_is_described_in(tmp_path: Path) -> None:
    warnings = warnings_when_described_as(tmp_path, "In a randomised trial of 2.5 mg a day,")
    assert [(f.path, f.line, f.code) for f in warnings] == [
        ("docs/nutrients/zinc.md", 31, "study-missing-record")
    ]


def test_an_abbreviation_does_not_end_the_sentence_a_trial_is_described_in(tmp_path: Path) -> None:
    """'A trial by Smith et al. in …': the full stop of 'et al.' (or 'e.g.', 'vs.') is no sentence end."""
    for lead in ("In a trial by Smith et al. in 40 older adults,", "In a trial (e.g. of 40 older adults),"):
        warnings = warnings_when_described_as(tmp_path / lead[-6:-1].replace(" ", "-"), lead)
        assert [(f.path, f.line, f.code) for f in warnings] == [
            ("docs/nutrients/zinc.md", 31, "study-missing-record")
        ], lead


def test_a_trial_called_an_rct_is_a_described_study(tmp_path: Path) -> None:
    """The pages define "RCT" and then use it (zinc.md, vitamin-d.md); a sentence about "an RCT"
    describes a trial as much as one about "a trial" (found by the y4 hunt on a copy of zinc.md)."""
    warnings = warnings_when_described_as(tmp_path, "In a two-year RCT in 40 older adults,")
    assert [(f.path, f.line, f.col, f.code) for f in warnings] == [
        ("docs/nutrients/zinc.md", 31, 67, "study-missing-record")
    ]


def test_a_systematic_review_is_a_described_study(tmp_path: Path) -> None:
    warnings = warnings_when_described_as(tmp_path, "A systematic review of studies in 40 older adults found")
    assert [(f.path, f.line, f.code) for f in warnings] == [
        ("docs/nutrients/zinc.md", 31, "study-missing-record")
    ]


def test_a_letter_cited_beside_a_described_trial_needs_no_record(tmp_path: Path) -> None:
    """A letter warning readers about a trial (torgerson2018caution on vitamin-k.md) reports no study
    of its own: Citing Medicine's ``type = {letter}`` says so, and no study record is asked for."""
    config = project(tmp_path, "study-missing-record")
    bib = config.parent / "references.bib"
    bib.write_text(
        bib.read_text(encoding="utf-8").replace(
            "  title = {Normal", "  type = {letter},\n  title = {Normal", 1
        ),
        encoding="utf-8",
    )
    assert [f for f in run(Options(config, today=TODAY)).findings if f.severity == "warning"] == []


def test_a_study_section_heading_with_an_anchor_is_still_read(tmp_path: Path) -> None:
    """attr_list is on and template-heading accepts '## What studies in people show {#studies}':
    the described trials under it still need records (found by the y4 hunt on a copy of zinc.md)."""
    config = project(tmp_path, "study-missing-record")
    page = config.parent / "docs" / "nutrients" / "zinc.md"
    text = page.read_text(encoding="utf-8")
    heading = "## What studies in people show"
    page.write_text(text.replace(heading, heading + " {#studies}"), encoding="utf-8")
    result = run(Options(config, today=TODAY))
    assert [(f.path, f.line, f.col, f.code) for f in result.findings if f.severity == "warning"] == [
        ("docs/nutrients/zinc.md", 31, 80, "study-missing-record")
    ]


def test_a_reader_page_citing_an_identifier_only_work_is_an_error(tmp_path: Path) -> None:
    finding, bib_warning = findings(tmp_path, "unidentified-work")
    assert bib_warning[4] == "bib-missing-field"
    assert finding[:5] == ("docs/evidence.md", 5, 20, "error", "citation-unidentified")
    assert "'pmc6059859' has no title" in finding[5]


def test_an_identifier_only_work_named_in_front_matter_is_refused_at_its_line(tmp_path: Path) -> None:
    """'studies: [pmc6059859]' was refused at line 1, column 0 of the page (found by the y4 hunt on
    a copy of calcium.md)."""
    config = project(tmp_path, "unidentified-work")
    page = config.parent / "docs" / "nutrients" / "zinc.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("studies: [clarke2008normal]", "studies: [pmc6059859]"), encoding="utf-8")
    found = run(Options(config, today=TODAY)).findings
    unidentified = [(f.path, f.line, f.col) for f in found if f.code == "citation-unidentified"]
    assert unidentified == [("docs/evidence.md", 5, 20), ("docs/nutrients/zinc.md", 12, 15)]


def test_an_identifier_only_work_is_still_refused_from_the_cached_bibliography(tmp_path: Path) -> None:
    """The second run reads the bibliography's slim cached copy, which must keep what identifies a work."""
    config = project(tmp_path, "unidentified-work")
    first = run(Options(config, today=TODAY)).findings
    assert list((config.parent / "build" / "check-cache").glob("bibliography-*.json"))
    second = run(Options(config, today=TODAY)).findings
    unidentified = [(f.path, f.line, f.col) for f in second if f.code == "citation-unidentified"]
    assert unidentified == [("docs/evidence.md", 5, 20)]
    assert second == first
