"""Content checks in a second process, beside the build, find exactly what they find after it in one."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from checkproject import FIXTURES, TODAY, project

from boneguide.checks import Options, content, run

needs_fork = pytest.mark.skipif(not content.can_run_in_background(), reason="needs two cores and fork")
OVERLAYS = sorted(
    p.name
    for p in FIXTURES.iterdir()
    if p.is_dir()
    and p.name not in ("base", "broken-config", "nav-missing", "no-bibliography")  # configuration errors
)


def both_ways(config: Path, monkeypatch: pytest.MonkeyPatch, **options: object) -> tuple[list, list]:
    """Findings (and which code path made them) in one process, then beside the build."""
    used: list[str] = []
    for name in ("ContentChecks", "Background"):
        original = getattr(content, name).finish
        monkeypatch.setattr(
            getattr(content, name),
            "finish",
            lambda self, *, _original=original, _name=name, **kw: used.append(_name) or _original(self, **kw),
        )
    serial = run(Options(config, today=TODAY, serial=True, **options)).findings  # type: ignore[arg-type]
    background = run(Options(config, today=TODAY, **options)).findings  # type: ignore[arg-type]
    assert used == ["ContentChecks", "Background"]  # (the child's own ContentChecks.finish is not seen here)
    return [dataclasses.astuple(f) for f in serial], [dataclasses.astuple(f) for f in background]


@needs_fork
@pytest.mark.parametrize("overlay", [None, *OVERLAYS])
def test_every_fixture_gets_the_same_findings_either_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, overlay: str | None
) -> None:
    serial, background = both_ways(project(tmp_path, overlay), monkeypatch)
    assert background == serial
    if overlay not in (None, "stale-review", "unused-entry", "study-missing-record"):
        assert any(f[3] == "error" for f in serial)  # the fault was there to be found


@needs_fork
@pytest.mark.slow
def test_the_site_gets_the_same_findings_either_way(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    serial, background = both_ways(root / "mkdocs.yml", monkeypatch)
    assert background == serial
    assert serial  # the site has warnings and information (unverified entries)


@pytest.mark.parametrize("serial", [True, False], ids=["serial", "background"])
def test_a_page_rewritten_after_post_page_is_checked_as_finally_written(tmp_path: Path, serial: bool) -> None:
    if not serial and not content.can_run_in_background():
        pytest.skip("needs two cores and fork")
    config = project(tmp_path, "rewritten-page")
    broken = [f for f in run(Options(config, today=TODAY, serial=serial)).findings if f.code == "link-broken"]
    assert [(f.path, f.message.split(" (in the built HTML")[0]) for f in broken] == [
        ("docs/evidence.md", "a '../missing-after-build/' points to a missing page (/missing-after-build/)")
    ]


@needs_fork
def test_a_failure_in_the_content_checks_process_is_raised_with_its_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: content.ContentChecks, record: object, output: str) -> None:
        raise ValueError("cannot parse this page")

    monkeypatch.setattr(content.ContentChecks, "add_page", broken)  # the forked child inherits it
    with pytest.raises(
        RuntimeError, match="in the content checks' process: ValueError: cannot parse this page"
    ) as error:
        run(Options(project(tmp_path, None), today=TODAY))
    assert "def broken" not in str(error.value) and "raise ValueError" in str(error.value.__cause__)


@needs_fork
def test_a_content_checks_process_that_dies_is_an_error_not_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def die(self: content.ContentChecks, record: object, output: str) -> None:
        import os

        os._exit(3)

    monkeypatch.setattr(content.ContentChecks, "add_page", die)
    with pytest.raises(RuntimeError, match=r"ended without a result \(exit code 3\)"):
        run(Options(project(tmp_path, None), today=TODAY))
