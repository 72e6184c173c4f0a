# Quick start: `make run` serves Shopwire on http://127.0.0.1:5000, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 5000
# The canvas editor: frontend/ built by Vite into app/static/dist (not committed).
NPM ?= npm
FRONTEND_MODULES := frontend/node_modules/.package-lock.json
FRONTEND_BUILT := app/static/dist/editor.js
FRONTEND_SOURCES := $(shell find frontend/src -type f -not -path "*/node_modules/*") frontend/vite.config.js frontend/package.json

.PHONY: run test test-postgres test-frontend frontend lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(FRONTEND_MODULES): frontend/package-lock.json
	@if command -v $(NPM) >/dev/null 2>&1; then $(NPM) --prefix frontend ci --no-audit --no-fund; \
	else echo "Node.js (npm) not found: skipping the editor build. Install Node 20 to build it."; fi

$(FRONTEND_BUILT): $(FRONTEND_MODULES) $(FRONTEND_SOURCES)
	@if command -v $(NPM) >/dev/null 2>&1; then $(NPM) --prefix frontend run build; \
	else echo "Node.js (npm) not found: the editor page will explain how to build it."; fi

frontend: $(FRONTEND_BUILT)

# The editor's unit tests (Vitest); skipped with a message when Node is missing.
test-frontend: $(FRONTEND_MODULES)
	@if command -v $(NPM) >/dev/null 2>&1; then $(NPM) --prefix frontend test -- --run; \
	else echo "Node.js (npm) not found: skipping the editor's unit tests."; fi

run: $(STAMP) frontend
	$(BIN)/python -m app.cli up --port $(PORT) --demo-fakes

test: $(STAMP) frontend test-frontend
	$(BIN)/pytest

# Every test again against PostgreSQL: set SHOPWIRE_TEST_DATABASE_URL (.ci/run does).
test-postgres: $(STAMP) frontend
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
	rm -rf $(VENV) instance .pytest_cache frontend/node_modules app/static/dist
