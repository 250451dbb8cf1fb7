# `make help` lists the targets. Every target creates .venv first if it is missing.
SHELL := bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := false
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: help install compile run test check lint clean bench-extract bench

help: ## this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

# The extractor compiled with mypyc (transforms/native.py): again whenever a source changes.
NATIVE := transforms/native.json
$(NATIVE): $(STAMP) $(wildcard transforms/*.py transforms/extract/*.py) tools/compile_extractor.py
	$(BIN)/python tools/compile_extractor.py

# The word scans in Rust (transforms/fast_scan.py): built offline from Debian's crates when
# cargo and the crates are there; otherwise one line says why and the scans run on re.
SCANNER := transforms/fast_scan.json
$(SCANNER): $(STAMP) native/Cargo.toml $(wildcard native/src/*.rs) tools/build_scanner.py
	$(BIN)/python tools/build_scanner.py

install: $(STAMP) $(NATIVE) $(SCANNER) ## create .venv, install the project with its dev extras, build the native parts

compile: $(NATIVE) ## compile the extractor with mypyc (~30 s; `install` does it)

run: $(NATIVE) $(SCANNER) ## the nightly job once, on the bundled sample inbox (data/inbox -> var/)
	$(BIN)/zhibiao run --inbox data/inbox --var var

test: $(NATIVE) $(SCANNER) ## ruff, then every test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 --dist loadgroup

check: test ## alias of test

lint: $(STAMP) ## ruff only
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench-extract: $(NATIVE) $(SCANNER) ## extractor speed on 2,000 real-looking documents vs a one-regex floor
	$(BIN)/python tools/bench_extract.py $(if $(CORPUS),--corpus $(CORPUS))

bench: $(NATIVE) $(SCANNER) ## the nightly flow on 1k, 10k, 100k real-looking reports (CORPUS=gen: generated)
	$(BIN)/python tools/bench.py $(if $(SIZES),--sizes $(SIZES)) $(if $(CORPUS),--corpus $(CORPUS))

clean: ## remove var/, caches, the compiled extractor and the native scanner (keeps .venv)
	rm -rf var .pytest_cache .ruff_cache .hypothesis build
	test ! -x $(BIN)/python || $(BIN)/python tools/compile_extractor.py --clean
	test ! -x $(BIN)/python || $(BIN)/python tools/build_scanner.py --clean
