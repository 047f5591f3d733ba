"""Every page loads without a JavaScript error, a console error or a missing file.

Checked on the session's desktop crawl (site_crawl.py): listened to over each page's loads, after
scrolling to the end and waiting for the network to be idle.
"""

from __future__ import annotations

import pytest
from page_probes import Findings

pytestmark = pytest.mark.browser


def test_no_console_errors_on_any_page(desktop_crawl: Findings) -> None:
    failures = desktop_crawl.failures["console"]
    assert not failures, "\n".join(failures)
