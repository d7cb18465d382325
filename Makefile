# The two commands of the README:
#   make run    start the local Neo4j, migrate, serve the API (creates .venv on first use)
#   make test   lint, type-check and run every test against a real Neo4j
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "graph-lineage needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/graph-lineage up

lint: $(STAMP)
	$(BIN)/ruff check graph_lineage api tests
	$(BIN)/ruff format --check graph_lineage api tests
	$(BIN)/mypy

test: lint
	@tools/ensure-chromium
	$(BIN)/pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
