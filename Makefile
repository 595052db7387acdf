# The two commands: `make run` and `make test`. Both set everything up first.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: run test setup demo lint bench clean

run: setup
	@scripts/run.sh

test: setup
	@scripts/test.sh $(ARGS)

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || scripts/ensure-debian-package.sh npm
	@npm ci --no-audit --no-fund --silent
	@touch $@

bench: setup
	@$(PY) -m bench.engine

clean:
	rm -rf $(VENV) node_modules var
