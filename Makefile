# Development tasks. Needs python3.12 (or newer, see requires-python in pyproject.toml);
# everything else goes into .venv.
PYTHON ?= python3.12
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

VNU_VERSION := 26.9.27
VNU_STAMP := $(VENV)/vnu/.installed-$(VNU_VERSION)

.PHONY: run test lint bench bench-scale migration chromium poppler vnu

run: $(RUN_STAMP)
	$(BIN)/sid demo
	$(BIN)/sid serve

test: $(TEST_STAMP) chromium poppler vnu
	$(BIN)/python -m pytest

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(TEST_STAMP)
	$(BIN)/python bench/booking_rush.py

# The demo data against ten years of the network, each served by `sid serve`: SQLite files in a
# temp dir, or the PostgreSQL database in DATABASE_URL (its schema is replaced).
#   make bench-scale [args="--json figures.json"]
bench-scale: $(TEST_STAMP)
	$(BIN)/python bench/scale.py $(args)

# New revision from the difference between the models and the migrations, computed against
# a scratch SQLite database: make migration m="Kurze Beschreibung" [rev=0002]
migration: $(TEST_STAMP)
	@test -n "$(m)" || { echo 'Aufruf: make migration m="Kurze Beschreibung" [rev=0002]'; exit 2; }
	@scratch=$$(mktemp -d) && trap 'rm -rf "$$scratch"' EXIT && \
	export DATABASE_URL="sqlite+aiosqlite:///$$scratch/autogenerate.db" && \
	$(BIN)/alembic upgrade head && \
	$(BIN)/alembic revision --autogenerate -m "$(m)" $(if $(rev),--rev-id $(rev))

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# A .venv made with an older Python (3.11 before) is made again with $(PYTHON).
NEW_ENOUGH = $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 12))' || \
	{ echo "Erneuere $(VENV) mit $(PYTHON) ..."; rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	@$(NEW_ENOUGH)
	$(BIN)/python -m pip install -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	@$(NEW_ENOUGH)
	$(BIN)/python -m pip install -e '.[test,dev]'
	touch $@ $(RUN_STAMP)

# Browser tests drive the Debian chromium package; install it when we may, else skip quietly.
chromium:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installiere chromium für die Browsertests ..."; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
			>/dev/null 2>&1 || true; \
	fi

# The PDF tests render pages with pdftoppm from the Debian poppler-utils package; install it when
# we may, else those tests skip and say why.
poppler:
	@if [ ! -x /usr/bin/pdftoppm ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installiere poppler-utils für die PDF-Tests ..."; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils; } \
			>/dev/null 2>&1 || true; \
	fi

# The Nu HTML checker (vnu.jar, shipped in the npm package vnu-jar) checks every page in
# tests/test_html.py; it runs on Java 17 or newer. Installs Java and npm from Debian when we
# may; without Java the test skips and says why.
vnu: $(VNU_STAMP)

$(VNU_STAMP): | $(BIN)/python
	@if ! command -v java >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installiere Java und npm für die HTML-Prüfung ..."; \
			{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				default-jre-headless npm; } >/dev/null 2>&1 || true; \
		fi; \
	fi
	rm -rf $(VENV)/vnu && mkdir -p $(VENV)/vnu
	npm install --prefix $(VENV)/vnu --ignore-scripts --no-audit --no-fund --silent \
		vnu-jar@$(VNU_VERSION)
	touch $@
