# liuyan developer tasks. Quick start on Debian 12 with Python 3.11:
#
#   make demo    # install everything, migrate, load demo data, serve http://127.0.0.1:8000
#   make test    # install everything, ruff, import contracts, mypy, pytest
#
# Every install step leaves a stamp file, so a second run only redoes what changed:
#   .venv/.installed             <- requirements.lock, pyproject.toml
#   node_modules/.installed      <- package.json, package-lock.json
#   liuyan/static/vendor/.copied <- node_modules/.installed, scripts/copy-vendor-assets.sh
#   var/.messages-compiled       <- every .po file

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
LIUYAN := $(BIN)/liuyan
HOST ?= 127.0.0.1
PORT ?= 8000
# Extra pytest arguments, e.g. `make test PYTEST_ARGS="-k clock -x"`; .ci/run adds --reuse-db.
PYTEST_ARGS ?=

# Everything started from this Makefile is local development, so DEBUG is on unless the caller
# says otherwise (production runs the `liuyan` commands directly with LIUYAN_SECRET_KEY set).
export LIUYAN_DEBUG ?= 1
# Where settings put the SQLite database, uploads and trained models.
VAR_DIR := $(or $(LIUYAN_VAR_DIR),var)
# pip must never wait for an answer: CI has no terminal.
export PIP_NO_INPUT := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

PO_FILES := $(shell find liuyan -name '*.po' -not -path '*/node_modules/*' 2>/dev/null)

.PHONY: help demo test setup bytecode system-packages venv assets messages migrate demo-data serve \
	lint format worker tick lock clean serve-prod

help:
	@echo "make demo     install, migrate, load demo data and serve http://$(HOST):$(PORT)"
	@echo "make test     install, then make lint and pytest"
	@echo "make lint     ruff check, ruff format --check, the import contracts (lint-imports) and mypy"
	@echo "make format   ruff format and ruff check --fix"
	@echo "make worker   run the background task worker (django-tasks database backend)"
	@echo "make tick     send due reminders and close unrated replies once (cron runs this)"
	@echo "make serve-prod  production: collectstatic, check --deploy, migrate, gunicorn (see README)"
	@echo "make lock     regenerate requirements.lock from pyproject.toml"
	@echo "make clean    remove var/, .venv, node_modules and the copied vendor files"

# --- installation --------------------------------------------------------------------------

setup: system-packages venv assets messages bytecode

# The project is installed editable (its source is the checkout), so pip never compiles it, and
# the systemd units may not write into the checkout (ProtectSystem=strict, only var/ writable):
# without this every web worker compiled liuyan's ~220 modules from source at each start, a
# large part of a process's start on a small machine (bench/first_request.py). Not stamped:
# compileall only compiles what changed since, and a pull changes the source.
bytecode: venv
	@$(BIN)/python -m compileall -q -j 0 liuyan

# Not stamped: the check is a few dpkg queries (well under a second) and a stamp would hide a
# package that was removed after the first run.
system-packages:
	@PYTHON=$(PYTHON) scripts/install-system-packages.sh

venv: $(VENV)/.installed

# The lock pins every version; pyproject.toml only gives ranges. --no-deps on the project itself
# keeps pip from "upgrading" a pin to whatever the ranges would allow today.
$(VENV)/.installed: requirements.lock pyproject.toml | system-packages
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@# A dependency added to pyproject.toml but not to the lock would otherwise go unnoticed
	@# until an import fails; pip check compares liuyan's declared ranges with what is installed.
	$(BIN)/python -m pip check || { echo "requirements.lock does not satisfy pyproject.toml: run make lock"; exit 1; }
	@touch $@

assets: liuyan/static/vendor/.copied

# npm ci installs exactly package-lock.json and wipes node_modules first, stamp included.
node_modules/.installed: package.json package-lock.json | system-packages
	npm ci --no-audit --no-fund
	@touch $@

liuyan/static/vendor/.copied: node_modules/.installed scripts/copy-vendor-assets.sh
	scripts/copy-vendor-assets.sh
	@touch $@

messages: $(VAR_DIR)/.messages-compiled

# compilemessages walks every folder below the current one looking for locale/ dirs, so the
# virtualenv (Django's own catalogues) and node_modules must be excluded explicitly. With no
# catalogue at all it refuses to run (it cannot tell it is in a project), hence the check.
$(VAR_DIR)/.messages-compiled: $(PO_FILES) $(VENV)/.installed | system-packages
	@mkdir -p $(VAR_DIR)
ifneq ($(strip $(PO_FILES)),)
	$(LIUYAN) compilemessages --ignore=.venv --ignore=node_modules --ignore=var --ignore=.git
else
	@echo "messages: no .po files yet, nothing to compile"
endif
	@touch $@

# --- running -------------------------------------------------------------------------------

# var/static is STATIC_ROOT: whitenoise warns on every request while it does not exist, and
# only collectstatic (a deployment step) would create it.
migrate: setup
	@mkdir -p $(VAR_DIR)/static
	$(LIUYAN) migrate --noinput

# demo-data is idempotent: it loads the data once and otherwise only prints the demo logins,
# which is what someone starting the demo again needs to see.
demo-data: migrate
	$(LIUYAN) demo-data
	@# The domain classifier learns from the demo's own moderator-confirmed messages, so the
	@# write form and the screening page show suggestions; done once (a few seconds).
	@ls $(VAR_DIR)/models/classifier-v*.npz >/dev/null 2>&1 || $(LIUYAN) insight train --from-platform
	@# The daily hot-issue run is done here, at once (seconds): the hot-issue pages then show the
	@# last 30 days at the first visit instead of after the worker's first daily run.
	$(LIUYAN) hot-issues

# demo-serve runs the development server and the task worker together (notifications are
# delivered as in production) and stops both on Ctrl-C; links in e-mails and texts use
# http://$(HOST):$(PORT) unless LIUYAN_SITE_URL says otherwise.
serve: demo-data
	@echo "Serving http://$(HOST):$(PORT)/ with the task worker (Ctrl-C stops both)"
	$(LIUYAN) demo-serve $(HOST):$(PORT)

demo: serve

worker: migrate
	$(LIUYAN) db_worker

tick: migrate
	$(LIUYAN) tick

# Production from a checkout: DEBUG off whatever the top of this file says, so the caller must
# give LIUYAN_SECRET_KEY and LIUYAN_ALLOWED_HOSTS (README, "Production"). `liuyan serve-prod`
# collects static files, runs check --deploy, migrates, then becomes the gunicorn master.
serve-prod: export LIUYAN_DEBUG = 0
serve-prod: setup
	$(LIUYAN) serve-prod

# --- checks --------------------------------------------------------------------------------

# lint-imports checks the import contracts in pyproject.toml ([tool.importlinter]): core and
# insight free of Django, and every app importing only the layers below it.
# mypy reads its settings from pyproject.toml; the django-stubs plugin imports liuyan.settings,
# which needs no secret because LIUYAN_DEBUG is exported above. Its cache (.mypy_cache) makes a
# second run take about a second instead of a cold run's quarter of a minute.
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo
	$(BIN)/mypy

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# pytest builds its own test database (respecting DATABASE_URL); migrate first anyway so a
# migration that fails on a real, persistent database is caught here and not at deploy time.
test: migrate lint
	$(BIN)/pytest $(PYTEST_ARGS)

# --- maintenance ---------------------------------------------------------------------------

lock:
	PYTHON=$(PYTHON) tools/update-lock.sh

clean:
	rm -rf var .venv node_modules liuyan/static/vendor liuyan.egg-info
