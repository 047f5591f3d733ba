"""scripts/add_reference.py: by identifier from the cache or a registry, or from a pasted citation;
duplicates and malformed identifiers refused with a clear message."""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pybtex.database import parse_file

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import add_reference

EXISTING = """\
@article{burt2019effect,
  author = {Burt, LA and Billington, EO},
  title = {Effect of High-Dose Vitamin {D} Supplementation on Volumetric Bone Density and Bone Strength},
  journal = {JAMA},
  year = {2019},
  doi = {10.1001/jama.2019.11889},
  pmid = {31454046},
  metadata-status = {verified}
}
"""
CACHED = {
    "id": "pmid:23525894",
    "status": "verified",
    "type": "article",
    "authors": ["Knapen, MHJ"],
    "authors_truncated": True,
    "title": "Three-year low-dose menaquinone-7 supplementation helps decrease bone loss in healthy postmenopausal women",
    "journal": "Osteoporosis International",
    "year": "2013",
    "volume": "24",
    "issue": "9",
    "pages": "2499-2507",
    "doi": "10.1007/s00198-013-2325-6",
    "pmid": "23525894",
    "seen_at": ["https://pubmed.example/23525894"],
}


@pytest.fixture()
def files(tmp_path: Path) -> tuple[Path, Path]:
    bib = tmp_path / "references.bib"
    bib.write_text(EXISTING)
    cache = tmp_path / "metadata-cache.json"
    cache.write_text(json.dumps({"records": [CACHED]}))
    return bib, cache


def run(files: tuple[Path, Path], *args: str) -> int:
    bib, cache = files
    return add_reference.main([*args, "--bib", str(bib), "--cache", str(cache)])


def test_adds_by_pmid_from_the_cache(files, capsys) -> None:
    assert run(files, "--pmid", "23525894") == 0
    assert "added [@knapen2013three]" in capsys.readouterr().out
    entry = parse_file(str(files[0])).entries["knapen2013three"]
    assert entry.fields["doi"] == "10.1007/s00198-013-2325-6"
    assert entry.fields["metadata-status"] == "verified"
    assert entry.fields["seen-at"] == "https://pubmed.example/23525894"
    assert [str(p) for p in entry.persons["author"]] == ["Knapen, MHJ", "others"]


def test_a_doi_already_present_is_refused_with_its_key(files, capsys) -> None:
    before = files[0].read_text()
    assert run(files, "--doi", "https://doi.org/10.1001/JAMA.2019.11889") == 1
    err = capsys.readouterr().err
    assert "already in references.bib as 'burt2019effect' (line 1)" in err
    assert "cite it as [@burt2019effect]" in err
    assert files[0].read_text() == before


def test_same_title_and_year_is_a_duplicate_too(files, capsys) -> None:
    citation = (
        "Burt LA, Billington EO. Effect of high-dose vitamin D supplementation on volumetric bone density "
        "and bone strength. JAMA. 2019;322(8):736-45."
    )
    assert run(files, "--citation", citation) == 1
    assert "same title and year" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--pmid", "12ab", "malformed PMID '12ab'"),
        ("--pmcid", "6714464", "malformed PMCID '6714464'"),
        ("--doi", "jama.2019.11889", "malformed DOI 'jama.2019.11889'"),
        ("--pmid", "0", "malformed PMID '0': identifiers start at 1"),
        ("--pmid", "000", "malformed PMID '000'"),
        ("--pmcid", "PMC0", "malformed PMCID 'PMC0'"),
    ],
)
def test_malformed_identifiers_are_refused(files, capsys, option, value, message) -> None:
    before = files[0].read_text()
    assert run(files, option, value) == 2
    assert message in capsys.readouterr().err
    assert files[0].read_text() == before


def test_unknown_identifier_is_added_honestly_as_unverified(files, capsys) -> None:
    assert run(files, "--pmcid", "pmc7287917") == 0
    assert "added [@pmc7287917]" in capsys.readouterr().out
    entry = parse_file(str(files[0])).entries["pmc7287917"]
    assert entry.fields["metadata-status"] == "unverified"
    assert entry.fields["pmcid"] == "PMC7287917"
    assert "title" not in entry.fields, "no title may be invented for an identifier-only entry"


def test_pasted_citation_is_parsed_and_flagged(files, capsys) -> None:
    citation = "Smith J, Doe A. Zinc and bone in mice. J Bone Res. 2021;5(2):10-19."
    assert run(files, "--citation", citation) == 0
    entry = parse_file(str(files[0])).entries["smith2021zinc"]
    assert entry.fields["pages"] == "10--19"
    assert entry.fields["metadata-status"] == "unverified"


@pytest.mark.parametrize(
    "citation",
    [
        "Smith J, Doe A. Zinc {and bone in mice. J Bone Res. 2021;5(2):10-19.",
        "Smith J, Doe A. Zinc} and {bone in mice. J Bone Res. 2021;5(2):10-19.",
        "Smith J, Doe A. Zinc and bone in mice. J Bone {Res. 2021;5(2):10-19.",
    ],
)
def test_a_citation_with_unbalanced_braces_blames_the_citation_not_the_bib(files, capsys, citation) -> None:
    before = files[0].read_text()
    assert run(files, "--citation", citation) == 2
    err = capsys.readouterr().err
    assert "in the pasted citation" in err and "unbalanced braces" in err
    assert "references.bib" not in err
    assert files[0].read_text() == before


def test_unparseable_citation_is_an_error(files, capsys) -> None:
    assert run(files, "--citation", "just some words") == 2
    assert "cannot tell authors and title apart" in capsys.readouterr().err


def test_malformed_bib_is_reported_and_left_alone(files, capsys) -> None:
    files[0].write_text(EXISTING + "\n@article{broken,\n  title = {no closing brace\n")
    before = files[0].read_text()
    assert run(files, "--pmid", "23525894") == 2
    assert f"{files[0]}:" in capsys.readouterr().err
    assert files[0].read_text() == before


class FakePubMed(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = {
            "result": {
                "uids": ["20671013"],
                "20671013": {
                    "uid": "20671013",
                    "title": "Effect of calcium supplements on risk of myocardial infarction and cardiovascular events: meta-analysis.",
                    "authors": [{"name": "Bolland MJ"}, {"name": "Avenell A"}],
                    "fulljournalname": "BMJ",
                    "pubdate": "2010 Jul 29",
                    "volume": "341",
                    "pages": "c3691",
                    "articleids": [{"idtype": "doi", "value": "10.1136/bmj.c3691"}],
                },
            }
        }
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


def test_online_lookup_against_a_local_registry(files, capsys) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakePubMed)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        assert run(files, "--pmid", "20671013", "--online", "--eutils", base) == 0
    finally:
        server.shutdown()
    assert "added [@bolland2010effect]" in capsys.readouterr().out
    entry = parse_file(str(files[0])).entries["bolland2010effect"]
    assert entry.fields["doi"] == "10.1136/bmj.c3691"
    cached = json.loads(files[1].read_text())["records"]
    assert any(r.get("pmid") == "20671013" for r in cached), "the answer is kept in the committed cache"


WALSH = {
    "authors": ["Walsh, JS", "Jacques, RM"],
    "title": "High-dose selenium and bone turnover in postmenopausal women",
    "journal": "Example Journal",
    "year": "2021",
    "pmid": "34000001",
    "seen_at": ["https://abstracts.example/34000001"],
    "status": "verified",
}


def write_record(tmp_path: Path, record: dict) -> Path:
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record))
    return path


def test_a_record_read_on_a_page_is_added_with_where_it_was_read(files, tmp_path, capsys) -> None:
    bib = files[0]
    record = write_record(tmp_path, WALSH)
    assert run(files, "--record", str(record)) == 0
    assert "added [@walsh2021high]" in capsys.readouterr().out
    entry = parse_file(str(bib)).entries["walsh2021high"]
    assert entry.fields["seen-at"] == "https://abstracts.example/34000001"
    assert entry.fields["metadata-status"] == "verified"
    # The same work again is refused, naming the key to cite.
    assert run(files, "--record", str(record)) == 1
    assert "cite it as [@walsh2021high]" in capsys.readouterr().err


def test_an_organisations_record_needs_its_own_key_and_gets_a_corporate_author(files, tmp_path) -> None:
    bib = files[0]
    record = {
        "organization": "EFSA Panel on Dietetic Products, Nutrition and Allergies (NDA)",
        "title": "Scientific Opinion on Dietary Reference Values for zinc",
        "journal": "EFSA Journal",
        "year": "2014",
        "seen_at": ["https://efsa.example/zinc"],
        "status": "partial",
    }
    path = write_record(tmp_path, record)
    assert run(files, "--record", str(path)) == 2
    path = write_record(tmp_path, {**record, "key": "efsa2014zinc"})
    assert run(files, "--record", str(path)) == 0
    entry = parse_file(str(bib)).entries["efsa2014zinc"]
    assert (
        str(entry.persons["author"][0]) == "{EFSA Panel on Dietetic Products, Nutrition and Allergies (NDA)}"
    )
    assert entry.fields["url"] == "https://efsa.example/zinc"  # no identifier: the page it was read on


def test_a_record_without_provenance_is_refused(files, tmp_path, capsys) -> None:
    path = write_record(tmp_path, {k: v for k, v in WALSH.items() if k != "seen_at"})
    assert run(files, "--record", str(path)) == 2
    assert "the record needs seen_at" in capsys.readouterr().err


def test_complete_fills_an_identifier_only_entry_and_keeps_its_provenance(files, tmp_path) -> None:
    bib = files[0]
    bib.write_text(
        bib.read_text()
        + "\n@misc{pmid34000001,\n  howpublished = {PubMed 34000001},\n  pmid = {34000001},\n"
        + "  metadata-status = {unverified},\n"
        + "  note = {Known only by the identifier in the citing article; metadata not yet verified."
        + " Cited for the selenium trial.},\n"
        + "  cited-in = {healthline-osteoporosis-supplements:7}\n}\n"
    )
    path = write_record(tmp_path, {**WALSH, "key": "pmid34000001"})
    assert run(files, "--record", str(path), "--complete") == 0
    entry = parse_file(str(bib)).entries["pmid34000001"]
    assert entry.type == "article" and entry.fields["title"].startswith("High-dose selenium")
    assert entry.fields["cited-in"] == "healthline-osteoporosis-supplements:7"
    # The record confirms the entry: the importer's "not yet verified" goes, the editor's note stays.
    assert entry.fields["note"] == "Cited for the selenium trial."
    assert "howpublished" not in entry.fields  # "PubMed 34000001" stood in for the title
    assert "burt2019effect" in parse_file(str(bib)).entries  # nothing else touched


def test_complete_fills_an_entry_that_has_no_stand_in_title(files, tmp_path) -> None:
    bib = files[0]
    bib.write_text(
        bib.read_text()
        + "\n@misc{pmid34000002,\n  pmid = {34000002},\n  metadata-status = {unverified},\n"
        + "  note = {Known only by the identifier in the citing article; metadata not yet verified.}\n}\n"
    )
    record = {**WALSH, "key": "pmid34000002", "pmid": "34000002"}
    path = write_record(tmp_path, record)
    assert run(files, "--record", str(path), "--complete") == 0
    entry = parse_file(str(bib)).entries["pmid34000002"]
    assert entry.type == "article" and entry.fields["title"].startswith("High-dose selenium")
    assert "note" not in entry.fields  # the importer's note alone, and the record has none: no note


def test_complete_never_downgrades_a_verified_entry(files, tmp_path, capsys) -> None:
    bib = files[0]
    before = bib.read_text()
    record = {**WALSH, "key": "burt2019effect", "pmid": "31454046", "status": "partial"}
    path = write_record(tmp_path, record)
    assert run(files, "--record", str(path), "--complete") == 2
    assert "would downgrade it" in capsys.readouterr().err
    assert bib.read_text() == before


def test_a_well_formed_doi_with_no_record_offline_is_refused_not_a_traceback(files, capsys) -> None:
    before = files[0].read_text()
    assert run(files, "--doi", "10.1234/not.in.cache") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("add_reference: refused: no record of doi 10.1234/not.in.cache")
    assert "--online" in err
    assert files[0].read_text() == before


@pytest.mark.parametrize("option", ["--pmid", "--pmcid", "--doi", "--citation"])
@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_value_is_a_usage_error_in_one_line(files, capsys, option: str, value: str) -> None:
    before = files[0].read_text()
    assert run(files, option, value) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"add_reference: error: {option} is empty: give ") and err.count("\n") == 1
    assert files[0].read_text() == before


def test_ctrl_c_is_one_line_and_exit_130(files, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(add_reference, "add", interrupted)
    assert run(files, "--pmid", "23525894") == 130
    assert capsys.readouterr().err == "add_reference: interrupted\n"


def test_a_record_becomes_the_same_fields_in_add_reference_and_the_importer() -> None:
    """One mapping from a record to BibTeX: an issue is BibTeX's number, ahead of a number field."""
    from boneguide.bibliography import Work, describe_work
    from boneguide.citelists import Citation
    from boneguide.scaffold import entry_fields

    record = {
        "id": "r1",
        "status": "verified",
        "type": "article",
        "authors": ["Smith, JA", "Doe, B"],
        "title": "Bone and zinc",
        "journal": "J Bone",
        "year": "2001",
        "volume": "3",
        "issue": "4",
        "number": "5",
        "pages": "101-9",
        "doi": "10.1000/bone.1",
        "pmid": "123",
    }
    work = Work([Citation("s1", "1", 1, "Smith 2001", "s1.md", 1, {"doi": "10.1000/bone.1"})], [record])
    describe_work(work, [])
    added = entry_fields(record)
    shared = ("author", "title", "journal", "year", "volume", "number", "pages", "doi", "pmid")
    assert {name: added[name] for name in shared} == {name: work.fields[name] for name in shared}
    assert added["number"] == "4"
