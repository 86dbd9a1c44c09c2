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

.PHONY: run test install messages compilemessages migrate seed lint format check-deploy bench ci clean backup restore

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

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

run: install compilemessages seed
	@echo "Serving http://$(HOST):$(PORT)/  (stop with Ctrl-C)"
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: install compilemessages
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check-deploy: install
	DEBUG=0 SECRET_KEY=check-deploy-$$(date +%s)-a-long-random-looking-value-for-the-check ALLOWED_HOSTS=agency.example.org \
	  $(PY) manage.py check --deploy --fail-level WARNING

bench: install
	$(PY) -m bench

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
