"""Link and citation checker: python scripts/check.py [-f mkdocs.yml] [--online] [--format human|github|json].

Exit 0: no problem at or above --fail-on (default: error); 1: problems found; 2: usage or
configuration error (unreadable mkdocs.yml, no bibliography named in it, or the named one missing);
130: interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

try:  # importing MkDocs and the plugins takes a moment: Ctrl-C then is still one line, exit 130
    from boneguide.checks import ConfigError, Options, run
    from boneguide.checks.model import CONFIGURATION_CODES, SEVERITY_ORDER
    from boneguide.checks.report import FORMATS, render
except KeyboardInterrupt:
    print("check.py: interrupted", file=sys.stderr)
    sys.exit(130)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "-f",
        "--config-file",
        type=Path,
        default=Path("mkdocs.yml"),
        help="MkDocs config (default: ./mkdocs.yml)",
    )
    parser.add_argument("--online", action="store_true", help="also check external URLs over HTTP")
    parser.add_argument("--format", choices=FORMATS, default="human", help="output format (default: human)")
    parser.add_argument(
        "--fail-on",
        choices=("error", "warning"),
        default="error",
        help="lowest severity that makes the exit status 1 (default: error; info never does)",
    )
    parser.add_argument(
        "--review-months",
        type=int,
        default=24,
        help="warn when a nutrient page's last_reviewed is older (default: 24)",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        help="online results cache (default: build/linkcheck-cache.json beside mkdocs.yml)",
    )
    parser.add_argument(
        "--cache-days",
        type=int,
        default=7,
        help="a URL found fine within this many days is not checked again (default: 7)",
    )
    parser.add_argument(
        "--no-check-cache",
        action="store_true",
        help="do not reuse build/check-cache (the bibliography's checks, formatted entries; not --cache)",
    )
    parser.add_argument(
        "--full-theme",
        action="store_true",
        help="build every page with the whole theme and every plugin, as mkdocs build does (slower)",
    )
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="build the site afresh even when mkdocs build left a current one (build/check-record.json)",
    )
    parser.add_argument(
        "--serial",
        action="store_true",
        help="check pages after the build, in one process (default: in a second one while the site builds)",
    )
    parser.add_argument(
        "--quiet-info",
        action="store_true",
        help="leave out info findings (unused entries, unverifiable hosts)",
    )
    args = parser.parse_args(argv)
    for name in ("review_months", "cache_days"):
        if getattr(args, name) < 0:  # a negative age would make every page stale or every result fresh
            parser.error(f"--{name.replace('_', '-')} must be 0 or more, not {getattr(args, name)}")
    return args


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's banner would mix into the report
    try:
        args = parse_args(argv)
    except SystemExit as exit_:  # argparse exits 2 on usage errors, 0 on --help
        return int(exit_.code or 0)
    options = Options(
        config_file=args.config_file,
        online=args.online,
        review_months=args.review_months,
        cache_path=args.cache,
        cache_days=args.cache_days,
        full_theme=args.full_theme,
        reuse_build=not args.rebuild,
        serial=args.serial,
        cache_dir=False if args.no_check_cache else None,
    )
    try:
        result = run(options)
    except ConfigError as error:
        print(f"check.py: configuration error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C: one line, not a traceback
        print("check.py: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        # A bug in the checker itself: say so plainly (BNG_CHECK_DEBUG=1 for the traceback).
        if os.environ.get("BNG_CHECK_DEBUG"):
            raise
        print(
            f"check.py: internal error ({type(error).__name__}: {error}); please report it", file=sys.stderr
        )
        return 2
    findings = [f for f in result.findings if not (args.quiet_info and f.severity == "info")]
    sys.stdout.write(render(findings, args.format, result.timings))
    if args.format != "json":
        times = result.timings
        build = f"site build {times['build_seconds']:.2f} s, " if "build_seconds" in times else ""
        print(
            f"checked {result.site} in {times['total_seconds']:.2f} s (loading MkDocs {times['config_seconds']:.2f} s, "
            f"{build}checks {times['check_seconds_excluding_build']:.2f} s)",
            file=sys.stderr,
        )
    if any(f.code in CONFIGURATION_CODES for f in result.findings):
        print("check.py: configuration error: see the findings above", file=sys.stderr)
        return 2
    limit = SEVERITY_ORDER[args.fail_on]
    return 1 if any(SEVERITY_ORDER[f.severity] <= limit for f in result.findings) else 0


if __name__ == "__main__":
    sys.exit(main())
