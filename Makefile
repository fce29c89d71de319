# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Debian packages (Java, Chromium) are installed as root, through sudo when run as a user
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install chromium run report-screenshot test lint check bench fuzz realdev clean

$(STAMP): pyproject.toml
	@# PySpark (the `spark` command and its tests) needs a Java 17+ runtime
	command -v java >/dev/null || ($(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq openjdk-17-jre-headless)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,spark]"
	touch $(STAMP)

install: $(STAMP)

## Debian's Chromium, which the report's browser tests drive through Playwright (Playwright's
## own browser builds are never downloaded); installed only when missing
chromium:
	command -v chromium >/dev/null || ($(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium)

## The main job: every page under fixtures/ -> out/records.jsonl, out/articles.jsonl,
## out/errors.jsonl, the takedowns across them -> out/events.jsonl, then the review page
## out/report.html
run: install
	$(BIN)/takedowns extract fixtures/ -o out/records.jsonl --articles out/articles.jsonl \
		--errors out/errors.jsonl
	$(BIN)/takedowns events out/records.jsonl -o out/events.jsonl
	$(BIN)/takedowns report out/records.jsonl --events out/events.jsonl -o out/report.html

## The README's screenshot of the review page, taken in Chromium from out/report.html
report-screenshot: run chromium
	$(BIN)/python scripts/report_measure.py --screenshot docs/report.png --no-measure

lint: install
	$(BIN)/ruff check pipeline models tests scripts
	$(BIN)/mypy

## Linters, the test suite, then the fixture check
test: lint chromium
	$(BIN)/pytest -q
	$(BIN)/takedowns check fixtures/

check: test

## Record, target, country and actor scores on the real dev set (../shared/realdev)
realdev: install
	$(BIN)/python scripts/realdev.py --per-case

## Speed, memory and cleaning quality on ../shared/aeb-dev and the realdev pages, the cost
## of grouping events, then hostile pages alone and in a batch of 500 good ones (never part
## of `make test`)
bench: install
	$(BIN)/python scripts/bench.py
	$(BIN)/python scripts/bench_events.py
	$(BIN)/python scripts/hostile.py

## A long fuzzing campaign: 2,000 generated pages per property (`make test` runs 40)
fuzz: install
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -q -p no:logging tests/test_fuzz.py

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
