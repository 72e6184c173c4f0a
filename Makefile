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
# The pages' texts are English in the code; each other language is a gettext catalog,
# app/translations/<lang>/LC_MESSAGES/messages.po, compiled here to messages.mo (not committed).
CATALOGS := $(wildcard app/translations/*/LC_MESSAGES/messages.po)
TEMPLATE_CATALOG := app/translations/messages.pot

.PHONY: run test test-postgres test-frontend frontend translations messages lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,otel]'
	touch $(STAMP)

$(FRONTEND_MODULES): frontend/package-lock.json
	@if command -v $(NPM) >/dev/null 2>&1; then $(NPM) --prefix frontend ci --no-audit --no-fund; \
	else echo "Node.js (npm) not found: skipping the editor build. Install Node 20 to build it."; fi

$(FRONTEND_BUILT): $(FRONTEND_MODULES) $(FRONTEND_SOURCES)
	@if command -v $(NPM) >/dev/null 2>&1; then $(NPM) --prefix frontend run build; \
	else echo "Node.js (npm) not found: the editor page will explain how to build it."; fi

frontend: $(FRONTEND_BUILT)

%.mo: %.po | $(STAMP)
	$(BIN)/pybabel -q compile -i $< -o $@

translations: $(CATALOGS:.po=.mo)

# After changing texts: collect them into $(TEMPLATE_CATALOG) and merge them into every catalog,
# where new ones wait to be translated. A new language starts from the same template:
# $(BIN)/pybabel init -i $(TEMPLATE_CATALOG) -d app/translations -l fr
messages: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k lazy_gettext --ignore-dirs '.* ._ node_modules' \
		--add-location file --sort-by-file -w 100 -o $(TEMPLATE_CATALOG) .
	$(BIN)/pybabel -q update -i $(TEMPLATE_CATALOG) -d app/translations -w 100 \
		--ignore-pot-creation-date

# The editor's unit tests (Vitest); skipped with a message when Node is missing.
test-frontend: $(FRONTEND_MODULES)
	@if command -v $(NPM) >/dev/null 2>&1; then $(NPM) --prefix frontend test -- --run; \
	else echo "Node.js (npm) not found: skipping the editor's unit tests."; fi

run: $(STAMP) frontend translations
	$(BIN)/python -m app.cli up --port $(PORT) --demo

test: $(STAMP) frontend translations test-frontend
	$(BIN)/pytest

# Every test again against PostgreSQL: set SHOPWIRE_TEST_DATABASE_URL (.ci/run does).
test-postgres: $(STAMP) frontend translations
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
	rm -rf $(VENV) instance .pytest_cache frontend/node_modules app/static/dist \
		app/translations/*/LC_MESSAGES/*.mo $(TEMPLATE_CATALOG)
