# The front door: every target sets itself up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: run test lint gallery bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(STAMP_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(STAMP_RUN)

run: $(STAMP_RUN)  ## Start the bot (long polling; SQLite under ./data unless DATABASE_URL says otherwise)
	$(BIN)/python -m bot

lint: $(STAMP_DEV)  ## Ruff lint and format check, mypy over the packages
	$(BIN)/ruff check bot content storage tests bench
	$(BIN)/ruff format --check bot content storage tests bench
	$(BIN)/mypy

test: lint  ## Lint, type-check, then the whole test suite (SQLite and PostgreSQL)
	$(BIN)/python -m pytest

bench: $(STAMP_DEV)  ## Measure speed and memory (needs the local PostgreSQL); writes docs/benchmarks.md
	$(BIN)/python -m bench

gallery: $(STAMP_RUN)  ## Draw every demonstration (MP4 + PNG) and a contact sheet into gallery/ for review
	$(BIN)/python -m bot.gallery gallery

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
