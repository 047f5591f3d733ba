"""Reading the guide tells nobody else: every request a page makes goes to the site's own host.

Checked on the session's desktop crawl (site_crawl.py): a guard on the whole context (the search web
worker's requests too) refuses and records any other host, over each page's loads, after scrolling to
the end, opening search and waiting for the network to be idle; then the page's connection hints.
"""

from __future__ import annotations

import pytest
from page_probes import Findings

pytestmark = pytest.mark.browser


def test_no_page_requests_another_host(desktop_crawl: Findings) -> None:
    failures = desktop_crawl.failures["privacy"]
    assert not failures, "\n".join(failures)
