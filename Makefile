# Quick start: `make run` serves Shopwire on http://127.0.0.1:5000, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 5000

.PHONY: run test test-postgres lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/shopwire up --port $(PORT)

test: $(STAMP)
	$(BIN)/pytest

# Every test again against PostgreSQL: set SHOPWIRE_TEST_DATABASE_URL (.ci/run does).
test-postgres: $(STAMP)
	@test -n "$$SHOPWIRE_TEST_DATABASE_URL" || (echo "set SHOPWIRE_TEST_DATABASE_URL" && exit 2)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python bench/w1.py

clean:
	rm -rf $(VENV) instance .pytest_cache
