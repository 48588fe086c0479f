# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2

.PHONY: run test test-pg audit bench load install check import clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/lms init --demo
	$(BIN)/lms import --keep-browser-changes
	$(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - 'lms:create_app()'

test: $(STAMP)
	$(BIN)/pytest

# The whole suite again on a throwaway PostgreSQL cluster (installed with apt-get if missing).
test-pg: $(STAMP)
	scripts/with-postgres $(BIN)/pytest

# Timings and query counts of the pages that grow with a company (500 learners x 60 modules).
bench: $(STAMP)
	$(BIN)/python bench/cockpit.py

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
