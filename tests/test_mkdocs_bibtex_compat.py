"""The pages stay buildable with stock mkdocs-bibtex 4.4.0: the design promises that our citation
plugin can be swapped back for it, so the site is built with it and every citation must resolve."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
from sitebuild import build_site

from boneguide import frontmatter
from boneguide.citesyntax import find_citations

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from bench import variant_config  # the benchmark's "stock" variant: the same swap, one definition

ROOT = Path(__file__).resolve().parent.parent


def cited_keys(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    keys = {key for citation in find_citations(text) for key in citation.keys}
    if path.parent.name == "nutrients":  # generated tables carry the keys their data names
        keys |= frontmatter.data_keys(frontmatter.validate_nutrient_page(path, text))
    return keys


@pytest.mark.slow
def test_the_site_builds_strictly_with_stock_mkdocs_bibtex_and_every_citation_resolves(
    tmp_path: Path,
) -> None:
    # Beside mkdocs.yml, so that every relative path in it means the same; removed afterwards.
    config = ROOT / f".mkdocs-bibtex-compat-{os.getpid()}.yml"
    config.write_text(variant_config((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), "stock", None))
    try:
        result = build_site(config, tmp_path / "site")
    finally:
        config.unlink()
    assert result.returncode == 0, result.stderr[-3000:]
    problems = []
    for page in [
        *sorted((ROOT / "docs" / "nutrients").glob("*.md")),
        ROOT / "docs" / "overview" / "evidence.md",
    ]:
        html = (
            tmp_path / "site" / page.parent.relative_to(ROOT / "docs") / page.stem / "index.html"
        ).read_text(encoding="utf-8")
        article = html.split("<article", 1)[1]
        if "[@" in re.sub(r"<code>.*?</code>", "", article, flags=re.S):
            problems.append(f"{page.name}: a citation was left as text")
        missing = sorted(key for key in cited_keys(page) if f'id="fn:{key}"' not in html)
        if missing:
            problems.append(f"{page.name}: no footnote for {missing}")
    assert not problems, "\n".join(problems)
