"""The three citation-list parsers, on the real source lists and on adversarial variants."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from boneguide.citelists import extract_marker_groups, load_source, load_sources, parse_vancouver
from boneguide.identifiers import (
    canonical_url,
    identifiers_from_url,
    normalise_doi,
    normalise_pmcid,
    repair_url,
)

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "sources"
HEALTHLINE = "healthline-osteoporosis-supplements"


def make_source(tmp_path: Path, fmt: str, references: str, markers: str | None = None, **meta) -> Path:
    folder = tmp_path / "sample-source"
    folder.mkdir(parents=True)
    (folder / "source.yml").write_text(
        yaml.safe_dump({"id": "sample-source", "title": "Sample", "kind": "test", "format": fmt, **meta}),
        encoding="utf-8",
    )
    (folder / "references.txt").write_text(references, encoding="utf-8")
    if markers is not None:
        (folder / "markers.txt").write_text(markers, encoding="utf-8")
    return folder


# --- real lists --------------------------------------------------------------------------------


def test_real_vancouver_list_resolves_25_items_and_reports_the_five_lost_ones() -> None:
    source = load_source(SOURCES / "lifeext-2023-zinc-bone")
    assert len(source.citations) == 25
    assert sorted(int(u.marker) for u in source.unresolved) == [2, 3, 5, 10, 28]
    assert all("Available at" in u.raw for u in source.unresolved)
    assert source.issues == []
    wright = next(c for c in source.citations if c.marker == "6")
    assert wright.fields["authors"] == ["Wright, NC", "Looker, AC", "Saag, KG"]
    assert wright.fields["authors_truncated"] is True  # "et al."
    assert wright.fields["journal"] == "J Bone Miner Res"
    assert (wright.fields["year"], wright.fields["volume"], wright.fields["number"]) == ("2014", "29", "11")
    assert wright.fields["pages"] == "2520--2526"  # Vancouver "2520-6" expanded
    oconnor = next(c for c in source.citations if c.marker == "18")
    assert oconnor.fields["authors"][0] == "O'Connor, JP"
    assert oconnor.fields["title"] == "Zinc as a Therapeutic Agent in Bone Regeneration"


def test_real_link_list_aligns_exactly_and_finds_marker_33() -> None:
    source = load_source(SOURCES / HEALTHLINE)
    assert source.issues == []  # no link left over, none missing
    assert source.unresolved == []
    assert len(source.citations) == 78  # marker occurrences in document order
    assert len(source.markers) == 62
    assert source.skipped_links == 21  # Healthline's own in-text links
    [inconsistency] = source.inconsistencies
    assert inconsistency.marker == "33"
    assert inconsistency.occurrences == [
        (1, "PMC7645307"),
        (2, "https://ods.od.nih.gov/factsheets/VitaminK-HealthProfessional/"),
    ]
    by_marker = {(c.marker, c.occurrence): c for c in source.citations}
    # "https://www.healthline.comhttps://pubmed..." repaired to the PubMed link.
    assert by_marker[("6", 1)].identifiers["pmid"] == "30956224"
    assert by_marker[("32", 1)].identifiers["doi"] == "10.1007/s00198-013-2325-6"
    assert by_marker[("40", 1)].identifiers["nbk"] == "NBK545442"
    assert by_marker[("22", 3)].identifiers["pmcid"] == "PMC3330619"  # a marker cited three times


def test_real_markers_only_lists_record_counts_and_named_works() -> None:
    oracle = load_source(SOURCES / "droracle-2025-zinc-osteoporosis")
    assert [c.marker for c in oracle.citations] == ["1"]
    assert "ESPEN guideline" in oracle.citations[0].fields["title"]
    assert [u.marker for u in oracle.unresolved] == ["2", "3", "4", "5", "6"]
    qa = load_source(SOURCES / "qa-zinc-bone-calcification")
    assert [c.marker for c in qa.citations] == ["further-reading"]
    assert len(qa.unresolved) == 5
    guide = load_source(SOURCES / "guide-vitamins-rebuild-bones")
    assert guide.citations == [] and len(guide.unresolved) == 10


def test_sources_load_in_capture_order() -> None:
    assert [s.meta["captured_from"][:3] for s in load_sources(SOURCES)] == ["000", "001", "002", "003", "004"]


def test_marker_groups_are_read_in_document_order() -> None:
    text = "loss ( 1 ,  2 ,  3 ). legumes  (19 ). boron ( 2 ,  22 ). (see figure) and (2019)."
    assert extract_marker_groups(text) == [["1", "2", "3"], ["19"], ["2", "22"], ["2019"]]


# --- identifiers -------------------------------------------------------------------------------


def test_identifiers_are_normalised() -> None:
    assert normalise_doi("https://doi.org/10.1001/JAMA.2019.11889") == "10.1001/jama.2019.11889"
    assert normalise_doi("doi: 10.3390/MA13102211.") == "10.3390/ma13102211"
    assert normalise_pmcid("pmc 5508855") == "PMC5508855"
    assert canonical_url("http://www.ncbi.nlm.nih.gov/pmc/articles/PMC5508855") == (
        "https://pmc.ncbi.nlm.nih.gov/articles/PMC5508855/"
    )
    assert (
        canonical_url("https://www.ncbi.nlm.nih.gov/pubmed/26556742")
        == "https://pubmed.ncbi.nlm.nih.gov/26556742/"
    )
    assert identifiers_from_url("https://link.springer.com/article/10.1007%2Fs00198-013-2325-6")["doi"] == (
        "10.1007/s00198-013-2325-6"
    )
    # The page's view after the DOI is not part of it.
    for view in ("full", "abstract", "pdf/"):
        assert identifiers_from_url(f"https://www.frontiersin.org/articles/10.3389/fendo.2020.00386/{view}")[
            "doi"
        ] == ("10.3389/fendo.2020.00386")


def test_url_with_query_string() -> None:
    # NCBI display options are not part of the address; other sites' queries may be.
    ncbi = identifiers_from_url(
        "https://www.ncbi.nlm.nih.gov/books/NBK545442/table/appJ_tab3/?report=objectonly"
    )
    assert ncbi == {
        "nbk": "NBK545442",
        "url": "https://www.ncbi.nlm.nih.gov/books/NBK545442/table/appJ_tab3/",
    }
    other = canonical_url("HTTP://Example.ORG/view.php?doi=10.3803/EnM.2017.32.3.339#top")
    assert other == "https://example.org/view.php?doi=10.3803/EnM.2017.32.3.339"


def test_a_pubmed_search_europe_pmc_record_or_doi_query_names_its_work() -> None:
    """A PubMed search address collapsed to the NCBI home page, so two different links counted as the
    same work; Europe PMC's record of a PubMed or PMC article, and a DOI given as ?doi=, named none."""
    assert identifiers_from_url("https://pubmed.ncbi.nlm.nih.gov/?term=31290343") == {
        "pmid": "31290343",
        "url": "https://pubmed.ncbi.nlm.nih.gov/31290343/",
    }
    assert identifiers_from_url("https://www.ncbi.nlm.nih.gov/pubmed/?term=zinc+bone") == {
        "url": "https://pubmed.ncbi.nlm.nih.gov/?term=zinc%20bone"
    }
    assert identifiers_from_url("https://europepmc.org/article/MED/31290343")["pmid"] == "31290343"
    assert identifiers_from_url("https://europepmc.org/article/PMC/PMC6683102")["pmcid"] == "PMC6683102"
    assert identifiers_from_url("http://example.org/view.php?doi=10.3803/EnM.2017.32.3.339")["doi"] == (
        "10.3803/enm.2017.32.3.339"
    )


def test_run_together_urls_keep_the_second() -> None:
    assert repair_url("https://www.healthline.comhttps://pubmed.ncbi.nlm.nih.gov/31680267/") == (
        "https://pubmed.ncbi.nlm.nih.gov/31680267/"
    )
    assert repair_url("  https://ods.od.nih.gov/factsheets/x/ ") == "https://ods.od.nih.gov/factsheets/x/"


# --- Vancouver: adversarial ----------------------------------------------------------------------


def test_vancouver_extra_whitespace_and_unicode_names(tmp_path: Path) -> None:
    folder = make_source(
        tmp_path,
        "vancouver",
        "  7.   Rodríguez-Olleros Rodríguez C,  Díaz Curiel M.  Vitamin K and Bone Health.   J Osteoporos.  "
        "2019;2019:2069176.  \n\n"
        "8. Kłęk S, Hébuterne X. Nutrition in IBD. Clin Nutr. 2017 Apr;36(2):321-47.\n",
    )
    source = load_source(folder)
    assert source.issues == []
    first, second = source.citations
    assert first.fields["authors"] == ["Rodríguez-Olleros Rodríguez, C", "Díaz Curiel, M"]
    assert first.fields["title"] == "Vitamin K and Bone Health"
    assert (first.fields["year"], first.fields["pages"]) == ("2019", "2069176")
    assert second.fields["authors"] == ["Kłęk, S", "Hébuterne, X"]
    assert second.fields["pages"] == "321--347"
    assert second.line == 3  # blank lines still count


def test_vancouver_missing_year_keeps_authors_and_title() -> None:
    fields = parse_vancouver("Pizzorno L. Nothing Boring About Boron. Integr Med (Encinitas).")
    assert fields is not None
    assert fields["title"] == "Nothing Boring About Boron"
    assert fields["journal"] == "Integr Med (Encinitas)"
    assert "year" not in fields


def test_vancouver_malformed_repeated_and_truncated_lines_are_reported_and_skipped(tmp_path: Path) -> None:
    folder = make_source(
        tmp_path,
        "vancouver",
        "1. Clarke B. Normal bone anatomy and physiology. Clin J Am Soc Nephrol. 2008;3:S131-9.\n"
        "this line is not a numbered item\n"
        "1. Clarke B. Normal bone anatomy and physiology. Clin J Am Soc Nephrol. 2008;3:S131-9.\n"
        "2. Available at: Accessed January 26, 2021.\n"
        "3. Okyay E, Ertugrul C\n",
    )
    source = load_source(folder)
    refs = folder / "references.txt"
    messages = [str(i) for i in source.issues]
    assert messages[0].startswith(f"{refs}:2: not a numbered item")
    assert messages[1].startswith(f"{refs}:3: item 1 listed twice")
    assert messages[2].startswith(f"{refs}:5: cannot read authors and title")
    assert [c.marker for c in source.citations] == ["1"]  # the rest survives
    assert {u.marker: u.reason for u in source.unresolved} == {
        "2": "no source recoverable ('Available at:' with no URL)",
        "3": "item could not be parsed",
    }


def test_unknown_format_is_an_error_naming_the_file(tmp_path: Path) -> None:
    folder = make_source(tmp_path, "vancouver", "")
    (folder / "source.yml").write_text("id: x\nformat: spreadsheet\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"source\.yml:2: format must be one of"):
        load_source(folder)


# --- link list: adversarial ----------------------------------------------------------------------

LINKS = (
    "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC1111111/\n"
    "https://www.healthline.com/nutrition/vitamin-d-101\n"
    "https://www.healthline.comhttps://pubmed.ncbi.nlm.nih.gov/22222222/\n"
    "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC1111111/\n"
    "https://www.ncbi.nlm.nih.gov/books/NBK333333/table/t1/?report=objectonly\n"
)


def test_link_list_repeated_marker_with_extra_whitespace(tmp_path: Path) -> None:
    folder = make_source(
        tmp_path, "link-list", LINKS, "  1   2 \n\n1\n3\n", publisher_hosts=["www.healthline.com"]
    )
    source = load_source(folder)
    assert [(c.marker, c.occurrence) for c in source.citations] == [("1", 1), ("2", 1), ("1", 2), ("3", 1)]
    assert source.inconsistencies == []  # marker 1 twice, both times the same work
    assert source.citations[1].identifiers["pmid"] == "22222222"
    assert source.citations[3].identifiers["url"] == "https://www.ncbi.nlm.nih.gov/books/NBK333333/table/t1/"


def test_link_list_inconsistent_marker_keeps_each_occurrence(tmp_path: Path) -> None:
    folder = make_source(tmp_path, "link-list", LINKS, "1\n2\n3\n", publisher_hosts=["www.healthline.com"])
    source = load_source(folder)
    # "3" takes the 3rd citation link (PMC1111111 again): no inconsistency; the NBK link is left over.
    assert [str(i).split(": ", 1)[1] for i in source.issues] == [
        "link with no marker left to match: https://www.ncbi.nlm.nih.gov/books/NBK333333/table/t1/?report=objectonly"
    ]
    folder2 = make_source(
        tmp_path / "b", "link-list", LINKS, "1\n2\n2\n9\n", publisher_hosts=["www.healthline.com"]
    )
    source2 = load_source(folder2)
    [inconsistency] = source2.inconsistencies
    assert inconsistency.marker == "2"
    assert [
        c.identifiers.get("pmid") or c.identifiers.get("pmcid") for c in source2.citations if c.marker == "2"
    ] == [
        "22222222",
        "PMC1111111",
    ]


def test_link_list_missing_link_and_truncated_list(tmp_path: Path) -> None:
    truncated = "\n".join(LINKS.splitlines()[:3]) + "\n"  # the list stops after the third link
    folder = make_source(
        tmp_path, "link-list", truncated, "1 2\n3\n4\n", publisher_hosts=["www.healthline.com"]
    )
    source = load_source(folder)
    assert [c.marker for c in source.citations] == ["1", "2"]
    assert [(u.marker, u.line) for u in source.unresolved] == [("3", 2), ("4", 3)]
    assert all("no link left" in u.reason for u in source.unresolved)


def test_link_list_malformed_lines_are_reported(tmp_path: Path) -> None:
    folder = make_source(
        tmp_path, "link-list", "not a link\n" + LINKS, "1\nx y\n2\n", publisher_hosts=["www.healthline.com"]
    )
    source = load_source(folder)
    refs, markers = folder / "references.txt", folder / "markers.txt"
    assert [str(i) for i in source.issues] == [
        f"{refs}:1: not a link, skipped: 'not a link'",
        f"{markers}:2: not a marker group, skipped: 'x y'",
        f"{refs}:5: link with no marker left to match: https://www.ncbi.nlm.nih.gov/pmc/articles/PMC1111111/",
        f"{refs}:6: link with no marker left to match: "
        "https://www.ncbi.nlm.nih.gov/books/NBK333333/table/t1/?report=objectonly",
    ]
    assert [c.marker for c in source.citations] == ["1", "2"]


def test_markers_only_rejects_unnamed_text(tmp_path: Path) -> None:
    folder = make_source(tmp_path, "markers-only", "1.\n2. some prose\n3. named in text: A Review\n")
    source = load_source(folder)
    assert [u.marker for u in source.unresolved] == ["1"]
    assert [c.fields["title"] for c in source.citations] == ["A Review"]
    assert str(source.issues[0]).startswith(f"{folder / 'references.txt'}:2: expected 'named in text")


def test_vancouver_items_as_pubmed_prints_them_keep_journal_pages_and_identifiers(tmp_path: Path) -> None:
    # PubMed's 'Cite' (NLM) format ends with doi, Epub, PMID and PMCID: the journal was the whole
    # tail and volume and pages were lost; the PMID and PMCID were not read at all.
    folder = make_source(
        tmp_path,
        "vancouver",
        "4. Amin N, Clark CCT, et al. Zinc supplements and bone health. J Trace Elem Med Biol. 2020 Jan;57:126417. "
        "doi: 10.1016/j.jtemb.2019.126417. Epub 2019 Oct 18. PMID: 31654866; PMCID: PMC6789012.\n"
        "5. Horton R. Offline. Lancet. 2020;395(10228):846 (doi:10.1016/S0140-6736(20)30183-5).\n",
    )
    first, second = load_source(folder).citations
    assert first.fields["journal"] == "J Trace Elem Med Biol"
    assert (first.fields["year"], first.fields["volume"], first.fields["pages"]) == ("2020", "57", "126417")
    assert first.identifiers == {
        "doi": "10.1016/j.jtemb.2019.126417",
        "pmid": "31654866",
        "pmcid": "PMC6789012",
    }
    assert second.fields["journal"] == "Lancet"
    assert second.identifiers == {"doi": "10.1016/s0140-6736(20)30183-5"}  # its own brackets, not the item's


def test_vancouver_web_pages_are_named_by_their_link(tmp_path: Path) -> None:
    # The complete form of the lost items ('Available at: Accessed ...'): the link was read as an
    # author and 'Accessed January 26, 2021' as the title.
    folder = make_source(
        tmp_path,
        "vancouver",
        "2. Available at: https://www.niams.nih.gov/health-topics/osteoporosis. Accessed January 26, 2021.\n"
        "3. Osteoporosis Overview. Available at: https://www.bones.nih.gov/osteoporosis/overview. "
        "Accessed January 26, 2021.\n",
    )
    source = load_source(folder)
    assert source.issues == [] and source.unresolved == []
    first, second = source.citations
    assert (first.identifiers, first.fields) == (
        {"url": "https://www.niams.nih.gov/health-topics/osteoporosis"},
        {},
    )
    assert second.identifiers == {"url": "https://www.bones.nih.gov/osteoporosis/overview"}
    assert second.fields == {"title": "Osteoporosis Overview"}


def test_vancouver_title_ending_in_a_question_or_exclamation_mark_keeps_its_journal() -> None:
    # The journal was read as the end of the title ('Does zinc help bone? Nutrients'), and lost.
    asked = parse_vancouver("Smith J, Jones K. Does zinc help bone? Nutrients. 2020;12(3):123-9.")
    assert asked is not None
    assert (asked["title"], asked["journal"], asked["pages"]) == (
        "Does zinc help bone?",
        "Nutrients",
        "123--129",
    )
    exclaimed = parse_vancouver("Smith J. Calcium supplements: time to stop! BMJ. 2015;351:h4580.")
    assert exclaimed is not None
    assert (exclaimed["title"], exclaimed["journal"]) == ("Calcium supplements: time to stop!", "BMJ")
    mid = parse_vancouver("Smith J. Vitamin D: friend or foe? A review. Nutrients. 2020;12:1.")
    assert mid is not None
    assert (mid["title"], mid["journal"]) == ("Vitamin D: friend or foe? A review", "Nutrients")
    for text, journal in (
        ("Does zinc help bone? Nutrients.", "Nutrients"),
        ("Foe? A review. Nutrients.", "Nutrients"),
    ):
        undated = parse_vancouver(f"Smith J. {text}")  # no Year;Volume tail
        assert undated is not None and undated["journal"] == journal


def test_vancouver_group_authors_are_one_name() -> None:
    # Read as persons, 'National Osteoporosis Foundation' became 'Foundation, National
    # Osteoporosis' on the next import (the file then changed on every second run).
    fields = parse_vancouver(
        "Writing Group for the Women's Health Initiative Investigators. Risks and benefits of estrogen plus "
        "progestin. JAMA. 2002;288(3):321-33."
    )
    assert fields is not None
    assert fields["authors"] == ["{Writing Group for the Women's Health Initiative Investigators}"]
    both = parse_vancouver(
        "Smith J, National Osteoporosis Foundation. Clinician guide. Osteoporos Int. 2014;25:1."
    )
    assert both is not None and both["authors"] == ["Smith, J", "{National Osteoporosis Foundation}"]


def test_vancouver_epub_ahead_of_print_keeps_the_journal_alone() -> None:
    # Published online, not yet in an issue: the journal was 'Nutrients. 2020 Jan 5. [Epub ahead of print]'.
    for text in (
        "Nutrients. 2020 Jan 5. [Epub ahead of print]",
        "Nutrients. 2020 Jan 5;12(1):3. [Epub ahead of print]",
    ):
        fields = parse_vancouver(f"Smith J. Zinc and bone. {text}")
        assert fields is not None
        assert (fields["title"], fields["journal"], fields["year"]) == ("Zinc and bone", "Nutrients", "2020")


def test_vancouver_web_page_that_lost_its_link_after_its_title_is_unresolved(tmp_path: Path) -> None:
    folder = make_source(
        tmp_path,
        "vancouver",
        "3. Osteoporosis Overview. Available at: Accessed January 26, 2021.\n4. Available from: Accessed 2021.\n",
    )
    source = load_source(folder)
    assert source.issues == []  # not a malformed line: the capture lost the link
    assert [(u.marker, u.reason) for u in source.unresolved] == [
        ("3", "no source recoverable ('Available at:' with no URL)"),
        ("4", "no source recoverable ('Available at:' with no URL)"),
    ]


def test_vancouver_title_saying_available_at_is_not_cut() -> None:
    fields = parse_vancouver(
        "Smith J. Calcium supplements available at pharmacies: a survey. J Foo. 2020;1:1."
    )
    assert fields is not None
    assert (fields["title"], fields["journal"]) == (
        "Calcium supplements available at pharmacies: a survey",
        "J Foo",
    )
