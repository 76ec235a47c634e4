# The two commands a newcomer needs: `make run` and `make test`.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test lint typecheck contracts content pytest test-postgres clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
		|| { echo "borgerchat needs Python 3.11 or newer (found $(PYTHON))"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

## run: install, migrate the embedded SQLite database, load demo data, start on :8000
run: $(STAMP)
	$(BIN)/borgerchat db upgrade
	$(BIN)/borgerchat demo seed
	$(BIN)/borgerchat consultant demo-login
	$(BIN)/borgerchat serve

## test: lint, type-check, check the import layering and the content, run the whole suite (SQLite, or TEST_DATABASE_URL)
test: lint typecheck contracts content pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

## contracts: the import layering stated in pyproject.toml ([tool.importlinter])
contracts: $(STAMP)
	$(BIN)/lint-imports

## content: the answers' sources and review dates, da/en, SMS fit, amounts, opt-out words, LIX
content: $(STAMP)
	$(BIN)/borgerchat content check

pytest: $(STAMP)
	$(BIN)/pytest

## test-postgres: the suite again on the local PostgreSQL server
test-postgres: $(STAMP)
	TEST_DATABASE_URL=$(TEST_POSTGRES_URL) $(BIN)/pytest

clean:
	rm -rf $(VENV) var/borgerchat.db* .pytest_cache .mypy_cache .ruff_cache
