# The front door: every target sets itself up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev
# The browser test drives Debian's Chromium (Playwright never downloads a browser here).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# One gettext catalogue per language; the compiled .mo files are built here, never committed.
LOCALES := content/locales
PO_FILES := $(wildcard $(LOCALES)/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run test lint gallery bench bench-quick soak clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(STAMP_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(STAMP_RUN)

# Installing compiles every catalogue, and a changed .po is compiled again before the next use.
%.mo: %.po $(STAMP_RUN)
	$(BIN)/pybabel -q compile -D messages -i $< -o $@

messages: $(STAMP_DEV)  ## After changing English content: re-extract it and update every language's .po
	$(BIN)/pybabel -q extract -F babel.cfg --no-location --no-wrap -o $(LOCALES)/messages.pot .
	$(BIN)/pybabel -q update -D messages -i $(LOCALES)/messages.pot -d $(LOCALES) --no-wrap --ignore-obsolete
	@echo "Now translate the new and changed messages (empty or fuzzy) in $(LOCALES)/*/LC_MESSAGES/messages.po"

run: $(STAMP_RUN) $(MO_FILES)  ## Start the bot; without TELEGRAM_BOT_TOKEN, a chat page to try it at 127.0.0.1:8080
	$(BIN)/python -m bot

lint: $(STAMP_DEV)  ## Ruff lint and format check, mypy over the packages
	$(BIN)/ruff check bot content storage tests bench
	$(BIN)/ruff format --check bot content storage tests bench
	$(BIN)/mypy

$(CHROMIUM):  ## Headless Chromium and an emoji font for the try-out's browser test
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji

test: lint $(CHROMIUM) $(MO_FILES)  ## Lint, type-check, then the whole test suite (SQLite and PostgreSQL)
	$(BIN)/python -m pytest

bench: $(STAMP_DEV) $(MO_FILES)  ## Measure speed and memory (needs the local PostgreSQL); writes docs/benchmarks.md
	$(BIN)/python -m bench

bench-quick: $(STAMP_DEV) $(MO_FILES)  ## The headline speed figures in a few minutes (needs the local PostgreSQL)
	$(BIN)/python -m bench.quick

SOAK_PEOPLE ?= 1000
soak: $(STAMP_DEV) $(MO_FILES)  ## Simulated people against two instances, one killed -9 midway (needs the local PostgreSQL)
	$(BIN)/python -m tests.soak --people $(SOAK_PEOPLE)

gallery: $(STAMP_RUN) $(MO_FILES)  ## Draw every demonstration (MP4 + PNG) and a contact sheet into gallery/ for review
	$(BIN)/python -m bot.gallery gallery

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
