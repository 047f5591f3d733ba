"""``mkdocs build``, timing each plugin's event handlers: python -m boneguide.plugin_timing -f mkdocs.yml.

The benchmark's ratio of two builds (with and without the citation plugin) is as noisy as the
machine: on this shared 2-core machine one build varies by a third within minutes. The time a
plugin's handlers take within one build is not, since the build around it slows down alike; their
share of that build is a steady estimate of the plugin's own cost (issue 10). It leaves out what
a plugin costs elsewhere (a Markdown extension it adds, a process it starts, larger pages), which
only the two builds' ratio shows. MkDocs has no such measure of its own.

Prints JSON: the build's seconds and, per plugin, its handlers' seconds by event (exclusive:
a handler that fires other plugins' events, as a re-rendered page does, is not charged for them).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig

from boneguide import mkdocs_run


class HandlerTimes:
    """Wraps every event handler of a loaded config; ``seconds[plugin][event]`` after the build."""

    def __init__(self, config: MkDocsConfig) -> None:
        self.seconds: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self._nested: list[float] = []  # per open handler: time spent in handlers it fired
        owners = {id(plugin): name for name, plugin in config.plugins.items()}
        for event, handlers in config.plugins.events.items():
            handlers[:] = [
                self._timed(owners.get(id(getattr(h, "__self__", None)), "hooks"), event, h) for h in handlers
            ]

    def _timed(self, owner: str, event: str, handler: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            self._nested.append(0.0)
            start = time.perf_counter()
            try:
                return handler(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - start
                nested = self._nested.pop()
                self.seconds[owner][event] += elapsed - nested
                if self._nested:
                    self._nested[-1] += elapsed

        return timed

    def report(self) -> dict[str, dict[str, float]]:
        return {
            owner: {"seconds": round(sum(events.values()), 4)}
            | {event: round(s, 4) for event, s in sorted(events.items())}
            for owner, events in sorted(self.seconds.items())
        }


def timed_build(config_file: Path, site_dir: Path | None = None, *, strict: bool = False) -> dict[str, Any]:
    """Build as ``mkdocs build`` does (startup, build, shutdown); the times, as printed by main()."""
    options: dict[str, Any] = {"site_dir": str(site_dir)} if site_dir is not None else {}
    if strict:
        options["strict"] = True
    started = time.perf_counter()
    config = mkdocs_run.load(config_file, **options)
    loaded = time.perf_counter()
    times = HandlerTimes(config)
    mkdocs_run.build(config)
    finished = time.perf_counter()
    return {
        "config_seconds": round(loaded - started, 4),
        "build_seconds": round(finished - loaded, 4),
        "plugins": times.report(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-f", "--config-file", type=Path, default=Path("mkdocs.yml"))
    parser.add_argument("-d", "--site-dir", type=Path)
    parser.add_argument("-s", "--strict", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)-7s -  %(message)s", stream=sys.stderr)
    try:
        result = timed_build(args.config_file, args.site_dir, strict=args.strict)
    except Exception as error:  # MkDocs' Abort (strict warnings), a plugin's error: say it, exit 1
        print(f"plugin_timing: the build failed: {error}", file=sys.stderr)
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
