"""One short PDF per nutrient page, for a clinic visit: key points, intake values and upper levels,
too little, safety and medicines, and the references those sections cite.

The pages are the site's own, built once and printed by Chromium with print media; a script keeps
the handout's sections and the references they cite (numbered as on the full page, so a reader can
follow a number from paper to screen).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from boneguide.export.browser import offline_page
from boneguide.export.pdf import PRINT_CSS, frontmatter_title, guide_metadata, write_pdf
from boneguide.export.variant import ExportError, build_variant
from boneguide.export.version import current_edition
from boneguide.site.downloads import HANDOUT_DIR

__all__ = ["HANDOUT_DIR", "Handout", "build_handouts"]
SECTIONS = ("Key points", "How much", "Too little", "Safety and interactions", "References")

KEEP_SECTIONS_JS = """({sections, heading, address}) => {
  const article = document.querySelector("article.md-content__inner");
  if (!article) return {error: "no article on the page"};
  let keep = true;  // the title and summary before the first h2
  for (const node of [...article.children]) {
    if (node.tagName === "H2") {
      const title = [...node.childNodes].filter((n) => !(n.classList && n.classList.contains("headerlink")))
        .map((n) => n.textContent).join("").trim();
      keep = sections.includes(title);
    }
    if (!keep) node.remove();
  }
  // The references the kept text cites, numbered as on the full page.
  const cited = new Set([...article.querySelectorAll("a[data-citation-key]")].map((a) => a.dataset.citationKey));
  for (const item of article.querySelectorAll("ol.bng-references > li[data-reference-key]")) {
    if (!cited.has(item.dataset.referenceKey)) item.remove();
  }
  article.querySelectorAll(".bng-ref__back, .md-source-file, .bng-handout-link, .bng-scroll-hint")
    .forEach((e) => e.remove());
  const note = document.createElement("p");
  note.className = "bng-handout-note";
  note.textContent = heading + " " + address;
  article.querySelector("h1").after(note);
  return {sections: [...article.querySelectorAll("h2")].map((h) => h.id)};
}"""


@dataclass(frozen=True)
class Handout:
    path: Path
    pages: int


def build_handouts(config_file: Path, output_dir: Path, *, strict: bool = True) -> list[Handout]:
    """Write build/handouts/<page>.pdf for every page under docs/nutrients/."""
    config_file = config_file.resolve()
    root = config_file.parent
    edition = current_edition(root)
    nutrients = sorted((root / "docs" / "nutrients").glob("*.md"))
    if not nutrients:
        raise ExportError(f"{root / 'docs' / 'nutrients'}: no nutrient pages to make handouts of")
    output_dir.mkdir(parents=True, exist_ok=True)
    # Author, keywords and edition are the guide's: read once, each handout sets its title and subject.
    guide = guide_metadata(config_file, edition)
    handouts = []
    with tempfile.TemporaryDirectory(prefix="bng-handouts-") as tmp:
        site = Path(tmp) / "site"
        config = build_variant(
            config_file,
            site,
            overrides=lambda raw: {
                "extra_css": [*raw.get("extra_css", []), PRINT_CSS],
                "use_directory_urls": True,
            },
            strict=strict,
        )
        site_url = config["site_url"] or ""
        with offline_page({"width": 794, "height": 1123}) as (page, _blocked):
            for source in nutrients:
                title = frontmatter_title(source) or source.stem
                html = site / "nutrients" / source.stem / "index.html"
                if not html.is_file():
                    raise ExportError(f"{source}: the build wrote no {html.relative_to(site)}")
                page.goto(html.as_uri(), wait_until="load")
                page.emulate_media(media="print", color_scheme="light")
                address = urljoin(site_url, f"nutrients/{source.stem}/") if site_url else ""
                report = page.evaluate(
                    KEEP_SECTIONS_JS,
                    {
                        "sections": list(SECTIONS),
                        "heading": f"Bone Nutrient Guide, edition {edition}. General information,"
                        " not medical advice. A short handout from the full page, which also has the"
                        " studies, food sources and supplement forms:",
                        "address": address,
                    },
                )
                if report.get("error"):
                    raise ExportError(f"{source}: {report['error']}")
                # print.css's @page rules set the size, margins, running head and page numbers.
                pdf = page.pdf(print_background=True, prefer_css_page_size=True, outline=True, tagged=True)
                metadata = {
                    **guide,
                    "/Title": f"{title}: handout — Bone Nutrient Guide",
                    "/Subject": f"{title} and bone health: key points, intake values and upper levels, safety and medicines",
                }
                path = output_dir / f"{source.stem}.pdf"
                handouts.append(Handout(path, write_pdf(path, pdf, metadata)))
    return handouts
