# Emhana: `make run` serves the demo clinic, `make test` runs every test. Both set everything up first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
PORT ?= 5000

.PHONY: run test setup lint translations translations-update db-upgrade test-postgres clean

$(VENV)/.installed: pyproject.toml scripts/system-deps.sh
	scripts/system-deps.sh app
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(VENV)/.installed translations

translations: $(VENV)/.installed
	$(FLASK) translate compile > /dev/null

translations-update: $(VENV)/.installed
	$(FLASK) translate update

db-upgrade: setup
	$(FLASK) db upgrade

run: db-upgrade
	$(FLASK) seed-demo
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Test-only tools: Debian's chromium for the browser tests, axe-core from npm for their accessibility checks.
node_modules/.installed: package.json package-lock.json
	scripts/system-deps.sh browser
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: setup node_modules/.installed
	$(MAKE) --no-print-directory lint
	$(PY) -m pytest

# The same suite on a real PostgreSQL, started on loopback for this run (CI does this after `make test`).
# Browser tests run in `make test` only: they exercise the UI, which does not change with the database.
test-postgres: setup
	scripts/system-deps.sh postgres
	scripts/with-test-postgres.sh $(PY) -m pytest -m "not browser"

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache translations/*/LC_MESSAGES/*.mo
