# `make help` lists the targets. Every target creates .venv first if it is missing.
SHELL := bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := false
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: help install run test check lint clean bench-extract bench

help: ## this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## create .venv and install the project with its dev extras

run: $(STAMP) ## the nightly job once, on the bundled sample inbox (data/inbox -> var/)
	$(BIN)/zhibiao run --inbox data/inbox --var var

test: $(STAMP) ## ruff, then every test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 --dist loadgroup

check: test ## alias of test

lint: $(STAMP) ## ruff only
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench-extract: $(STAMP) ## extractor speed on 2,000 generated documents vs a one-regex floor
	$(BIN)/python tools/bench_extract.py

bench: $(STAMP) ## the nightly flow on 1k, 10k and 100k generated reports: seconds, memory, scaling
	$(BIN)/python tools/bench.py $(if $(SIZES),--sizes $(SIZES))

clean: ## remove var/ and caches (keeps .venv)
	rm -rf var .pytest_cache .ruff_cache .hypothesis
