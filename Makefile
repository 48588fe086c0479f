# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2

.PHONY: run test test-pg e2e audit bench bench-queries load translations install check import clean

CATALOGUES := lms/translations/ja/LC_MESSAGES/messages.mo

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) $(CATALOGUES)

E2E_STAMP := $(VENV)/.installed-e2e
$(E2E_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,e2e]'
	touch $(E2E_STAMP)

# The interface's Japanese catalogue, compiled from the .po file kept in git.
lms/translations/%/LC_MESSAGES/messages.mo: lms/translations/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d lms/translations -l $* >/dev/null

# After changing text in the code or templates: refresh the template and each catalogue, then
# translate what `pybabel update` added (tests fail while any string is untranslated).
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ --no-location --sort-output --omit-header \
	  -o lms/translations/messages.pot .
	$(BIN)/pybabel update -i lms/translations/messages.pot -d lms/translations --no-fuzzy-matching
	$(MAKE) $(CATALOGUES)

run: $(STAMP) $(CATALOGUES)
	$(BIN)/lms init --demo
	$(BIN)/lms import --keep-browser-changes
	$(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - 'lms:create_app()'

test: $(STAMP) $(CATALOGUES)
	$(BIN)/pytest

# The whole suite again on a throwaway PostgreSQL cluster (installed with apt-get if missing).
test-pg: $(STAMP) $(CATALOGUES)
	scripts/with-postgres $(BIN)/pytest

# Throughput and latency of the main pages under gunicorn on loopback, against the ceiling of
# this stack (a bare Flask route); writes bench/results.json.
bench: $(STAMP)
	$(BIN)/python -m bench.stack

# In-process timings and SQL statement counts of the pages that grow with a company.
bench-queries: $(STAMP)
	$(BIN)/python bench/cockpit.py

# The main journeys in a real browser (Debian's Chromium, installed with apt-get if missing),
# each against gunicorn on loopback with a fresh database; axe-core checks every page.
e2e: $(E2E_STAMP) $(CATALOGUES)
	scripts/ensure-chromium
	$(BIN)/pytest e2e

# Known vulnerabilities in the installed dependencies (pip-audit; needs PyPI's JSON API).
audit: $(STAMP)
	scripts/audit-dependencies

# 50 simulated learners for a minute against gunicorn on a throwaway PostgreSQL (loopback only).
load: $(STAMP)
	scripts/with-postgres $(BIN)/python bench/load.py

check: $(STAMP)
	$(BIN)/lms check

import: $(STAMP)
	$(BIN)/lms import

clean:
	rm -rf $(VENV) .venv-audit build *.egg-info
