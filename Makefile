# The two commands a new user needs: `make run` and `make test`. Both can be run again safely.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export PORTAL_ENV ?= development

BENCH_POSTGRES ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

CATALOGUES := $(patsubst %.po,%.mo,$(wildcard portal/translations/*/LC_MESSAGES/messages.po))

.PHONY: run test test-postgres lint format benchmarks load translations clean help

help:
	@echo "make run            set up and start the portal with demo data on http://$(HOST):$(PORT)"
	@echo "make test           set up and run the whole test suite (SQLite); screenshots of the main"
	@echo "                    pages in every language land in test-artifacts/screenshots/<language>/"
	@echo "make test-postgres  the same suite on PostgreSQL (PORTAL_TEST_DATABASE_URL)"
	@echo "make lint           ruff check, format check and bandit"
	@echo "make benchmarks     resolver, ESCO import and matching benchmarks (needs ../shared/esco)"
	@echo "make load           load test: 50 users against gunicorn and PostgreSQL (BENCH_POSTGRES),"
	@echo "                    100k workers, 10k vacancies (needs ../shared/esco; not part of make test)"
	@echo "make translations   put new or changed text into every catalogue (then translate it)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (found $$($(PYTHON) --version))."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

# axe-core for the accessibility tests comes from npm (tests/browser/package-lock.json); without
# npm those tests skip and say why (PORTAL_REQUIRE_BROWSER=1 makes that a failure)
$(VENV)/.installed-test: pyproject.toml tests/browser/package-lock.json | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@if ! command -v npm >/dev/null 2>&1; then echo "npm not found: the accessibility tests will skip."; \
	elif ! npm ci --prefix tests/browser --no-audit --no-fund; then echo "npm ci failed: they will skip."; fi
	@touch $@ $(VENV)/.installed-run

# compiled catalogues: the portal shows English where a .mo is missing
portal/translations/%/LC_MESSAGES/messages.mo: portal/translations/%/LC_MESSAGES/messages.po | $(VENV)/.installed-run
	$(BIN)/python -m portal.catalogues compile $<

run: $(VENV)/.installed-run $(CATALOGUES)
	$(BIN)/portal db upgrade
	$(BIN)/portal taxonomy load-builtin
	$(BIN)/portal demo
	@echo "The portal runs on http://$(HOST):$(PORT)  (Ctrl+C stops it)"
	$(BIN)/portal run --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test $(CATALOGUES)
	$(BIN)/pytest $(PYTEST_ARGS)

test-postgres: export PORTAL_TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
test-postgres: $(VENV)/.installed-test $(CATALOGUES)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -c pyproject.toml -r portal

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

benchmarks: $(VENV)/.installed-test
	$(BIN)/python benchmarks/resolve.py
	$(BIN)/python benchmarks/import_esco.py $(if $(BENCH_POSTGRES),--postgres $(BENCH_POSTGRES))
	$(BIN)/python benchmarks/matching.py
	$(BIN)/python benchmarks/match_run.py $(if $(BENCH_POSTGRES),--postgres $(BENCH_POSTGRES))

# 50 users for 2 minutes against gunicorn on loopback; the first run builds the `bench_load`
# schema (about ten minutes), later runs reuse it (docs/benchmarks.md)
load: $(VENV)/.installed-run $(CATALOGUES)
	$(BIN)/python benchmarks/load.py --postgres $(BENCH_POSTGRES) $(LOAD_ARGS)

translations: $(VENV)/.installed-run
	$(BIN)/python -m portal.catalogues update

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts tests/browser/node_modules
