# Borough: `make run` to try it, `make test` to test it. Needs only Python 3.11+.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench assets lock clean

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@test -x $(UV) || $(PY) -m pip install --quiet --disable-pip-version-check uv
	$(UV) pip sync --python $(PY) --quiet requirements.lock
	$(UV) pip install --python $(PY) --quiet --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) -m borough.cli migrate --no-input
	$(PY) -m borough.cli demo
	@echo ""
	@echo "Borough is starting on http://$(HOST):$(PORT)/ — sign in with a login above."
	$(PY) -m borough.cli runserver --insecure $(HOST):$(PORT)

test: install
	$(PY) -m pytest -n 2 --dist loadgroup --no-loadscope-reorder -q

lint: install
	$(VENV)/bin/ruff check .

bench: install
	$(PY) bench/run.py --size $${BENCH_SIZE:-small}

# Rebuild the committed front-end assets (needs Node.js; `make run` does not).
assets:
	npm ci --no-audit --no-fund
	npm run build

# Refresh the lock after changing dependencies in pyproject.toml.
lock: install
	$(UV) pip compile pyproject.toml --extra dev --python-version 3.11 --quiet -o requirements.lock

clean:
	rm -rf $(VENV) var .pytest_cache
