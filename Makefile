# Samen Een portal. `make run` and `make test` set everything up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev
PORT ?= 8000
# The board-scale benchmark's scratch database: bench.generate drops and re-creates it, and
# refuses any database not named samen_een_bench*. Never the CI or test databases.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/samen_een_bench
BENCH_ENV := DJANGO_SETTINGS_MODULE=bench.settings DATABASE_URL=$(BENCH_DATABASE_URL)

.PHONY: install run test lint format messages compile-messages clean bench bench-check

$(STAMP): requirements-dev.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	@touch $(STAMP)

install: $(STAMP)

compile-messages: install
	$(PY) bin/compile_messages.py

run: install compile-messages
	$(PY) manage.py migrate --noinput
	PORT=$(PORT) $(PY) manage.py demo_data
	PORT=$(PORT) bin/run

# The suite runs in parallel, one worker per CPU (pytest-xdist): each worker has its own test
# database and its own Redis databases (samen_een/settings/test.py). TEST_WORKERS=0 runs it in
# one process.
TEST_WORKERS ?= auto
test: install compile-messages
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# Style, the layer contract (pyproject.toml, [tool.importlinter]) and the type check.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# A board of 50,000 pupils on PostgreSQL (a few minutes), then the measurements. Not part of
# `make test` or CI.
bench: install compile-messages
	$(BENCH_ENV) $(PY) -m bench.generate
	$(BENCH_ENV) $(PY) -m bench.run

# Fails unless bench/results.json exists and every target in it is met.
bench-check: install
	$(PY) -m bench.check

# Extract new strings into locale/*/LC_MESSAGES/django.po (needs GNU gettext), then compile.
messages: install
	$(PY) manage.py makemessages --locale nl --locale en --no-obsolete \
		--ignore '.venv/*' --ignore 'tests/*' --ignore 'test-artifacts/*'
	$(PY) bin/compile_messages.py

clean:
	rm -rf $(VENV) .celery staticfiles .pytest_cache .ruff_cache
