"""scripts/new_page.py: a page from the template, valid front matter, nav entry, no overwrite."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from boneguide import frontmatter
from boneguide.scaffold import render_page

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import new_page  # noqa: E402

CONFIG = """\
site_name: T
nav:
  - Home: index.md
  - Nutrients:
      - Zinc: nutrients/zinc.md
      # - Calcium: nutrients/calcium.md
  - Reference:
      - About: about.md
"""


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "mkdocs.yml").write_text(CONFIG)
    (tmp_path / "docs" / "nutrients").mkdir(parents=True)
    (tmp_path / "docs" / "nutrients" / "zinc.md").write_text("# Zinc\n")
    return tmp_path


def test_creates_a_valid_page_and_nav_entry(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert new_page.main(["Vitamin B12", "--kind", "vitamin", "--root", str(project)]) == 0

    page = project / "docs" / "nutrients" / "vitamin-b12.md"
    data = frontmatter.validate_nutrient_page(page)
    assert data["nutrient_id"] == "vitamin-b12" and data["kind"] == "vitamin"
    body = page.read_text()
    headings = [line for line in body.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Key points",
        "## What it does in bone",
        "## What studies in people show",
        "## How much",
        "## Too little",
        "## Food sources",
        "## Supplement forms",
        "## Safety and interactions",
        "## Where authorities and studies disagree",
        "## References",
    ]
    assert "<!-- bng:intake-table -->" in body
    config = (project / "mkdocs.yml").read_text()
    assert "      - Zinc: nutrients/zinc.md\n      - Vitamin B12: nutrients/vitamin-b12.md\n" in config
    assert "# - Calcium: nutrients/calcium.md" in config, "comments in mkdocs.yml must survive"
    assert "created docs/nutrients/vitamin-b12.md" in capsys.readouterr().out


def test_refuses_to_overwrite(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (project / "mkdocs.yml").read_text()
    assert new_page.main(["Zinc", "--root", str(project)]) == 2
    assert "docs/nutrients/zinc.md already exists" in capsys.readouterr().err
    assert (project / "docs" / "nutrients" / "zinc.md").read_text() == "# Zinc\n"
    assert (project / "mkdocs.yml").read_text() == before


def test_rejects_a_name_without_letters(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert new_page.main(["123", "--root", str(project)]) == 2
    assert "start with a letter" in capsys.readouterr().err


def test_template_date_is_today_and_schema_valid(tmp_path: Path) -> None:
    text = render_page("Iodine", "trace-element", dt.date(2026, 1, 2))
    data = frontmatter.validate_nutrient_page(tmp_path / "iodine.md", text)
    assert data["last_reviewed"] == "2026-01-02"
    assert data["title"] == "Iodine"


@pytest.mark.parametrize("name", ["Omega-3: fish oil", "No", "Zinc #2", 'Vitamin "K" [menaquinone]'])
def test_names_with_yaml_syntax_make_a_valid_page_and_nav(
    project: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    import yaml

    assert new_page.main([name, "--root", str(project)]) == 0, capsys.readouterr().err
    created = capsys.readouterr().out.split()[1]
    data = frontmatter.validate_nutrient_page(project / created)
    assert data["title"] == name
    nav = yaml.safe_load((project / "mkdocs.yml").read_text())["nav"][1]["Nutrients"]
    assert nav[-1] == {name: created.removeprefix("docs/")}


def test_a_name_the_page_cannot_take_names_the_input_not_a_missing_file(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (project / "mkdocs.yml").read_text()
    assert new_page.main(["Q", "--root", str(project)]) == 2  # a title needs 2 characters
    err = capsys.readouterr().err
    assert "cannot make a page for 'Q'" in err and "(nothing written)" in err
    assert ".md:" not in err
    assert new_page.main(["Zinc" + "x" * 400, "--root", str(project)]) == 2
    assert "at most 100; use a shorter name" in capsys.readouterr().err
    assert (project / "mkdocs.yml").read_text() == before
    assert not (project / "docs" / "nutrients" / "q.md").exists()


def test_ctrl_c_prints_one_line_and_exits_130(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object) -> Path:
        raise KeyboardInterrupt

    monkeypatch.setattr(new_page, "create_nutrient_page", interrupted)
    assert new_page.main(["Boron", "--root", str(project)]) == 130
    assert capsys.readouterr().err == "new_page: interrupted\n"
