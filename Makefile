# Two commands for a fresh Debian/Ubuntu machine with Python 3.11+: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PASSWORD ?= demo-pass-2025
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: run test install lock messages compilemessages migrate seed lint format check-deploy bench seed-large loadtest scaled-out ci clean backup restore screenshots

# requirements-dev.txt is the complete hashed lock (runtime + tools): every download is checked
# against its hash. Production installs requirements.txt the same way (docs/deploy.md).
$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet --require-hashes -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

# Regenerate both locks from requirements.in / requirements-dev.in (newest patch releases
# inside the ranges there and in constraints.in).
PIP_COMPILE := $(VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links --no-emit-trusted-host --no-header
lock: $(STAMP)
	$(PIP_COMPILE) --upgrade --output-file requirements.txt requirements.in
	$(PIP_COMPILE) --upgrade --output-file requirements-dev.txt requirements-dev.in

# Compiled catalogues are committed; rebuild them when gettext's msgfmt is present.
compilemessages: $(STAMP)
	@if command -v msgfmt >/dev/null 2>&1; then DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv -v0; \
	else echo "msgfmt not found: using the committed .mo catalogues"; fi

messages: $(STAMP)
	DEBUG=1 $(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=tests --ignore=bench --no-obsolete --no-location
	DEBUG=1 $(PY) manage.py makemessages -d djangojs -l zh_Hans --ignore=.venv --ignore=staticfiles --no-obsolete --no-location || true

migrate: $(STAMP)
	DEBUG=1 $(PY) manage.py migrate --noinput -v0

seed: migrate
	DEBUG=1 $(PY) manage.py seed_demo --password "$(DEMO_PASSWORD)"

# The background worker runs beside the web server and stops with it.
run: install compilemessages seed
	@echo "Serving http://$(HOST):$(PORT)/ with a background worker  (stop both with Ctrl-C)"
	@DEBUG=1 $(PY) manage.py jobs_worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: install compilemessages
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check-deploy: install
	DEBUG=0 SECRET_KEY=check-deploy-$$(date +%s)-a-long-random-looking-value-for-the-check ALLOWED_HOSTS=agency.example.org \
	  $(PY) manage.py check --deploy --fail-level WARNING

# Performance (docs/performance.md): the large data set lives in the PostgreSQL database
# $(BENCH_DB), created and seeded once (`seed-large`; later runs only reset the demo passwords).
# `bench` runs every bench module: bench_scale on that data set, the module benchmarks on a fresh
# scratch database $(BENCH_DB)_modules each time (they build their own data).
PG_URL ?= postgres://postgres@127.0.0.1:5432
BENCH_DB ?= bench
BENCH_DATABASE_URL ?= $(PG_URL)/$(BENCH_DB)
LOADTEST_PORT ?= 8011
LOADTEST_ARGS ?= --users 50 --duration 60

seed-large: install
	@psql "$(PG_URL)/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$(BENCH_DB)'" | grep -q 1 \
	  || psql "$(PG_URL)/postgres" -qc 'CREATE DATABASE "$(BENCH_DB)"'
	DATABASE_URL=$(BENCH_DATABASE_URL) DEBUG=1 $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) DEBUG=1 $(PY) manage.py seed_demo --size large --password "$(DEMO_PASSWORD)"

bench: seed-large
	psql "$(PG_URL)/postgres" -qc 'DROP DATABASE IF EXISTS "$(BENCH_DB)_modules"' -c 'CREATE DATABASE "$(BENCH_DB)_modules"'
	DATABASE_URL=$(PG_URL)/$(BENCH_DB)_modules BENCH_LARGE_DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench $(BENCH_ARGS)

loadtest: seed-large
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) scripts/loadtest.py --serve --base http://127.0.0.1:$(LOADTEST_PORT) \
	  --password "$(DEMO_PASSWORD)" $(LOADTEST_ARGS)

scaled-out: seed-large
	SCALED_OUT_DATABASE_URL=$(BENCH_DATABASE_URL) DEMO_PASSWORD="$(DEMO_PASSWORD)" PY=$(PY) scripts/scaled_out.sh

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) staticfiles .pytest_cache

# Database + uploads to backups/agency-<timestamp>.tar.gz; restore refuses a non-empty target unless FORCE=1.
backup:
	$(PY) scripts/backup.py backup $(if $(OUT),--out "$(OUT)")

restore:
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/agency-YYYYMMDD-HHMMSS.tar.gz [FORCE=1]"; exit 2; }
	$(PY) scripts/backup.py restore "$(FILE)" $(if $(FORCE),--force)

# Every role's home page in en and zh-hans, desktop and phone, as PNGs in screenshots/ (git-ignored):
# a scratch demo database under /tmp, served by runserver, photographed by Chromium (/usr/bin/chromium).
screenshots: install compilemessages
	DEMO_PASSWORD="$(DEMO_PASSWORD)" $(PY) scripts/screenshots.py
