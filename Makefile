# `make run` starts cloudlet; `make test` runs the tests. Each sets up what it needs itself.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
APT_STAMP := $(VENV)/.apt-stamp
PYTEST_WORKERS ?= 2

.PHONY: run test test-all lint typecheck apt bench-dns bench-dynamodb coverage clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

# Debian packages the tests and benchmarks need (dig, dnsperf, ...), one per line in .ci/apt-packages.txt
$(APT_STAMP): .ci/apt-packages.txt
	bash .ci/install-apt-packages .ci/apt-packages.txt
	@mkdir -p $(VENV) && touch $(APT_STAMP)

apt: $(APT_STAMP)

run: $(STAMP)
	$(VENV)/bin/cloudlet up

test: $(STAMP) $(APT_STAMP)
	$(VENV)/bin/ruff check cloudlet tests bench
	$(VENV)/bin/ruff format --check cloudlet tests bench
	$(VENV)/bin/mypy cloudlet
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) -q -p no:cacheprovider

test-all: $(STAMP) $(APT_STAMP)
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) -q -p no:cacheprovider -m ''

lint: $(STAMP)
	$(VENV)/bin/ruff check cloudlet tests bench
	$(VENV)/bin/ruff format --check cloudlet tests bench

typecheck: $(STAMP)
	$(VENV)/bin/mypy cloudlet

coverage: $(STAMP)
	$(VENV)/bin/cloudlet coverage

bench-dns: $(STAMP) $(APT_STAMP)
	bench/dns_auth/run

bench-dynamodb: $(STAMP) $(APT_STAMP)
	bench/dynamodb/run

clean:
	rm -rf $(VENV) .cloudlet .pytest_cache .mypy_cache .ruff_cache
