"""Page weight: bytes of HTML, CSS, JavaScript and fonts a reader downloads for the first view of a page.

Measured from the browser's own network log (headless Debian Chromium, empty cache), with the site
served from 127.0.0.1 under its site_url path. Other requests (the search index, images, the
sitemap the theme prefetches) are listed separately and not counted in the total.

    python scripts/page_weight.py                      # builds the site, measures nutrients/zinc/
    python scripts/page_weight.py --site-dir site --page nutrients/calcium/ --json build/weight.json
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from boneguide.browser import launch_chromium, serve_directory, site_base_path

ROOT = Path(__file__).resolve().parent.parent

# Chromium resource types -> what the issue counts ("HTML+CSS+JS+fonts").
COUNTED = {"document": "html", "stylesheet": "css", "script": "js", "font": "font"}


def build(site_dir: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"page_weight: the strict build failed:\n{result.stdout}{result.stderr}")


def measure(site_dir: Path, page_path: str) -> dict:
    """Bytes per kind for the first view of `page_path`: body bytes as decoded and as sent."""
    from playwright.sync_api import sync_playwright

    per_kind: dict[str, dict[str, int]] = defaultdict(
        lambda: {"requests": 0, "body_bytes": 0, "transfer_bytes": 0, "gzip_bytes": 0}
    )
    files: list[dict] = []
    with serve_directory(site_dir, site_base_path(site_dir)) as base_url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            # The CDP network log gives the bytes on the wire per request (headers included).
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            transfer: dict[str, int] = {}
            cdp.on(
                "Network.loadingFinished",
                lambda event: transfer.__setitem__(event["requestId"], int(event["encodedDataLength"])),
            )
            request_ids: dict[str, str] = {}
            cdp.on(
                "Network.responseReceived",
                lambda event: request_ids.__setitem__(event["response"]["url"], event["requestId"]),
            )
            responses = []
            context.on("response", lambda item: responses.append(item))
            response = page.goto(base_url + page_path, wait_until="networkidle")
            if response is None or response.status != 200:
                raise SystemExit(f"page_weight: /{page_path} answered {response and response.status}")
            for item in responses:
                kind = COUNTED.get(item.request.resource_type, "other")
                try:
                    content = item.body()
                except Exception:  # redirects and aborted requests have no body
                    content = b""
                body = len(content)
                # What a host that compresses (GitHub Pages does) would send instead.
                per_kind[kind]["gzip_bytes"] += len(gzip.compress(content, compresslevel=6))
                wire = transfer.get(request_ids.get(item.url, ""), body)
                per_kind[kind]["requests"] += 1
                per_kind[kind]["body_bytes"] += body
                per_kind[kind]["transfer_bytes"] += wire
                files.append({"kind": kind, "url": item.url.removeprefix(base_url), "body_bytes": body})
        finally:
            browser.close()
    counted = [k for k in per_kind if k != "other"]
    return {
        "page": page_path,
        "total_body_bytes": sum(per_kind[k]["body_bytes"] for k in counted),
        "total_transfer_bytes": sum(per_kind[k]["transfer_bytes"] for k in counted),
        "total_gzip_bytes": sum(per_kind[k]["gzip_bytes"] for k in counted),
        "by_kind": dict(per_kind),
        "files": sorted(files, key=lambda f: -f["body_bytes"]),
        "note": "body bytes as served uncompressed; gzip_bytes: the same files gzip-compressed (level 6)",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site-dir", type=Path, help="an already built site (default: build one now)")
    parser.add_argument(
        "--page", default="nutrients/zinc/", help="page path under the site (default: %(default)s)"
    )
    parser.add_argument("--json", type=Path, help="also write the measurement as JSON here")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bng-weight-") as temporary:
        site_dir = args.site_dir
        if site_dir is None:
            site_dir = Path(temporary) / "site"
            build(site_dir)
        if not (site_dir / "index.html").is_file():
            print(f"page_weight: {site_dir} is not a built site (no index.html)", file=sys.stderr)
            return 2
        result = measure(site_dir, args.page.lstrip("/"))

    print(f"First view of /{result['page']} (empty cache):")
    for kind in ("html", "css", "js", "font", "other"):
        if kind in result["by_kind"]:
            row = result["by_kind"][kind]
            print(
                f"  {kind:<6} {row['requests']:>3} requests {row['body_bytes']:>10,} bytes"
                f" ({row['gzip_bytes']:>8,} gzipped)"
            )
    total, zipped = result["total_body_bytes"], result["total_gzip_bytes"]
    print(
        f"  HTML+CSS+JS+fonts: {total:,} bytes ({total / 1024:.0f} KiB); gzipped {zipped:,} ({zipped / 1024:.0f} KiB)"
    )
    print("  largest files:")
    for item in result["files"][:6]:
        print(f"    {item['body_bytes']:>9,}  {item['kind']:<5} {item['url']}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
