"""A bibliography entry becomes Vancouver-like, safe HTML: fields are data, never markup."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from pybtex.database import parse_string

from boneguide.references_format import format_entry, plain_text, to_csl_json


def entry(bibtex: str):
    data = parse_string(bibtex, "bibtex")
    key, value = next(iter(data.entries.items()))
    return key, value


ARTICLE = r"""@article{clarke2008normal,
  author = {Clarke, B. and O'Neill, Mary-Jane and van der Berg, Anna},
  title = {Normal bone anatomy and physiology of {Vitamin D} users},
  journal = {Clinical Journal of the American Society of Nephrology},
  year = {2008}, volume = {3}, number = {Suppl 3}, pages = {S131--S139},
  doi = {10.2215/cjn.04151206}, pmid = {18988698}, pmcid = {PMC3152283},
  url = {https://example.org/not-shown-when-identifiers-exist},
  cited-in = {lifeext-2023-zinc-bone:9; healthline-osteoporosis-supplements:1}
}"""


class Elements(HTMLParser):
    """Collects every start tag and its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def elements(markup: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Elements()
    parser.feed(markup)
    return parser.tags


def test_article_is_vancouver_with_case_kept() -> None:
    formatted = format_entry(*entry(ARTICLE))
    assert formatted.text.startswith(
        "Clarke B, O'Neill MJ, van der Berg A. Normal bone anatomy and physiology of Vitamin D users. "
        "Clinical Journal of the American Society of Nephrology. 2008;3(Suppl 3):S131–S139."
    )
    assert "vitamin d" not in formatted.text  # mkdocs-bibtex lower-cased titles


def test_initials_written_together_keep_every_letter() -> None:
    formatted = format_entry(
        *entry(
            r"@article{orchard2014magnesium, author = {Orchard, TS and Cauley, JA and Reid, Ian R and"
            r" Lee, J-P}, title = {Magnesium intake}, journal = {Am J Clin Nutr}, year = {2014}}"
        )
    )
    assert formatted.text.startswith("Orchard TS, Cauley JA, Reid IR, Lee JP. Magnesium intake.")


def test_identifiers_link_to_doi_pubmed_and_pmc_not_the_url() -> None:
    hrefs = [attrs["href"] for tag, attrs in elements(format_entry(*entry(ARTICLE)).html) if tag == "a"]
    assert hrefs == [
        "https://doi.org/10.2215/cjn.04151206",
        "https://pubmed.ncbi.nlm.nih.gov/18988698/",
        "https://pmc.ncbi.nlm.nih.gov/articles/PMC3152283/",
    ]


def test_url_is_the_link_when_there_is_no_identifier_and_url_command_is_unwrapped() -> None:
    formatted = format_entry(
        *entry(
            r"@misc{odsndzinc, author = {{Office of Dietary Supplements}}, title = {Zinc: Fact Sheet},"
            r" url = {\url{https://ods.od.nih.gov/factsheets/Zinc/}}, urldate = {2026-01-10}}"
        )
    )
    assert 'href="https://ods.od.nih.gov/factsheets/Zinc/"' in formatted.html
    assert "\\url" not in formatted.html
    assert formatted.text.startswith("Office of Dietary Supplements. Zinc: Fact Sheet [Internet].")
    assert "(accessed 2026-01-10)" in formatted.text


def test_identifier_only_entry_shows_its_identifier_and_no_invented_title() -> None:
    formatted = format_entry(
        *entry("@misc{pmc6059859, pmcid = {PMC6059859}, metadata-status = {unverified}}")
    )
    assert formatted.kind == "identifier-only"
    # The badge is the editors' (flag_html, shown with editors_view), not part of the reference.
    assert formatted.text == "PMCID PMC6059859. PMCID: PMC6059859"
    assert "unverified metadata" in formatted.flag_html
    assert 'href="https://pmc.ncbi.nlm.nih.gov/articles/PMC6059859/"' in formatted.html


def test_pmid_only_entry_links_to_pubmed() -> None:
    formatted = format_entry(*entry("@misc{pmid30956224, pmid = {30956224}}"))
    assert formatted.text.startswith("PMID 30956224. PMID: 30956224")
    assert "unverified metadata" not in formatted.html
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/30956224/"' in formatted.html


@pytest.mark.parametrize(
    "title",
    [
        '<script>alert("x")</script>',
        "<img src=x onerror=alert(1)>",
        "Fish & chips <b>bold</b>",
        r"Stray \{ brace \} and {\textless}script{\textgreater}",
    ],
)
def test_hostile_fields_render_as_inert_text(title: str) -> None:
    bib = f"@article{{hostile2020x, author = {{{{<i>Evil</i> & Co}}}}, title = {{{title}}}, journal = {{J <b>X</b>}}, year = {{2020}}, url = {{javascript:alert(2)}}}}"
    formatted = format_entry(*entry(bib))
    tags = elements(formatted.html)
    assert {tag for tag, _ in tags} <= {"span", "a"}, formatted.html
    assert not any(name.startswith("on") for _, attrs in tags for name in attrs)
    assert not any((attrs.get("href") or "").startswith("javascript") for _, attrs in tags)
    # The reader sees the characters that were typed.
    assert "<" in formatted.text or "&" in formatted.text


def test_plain_text_decodes_latex_and_drops_case_braces() -> None:
    assert plain_text(r"{DNA} of Rodr{\'\i}guez -- 50\% \{x\}") == "DNA of Rodríguez – 50% {x}"


def test_more_than_six_authors_end_with_et_al() -> None:
    authors = " and ".join(f"Author{letter}, A" for letter in "ABCDEFG")
    formatted = format_entry(
        *entry(f"@article{{k2020x, author = {{{authors}}}, title = {{T}}, journal = {{J}}, year = {{2020}}}}")
    )
    assert formatted.text.startswith(
        "AuthorA A, AuthorB A, AuthorC A, AuthorD A, AuthorE A, AuthorF A, et al. T."
    )


def test_provenance_and_sort_key() -> None:
    formatted = format_entry(*entry(ARTICLE))
    assert formatted.cited_in == (
        ("lifeext-2023-zinc-bone", "9"),
        ("healthline-osteoporosis-supplements", "1"),
    )
    assert formatted.sort_key[0] == "clarke b"


def test_csl_json_keeps_identifiers_and_names() -> None:
    item = to_csl_json(*entry(ARTICLE))
    assert item["type"] == "article-journal"
    assert item["author"][0] == {"family": "Clarke", "given": "B."}
    assert item["title"] == "Normal bone anatomy and physiology of Vitamin D users"
    assert (item["DOI"], item["PMID"], item["PMCID"]) == ("10.2215/cjn.04151206", "18988698", "PMC3152283")
    assert item["issued"] == {"date-parts": [[2008]]}
    assert item["page"] == "S131-S139"


def test_and_others_becomes_et_al() -> None:
    formatted = format_entry(
        *entry(
            "@article{farsinejad2016dietary, author = {Farsinejad-Marj, M. and others}, title = {T}, journal = {J}, year = {2016}}"
        )
    )
    assert formatted.text.startswith("Farsinejad-Marj M, et al. T.")
    assert to_csl_json(*entry("@article{k2016x, author = {Doe, J. and others}, title = {T}}"))["author"] == [
        {"family": "Doe", "given": "J."}
    ]


def test_partly_verified_entries_carry_the_badge_only_for_editors() -> None:
    formatted = format_entry(
        *entry(
            "@article{smith2020zinc, author = {Smith, Ann}, title = {Zinc and bone}, journal = {Bone},"
            " year = {2020}, metadata-status = {partial}}"
        )
    )
    assert "partly verified" not in formatted.html
    assert "metadata partly verified" in formatted.flag_html


def test_identifiers_may_wrap_only_after_a_slash() -> None:
    formatted = format_entry(
        *entry(
            "@article{smith2021zinc, author = {Smith, Ann}, title = {Zinc}, journal = {Front Nutr},"
            " year = {2021}, doi = {10.3389/fnut.2021.728791}, pmcid = {PMC7287917}}"
        )
    )
    assert (
        '<span class="bng-ref__nb">10.3389/</span><wbr><span class="bng-ref__nb">fnut.2021.728791</span>'
        in formatted.html
    )
    assert '<span class="bng-ref__nb">PMC7287917</span></a>' in formatted.html
    assert "doi: 10.3389/fnut.2021.728791" in formatted.text


@pytest.mark.parametrize(
    ("numbers", "expected"),
    [
        ("year = {1995}, number = {320}, pages = {110--114}", "Clin Orthop. 1995;(320):110–114."),
        ("year = {2024}, pages = {1505926}", "Clin Orthop. 2024:1505926."),
        ("volume = {3}, number = {2}, pages = {10--20}", "Clin Orthop. 3(2):10–20."),
        ("pages = {10--20}", "Clin Orthop. 10–20."),
    ],
)
def test_journal_numbers_keep_nlm_punctuation_when_a_part_is_missing(numbers: str, expected: str) -> None:
    # NLM/ICMJE: an issue without a volume still follows the year's semicolon ("1995;(320):110-4");
    # without a year nothing may dangle before the volume or pages.
    formatted = format_entry(
        *entry(
            f"@article{{doe1995x, author = {{Doe, J}}, title = {{T}}, journal = {{Clin Orthop}}, {numbers}}}"
        )
    )
    assert formatted.text == f"Doe J. T. {expected}"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.example.edu/~smith/zinc.html",
        "https://example.org/zinc--bone/",
        "https://example.org/a\\_b",
    ],
)
def test_addresses_keep_tildes_and_double_hyphens(url: str) -> None:
    # In prose "~" is a no-break space and "--" an en dash; in an address or a DOI they are characters.
    formatted = format_entry(*entry(f"@misc{{smithndzinc, title = {{Zinc}}, url = {{{url}}}}}"))
    expected = url.replace("\\_", "_")
    hrefs = [attrs["href"] for tag, attrs in elements(formatted.html) if tag == "a"]
    assert hrefs == [expected]
    assert formatted.text.endswith(f"Available from: {expected}")
    doi = format_entry(*entry("@article{doe2001x, title = {T}, doi = {10.1002/x--y~z}}"))
    assert "doi: 10.1002/x--y~z" in doi.text


def test_book_shows_its_place_of_publication() -> None:
    # NLM/ICMJE: "Place: Publisher; Year." The place was in references.bib (address) but not shown.
    formatted = format_entry(
        *entry(
            "@book{iom2011dietary, author = {{Institute of Medicine}}, title = {Dietary Reference Intakes"
            " for Calcium and Vitamin D}, publisher = {The National Academies Press}, address = {Washington, DC},"
            " year = {2011}}"
        )
    )
    assert formatted.text == (
        "Institute of Medicine. Dietary Reference Intakes for Calcium and Vitamin D. "
        "Washington, DC: The National Academies Press; 2011."
    )
    assert to_csl_json(*entry("@book{k2011x, title = {T}, address = {Washington, DC}}"))[
        "publisher-place"
    ] == ("Washington, DC")


@pytest.mark.parametrize(
    ("title", "shown"),
    [("Zinc: Fact Sheet.", "Zinc: Fact Sheet [Internet]."), ("Is zinc safe?", "Is zinc safe? [Internet].")],
)
def test_web_page_medium_follows_the_title_without_doubled_punctuation(title: str, shown: str) -> None:
    formatted = format_entry(
        *entry(
            f"@online{{odsndzinc, organization = {{ODS}}, title = {{{title}}}, url = {{https://ods.od.nih.gov/}}}}"
        )
    )
    assert formatted.text.startswith(f"ODS. {shown} Available from:")


def test_chapter_names_the_editors_of_its_book() -> None:
    # NLM/ICMJE: "Author. Chapter. In: Editor, editor. Book. Place: Publisher; Year. p. pages."
    formatted = format_entry(
        *entry(
            "@incollection{doe2001chap, author = {Doe, Jane}, editor = {Roe, R. and Poe, P.}, title = {Chap},"
            " booktitle = {Book}, publisher = {P}, address = {London}, year = {2001}, pages = {1--9}}"
        )
    )
    assert formatted.text == "Doe J. Chap. In: Roe R, Poe P, editors. Book. London: P; 2001. p. 1–9."
    edited = format_entry(
        *entry("@book{roe2001book, editor = {Roe, R.}, title = {Book}, publisher = {P}, year = {2001}}")
    )
    assert edited.text == "Roe R, editor. Book. P; 2001."


def test_a_letter_is_named_after_its_title_as_citing_medicine_does() -> None:
    # NLM/ICMJE: "Tor M, Turker H. International approaches ... [letter]. Eur Respir J. 2002;20(1):242."
    letter = entry(
        "@article{tor2002intl, author = {Tor, M. and Turker, H.}, title = {International approaches.},"
        " type = {letter}, journal = {Eur Respir J}, year = {2002}, volume = {20}, number = {1}, pages = {242}}"
    )
    assert format_entry(*letter).text == (
        "Tor M, Turker H. International approaches [letter]. Eur Respir J. 2002;20(1):242."
    )
    assert to_csl_json(*letter)["genre"] == "letter"


def test_a_misc_entry_naming_a_journal_is_cited_as_an_article() -> None:
    """pmid31290343: its authors were never read, so the importer kept it @misc; it read
    "Title [Internet]. 2020. p. 2327–2341." with no journal at all."""
    item = entry(
        "@misc{pmid31290343, title = {Soy isoflavones prevent bone loss}, journal = {Crit Rev Food Sci Nutr},"
        " year = {2020}, volume = {60}, number = {14}, pages = {2327--2341},"
        " url = {https://pubmed.ncbi.nlm.nih.gov/31290343/}}"
    )
    assert format_entry(*item).text.startswith(
        "Soy isoflavones prevent bone loss. Crit Rev Food Sci Nutr. 2020;60(14):2327–2341."
    )
    assert format_entry(*item).kind == "article"
    assert to_csl_json(*item)["type"] == "article-journal"
