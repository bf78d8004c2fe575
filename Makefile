# The two commands a newcomer needs: `make run` and `make test`. Both build .venv on first use.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-slow test-all lint bench preview migrate compile check clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed: set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

compile: $(STAMP)
	$(PY) run_bot.py compile

migrate: compile
	$(PY) run_bot.py migrate

# With TELEGRAM_BOT_TOKEN: the bot on Telegram. Without: the local preview in this terminal.
# ADMIN=1: the local preview, with you as its admin (/guidance, /cases, /export).
PREVIEW_FLAGS := $(if $(ADMIN),--admin)
run: compile
	$(PY) run_bot.py $(if $(ADMIN),preview $(PREVIEW_FLAGS))

preview: compile
	$(PY) run_bot.py preview $(PREVIEW_FLAGS)

# What stands between this install and families; exit code 1 while something blocks a launch.
check: $(STAMP)
	$(PY) run_bot.py check

# `make test`: the everyday tier, a few minutes. Fault, soak and failover tests are marked slow:
# `make test-slow` runs them, `make test-all` runs everything (CI runs both tiers).
PYTEST_ARGS ?= -q -n 3
test: compile
	$(PY) -m pytest $(PYTEST_ARGS) -m "not slow"

test-slow: compile
	$(PY) -m pytest $(PYTEST_ARGS) -m slow

test-all: compile
	$(PY) -m pytest $(PYTEST_ARGS)

# ruff and mypy as configured in pyproject.toml (CI runs this before the tests).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# Figures, not pass/fail: Homeward beside a bare PTB echo bot in a surge, the open load (first replies;
# steady, then everyone starting together),
# crowds reporting one man, duplicate linking and matching, then 100,000-case exports.
bench: compile
	$(PY) benchmarks/surge.py
	$(PY) benchmarks/open_load.py
	$(PY) benchmarks/open_load.py --together --runs 1
	$(PY) benchmarks/surge_crowd.py
	$(PY) benchmarks/linking.py --cases 100000
	$(PY) benchmarks/duplicates.py
	$(PY) benchmarks/export_memory.py --cases 100000

clean:
	rm -rf $(VENV) data/*.db data/*.db-* locales/*/LC_MESSAGES/*.mo
