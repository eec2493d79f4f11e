# Solidaire — the two commands a newcomer needs are `make run` and `make test`.
# Everything else here is what those two need, plus lint and benchmarks.

VENV    ?= .venv
PY      := $(VENV)/bin/python
PORT    ?= 8000
STAMP   := $(VENV)/.installed

.PHONY: run test test-fast lint bench setup demo messages clean help

help:
	@echo "make run    — install, migrate, load the Capitale-Nationale demo, serve on http://127.0.0.1:$(PORT)"
	@echo "make test   — the whole test suite (SQLite by default; DATABASE_URL selects PostgreSQL)"
	@echo "make lint   — ruff and mypy"
	@echo "make bench  — benchmarks, figures printed"

# A suitable interpreter: the first of these that is Python 3.12 or newer.
$(PY):
	@interp=""; \
	for c in $${PYTHON:-} python3.13 python3.12 python3 python; do \
	  [ -n "$$c" ] || continue; \
	  if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then \
	    interp=$$c; break; \
	  fi; \
	done; \
	if [ -z "$$interp" ]; then \
	  echo "Solidaire needs Python 3.12 or newer (with the venv module). Install it (e.g. apt install python3.12-venv, or pyenv install 3.12) or set PYTHON=/path/to/python3.12." >&2; \
	  exit 1; \
	fi; \
	echo "Creating $(VENV) with $$interp ($$($$interp --version))"; \
	$$interp -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml constraints.txt
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

node_modules/axe-core/axe.min.js: package.json
	@if command -v npm >/dev/null 2>&1; then npm install --no-audit --no-fund --silent; \
	else echo "npm not found: the accessibility checks of the browser tests will be skipped."; fi

demo: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo --if-empty

run: demo
	@echo "Solidaire is served at http://127.0.0.1:$(PORT) (demo accounts: see README.md)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: setup
	-@$(MAKE) --no-print-directory node_modules/axe-core/axe.min.js
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy solidaire

bench: setup
	$(PY) bench/run_all.py

messages: setup
	cd solidaire && ../$(PY) ../manage.py makemessages -l fr --no-obsolete && ../$(PY) ../manage.py compilemessages

clean:
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles
