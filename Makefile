# The README's two commands are `make serve` and `make test`; everything else is listed there too.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup serve build test lint check check-online import enrich pdf offline bench lock clean

$(STAMP): requirements/requirements.lock requirements/debian-packages.txt pyproject.toml
	bash scripts/setup_system.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q --require-hashes -r requirements/requirements.lock
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	touch $@

setup: $(STAMP)

serve: $(STAMP)  ## build and serve the site at http://127.0.0.1:8000
	$(BIN)/mkdocs serve -a 127.0.0.1:8000

build: $(STAMP)  ## strict build into site/
	$(BIN)/mkdocs build --strict -d site

test: $(STAMP)  ## the whole test suite (what CI runs)
	$(BIN)/ruff check boneguide scripts tests
	$(BIN)/ruff format --check boneguide scripts tests
	$(BIN)/python -m pytest

check: $(STAMP)  ## link and citation checker, offline
	$(BIN)/python scripts/check.py -f mkdocs.yml

check-online: $(STAMP)  ## the same, plus real HTTP checks of external links
	$(BIN)/python scripts/check.py -f mkdocs.yml --online

import: $(STAMP)  ## rebuild references.bib from sources/ (merging, never overwriting hand edits)
	$(BIN)/python scripts/import_sources.py

enrich: $(STAMP)  ## complete identifier-only entries from the metadata cache (and registries with --online)
	$(BIN)/python scripts/enrich_references.py

pdf: $(STAMP)  ## the whole guide as one PDF: build/bone-nutrient-guide.pdf
	$(BIN)/python scripts/build_pdf.py

offline: $(STAMP)  ## offline copy of the site as a zip: build/bone-nutrient-guide-offline.zip
	$(BIN)/python scripts/build_offline.py

bench: $(STAMP)  ## benchmarks (not part of the tests): table on stdout, JSON in build/bench/
	$(BIN)/python scripts/bench.py

lint: $(STAMP)
	$(BIN)/ruff check boneguide scripts tests
	$(BIN)/ruff format --check boneguide scripts tests

lock: $(BIN)/pip-compile
	$(BIN)/pip-compile -q --generate-hashes --allow-unsafe --strip-extras \
	  -o requirements/requirements.lock requirements/requirements.in

$(BIN)/pip-compile: $(STAMP)
	$(BIN)/python -m pip install -q pip-tools

clean:
	rm -rf site build .pytest_cache
