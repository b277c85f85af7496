# Emhana: `make run` serves the demo clinic, `make test` runs every test. Both set everything up first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
PORT ?= 5000

.PHONY: run test setup setup-dev lint translations translations-update db-upgrade test-postgres clean \
	lock install-production wheels install-offline test-cluster

# Running needs only the production lock (requirements/production.txt, every file checked against its hash);
# the tests and tools add requirements/development.txt (pytest, ruff, playwright ...) on top of it.
$(VENV)/.production: requirements/production.txt scripts/system-deps.sh
	scripts/system-deps.sh app
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements/production.txt
	touch $@

$(VENV)/.development: $(VENV)/.production requirements/development.txt
	$(PY) -m pip install --quiet --require-hashes -r requirements/development.txt
	touch $@

# What `make run` needs: the production packages and the compiled translations.
setup: $(VENV)/.production translations

# What `make test`, `make lint` and `make lock` need besides.
setup-dev: setup $(VENV)/.development

translations: $(VENV)/.production
	$(FLASK) translate compile > /dev/null

translations-update: $(VENV)/.production
	$(FLASK) translate update

db-upgrade: setup
	$(FLASK) db upgrade

# The demo is seeded only into a database `make run` created (flask prepare-demo), never into real data;
# its files are the user's only (umask 077), as the systemd units make them (UMask=0077).
run: setup
	umask 077 && $(FLASK) prepare-demo && $(FLASK) run --host 127.0.0.1 --port $(PORT)

lint: setup-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Test-only tools: Debian's chromium for the browser tests, axe-core from npm for their accessibility checks.
node_modules/.installed: package.json package-lock.json
	scripts/system-deps.sh browser
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: setup-dev node_modules/.installed
	$(MAKE) --no-print-directory lint
	$(PY) -m pytest

# The same suite on a real PostgreSQL, started on loopback for this run (CI does this after `make test`).
# Browser tests run in `make test` only: they exercise the UI, which does not change with the database.
test-postgres: setup-dev
	scripts/system-deps.sh postgres
	scripts/with-test-postgres.sh $(PY) -m pytest -m "not browser"

# Several app processes on loopback (docs/scaling.md): a PostgreSQL primary with a streaming standby, two
# gunicorn instances behind nginx; sign-in across processes, racing bookings, a killed process, a failover.
test-cluster: setup-dev
	scripts/cluster-test.sh

# ---- a clinic's server (README, "Running it at a clinic") ----------------------------------------------
WHEELS ?= wheels

# The lock files with hashes (requirements/*.txt), after a pin changed in pyproject.toml: the venv takes
# pyproject's pins (with the dev extra), then scripts/lock.py writes both files from what is installed.
lock: $(VENV)/.production
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) scripts/lock.py

# Only what production runs, each file checked against its hash; then the compiled translations
# (the same as `make setup`, which `make run` uses).
install-production: setup

# On a machine with internet: every production package as a file in $(WHEELS)/, to carry to the clinic.
wheels:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip download --quiet --require-hashes -r requirements/production.txt -d $(WHEELS)
	cp requirements/production.txt $(WHEELS)/

# At the clinic, with no internet: the same install from $(WHEELS)/ only (pip looks at no index).
install-offline:
	scripts/system-deps.sh app
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --no-index --find-links $(WHEELS) --require-hashes -r requirements/production.txt
	$(FLASK) translate compile > /dev/null

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache translations/*/LC_MESSAGES/*.mo
