"""``bng-downloads``: the whole-guide PDF and the per-nutrient handouts, wherever the site is built.

`make pdf` writes build/bone-nutrient-guide.pdf and build/handouts/<page>.pdf. This plugin copies
them into the built site (so the links work under `mkdocs serve` and in the deployed site alike)
and, for a file not built here, points its link at the published copy beside site_url rather than
at nothing. Each nutrient page gets a link to its handout under the title.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from mkdocs.config import base, config_options
from mkdocs.plugins import BasePlugin
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

HANDOUT_DIR = "handouts"
DOWNLOADS_MARKER = "<!-- bng:downloads -->"


class DownloadsConfig(base.Config):
    build_dir = config_options.Type(str, default="build")  # where `make pdf` writes


class DownloadsPlugin(BasePlugin[DownloadsConfig]):
    def on_config(self, config: Any) -> Any:
        self.built = Path(config["config_file_path"]).parent / self.config.build_dir
        self.site_url = config.get("site_url") or ""
        self.pdf_name = config["extra"].get("bng_pdf") or ""  # as mkdocs.yml names it
        if self.pdf_name and not (self.built / self.pdf_name).is_file() and self.site_url:
            config["extra"]["bng_pdf"] = urljoin(self.site_url, self.pdf_name)  # the published edition
        # `mkdocs serve` rebuilds when `make pdf` writes new files.
        if self.built.is_dir() and str(self.built) not in config["watch"]:
            config["watch"].append(str(self.built))
        return config

    def _handout_href(self, page: Page) -> str | None:
        stem = Path(page.file.src_uri).stem
        target = f"{HANDOUT_DIR}/{stem}.pdf"
        if (self.built / target).is_file():
            return get_relative_url(target, page.url or ".")
        return urljoin(self.site_url, target) if self.site_url else None

    def _downloads(self, page: Page, config: Any) -> str:
        """The home page's plain-view downloads: the whole guide as a PDF, and the offline copy."""
        items = []
        pdf = config["extra"].get("bng_pdf")
        if pdf:
            href = pdf if "://" in pdf else get_relative_url(pdf, page.url or ".")
            items.append(f'<a href="{href}" type="application/pdf" download>The whole guide as one PDF</a>')
        if config.get("repo_url"):
            releases = config["repo_url"].rstrip("/") + "/releases/latest"
            items.append(f'<a href="{releases}">an offline copy of the website (zip) with each release</a>')
        if not items:
            return ""
        return '<p class="bng-downloads"><strong>Read offline:</strong> ' + " · ".join(items) + ".</p>"

    def on_page_content(self, html: str, *, page: Page, config: Any, files: Any) -> str:
        if DOWNLOADS_MARKER in html:
            html = html.replace(DOWNLOADS_MARKER, self._downloads(page, config))
        if not page.meta.get("nutrient_id"):
            return html
        href = self._handout_href(page)
        end_of_title = html.find("</h1>")
        if href is None or end_of_title < 0:
            return html
        link = (
            '<p class="bng-handout-link">'
            f'<a href="{href}" type="application/pdf" download>Handout for a clinic visit (PDF)</a>: '
            "key points, intake values and upper levels, safety and medicines on a few printed pages.</p>"
        )
        at = end_of_title + len("</h1>")
        return html[:at] + "\n" + link + html[at:]

    def on_post_build(self, *, config: Any) -> None:
        site = Path(config["site_dir"])
        if self.pdf_name and (self.built / self.pdf_name).is_file():
            shutil.copyfile(self.built / self.pdf_name, site / self.pdf_name)
        handouts = self.built / HANDOUT_DIR
        if handouts.is_dir():
            (site / HANDOUT_DIR).mkdir(parents=True, exist_ok=True)
            for handout in handouts.glob("*.pdf"):
                shutil.copyfile(handout, site / HANDOUT_DIR / handout.name)
