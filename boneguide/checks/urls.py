"""URL syntax, the same rule for the bibliography, page links and the online check."""

from __future__ import annotations

import functools
import re
from urllib.parse import urlsplit

_SECOND_SCHEME = re.compile(r"(?<![=/%])(?:https?|ftp)://", re.IGNORECASE)
_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9\-.]*[A-Za-z0-9])?(?::\d+)?$")


@functools.lru_cache(maxsize=1 << 16)  # the same DOI links recur in every citing page's reference list
def url_problem(url: str) -> str | None:
    """Why ``url`` is not a usable web address, or None. The message completes "url 'x' ..."."""
    if not url:
        return "is empty"
    if re.search(r"\s", url):
        return "contains white space"
    if _SECOND_SCHEME.search(url, 1):
        return "looks like two URLs run together"
    try:
        parts = urlsplit(url)
    except ValueError as error:
        return f"cannot be parsed ({error})"
    if parts.scheme.lower() not in ("http", "https"):
        return f"has the scheme '{parts.scheme or '(none)'}', not http or https"
    host = parts.netloc.rsplit("@", 1)[-1]  # an empty host does not match _HOST
    name = host.split(":")[0]
    if not _HOST.match(host) or ("." not in name and name != "localhost"):
        return f"has no valid host name ('{parts.netloc}')"
    return None
