# Solidaire — the two commands a newcomer needs are `make run` and `make test`.
# Everything else here is what those two need, plus lint and benchmarks.

VENV    ?= .venv
PY      := $(VENV)/bin/python
PORT    ?= 8000
STAMP   := $(VENV)/.installed

.PHONY: run serve image test test-fast lint bench setup demo messages clean help

help:
	@echo "make run    — install, migrate, load the Capitale-Nationale demo, serve on http://127.0.0.1:$(PORT)"
	@echo "make serve  — the production stack: gunicorn and the task worker, DEBUG=false (see docs/deployment.md)"
	@echo "make image  — the container image with podman (deploy/build-image.sh; LOCAL_BASE=1 without a registry)"
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

# The production stack on this machine. Production settings (DEBUG=false),
# with defaults that suit a trial on this machine, each replaced by the
# variable of the same name when it is set: a secret key generated once in
# var/secret_key, the hosts 127.0.0.1 and localhost, no HTTPS redirect
# (there is no TLS on loopback; a proxy in front provides it in production),
# e-mail written under var/mail/ unless EMAIL_URL or EMAIL_HOST names an SMTP
# server, the database cache (shared by the workers, for the rate limits).
# DATABASE_URL selects PostgreSQL (SQLite, the default, is for a trial).
SERVE_ENV = env DEBUG=false \
	ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} \
	SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-false} \
	CACHE_TABLE=$${CACHE_TABLE:-solidaire_cache} \
	TASKS_BACKEND=$${TASKS_BACKEND:-database} \
	$$([ -n "$${SECRET_KEY:-}" ] || echo SECRET_KEY_FILE=$${SECRET_KEY_FILE:-var/secret_key}) \
	$$([ -n "$${EMAIL_URL:-}$${EMAIL_HOST:-}$${EMAIL_BACKEND:-}" ] || echo EMAIL_BACKEND=solidaire.common.mail.ConsoleAndFileEmailBackend)

var/secret_key:
	@mkdir -p var
	@umask 077 && $(PY) -c 'import secrets; print(secrets.token_urlsafe(64))' > $@

serve: setup var/secret_key
	@$(SERVE_ENV) $(PY) manage.py check --deploy
	@$(SERVE_ENV) $(PY) manage.py migrate --noinput
	@$(SERVE_ENV) $(PY) manage.py createcachetable
	@$(SERVE_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	@$(SERVE_ENV) $(PY) manage.py serve --bind 127.0.0.1:$(PORT)

# The container image (deploy/Containerfile), built with podman; see
# docs/deployment.md, "In a container".
image:
	deploy/build-image.sh build

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
