"""references.bib: deduplication, provenance, nothing invented, merging with hand edits, idempotence."""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import pybtex.errors
import pytest
from pybtex.database import parse_file
from pybtex.style.formatting.plain import Style

from boneguide.bibfile import BibError
from boneguide.bibliography import build_works, load_bib, run_import
from boneguide.citelists import load_sources
from boneguide.enrich import MetadataCache

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "sources"
CACHE = SOURCES / "metadata-cache.json"
HEALTHLINE = "healthline-osteoporosis-supplements"
LIFEEXT = "lifeext-2023-zinc-bone"


@pytest.fixture(scope="module")
def works() -> dict[str, object]:
    report = build_works(load_sources(SOURCES), MetadataCache.load(CACHE).records)
    return {w.key: w for w in report.works}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A scratch copy of sources/ with an empty bibliography next to it."""
    shutil.copytree(SOURCES, tmp_path / "sources", ignore=shutil.ignore_patterns("generated-entries.json"))
    return tmp_path


def import_into(project: Path) -> object:
    return run_import(
        project / "sources",
        project / "references.bib",
        project / "sources" / "metadata-cache.json",
        project / "sources" / "generated-entries.json",
    )


# --- the committed file ---------------------------------------------------------------------------


def test_committed_bib_parses_strictly_without_warnings_and_every_entry_renders() -> None:
    pybtex.errors.set_strict_mode(True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = parse_file(str(ROOT / "references.bib"), "bibtex")
    style = Style()
    for key, entry in data.entries.items():
        assert style.format_entry(key, entry).text.render_as("text"), key


def test_committed_bib_is_up_to_date_with_sources(tmp_path: Path) -> None:
    bib = tmp_path / "references.bib"
    shutil.copy(ROOT / "references.bib", bib)
    base = tmp_path / "base.json"
    shutil.copy(SOURCES / "generated-entries.json", base)
    outcome = run_import(SOURCES, bib, CACHE, base, write=False)
    assert not outcome.changed, "references.bib is out of date: run make import"
    assert outcome.merge.conflicts == [] or all("clarke2008normal" in c for c in outcome.merge.conflicts)


# --- works -------------------------------------------------------------------------------------


def test_every_resolvable_work_is_one_entry(works: dict) -> None:
    assert len(works) == 84
    seen: dict[str, str] = {}
    for key, work in works.items():
        for name in ("doi", "pmid", "pmcid", "url"):
            value = work.fields.get(name)
            if value:
                assert (name, value) not in seen, f"{key} and {seen[(name, value)]} share {name}"
                seen[(name, value)] = key


def test_a_work_cited_by_three_articles_is_one_entry(works: dict) -> None:
    oconnor = works["oconnor2020zinc"]
    assert oconnor.fields["cited-in"] == (
        f"{HEALTHLINE}:50; {LIFEEXT}:18; qa-zinc-bone-calcification:further-reading"
    )
    assert oconnor.fields["metadata-status"] == "verified"


def test_dedup_by_title_and_year_without_a_same_as_record(works: dict) -> None:
    # lifeext 27 has no identifier and no record; healthline 28 is PMC6955144: same title and year.
    entry = works["rodriguezolleros2019vitamin"]
    assert entry.fields["cited-in"] == f"{HEALTHLINE}:28; {LIFEEXT}:27"
    assert entry.fields["pmcid"] == "PMC6955144"


def test_marker_33_keeps_both_works(works: dict) -> None:
    for key in ("pmc7645307", "odsndvitamink"):
        assert f"{HEALTHLINE}:33" in works[key].fields["cited-in"]
        assert "Marker 33" in works[key].fields["note"]
    assert works["odsndvitamink"].fields["cited-in"] == f"{HEALTHLINE}:30; {HEALTHLINE}:33"


def test_nothing_is_invented(works: dict) -> None:
    identifier_only = works["pmc6059859"]
    assert identifier_only.entry_type == "misc"
    assert "title" not in identifier_only.fields and "author" not in identifier_only.fields
    assert identifier_only.fields["metadata-status"] == "unverified"
    assert identifier_only.fields["url"] == "https://pmc.ncbi.nlm.nih.gov/articles/PMC6059859/"
    from_list_only = works["goode2020osteoporosis"]
    assert from_list_only.fields["metadata-status"] == "unverified"
    assert "seen-at" not in from_list_only.fields
    assert "doi" not in from_list_only.fields and "url" not in from_list_only.fields
    cited_keys = {ref for w in works.values() for ref in w.fields["cited-in"].split("; ")}
    for lost in ("2", "3", "5", "10", "28"):
        assert f"{LIFEEXT}:{lost}" not in cited_keys


def test_records_give_verified_fields_and_provenance(works: dict) -> None:
    burt = works["burt2019effect"]
    assert burt.fields["metadata-status"] == "verified"
    assert burt.fields["doi"] == "10.1001/jama.2019.11889"
    assert burt.fields["seen-at"].startswith("https://pmc.ncbi.nlm.nih.gov/articles/PMC6714464")
    knapen = works["knapen2013three"]
    assert knapen.fields["author"] == "Knapen, MHJ and others"  # co-authors were not read
    yamaguchi = works["yamaguchi2015nutritional"]
    assert yamaguchi.fields["year"] == "2015"
    assert "cites it as 2014" in yamaguchi.fields["note"]


def test_fields_a_record_lacks_are_borrowed_from_the_citation_and_flagged(works: dict) -> None:
    # The PubMed record read for lifeext 9 showed no author list: the citing list's author, flagged.
    yamaguchi = works["yamaguchi2010role"]
    assert yamaguchi.fields["author"] == "Yamaguchi, M"
    assert yamaguchi.fields["metadata-status"] == "partial"
    assert "Authors as given by the citing article, not seen on the record read." in yamaguchi.fields["note"]
    # A partial record (a copy of the PDF) gives authors and title; the rest is the citation's.
    mahdavi = works["mahdaviroshan2015copper"]
    assert (mahdavi.fields["journal"], mahdavi.fields["volume"], mahdavi.fields["pages"]) == (
        "Clin Cases Miner Bone Metab",
        "12",
        "18--21",
    )
    assert "Journal, year, volume, number, pages as given by the citing article" in mahdavi.fields["note"]


def test_espen_guideline_is_the_2017_edition_with_the_ambiguity_noted(works: dict) -> None:
    espen = works["forbes2017espen"]
    assert espen.fields["cited-in"] == "droracle-2025-zinc-osteoporosis:1"
    assert (espen.fields["year"], espen.fields["doi"]) == ("2017", "10.1016/j.clnu.2016.12.027")
    assert espen.fields["metadata-status"] == "partial"
    assert "2017 edition" in espen.fields["note"]


def test_fact_sheet_and_organisation_keys(works: dict) -> None:
    assert {"odsndvitamink", "odsndvitamind", "odsndmagnesium", "nasemnddietary", "nbk532266"} <= set(works)


# --- merging -----------------------------------------------------------------------------------


def test_import_twice_is_byte_identical(project: Path) -> None:
    import_into(project)
    first = (project / "references.bib").read_bytes()
    outcome = import_into(project)
    assert not outcome.changed
    assert (project / "references.bib").read_bytes() == first


def test_hand_edits_and_hand_added_entries_survive(project: Path) -> None:
    import_into(project)
    bib = project / "references.bib"
    text = bib.read_text(encoding="utf-8")
    text = text.replace(
        "journal = {JAMA},\n  year = {2019}", "journal = {JAMA: The Journal},\n  year = {2019}"
    )
    hand_added = (
        "@misc{odsndzinc,\n  title = {Zinc: Fact Sheet for Health Professionals},\n"
        "  url = {https://ods.od.nih.gov/factsheets/Zinc-HealthProfessional/},\n"
        "  metadata-status = {verified}, seen-at = {https://ods.od.nih.gov/factsheets/Zinc-HealthProfessional/}\n}"
    )
    bib.write_text(text + "\n" + hand_added + "\n", encoding="utf-8")
    outcome = import_into(project)
    after = bib.read_text(encoding="utf-8")
    assert "journal = {JAMA: The Journal}" in after  # edit kept, silently: the sources did not change
    assert outcome.merge.conflicts == []
    assert after.rstrip().endswith(hand_added)  # byte for byte, at the end
    assert outcome.merge.kept_hand_added == ["odsndzinc"]
    assert not import_into(project).changed


def test_conflict_is_reported_and_the_file_wins(project: Path) -> None:
    import_into(project)
    bib = project / "references.bib"
    bib.write_text(
        bib.read_text(encoding="utf-8").replace("year = {2015}", "year = {2016}", 1), encoding="utf-8"
    )
    base_path = project / "sources" / "generated-entries.json"
    base = json.loads(base_path.read_text(encoding="utf-8"))
    key = next(k for k, v in base.items() if v.get("year") == "2015")
    base[key]["year"] = "2014"  # as if the sources had said 2014 last time: both sides changed
    base_path.write_text(json.dumps(base), encoding="utf-8")
    outcome = import_into(project)
    assert any(
        f"{key}.year: kept the file's '2016'; sources now give '2015'" in c for c in outcome.merge.conflicts
    )
    assert any(c.startswith("references.bib:") for c in outcome.merge.conflicts)  # file:line


def test_field_removed_by_hand_stays_removed_and_stale_values_update(project: Path) -> None:
    import_into(project)
    bib = project / "references.bib"
    text = bib.read_text(encoding="utf-8")
    text = text.replace("  volume = {322},\n", "", 1)
    bib.write_text(text, encoding="utf-8")
    outcome = import_into(project)
    assert outcome.merge.conflicts == []
    assert "volume = {322}" not in bib.read_text(encoding="utf-8")


def test_existing_key_is_reused_for_the_same_work(project: Path) -> None:
    bib = project / "references.bib"
    bib.write_text("@article{higgs2017wholefoods,\n  pmcid = {PMC5508855}\n}\n", encoding="utf-8")
    outcome = import_into(project)
    assert "higgs2017wholefoods" in outcome.merge.entries  # published keys never change
    assert "higgs2017nutrition" not in outcome.merge.entries
    assert outcome.merge.kept_hand_added == []


def test_malformed_bib_is_reported_with_file_and_line(tmp_path: Path) -> None:
    bib = tmp_path / "references.bib"
    bib.write_text("@article{a,\n  title = {x},\n}\n\n@article{b,\n  title {y}\n}\n", encoding="utf-8")
    with pytest.raises(
        BibError, match=r"references\.bib:6:9: entry 'b': expected '=' after field name 'title'"
    ):
        load_bib(bib)
    bib.write_text("@misc{a,\n  title = {x}\n}\n\n@misc{a,\n  title = {y}\n}\n", encoding="utf-8")
    with pytest.raises(BibError, match=r"references\.bib:5:7: duplicate key 'a' \(first defined at line 1\)"):
        load_bib(bib)


def test_the_scripts_stop_at_the_first_problem_in_the_file(tmp_path: Path) -> None:
    bib = tmp_path / "references.bib"
    bib.write_text(
        "@misc{a, title={x}}\n\n\n\n@misc{a, title={y}}\n\n\n\n@misc{b,\n  title {y}\n}\n", encoding="utf-8"
    )
    with pytest.raises(BibError, match=r"references\.bib:5:7: duplicate key 'a'"):
        load_bib(bib)


def test_entries_appended_during_a_run_are_kept(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import boneguide.bibliography as bibliography

    import_into(project)
    bib = project / "references.bib"
    appended = "@misc{odsndzinc,\n  title = {Zinc},\n  url = {https://ods.od.nih.gov/x/}\n}\n"
    real_merge = bibliography.merge
    calls = []

    def merge_then_someone_appends(*args, **kwargs):
        result = real_merge(*args, **kwargs)
        if not calls:
            with bib.open("a", encoding="utf-8") as handle:
                handle.write("\n" + appended)
        calls.append(1)
        return result

    monkeypatch.setattr(bibliography, "merge", merge_then_someone_appends)
    import_into(project)
    assert len(calls) == 2  # the file changed under the merge: merged again
    assert bib.read_text(encoding="utf-8").rstrip().endswith(appended.rstrip())


def test_strict_parsing_does_not_flip_pybtex_for_the_whole_process() -> None:
    from boneguide.bibfile import BibError, parse_text

    pybtex.errors.set_strict_mode(False)  # as another pybtex user in the process may have it
    try:
        with pytest.raises(BibError, match=r"refs\.bib:4:7: duplicate key 'a'"):
            parse_text("@misc{a, title={A}}\n\n\n@misc{a, title={B}}\n", "refs.bib").raise_for_errors()
        with pytest.raises(BibError, match=r"refs\.bib:1: entry 'a': undefined string: nomacro"):
            parse_text("@misc{a, title=nomacro}\n", "refs.bib").raise_for_errors()
        assert pybtex.errors.strict is False
        entry = parse_text("@misc{b, title={B}}\n", "refs.bib").entries["b"].parsed
        assert entry is not None and entry.fields["title"] == "B"
    finally:
        pybtex.errors.set_strict_mode(True)


def test_a_key_is_not_reused_for_a_work_with_other_identifiers(project: Path) -> None:
    # The list now links marker 34 to another article: the entry keyed pmc6683102 (the only one
    # cited as :34) must not be rebound to it, which would silently change every [@pmc6683102].
    import_into(project)
    links = project / "sources" / HEALTHLINE / "references.txt"
    links.write_text(links.read_text(encoding="utf-8").replace("PMC6683102", "PMC1234567"), encoding="utf-8")
    outcome = import_into(project)
    keys = {w.key: w for w in outcome.report.works}
    assert keys["pmc1234567"].identifiers["pmcid"] == "PMC1234567"
    assert "pmc6683102" not in keys
    assert "pmcid = {PMC6683102}" in outcome.merge.text  # the old entry is kept as it was
    assert outcome.merge.kept_hand_added == ["pmc6683102"]


def test_a_work_cited_at_another_marker_keeps_its_key(project: Path) -> None:
    # Marker 34 now links a new article and marker 35 the one 34 used to link: that one keeps its
    # key; the new one takes no key through the cited-in reference (neither :34's nor :35's).
    import_into(project)
    links = project / "sources" / HEALTHLINE / "references.txt"
    text = links.read_text(encoding="utf-8")
    text = text.replace("PMC6683102", "PMC1234567").replace("PMC5643776", "PMC6683102")
    links.write_text(text, encoding="utf-8")
    outcome = import_into(project)
    keys = {w.key: w.identifiers.get("pmcid") for w in outcome.report.works}
    assert (keys["pmc6683102"], keys["pmc1234567"]) == ("PMC6683102", "PMC1234567")
    assert "pmc5643776" not in keys


def test_works_known_only_by_a_link_are_keyed_by_what_it_names(tmp_path: Path) -> None:
    # Before `make enrich` has read them, these were keyed 'nihndhttps', 'nihndhttpsods', ...
    # (the words of 'https://ods.od...'), and keys never change once published; B12 and B6 fact
    # sheets were both 'vitamin b' (odsndvitaminb, odsndvitaminb2).
    folder = tmp_path / "sources" / "links"
    folder.mkdir(parents=True)
    (folder / "source.yml").write_text("id: links\nformat: link-list\n", encoding="utf-8")
    (folder / "references.txt").write_text(
        "https://ods.od.nih.gov/factsheets/VitaminB12-HealthProfessional/\n"
        "https://ods.od.nih.gov/factsheets/VitaminB6-HealthProfessional/\n"
        "https://www.niams.nih.gov/health-topics/osteoporosis\n",
        encoding="utf-8",
    )
    (folder / "markers.txt").write_text("1 2 3\n", encoding="utf-8")
    report = build_works(load_sources(tmp_path / "sources"), [])
    assert [w.key for w in report.works] == ["odsndvitaminb12", "odsndvitaminb6", "nihndhealth"]


def test_a_group_author_imports_twice_byte_identically(tmp_path: Path) -> None:
    folder = tmp_path / "sources" / "v"
    folder.mkdir(parents=True)
    (folder / "source.yml").write_text("id: v\nformat: vancouver\n", encoding="utf-8")
    (folder / "references.txt").write_text(
        "1. Smith J, National Osteoporosis Foundation. Clinician guide. Osteoporos Int. 2014;25(10):2359-81.\n",
        encoding="utf-8",
    )
    (tmp_path / "sources" / "metadata-cache.json").write_text('{"records": []}', encoding="utf-8")
    import_into(tmp_path)
    assert not import_into(tmp_path).changed  # it was rewritten as 'Foundation, National Osteoporosis'
    text = (tmp_path / "references.bib").read_text(encoding="utf-8")
    assert "author = {Smith, J and {National Osteoporosis Foundation}}" in text
