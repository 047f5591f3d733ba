"""bng-downloads: the PDF and the nutrient handouts reach the built site (and so `mkdocs serve`),
or their links point at the published copies; the home page shows the downloads in plain view."""

from __future__ import annotations

import os
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config


def project(folder: Path, *, with_exports: bool) -> Path:
    (folder / "docs" / "nutrients").mkdir(parents=True)
    (folder / "docs" / "index.md").write_text("# Home\n\n<!-- bng:downloads -->\n", encoding="utf-8")
    (folder / "docs" / "nutrients" / "zinc.md").write_text(
        "---\nnutrient_id: zinc\n---\n\n# Zinc\n\nText.\n", encoding="utf-8"
    )
    config = folder / "mkdocs.yml"
    config.write_text(
        "site_name: Fixture\nsite_url: https://example.org/guide/\n"
        "repo_url: https://github.com/example/guide\n"
        "extra: {bng_pdf: guide.pdf}\nplugins: [bng-downloads]\n",
        encoding="utf-8",
    )
    if with_exports:
        (folder / "build" / "handouts").mkdir(parents=True)
        (folder / "build" / "guide.pdf").write_bytes(b"%PDF-1.7 whole guide")
        (folder / "build" / "handouts" / "zinc.pdf").write_bytes(b"%PDF-1.7 zinc handout")
    return config


def built(config_file: Path) -> tuple[Path, dict]:
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    config = load_config(str(config_file), site_dir=str(config_file.parent / "site"))
    build(config)
    return Path(config["site_dir"]), config


def test_files_made_by_make_pdf_are_copied_in_and_linked_relatively(tmp_path: Path) -> None:
    site, config = built(project(tmp_path, with_exports=True))
    assert (site / "guide.pdf").read_bytes() == b"%PDF-1.7 whole guide"
    assert (site / "handouts" / "zinc.pdf").read_bytes() == b"%PDF-1.7 zinc handout"
    zinc = (site / "nutrients" / "zinc" / "index.html").read_text(encoding="utf-8")
    assert (
        '<a href="../../handouts/zinc.pdf" type="application/pdf" download>Handout for a clinic visit' in zinc
    )
    assert zinc.index("</h1>") < zinc.index("bng-handout-link")  # right under the title
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<a href="guide.pdf" type="application/pdf" download>The whole guide as one PDF</a>' in home
    assert 'href="https://github.com/example/guide/releases/latest"' in home
    assert config["extra"]["bng_pdf"] == "guide.pdf"


def test_without_make_pdf_the_links_go_to_the_published_copies_not_nowhere(tmp_path: Path) -> None:
    site, config = built(project(tmp_path, with_exports=False))
    assert not (site / "guide.pdf").exists()
    assert config["extra"]["bng_pdf"] == "https://example.org/guide/guide.pdf"
    zinc = (site / "nutrients" / "zinc" / "index.html").read_text(encoding="utf-8")
    assert 'href="https://example.org/guide/handouts/zinc.pdf"' in zinc
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="https://example.org/guide/guide.pdf"' in home
    assert "bng:downloads" not in home


def test_pages_that_are_not_nutrient_pages_get_no_handout_link(tmp_path: Path) -> None:
    site, _ = built(project(tmp_path, with_exports=True))
    assert "bng-handout-link" not in (site / "index.html").read_text(encoding="utf-8")


def test_the_checker_accepts_links_to_exports_not_built_here(tmp_path: Path) -> None:
    """A fresh clone has no build/: the links go to the published copies, which are not dead links."""
    from checkproject import TODAY
    from checkproject import project as check_project

    from boneguide.checks import Options, run

    config = check_project(tmp_path, None)
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace(
            "plugins:\n", "extra: {bng_pdf: bone-nutrient-guide.pdf}\nplugins:\n  - bng-downloads\n"
        ),
        encoding="utf-8",
    )
    (config.parent / "docs" / "index.md").write_text("# Home\n\n<!-- bng:downloads -->\n", encoding="utf-8")
    findings = run(Options(config, today=TODAY)).findings
    assert not (config.parent / "build" / "handouts").exists()
    assert [f for f in findings if f.code.startswith("link")] == []
    site_pages = (config.parent / "docs" / "nutrients" / "zinc.md").read_text(encoding="utf-8")
    assert "nutrient_id" in site_pages  # the fixture page does get a handout link to check
