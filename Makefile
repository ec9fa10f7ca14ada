# Samen Een portal. `make run` and `make test` set everything up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev
PORT ?= 8000

.PHONY: install run test lint format messages compile-messages clean

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
	$(PY) manage.py demo_data
	PORT=$(PORT) bin/run

test: install compile-messages
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Extract new strings into locale/*/LC_MESSAGES/django.po (needs GNU gettext), then compile.
messages: install
	$(PY) manage.py makemessages --locale nl --locale en --no-obsolete \
		--ignore '.venv/*' --ignore 'tests/*' --ignore 'test-artifacts/*'
	$(PY) bin/compile_messages.py

clean:
	rm -rf $(VENV) .celery staticfiles .pytest_cache .ruff_cache
