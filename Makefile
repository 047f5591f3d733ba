# The README's two commands are `make serve` and `make test`; everything else is listed there too.
# Only test, pdf, offline and bench install Debian packages (SYSTEM_STAMP); the rest need Python alone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The Debian packages (Chromium, poppler, fonts) only the tests, the PDF and the offline copy need:
# their own stamp, so that serve, build, check, import and enrich never ask for root or apt.
SYSTEM_STAMP := $(VENV)/.system-installed
# What make lint runs, and make test in its shorter lane: one command line, so the lane stops at a failure.
LINT = $(BIN)/ruff check boneguide scripts tests && $(BIN)/ruff format --check boneguide scripts tests \
  && $(BIN)/mypy
export NO_MKDOCS_2_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup setup-system serve build test lint check check-online import enrich pdf offline bench lock clean

# The Python environment: everything serve, build, check, import and enrich need.
$(STAMP): requirements/requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q --require-hashes -r requirements/requirements.lock
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	touch $@

# The Debian packages of requirements/debian-packages.txt (root or sudo, apt): test, pdf, offline, bench.
$(SYSTEM_STAMP): requirements/debian-packages.txt
	bash scripts/setup_system.sh
	mkdir -p $(VENV)
	touch $@

setup: $(STAMP)

setup-system: $(SYSTEM_STAMP)

serve: $(STAMP)  ## build and serve the site at http://127.0.0.1:8000
	$(BIN)/mkdocs serve -a 127.0.0.1:8000

build: $(STAMP)  ## strict build into site/
	$(BIN)/mkdocs build --strict -d site

# Two lanes for the two cores CI has: the browser tests in a process of their own (their report, kept
# in build/browser-tests.log, is printed after the others'), beside the lint and the other tests.
# The lint goes in the shorter lane, off the browser lane's path. Measured on 2 cores, pytest: about
# 225 s, against about 270 s for the rest on both cores and then the browser tests, and about 315 s
# with everything in one process. Fails if either lane fails.
test: $(STAMP) $(SYSTEM_STAMP)  ## the whole test suite (what CI runs)
	@mkdir -p build
	$(BIN)/python -m pytest -m browser > build/browser-tests.log 2>&1 & browser=$$!; \
	  $(LINT) && $(BIN)/python -m pytest -m "not browser"; rest=$$?; \
	  wait $$browser; browser_status=$$?; \
	  echo "--- browser tests (build/browser-tests.log) ---"; cat build/browser-tests.log; \
	  exit $$(( rest || browser_status ))

check: $(STAMP)  ## link and citation checker, offline
	$(BIN)/python scripts/check.py -f mkdocs.yml

check-online: $(STAMP)  ## the same, plus real HTTP checks of external links
	$(BIN)/python scripts/check.py -f mkdocs.yml --online

import: $(STAMP)  ## rebuild references.bib from sources/ (merging, never overwriting hand edits)
	$(BIN)/python scripts/import_sources.py

enrich: $(STAMP)  ## complete identifier-only entries from the metadata cache (and registries with --online)
	$(BIN)/python scripts/enrich_references.py

pdf: $(STAMP) $(SYSTEM_STAMP)  ## the whole guide as one PDF (build/bone-nutrient-guide.pdf) and a handout per nutrient (build/handouts/)
	$(BIN)/python scripts/build_pdf.py

offline: $(STAMP) $(SYSTEM_STAMP)  ## offline copy of the site as a zip: build/bone-nutrient-guide-offline.zip
	$(BIN)/python scripts/build_offline.py

bench: $(STAMP) $(SYSTEM_STAMP)  ## benchmarks (not part of the tests): table on stdout, JSON in build/bench/
	$(BIN)/python scripts/bench.py

lint: $(STAMP)  ## ruff, and mypy on the package (its settings: [tool.mypy] in pyproject.toml)
	$(LINT)

lock: $(BIN)/pip-compile
	$(BIN)/pip-compile -q --generate-hashes --allow-unsafe --strip-extras \
	  -o requirements/requirements.lock requirements/requirements.in

$(BIN)/pip-compile: $(STAMP)
	$(BIN)/python -m pip install -q pip-tools

clean:
	rm -rf site build .pytest_cache
