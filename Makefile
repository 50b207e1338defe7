# Chanye: `make run` serves the demo, `make test` runs everything. `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help
HOST ?= 127.0.0.1
PORT ?= 8000
UV_VERSION := 0.13.9
UV ?= .tools/bin/uv
PY := .venv/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/chanye
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := 3.12

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

.tools/bin/uv:
	python3.12 -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

.venv/.synced: requirements.lock pyproject.toml | .tools/bin/uv
	$(UV) venv --quiet --allow-existing .venv
	# --compile-bytecode: every process (server, worker, CLI, tests) imports from .pyc, also where the
	# environment sets PYTHONDONTWRITEBYTECODE and Python would otherwise compile each module on each start
	$(UV) pip sync --quiet --compile-bytecode --python .venv/bin/python --require-hashes requirements.lock
	$(UV) pip install --quiet --python .venv/bin/python --no-deps --no-build-isolation -e .
	@touch $@

lock: .tools/bin/uv ## re-resolve requirements.lock (with hashes) after changing pyproject.toml
	$(UV) pip compile pyproject.toml --group dev --generate-hashes --universal --python-version 3.12 -o requirements.lock

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

build/vendor/.copied: node_modules/.package-lock.json scripts/copy-assets.sh
	bash scripts/copy-assets.sh
	@touch $@

env: .venv/.synced build/vendor/.copied ## build .venv and the front-end assets from the lock files

migrate: env ## migrate the embedded SQLite database (or DATABASE_URL)
	$(PY) manage.py migrate --noinput

demo: migrate ## load the 12126 system and the demo data, create demo users
	.venv/bin/chanye demo

run: demo ## set up everything and serve on $(HOST):$(PORT)
	@cat $${CHANYE_VAR_DIR:-var}/demo-logins.txt
	@echo "Serving Chanye on http://$(HOST):$(PORT)/"
	bash scripts/serve.sh $(HOST) $(PORT)

check: env ## lint, Django checks, migrations up to date, types
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run
	.venv/bin/mypy chanye/*/services.py chanye/*/selectors.py chanye/industries/definition chanye/industries/codes.py chanye/industries/classifications.py \
		chanye/core/jinja.py chanye/core/statements.py chanye/accounts/roles.py chanye/accounts/passwords.py chanye/accounts/sessions.py chanye/enterprises/uscc.py chanye/enterprises/scale.py \
		chanye/enterprises/classify.py chanye/enterprises/rows.py chanye/enterprises/demo.py chanye/enterprises/columnar.py \
		chanye/projects/demo.py chanye/projects/lights.py chanye/projects/forecast.py chanye/projects/light_rules.py chanye/projects/reminders.py chanye/projects/imports chanye/core/tabular \
		chanye/projects/indicator_figures.py chanye/cockpit/scorecard_selectors.py \
		chanye/indicators/periods.py chanye/indicators/catalogue.py chanye/indicators/demo.py chanye/indicators/rows.py \
		chanye/indicators/scoping.py chanye/indicators/loader.py chanye/indicators/imports.py chanye/indicators/rollups.py \
		chanye/indicators/layouts.py chanye/indicators/bureau.py \
		chanye/targets/outlook.py chanye/targets/yearly.py \
		chanye/economy/estimate.py chanye/economy/rates.py chanye/economy/sets.py

test: check ## everything: checks, unit tests on SQLite and PostgreSQL, browser tests
	CHANYE_VAR_DIR=$$(mktemp -d) .venv/bin/pytest -m "not browser" -n 2 -q
	bash scripts/with-postgres.sh "$(PG_URL)" .venv/bin/pytest -n 2 -q

format: env ## format the code
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

clean: ## remove the built environment and the demo database
	rm -rf .venv .tools node_modules build var

.PHONY: help env lock migrate demo run check test format clean
