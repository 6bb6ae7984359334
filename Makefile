# The two commands: `make run` and `make test`. Everything else is what they stand on.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# The browser tests drive Debian's chromium (`make browser`); Playwright must never fetch its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: run worker test setup browser db db-stop migrate samples lint bench clean

run: setup migrate ## Set up, start the database, migrate, offer the sample family, create the first login, serve (with a job worker)
	@# First start only (no profiles yet): load the sample family; TONNY_SAMPLES=0 skips it.
	@if [ "$${TONNY_SAMPLES:-1}" = 0 ]; then echo "TONNY_SAMPLES=0: sample family not loaded."; \
	else $(PY) manage.py load_samples --if-empty || echo "Sample family not loaded (see the message above)."; fi
	@$(PY) manage.py ensure_family_admin
	@$(PY) manage.py collectstatic --noinput -v 0
	@echo "Serving TonnyTray Family Admin on http://$(HOST):$(PORT)/admin/ with a job worker beside it (Ctrl+C stops both)"
	@$(PY) manage.py procrastinate worker --name="$$(hostname)-make-run" & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	  $(VENV)/bin/gunicorn tonnysite.wsgi --bind $(HOST):$(PORT) --workers 2 --access-logfile - --log-level warning

worker: setup ## Run a background-job worker alone (backups, purge, maintenance, health), e.g. on another machine
	@$(PY) manage.py procrastinate worker --name="$$(hostname)-worker"

test: setup browser ## Set up everything and run the whole suite
	@$(PY) -m pytest

setup: $(STAMP)

# Find Python 3.12+ (3.13 preferred): PATH first, then pyenv's versions.
$(STAMP): requirements.txt requirements-dev.txt
	@if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
	  found=""; \
	  for c in python3.13 python3.12 $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.13*/bin/python 2>/dev/null | sort -rV) \
	           $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.12*/bin/python 2>/dev/null | sort -rV) python3; do \
	    if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then found=$$c; break; fi; \
	  done; \
	  if [ -z "$$found" ]; then echo "No Python 3.12 or newer found (tried python3.13, python3.12, pyenv, python3)." >&2; exit 1; fi; \
	  echo "Creating $(VENV) with $$found ($$($$found --version))"; \
	  rm -rf $(VENV); $$found -m venv $(VENV); \
	fi
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

browser: ## Debian's Chromium for the browser tests (never a downloaded browser)
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is missing: run 'sudo apt-get install -y chromium'" >&2; exit 1; fi; }
	@test -x /usr/bin/chromium || { echo "/usr/bin/chromium not found after install" >&2; exit 1; }

migrate: setup
	@$(PY) manage.py migrate --noinput -v 0 || { echo "Migrating failed. Where the application role may not change \
	the schema (after tonny_initdb), migrate with: DB_ADMIN_USER=... manage.py tonny_initdb" >&2; exit 1; }

samples: migrate ## Load the sample family (idempotent)
	@$(PY) manage.py load_samples

db: setup ## Start (or reuse) the embedded PostgreSQL and say where it is
	@$(PY) manage.py dbinfo

db-stop: setup ## Stop the embedded PostgreSQL
	@$(PY) -c 'from pathlib import Path; from tonnysite.db import embedded_server_stop; embedded_server_stop(Path("var"))'

lint: setup
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(PY) manage.py makemigrations --check --dry-run
	@DJANGO_SETTINGS_MODULE=tonnysite.settings.production SECRET_KEY=$$(head -c 48 /dev/urandom | base64) \
	  ALLOWED_HOSTS=family.example $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var/static
