"""Benchmarks (`make bench`; not part of the tests): what editors and CI wait for.

Prints Markdown tables (each time the median of --runs runs, variants interleaved so that load on
a shared machine hits them alike) and writes the same figures as JSON to build/bench/ so that
successive runs can be compared. Measures, on a snapshot of this repository copied to a temp dir:

* the strict build with our citation plugin (bng-citations), the same pages with the citation
  plugin removed, and with the stock mkdocs-bibtex plugin ("before"), and their ratios (the
  median of the ratios within each round of back-to-back builds; every run is in the JSON), and
  beside each ratio the share of the build its citation plugin's handlers took
  (boneguide.plugin_timing: one build, so steadier than a ratio of two on a busy machine);
* the rebuild in `mkdocs serve` after editing one page;
* the offline checker (its first run without build/check-cache, then the median with it, and with
  --serial: one process; then after `mkdocs build`, reading the site that build left), the PDF build, the size of the site, of search/search_index.json and the
  first-view bytes of a nutrient page (its HTML plus the CSS and JS it loads);

and the same builds on synthetic projects the benchmark generates (--pages x --entries, each page
citing 10 keys, with the site's own theme features), to show how the cost grows with pages and
with the size of the bibliography; the checker runs on the largest.

    python scripts/bench.py                        # everything (about an hour on 2 cores)
    python scripts/bench.py --runs 1 --pages 50,200 --entries 200,2000 --skip-pdf   # quick look
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
VARIANTS = ("none", "stock", "ours", "ours-serial", "ours-warm")
VARIANT_LABELS = {
    "none": "no citation plugin",
    "stock": "mkdocs-bibtex 4.4.0 (before)",
    "ours": "bng-citations, cold",
    # The same without its worker process: whether that concurrency pays is read off this column.
    "ours-serial": "bng-citations, cold, one process",
    "ours-warm": "bng-citations, warm disk cache",
}
COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "site", "build", "__pycache__", ".pytest_cache", ".ruff_cache"
)
CITES_PER_PAGE = 10
STOCK_BLOCK = (
    "  - bibtex:\n"
    "      bib_file: references.bib\n"
    "      enable_inline_citations: false\n"
    '      footnote_format: "{key}"\n'
)


def env() -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3) if values else float("nan")


def timed(command: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env(), capture_output=True, text=True, check=False)
    return time.perf_counter() - start, result


def build(config: Path, site_dir: Path) -> tuple[float, dict]:
    """Wall seconds of a strict build as `mkdocs build` makes it, and its handlers' times (plugin_timing)."""
    shutil.rmtree(site_dir, ignore_errors=True)
    seconds, result = timed(
        [PYTHON, "-m", "boneguide.plugin_timing", "--strict", "-f", str(config), "-d", str(site_dir)],
        config.parent,
    )
    if result.returncode != 0:
        tail = "\n".join((result.stderr or result.stdout).splitlines()[-15:])
        raise RuntimeError(f"build of {config} failed:\n{tail}")
    return seconds, json.loads(result.stdout)


# --- configurations -----------------------------------------------------------------------------

_PLUGIN_BLOCK = re.compile(r"^  - (?:bng-citations|bibtex)\b[^\n]*\n(?:^ {4,}[^\n]*\n|^[ \t]*\n)*", re.M)


def variant_config(base_text: str, variant: str, cache_dir: Path | None) -> str:
    """The project's mkdocs.yml with its citation plugin replaced (or removed) for one variant."""
    if not _PLUGIN_BLOCK.search(base_text):
        raise RuntimeError("mkdocs.yml has no bng-citations or bibtex plugin block to swap")
    if variant == "none":
        block = ""
    elif variant == "stock":
        block = STOCK_BLOCK
    else:
        block = "  - bng-citations:\n      bib_file: references.bib\n"
        if variant == "ours-warm" and cache_dir is not None:
            block += f"      cache_dir: {cache_dir}\n"
        if variant == "ours-serial":
            block += "      parallel: false\n"
    return _PLUGIN_BLOCK.sub(lambda _m: block, base_text, count=1)


def write_variants(project: Path, variants: tuple[str, ...], cache_dir: Path) -> dict[str, Path]:
    base_text = (project / "mkdocs.yml").read_text(encoding="utf-8")
    configs = {}
    for variant in variants:
        path = project / f"mkdocs.bench-{variant}.yml"  # beside mkdocs.yml: relative paths stay valid
        path.write_text(variant_config(base_text, variant, cache_dir), encoding="utf-8")
        configs[variant] = path
    return configs


def compare_builds(project: Path, variants: tuple[str, ...], runs: int, work: Path) -> dict[str, object]:
    """Median seconds per variant; each ratio is the median of the ratios within one round.

    A round builds every variant back to back, so a ratio compares builds made under the same
    load; on a shared machine whose speed drifts by a third over minutes, a ratio of medians
    taken from different moments is much noisier. Every run is kept in the JSON.
    """
    cache_dir = work / "citation-cache"
    configs = write_variants(project, variants, cache_dir)
    if "ours-warm" in configs:
        build(configs["ours-warm"], work / "prime")  # fills the disk cache; not timed
    times: dict[str, list[float]] = {v: [] for v in variants}
    shares: dict[str, list[float]] = {v: [] for v in variants if v != "none"}
    for run in range(runs):
        order = list(variants) if run % 2 == 0 else list(reversed(variants))
        for variant in order:
            seconds, timing = build(configs[variant], work / f"site-{variant}")
            times[variant].append(seconds)
            if variant in shares:
                plugin = "bibtex" if variant == "stock" else "bng-citations"  # as variant_config swaps it in
                handlers = timing["plugins"].get(plugin, {}).get("seconds", 0.0)
                shares[variant].append(timing["build_seconds"] / (timing["build_seconds"] - handlers))
    result: dict[str, object] = {variant: median(values) for variant, values in times.items()}
    result["ratios"] = {
        v: median([t / base for t, base in zip(times[v], times["none"], strict=True)])
        for v in variants
        if v != "none"
    }
    # The same build without its citation plugin's handlers' time: steady where the ratio is noisy.
    result["handler_ratios"] = {v: median(values) for v, values in shares.items()}
    result["runs"] = {v: [round(t, 3) for t in values] for v, values in times.items()}
    return result


# --- the real site ------------------------------------------------------------------------------


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def first_view_bytes(site: Path, page: Path) -> dict[str, int]:
    """A page's HTML plus the local stylesheets and scripts it loads (raw and gzip)."""
    html = page.read_text(encoding="utf-8")
    assets = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html)
    assets += re.findall(r'<script[^>]+src="([^"]+)"', html)
    raw = len(page.read_bytes())
    zipped = len(gzip.compress(page.read_bytes()))
    for href in assets:
        if "://" in href:
            continue
        target = (page.parent / href.split("?")[0]).resolve()
        if target.is_file() and site.resolve() in target.parents:
            data = target.read_bytes()
            raw += len(data)
            zipped += len(gzip.compress(data))
    return {"raw": raw, "gzip": zipped, "files": 1 + len(assets)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_rebuilds(project: Path, config: Path, page: Path, runs: int) -> dict[str, float]:
    """Seconds from saving a page to `mkdocs serve` reloading browsers, and mkdocs' own build time."""
    port = free_port()
    process = subprocess.Popen(
        [PYTHON, "-m", "mkdocs", "serve", "-f", str(config), "-a", f"127.0.0.1:{port}"],
        cwd=project,
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert process.stderr is not None
    latencies, builds = [], []

    def wait_for(pattern: str, timeout: float = 300) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = process.stderr.readline()
            if not line:
                if process.poll() is not None:
                    raise RuntimeError(f"mkdocs serve exited with {process.returncode}")
                continue
            match = re.search(pattern, line)
            if match:
                return match
        raise RuntimeError(f"mkdocs serve: no '{pattern}' within {timeout} s")

    try:
        wait_for(r"Serving on")
        original = page.read_text(encoding="utf-8")
        for run in range(runs):
            time.sleep(1.0)
            page.write_text(original + f"\n\nBenchmark edit {run}.\n", encoding="utf-8")
            start = time.perf_counter()
            built = wait_for(r"Documentation built in ([\d.]+) seconds")
            wait_for(r"Reloading browsers")
            latencies.append(time.perf_counter() - start)
            builds.append(float(built.group(1)))
        page.write_text(original, encoding="utf-8")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    return {"save_to_reload_s": median(latencies), "rebuild_s": median(builds)}


def time_command(command: list[str], cwd: Path, runs: int) -> dict[str, object]:
    times, codes = [], set()
    for _ in range(runs):
        seconds, result = timed(command, cwd)
        times.append(seconds)
        codes.add(result.returncode)
    return {"seconds": median(times), "exit_codes": sorted(codes), "runs": [round(t, 3) for t in times]}


def time_checker(project: Path, runs: int) -> dict[str, object]:
    """The checker building its own site: without its cache (first run), then with it (median of the
    other runs), then --serial; then after `mkdocs build`, reading the site that build left."""
    shutil.rmtree(project / "build" / "check-cache", ignore_errors=True)
    (project / "build" / "check-record.json").unlink(missing_ok=True)
    command = [PYTHON, str(ROOT / "scripts" / "check.py"), "-f", "mkdocs.yml"]
    cold = time_command(command, project, 1)
    warm = time_command(command, project, max(runs - 1, 1))
    serial = time_command([*command, "--serial"], project, max(runs - 1, 1))
    built = time_command([PYTHON, "-m", "mkdocs", "build", "--strict", "-q"], project, 1)
    if not (project / "build" / "check-record.json").is_file():
        raise RuntimeError(f"mkdocs build of {project} left no build/check-record.json")
    reused = time_command(command, project, max(runs - 1, 1))
    return {
        "seconds": warm["seconds"],
        "cold_seconds": cold["seconds"],
        "serial_seconds": serial["seconds"],
        "after_build_seconds": reused["seconds"],
        "build_seconds": built["seconds"],
        "exit_codes": sorted(set().union(*(c["exit_codes"] for c in (cold, warm, serial, reused, built)))),
        "runs": cold["runs"] + warm["runs"],
        "serial_runs": serial["runs"],
        "after_build_runs": reused["runs"],
    }


def bench_site(args: argparse.Namespace, work: Path) -> dict[str, object]:
    project = work / "project"
    shutil.copytree(ROOT, project, ignore=COPY_IGNORE)  # a snapshot: others' edits cannot skew runs
    results: dict[str, object] = {"builds": compare_builds(project, args.variants, args.runs, work)}
    site = work / "site-ours"
    if not site.is_dir():  # 'ours' was not among the variants compared: its config is not written yet
        build(write_variants(project, ("ours",), work)["ours"], site)
    nutrient_pages = sorted((site / "nutrients").glob("*/index.html"))
    results["size"] = {
        "site_bytes": dir_size(site),
        "search_index_bytes": (site / "search" / "search_index.json").stat().st_size,
        "pages": len(list(site.rglob("*.html"))),
    }
    if nutrient_pages:
        page = nutrient_pages[0]
        results["size"]["first_view"] = {
            "page": str(page.parent.relative_to(site)),
            **first_view_bytes(site, page),
        }
    docs_page = min((project / "docs" / "nutrients").glob("*.md"), default=project / "docs" / "index.md")
    if not args.skip_serve:
        results["serve"] = {
            "page": str(docs_page.relative_to(project)),
            **serve_rebuilds(project, project / "mkdocs.yml", docs_page, args.runs),
        }
    results["checker"] = time_checker(project, args.runs)
    if not args.skip_pdf:
        pdf = work / "bench.pdf"
        results["pdf"] = time_command(
            [PYTHON, "scripts/build_pdf.py", "-o", str(pdf)], project, args.pdf_runs
        )
        if pdf.is_file():
            results["pdf"]["bytes"] = pdf.stat().st_size
    return results


# --- synthetic projects -------------------------------------------------------------------------

# The synthetic projects use the site's own theme features (read from mkdocs.yml), so that the
# benchmark measures the navigation the guide really renders; the rest is the minimum to build.
SYNTHETIC_CONFIG = """\
site_name: Synthetic benchmark
site_url: https://example.org/bench/
strict: true
theme:
  name: material
  font: false
  features: {features}
plugins:
  - search
  - bng-citations:
      bib_file: references.bib
  - bng-check-record
markdown_extensions:
  - attr_list
  - md_in_html
  - tables
  - footnotes
  - toc:
      permalink: true
"""
# Features that need the site's repository settings or templates the synthetic project lacks.
SYNTHETIC_SKIPPED_FEATURES = {"content.action.edit", "content.action.view"}


def site_theme_features(config_file: Path = ROOT / "mkdocs.yml") -> list[str]:
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    features = (config.get("theme") or {}).get("features") or []
    return [f for f in features if f not in SYNTHETIC_SKIPPED_FEATURES]


WORDS = [
    "bone",
    "mineral",
    "density",
    "calcium",
    "zinc",
    "vitamin",
    "osteoblast",
    "osteoclast",
    "fracture",
    "trial",
    "cohort",
    "dose",
    "serum",
    "intake",
    "supplement",
    "women",
    "men",
    "older",
    "adults",
    "risk",
    "collagen",
    "matrix",
    "remodelling",
    "absorption",
]
FAMILIES = [
    "Smith",
    "Jones",
    "Garcia",
    "Chen",
    "Nguyen",
    "Müller",
    "Rossi",
    "Tanaka",
    "Okafor",
    "Silva",
    "Novak",
    "Kowalski",
    "Dubois",
]


def synthetic_bib(entries: int, rng: random.Random) -> str:
    chunks = []
    for index in range(entries):
        authors = " and ".join(
            f"{rng.choice(FAMILIES)}, {chr(65 + rng.randrange(26))}. {chr(65 + rng.randrange(26))}."
            for _ in range(rng.randint(1, 8))
        )
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).capitalize()
        chunks.append(
            f"@article{{bench2020e{index},\n  author = {{{authors}}},\n  title = {{{title} in {{DNA}} studies}},\n"
            f"  journal = {{Journal of {rng.choice(WORDS).capitalize()} Research}},\n  year = {{{rng.randint(1990, 2025)}}},\n"
            f"  volume = {{{rng.randint(1, 80)}}},\n  number = {{{rng.randint(1, 12)}}},\n"
            f"  pages = {{{(p := rng.randint(1, 900))}--{p + rng.randint(3, 20)}}},\n  doi = {{10.1000/bench.{index}}},\n"
            f"  pmid = {{{30000000 + index}}},\n  cited-in = {{lifeext-2023-zinc-bone:{index % 30 + 1}}}\n}}\n"
        )
    return "\n".join(chunks)


def synthetic_page(number: int, keys: list[str], rng: random.Random) -> str:
    lines = [f"# Topic {number}", ""]
    for section in range(5):
        lines += [f"## Section {section + 1}", ""]
        for paragraph in range(2):
            cited = keys[(section * 2 + paragraph) % len(keys)]
            sentence = " ".join(rng.choice(WORDS) for _ in range(40)).capitalize()
            lines += [f"{sentence} [@{cited}].", ""]
    lines += ["## References", "", "\\bibliography", ""]
    return "\n".join(lines)


def make_synthetic(project: Path, pages: int, entries: int) -> None:
    rng = random.Random(pages * 100003 + entries)
    docs = project / "docs"
    docs.mkdir(parents=True)
    (project / "references.bib").write_text(synthetic_bib(entries, rng), encoding="utf-8")
    nav = ["nav:", "  - Home: index.md"]
    (docs / "index.md").write_text(
        "# Synthetic benchmark\n\nPages citing a generated bibliography.\n", encoding="utf-8"
    )
    for number in range(pages):
        section = number // 50
        if number % 50 == 0:
            nav.append(f"  - Part {section + 1}:")
        keys = [f"bench2020e{rng.randrange(entries)}" for _ in range(CITES_PER_PAGE)]
        (docs / f"part{section}").mkdir(exist_ok=True)
        (docs / f"part{section}" / f"topic{number}.md").write_text(
            synthetic_page(number, keys, rng), encoding="utf-8"
        )
        nav.append(f"      - Topic {number}: part{section}/topic{number}.md")
    (docs / "bibliography.md").write_text("# Bibliography\n\n<!-- bng:bibliography -->\n", encoding="utf-8")
    nav.append("  - Bibliography: bibliography.md")
    config = SYNTHETIC_CONFIG.format(features=json.dumps(site_theme_features()))
    (project / "mkdocs.yml").write_text(config + "\n".join(nav) + "\n", encoding="utf-8")


def bench_synthetic(
    args: argparse.Namespace, work: Path, report: Callable[[dict], None]
) -> list[dict[str, object]]:
    rows = []
    for pages in args.pages:
        for entries in args.entries:
            project = work / f"synthetic-{pages}-{entries}"
            make_synthetic(project, pages, entries)
            row: dict[str, object] = {"pages": pages, "entries": entries}
            runs = args.synthetic_runs or args.runs
            row["builds"] = compare_builds(project, args.variants, runs, project / "out")
            if not args.skip_checker and pages == max(args.pages) and entries == max(args.entries):
                row["checker"] = time_checker(project, runs)
            rows.append(row)
            report(row)
            shutil.rmtree(project, ignore_errors=True)
    return rows


# --- report ---------------------------------------------------------------------------------------


def build_table(rows: list[tuple[str, dict[str, object]]], variants: tuple[str, ...]) -> str:
    """Seconds per variant, the paired ratios to "none", and each plugin's handlers' share (TABLE_NOTE)."""
    others = [v for v in variants if v != "none"]
    head = ["project"] + [f"{VARIANT_LABELS[v]} (s)" for v in variants]
    head += [f"ratio {v}" for v in others] + [f"handlers {v}" for v in others]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, builds in rows:
        cells = [name] + [f"{builds.get(v, float('nan')):.2f}" for v in variants]
        # compare_builds gives both kinds of ratio for every variant but "none"
        cells += [f"{builds[kind][v]:.2f}×" for kind in ("ratios", "handler_ratios") for v in others]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


TABLE_NOTE = (
    "ratio: the build with that plugin over the build without it, the median of back-to-back pairs. "
    "handlers: the build over the same build less its citation plugin's event handlers "
    "(boneguide.plugin_timing), steady on a noisy machine but blind to costs outside the handlers."
)


def checker_summary(times: dict[str, object]) -> str:
    return (
        f"{times['cold_seconds']:.2f} s first run, {times['seconds']:.2f} s with its cache, "
        f"{times['serial_seconds']:.2f} s with --serial, "
        f"{times['after_build_seconds']:.2f} s after mkdocs build (reading its site; the build "
        f"{times['build_seconds']:.2f} s) (exit {times['exit_codes']})"
    )


def machine() -> dict[str, object]:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return {
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": commit.stdout.strip(),
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def print_site(site: dict[str, object], variants: tuple[str, ...]) -> None:
    print("\n## This repository\n")
    print(build_table([("this site", site["builds"])], variants))
    print(f"\n{TABLE_NOTE}")
    rows = []
    if "serve" in site:
        s = site["serve"]
        rows.append(
            f"| `mkdocs serve`: save {s['page']} -> browsers reloaded | {s['save_to_reload_s']:.2f} s (build {s['rebuild_s']:.2f} s) |"
        )
    if "checker" in site:
        rows.append(f"| offline checker (scripts/check.py) | {checker_summary(site['checker'])} |")
    if "pdf" in site:
        rows.append(
            f"| PDF build (scripts/build_pdf.py) | {site['pdf']['seconds']:.2f} s (exit {site['pdf']['exit_codes']}) |"
        )
    size = site["size"]
    rows.append(f"| built site | {size['site_bytes'] / 1e6:.2f} MB, {size['pages']} HTML pages |")
    rows.append(f"| search/search_index.json | {size['search_index_bytes'] / 1e3:.0f} kB |")
    if "first_view" in size:
        fv = size["first_view"]
        rows.append(
            f"| first view of {fv['page']} (HTML+CSS+JS, {fv['files']} files) | {fv['raw'] / 1e3:.0f} kB raw, {fv['gzip'] / 1e3:.0f} kB gzip |"
        )
    print("\n| measure | value |\n|---|---|")
    print("\n".join(rows))


def parse_list(text: str) -> list[int]:
    return [int(x.replace("_", "")) for x in text.split(",") if x.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--runs", type=int, default=3, help="runs per figure; the median is reported (default 3)"
    )
    parser.add_argument("--synthetic-runs", type=int, help="runs per synthetic figure (default: --runs)")
    parser.add_argument(
        "--pdf-runs", type=int, default=1, help="runs of the PDF build (default 1: it is slow)"
    )
    parser.add_argument(
        "--pages",
        type=parse_list,
        default=[50, 200, 1000],
        help="synthetic page counts (default 50,200,1000)",
    )
    parser.add_argument(
        "--entries",
        type=parse_list,
        default=[200, 2000, 10000],
        help="synthetic bib sizes (default 200,2000,10000)",
    )
    parser.add_argument(
        "--variants",
        type=lambda s: tuple(s.split(",")),
        default=VARIANTS,
        help=f"subset of {','.join(VARIANTS)}",
    )
    parser.add_argument("--skip-site", action="store_true", help="only the synthetic projects")
    parser.add_argument("--skip-synthetic", action="store_true", help="only this repository")
    parser.add_argument("--skip-serve", action="store_true")
    parser.add_argument("--skip-pdf", action="store_true")
    parser.add_argument(
        "--skip-checker", action="store_true", help="no checker run on the largest synthetic project"
    )
    parser.add_argument(
        "--output", type=Path, default=ROOT / "build" / "bench", help="JSON directory (default build/bench)"
    )
    args = parser.parse_args(argv)
    unknown = set(args.variants) - set(VARIANTS)
    if unknown or "none" not in args.variants:
        parser.error(f"--variants must include 'none' and come from {', '.join(VARIANTS)}")

    info = machine()
    results: dict[str, object] = {"machine": info, "runs": args.runs, "variants": list(args.variants)}
    print(
        f"# Bone Nutrient Guide benchmark: {info['usable_cores']} usable cores of {info['cores']}, load {info['load_average']}, "
        f"Python {info['python']}, commit {info['commit']}, median of {args.runs} run(s)"
    )
    try:
        with tempfile.TemporaryDirectory(prefix="bng-bench-") as temp:
            work = Path(temp)
            if not args.skip_site:
                try:
                    results["site"] = bench_site(args, work / "site")
                    print_site(results["site"], args.variants)
                except RuntimeError as error:  # a broken page must not hide the synthetic figures
                    results["site"] = {"error": str(error)}
                    print(f"\n## This repository\n\nnot measured: {error}", file=sys.stderr)
            if not args.skip_synthetic:
                print(f"\n## Synthetic projects ({CITES_PER_PAGE} citations a page)\n\n{TABLE_NOTE}\n")
                print(build_table([], args.variants))

                def report(row: dict) -> None:
                    print(
                        build_table(
                            [(f"{row['pages']} pages × {row['entries']:,} entries", row["builds"])],
                            args.variants,
                        ).splitlines()[-1],
                        flush=True,
                    )

                results["synthetic"] = bench_synthetic(args, work / "synthetic", report)
                for row in results["synthetic"]:
                    if "checker" in row:
                        print(
                            f"\noffline checker on {row['pages']} pages × {row['entries']:,} entries: "
                            f"{checker_summary(row['checker'])}"
                        )
    except RuntimeError as error:
        print(f"bench: error: {error}", file=sys.stderr)
        return 1
    results["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    args.output.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    for name in (f"bench-{stamp}.json", "latest.json"):
        (args.output / name).write_text(
            json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    print(f"\nJSON: {args.output / f'bench-{stamp}.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
