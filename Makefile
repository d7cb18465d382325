# The two commands of the README:
#   make run    build the explorer, start the local Neo4j, migrate, serve the API and the
#               explorer (creates .venv and web/node_modules on first use)
#   make test   lint, type-check, the explorer's checks, then every test against a real Neo4j
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint web web-check clean

# The explorer: npm packages from its lockfile, then a build when a source changed.
WEB_MODULES := web/node_modules/.installed
WEB_BUILT   := web/dist/index.html
WEB_SOURCES := $(shell find web/src -type f 2>/dev/null) web/index.html web/graphiql.html \
               web/vite.config.ts web/tsconfig.json

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "graph-lineage needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

$(WEB_MODULES): web/package.json web/package-lock.json
	@tools/check-node
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(WEB_BUILT): $(WEB_MODULES) $(WEB_SOURCES)
	cd web && npm run --silent build

web: $(WEB_BUILT)

# type checks, lint and unit tests of the explorer
web-check: $(WEB_MODULES)
	cd web && npm run --silent check

run: $(STAMP) $(WEB_BUILT)
	$(BIN)/graph-lineage up

lint: $(STAMP)
	$(BIN)/ruff check graph_lineage api tests
	$(BIN)/ruff format --check graph_lineage api tests
	$(BIN)/mypy

test: lint web-check $(WEB_BUILT)
	@tools/ensure-chromium
	$(BIN)/pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache web/node_modules web/dist
