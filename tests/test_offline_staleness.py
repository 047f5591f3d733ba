"""Whether the PDF bundled into the offline copy is stale: every input of the PDF counts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from boneguide.export import offline

INPUTS = [
    "mkdocs.yml",
    "references.bib",
    "docs/nutrients/zinc.md",
    "overrides/partials/footer.html",
    "sources/odszinc/references.txt",
    "studies/zinc.yml",
]


@pytest.fixture()
def project(tmp_path: Path) -> tuple[Path, Path, Path]:
    root = tmp_path / "project"
    package = tmp_path / "boneguide"
    for name in [*INPUTS, "build/other.txt"]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x")
    (package / "site").mkdir(parents=True)
    (package / "site" / "citations.py").write_text("x = 1\n")
    (package / "schema").mkdir()
    (package / "schema" / "nutrient-page.schema.json").write_text("{}")
    pdf = root / "build" / "guide.pdf"
    pdf.write_bytes(b"%PDF")
    for path in [*root.rglob("*"), *package.rglob("*")]:
        os.utime(path, (1000, 1000))  # set, not slept for: every input older than the PDF below
    os.utime(pdf, (2000, 2000))
    return root, package, pdf


def test_a_fresh_pdf_is_not_stale(project: tuple[Path, Path, Path]) -> None:
    root, package, pdf = project
    assert offline.pdf_staleness(pdf, root, package) is None


def test_a_missing_pdf_is_stale(project: tuple[Path, Path, Path]) -> None:
    root, package, pdf = project
    pdf.unlink()
    assert offline.pdf_staleness(pdf, root, package) == f"{pdf} is missing"


@pytest.mark.parametrize("name", INPUTS)
def test_a_change_to_any_project_input_makes_it_stale(project: tuple[Path, Path, Path], name: str) -> None:
    root, package, pdf = project
    os.utime(root / name, (3000, 3000))
    assert offline.pdf_staleness(pdf, root, package) == f"{pdf} is older than {name}"


@pytest.mark.parametrize("name", ["site/citations.py", "schema/nutrient-page.schema.json"])
def test_a_change_to_the_package_makes_it_stale(project: tuple[Path, Path, Path], name: str) -> None:
    root, package, pdf = project
    os.utime(package / name, (3000, 3000))
    assert offline.pdf_staleness(pdf, root, package) == f"{pdf} is older than {package / name}"


def test_a_new_file_in_an_input_folder_makes_it_stale(project: tuple[Path, Path, Path]) -> None:
    root, package, pdf = project
    (root / "studies" / "boron.yml").write_text("x")
    os.utime(root / "studies" / "boron.yml", (3000, 3000))
    assert offline.pdf_staleness(pdf, root, package) == f"{pdf} is older than studies/boron.yml"


def test_caches_hidden_files_and_build_output_do_not(project: tuple[Path, Path, Path]) -> None:
    root, package, pdf = project
    for path in [
        package / "site" / "__pycache__" / "citations.cpython-311.pyc",
        root / "docs" / ".zinc.md.swp",
        root / "build" / "other.txt",
    ]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
        os.utime(path, (3000, 3000))
    assert offline.pdf_staleness(pdf, root, package) is None


def test_the_default_package_is_the_one_that_builds_the_site() -> None:
    import boneguide

    assert Path(boneguide.__file__).resolve().parent == offline.PACKAGE_DIR


def test_build_offline_rebuilds_a_pdf_older_than_sources(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util
    import time

    spec = importlib.util.spec_from_file_location(
        "build_offline_script", Path(__file__).resolve().parent.parent / "scripts" / "build_offline.py"
    )
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    (tmp_path / "mkdocs.yml").write_text("site_name: T\n")
    (tmp_path / "sources" / "a").mkdir(parents=True)
    (tmp_path / "sources" / "a" / "references.txt").write_text("x")
    pdf = tmp_path / "guide.pdf"
    pdf.write_bytes(b"%PDF")
    later = time.time() + 1000  # newer than this checkout's package, without waiting
    os.utime(pdf, (later, later))
    os.utime(tmp_path / "sources" / "a" / "references.txt", (later + 10, later + 10))
    built: list[Path] = []

    def fake_pdf(config: Path, output: Path, *, strict: bool) -> None:
        built.append(output)
        os.utime(output, (later + 20, later + 20))

    monkeypatch.setattr(script, "build_pdf", fake_pdf)
    monkeypatch.setattr(
        script,
        "build_offline",
        lambda *a, **k: offline.OfflineResult(tmp_path / "x.zip", 1, 1, 0.0, True),
    )
    args = ["-f", str(tmp_path / "mkdocs.yml"), "--pdf", str(pdf), "-o", str(tmp_path / "x.zip")]
    assert script.main(args) == 0
    assert built == [pdf]
    assert f"{pdf} is older than sources/a/references.txt; building it first" in capsys.readouterr().out
    built.clear()
    assert script.main(args) == 0  # now up to date: not built again
    assert built == []
