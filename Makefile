# The front door. `make run` sets up and serves the hub; `make test` sets up and runs every check.
PYTHON ?= python3
# Tests run on two workers, each with its own test database; a file's tests stay on one worker.
PYTEST_WORKERS ?= 2
PYTEST = $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile
VENV := .venv
BIN := $(VENV)/bin
# make bench seeds 1,000 guides, 300 scripts and 5,000 resources times this.
BENCH_SCALE ?= 10
PG_URL ?= postgres://postgres@127.0.0.1:5432/hub
ADDRESS ?= 127.0.0.1:8000

.PHONY: run setup install install-dev system-deps test lint checks test-sqlite test-postgres \
        plain-english collectstatic serve-gunicorn editor bench load lock clean

run: setup
	@echo ""
	@echo "  The hub is starting at http://$(ADDRESS)/"
	@echo "  To add an editor account for the admin at http://$(ADDRESS)/admin/, run in another terminal:"
	@echo "      $(BIN)/python manage.py create_editor YOUR-NAME --email you@example.org"
	@echo ""
	$(BIN)/python manage.py runserver $(ADDRESS)

# Starter content goes into a new database only, so editors' work is never written over.
# To load later changes to content/, run: .venv/bin/python manage.py load_content
setup: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_content --if-empty

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-runtime: requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock $(VENV)/.installed-runtime
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed-runtime
install-dev: $(VENV)/.installed-dev

# Chromium for the browser tests (Debian's package; Playwright drives it, axe-core comes with
# axe-playwright-python), and wrk for `make load`.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v wrk >/dev/null 2>&1 || missing="$$missing wrk"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing$$missing ..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Please install:$$missing (for example: sudo apt-get install$$missing)"; exit 1; \
	  fi; \
	fi

test: install-dev system-deps lint checks test-sqlite test-postgres plain-english
	@echo "All checks passed on SQLite and PostgreSQL."

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

checks: install-dev
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

# Every test runs on SQLite; what can differ by database runs again on PostgreSQL.
test-sqlite: install-dev
	@echo "== Tests on SQLite"
	$(PYTEST)

test-postgres: install-dev
	@if $(BIN)/python -c "import psycopg; psycopg.connect('postgresql://postgres@127.0.0.1:5432/postgres', connect_timeout=3).close()" 2>/dev/null; then \
	  echo "== Tests marked both_databases, on PostgreSQL"; \
	  DATABASE_URL=$(PG_URL) $(PYTEST) -m both_databases; \
	elif [ "$$CI" = "true" ]; then \
	  echo "PostgreSQL does not answer at 127.0.0.1:5432, and CI must test on it."; exit 1; \
	else \
	  echo ""; \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	  echo "!!  SKIPPED the PostgreSQL test run: nothing answers at 127.0.0.1:5432.            !!"; \
	  echo "!!  Start PostgreSQL (user postgres, trust auth) to run it. CI always runs it.       !!"; \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	  echo ""; \
	fi

# The shipped content must pass the plain-English checker, loaded exactly as `make run` loads it.
plain-english: install-dev
	@rm -f .plain-english.sqlite3
	DATABASE_URL=sqlite:///$(CURDIR)/.plain-english.sqlite3 $(BIN)/python manage.py migrate --noinput -v0
	DATABASE_URL=sqlite:///$(CURDIR)/.plain-english.sqlite3 $(BIN)/python manage.py load_content -v0
	DATABASE_URL=sqlite:///$(CURDIR)/.plain-english.sqlite3 $(BIN)/python manage.py check_plain_english
	@rm -f .plain-english.sqlite3

# The same steps the Dockerfile runs.
collectstatic: install
	DJANGO_SETTINGS_MODULE=hub.settings.prod $(BIN)/python manage.py collectstatic --noinput -v0

editor: install
	$(BIN)/python manage.py create_editor $(NAME)

bench: install-dev system-deps
	$(BIN)/python bench/largest_page.py
	$(BIN)/python bench/run.py --scale $(BENCH_SCALE)
	$(BIN)/python bench/linkcheck.py

load: install-dev system-deps
	$(BIN)/python bench/load.py

lock:
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --generate-hashes --python-version 3.11 -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements-dev.lock

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache db.sqlite3
