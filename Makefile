# The commands the README gives. `make run` and `make test` are the two that matter.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEMO_MEETINGS ?= 300

.PHONY: run setup setup-test test lint messages screenshots benchmark benchmark-operator loadtest clean

## One command: install, migrate, load demo data and logins, serve on http://127.0.0.1:$(PORT)
run: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_data --meetings $(DEMO_MEETINGS) --if-empty
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

## Installs the test tools (and Debian's Chromium when it can), then runs the whole suite.
## DATABASE_URL picks the backend: unset = SQLite, postgres://... = PostgreSQL.
test: setup
	bash scripts/ensure_chromium.sh
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Italian is the source language: only the English catalogue is kept (tests/test_i18n.py).
messages:
	$(BIN)/python manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=data --ignore=tests
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules

## PNGs of the operator pages for the README, taken on the demo data.
screenshots: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_data --meetings $(DEMO_MEETINGS) --if-empty
	$(BIN)/python manage.py screenshots --output docs/screenshots

## Operator pages' response times on DATABASE_URL with BENCH_MEETINGS demo meetings.
BENCH_MEETINGS ?= 1000000
benchmark-operator: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py benchmark_operator --meetings $(BENCH_MEETINGS) --runs 50

## Load test: N operators (locust) against gunicorn on PostgreSQL; see README "Load test".
LOADTEST_USERS ?= 10 50
LOADTEST_DURATION ?= 120s
loadtest: setup
	USERS="$(LOADTEST_USERS)" DURATION=$(LOADTEST_DURATION) bash loadtest/run.sh

clean:
	rm -rf $(VENV) node_modules staticfiles data
