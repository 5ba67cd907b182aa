# Two commands a newcomer needs: `make run` (set up and open the app) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest pytest-postgres demo demo-province first-run bench bundle bundle-bench clean system-packages

# The system packages (tools/system-packages.txt) come first: installed when run as root with apt-get,
# else make stops at once, before the venv build, naming the one command to run. The test goals need
# the whole list (LibreOffice, poppler, binutils), the others what Python and Qt need.
NEED := $(if $(filter test pytest pytest-postgres bundle bundle-bench,$(MAKECMDGOALS)),test,run)
system-packages:
	@bash tools/system-packages.sh $(NEED)

$(STAMP): pyproject.toml | system-packages
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

## run: create .venv, install, open the app (the demo data when no database exists yet)
run: $(STAMP)
	$(BIN)/danvan gui --demo-if-missing

## first-run: open the office's own database (danvan.sqlite3), the first-run dialog when it does not exist
first-run: $(STAMP)
	$(BIN)/danvan gui --first-run

## test: lint, type-check and the whole test suite on SQLite, then on PostgreSQL (what CI runs)
test: $(STAMP) lint typecheck pytest pytest-postgres

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	env -u DANVAN_TEST_DATABASE_URL QT_QPA_PLATFORM=offscreen $(BIN)/pytest -q

## pytest-postgres: the suite again with its databases on a throwaway PostgreSQL cluster
## (tools/with-postgres.sh; skipped when PostgreSQL is not installed, except in CI). The bundle
## does not depend on the engine: built and checked once, in the SQLite run.
pytest-postgres: $(STAMP)
	QT_QPA_PLATFORM=offscreen bash tools/with-postgres.sh $(BIN)/pytest -q --ignore=tests/bundle

demo: $(STAMP)
	$(BIN)/danvan demo

## demo-province: the province office's demo (every commune's packages, 2025-H2 and 2026)
demo-province: $(STAMP)
	$(BIN)/danvan demo --province

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/startup.py

## bundle: the one-folder desktop bundle in dist/DanVanDesktop (PyInstaller, build_installer.spec)
bundle: $(STAMP)
	$(BIN)/pyinstaller --noconfirm build_installer.spec
	du -sh dist/DanVanDesktop

## bundle-bench: start-up of the bundle against the source install (bench/bundle_startup.py)
bundle-bench: bundle
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/bundle_startup.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
