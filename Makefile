# The commands the README gives. `make run` and `make test` are the two that matter.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
# uv comes from PyPI, at the one version pyproject.toml requires ([tool.uv] required-version).
UV_VERSION := $(shell sed -n 's/^required-version = "==\(.*\)"$$/\1/p' pyproject.toml)
# uv installs into .venv, with the python3 that created it (never a downloaded interpreter).
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never
SYNC := $(UV) sync --locked
PORT ?= 8000
DEMO_MEETINGS ?=
TEST_WORKERS ?= auto
FAST := not browser and not system and not slow

.PHONY: run uv setup setup-test test test-fast check lint lock messages screenshots benchmark-operator loadtest clean

## One command: install, migrate, load demo data and logins, serve on http://127.0.0.1:$(PORT)
## with the background worker beside it and the reminders queued every 5 minutes (stopped
## with the server).
run: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_data $(if $(DEMO_MEETINGS),--meetings $(DEMO_MEETINGS)) --if-empty
	$(BIN)/python manage.py db_worker --queue-name '*' & worker=$$!; \
	$(BIN)/python manage.py run_due_work --no-worker --loop 300 -v 0 & due=$$!; \
	trap 'kill $$worker $$due 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## Python packages exactly as uv.lock pins them (runtime plus the test and dev groups; what
## is not in the lock is removed), and the front-end files exactly as package-lock.json does.
setup: uv node_modules/.installed
	$(SYNC) --group test --group dev

uv:
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@test "$$($(UV) --version 2>/dev/null | cut -d' ' -f2)" = "$(UV_VERSION)" \
		|| $(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

## Debian's Chromium for the browser tests: installed when missing and we are root; otherwise
## a loud notice (the browser tests then skip, and fail under CI=true).
setup-test: setup
	bash scripts/ensure_chromium.sh

## The whole suite (browser, system and slow tests included), after the static checks.
## DATABASE_URL picks the backend: unset = SQLite, postgres://... = PostgreSQL.
test: setup-test check
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## The static checks: migrations, ruff (lint and format), the import layers, the types.
check: setup
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

## The lane to run while working: no browser, subprocess or slow tests, on TEST_WORKERS processes.
test-fast: setup
	$(BIN)/python -m pytest -m "$(FAST)" -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: check

## After editing the dependencies in pyproject.toml: re-resolve uv.lock (commit both).
lock: uv
	$(UV) lock

## Italian is the source language: only the English catalogue is kept (tests/test_i18n.py).
messages:
	$(BIN)/python manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=data --ignore=tests
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules

## PNGs of the operator pages for the README, taken on the demo data.
screenshots: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_data $(if $(DEMO_MEETINGS),--meetings $(DEMO_MEETINGS)) --if-empty
	$(BIN)/python manage.py screenshots --output docs/screenshots

## Operator pages' response times on DATABASE_URL with BENCH_MEETINGS demo meetings.
BENCH_MEETINGS ?= 1000000
benchmark-operator: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py benchmark_operator --meetings $(BENCH_MEETINGS) --runs 50

## Load test: N operators (locust, the loadtest group) against gunicorn on PostgreSQL; see
## README "Load test".
LOADTEST_USERS ?= 10 50
LOADTEST_DURATION ?= 120s
loadtest: uv node_modules/.installed
	$(SYNC) --group test --group dev --group loadtest
	USERS="$(LOADTEST_USERS)" DURATION=$(LOADTEST_DURATION) bash loadtest/run.sh

clean:
	rm -rf $(VENV) node_modules staticfiles data
