# Förderportal: `make run` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export DEBUG ?= true

.PHONY: run test lint format messages migrate demo check-deploy clean

$(STAMP): requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 wird benötigt ($(PYTHON) nicht gefunden)."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	test -f .env || printf 'DEBUG=true\n' > .env
	touch $(STAMP)

migrate: $(STAMP)
	mkdir -p var
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

run: demo
	@echo "Förderportal läuft auf http://127.0.0.1:8000/ (Verwaltung: http://127.0.0.1:8000/admin/)"
	@echo "E-Mails: Dateien unter var/mail/, Liste unter http://127.0.0.1:8000/entwicklung/mails/"
	$(PY) manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

# The same checks as .pre-commit-config.yaml: ruff (lint and format), import layers, templates.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/djlint templates --lint --profile=django
	$(VENV)/bin/djlint templates --check --profile=django

# `manage.py check --deploy` with production-like settings (DEBUG off, a long secret, PostgreSQL,
# a broker): nothing is contacted, only the settings are checked; any warning fails.
check-deploy: $(STAMP)
	DEBUG=false \
	SECRET_KEY=check-deploy-only-not-a-real-secret-Qv9zR2xL5pW8nT3bY6cM1dF4gH0jS7 \
	DATABASE_URL=postgres://foerderportal@db.invalid:5432/foerderportal \
	ALLOWED_HOSTS=foerderportal.example \
	CELERY_BROKER_URL=redis://redis.invalid:6379/0 \
	$(PY) manage.py check --deploy --fail-level WARNING

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# locale/de/LC_MESSAGES/django.po: German msgids, empty msgstr (German is shown as written, no .mo needed).
messages: $(STAMP)
	@command -v xgettext >/dev/null || { echo "xgettext fehlt (Debian/Ubuntu: apt-get install gettext)."; exit 1; }
	mkdir -p locale/de/LC_MESSAGES
	$(PY) manage.py makemessages -l de --add-location=file --no-wrap \
		--ignore=.venv --ignore=node_modules --ignore=tests --ignore=benchmarks --ignore=var --ignore=media
	msgfmt --check -o /dev/null locale/de/LC_MESSAGES/django.po

clean:
	rm -rf $(VENV) var node_modules
