# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint check bench fuzz clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## The main job: every page under fixtures/ -> out/records.jsonl, out/articles.jsonl
run: install
	$(BIN)/takedowns extract fixtures/ -o out/records.jsonl --articles out/articles.jsonl \
		--errors out/errors.jsonl

lint: install
	$(BIN)/ruff check pipeline models tests scripts
	$(BIN)/mypy

## Linters, the test suite, then the fixture check
test: lint
	$(BIN)/pytest -q
	$(BIN)/takedowns check fixtures/

check: test

## Speed, memory and cleaning quality on ../shared/aeb-dev, then hostile pages alone and in
## a batch of 500 good ones (never part of `make test`)
bench: install
	$(BIN)/python scripts/bench.py
	$(BIN)/python scripts/hostile.py

## A long fuzzing campaign: 2,000 generated pages per property (`make test` runs 40)
fuzz: install
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -q -p no:logging tests/test_fuzz.py

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
