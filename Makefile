# The two commands a newcomer needs: `make run` and `make test`.
VENV := .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/majlis
PORT ?= 8000

.PHONY: install run test lint test-sqlite test-postgres system-deps messages bench

$(BIN)/majlis: pyproject.toml
	@test -x $(BIN)/python || "$$(scripts/find-python)" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/majlis

run: install
	$(BIN)/majlis migrate --verbosity 0
	$(BIN)/majlis demo
	PORT=$(PORT) $(BIN)/majlis serve --port $(PORT)

# Extract new strings into the catalogues, then (once translated) compile them.
messages: install
	$(BIN)/majlis makemessages -l fr -l es -l ar --no-location \
		--ignore=.venv --ignore=data --ignore=node_modules --ignore='*/tests/*' \
		--ignore='bench/*' --ignore='*/testing/*' --ignore='*/web_tests/*'
	for po in majlis/locale/*/LC_MESSAGES/django.po; do msgattrib --no-obsolete -o $$po $$po; done
	$(BIN)/majlis compilemessages --ignore=.venv

system-deps:
	scripts/install-system-deps

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/majlis makemigrations --check --dry-run

# Test-only tools from the npm registry (axe-core for the accessibility tests,
# vnu-jar for the HTML check). No install script: vnu-jar's would download a
# Java, and Debian's (scripts/install-system-deps) is the one used.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

test-sqlite: install node_modules/.package-lock.json
	scripts/ensure-services
	DATABASE_URL= $(BIN)/pytest

test-postgres: install node_modules/.package-lock.json
	scripts/ensure-services
	DATABASE_URL=$(PG_TEST_URL) MAJLIS_REQUIRE_POSTGRES=1 $(BIN)/pytest --create-db

test: system-deps lint test-sqlite test-postgres

# The flash-crowd benchmark (docs/BENCHMARKS.md): needs PostgreSQL, takes minutes.
bench: install
	scripts/ensure-services
	$(BIN)/python bench/flash_crowd.py
