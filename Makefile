# The two commands in the README are the contract: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

.PHONY: run test test-scale test-vectors coverage lint bench messages catalogs console clean

run: $(STAMP) catalogs
	$(BIN)/maeul run

console: $(STAMP) catalogs
	$(BIN)/maeul console

# The scale tests (10,000 voters, 5,000 reminders: marker `scale`) run in `make test-scale`.
# TEST_WORKERS parallel workers (pytest-xdist): a test mostly waits (for the bot, the
# database, a process), so more workers than cores pay; TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 4
test: $(DEVSTAMP) catalogs
	$(BIN)/pytest -m "not scale" -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# The same suite with the coverage report. Its tracer (Python 3.11 has no cheaper hook)
# about doubles the CPU time of every test that runs the bot in-process, so `make test`
# goes without it.
coverage: $(DEVSTAMP) catalogs
	$(BIN)/pytest -m "not scale" -n $(TEST_WORKERS) --dist worksteal --cov --cov-report=term:skip-covered $(PYTEST_ARGS)

test-scale: $(DEVSTAMP) catalogs
	$(BIN)/pytest -m scale $(PYTEST_ARGS)

# The model's vectors of the test KBs, kept beside them (tests/qa/kb_vectors.py): write them
# again after editing a test KB or how passages are made (tests/test_qa_kb_vectors.py says so).
test-vectors: $(DEVSTAMP)
	$(BIN)/python -m tests.qa.kb_vectors

lint: $(DEVSTAMP)
	$(BIN)/ruff check bot handlers models tests bench migrations/env.py
	$(BIN)/ruff format --check bot handlers models tests bench migrations/env.py
	$(BIN)/mypy bot handlers models bench
	$(BIN)/lint-imports

# Maeul against a bare echo bot at 50 ms a Bot API call, SQLite and PostgreSQL, the tally and
# the reminder fan-out: bench/results/latest.json (bench/README.md). BENCH_ARGS: e.g. --users 20.
bench: $(DEVSTAMP) catalogs
	$(BIN)/python -m bench $(BENCH_ARGS)
	$(BIN)/python -m bench.qa --quick --semantic

catalogs: $(STAMP)
	@$(BIN)/pybabel compile -d locales -D messages >/dev/null

# Re-extract the messages from the code and merge them into the catalogs.
messages: $(STAMP)
	@# Keywords: the gettext functions of bot/core/i18n.py (tools/fstring_messages.py KEYWORDS);
	@# p_ and np_ take a context first (msgctxt), for words with two meanings.
	$(BIN)/pybabel extract -F babel.cfg -k _ -k N_ -k n_:1,2 -k p_:1c,2 -k np_:1c,2,3 -k Np_:1c,2 \
	  --no-location --sort-output \
	  -o locales/messages.pot bot handlers
	@# Our messages use str.format ({name}); a literal "%" is not a printf placeholder.
	$(BIN)/python tools/fstring_messages.py locales/messages.pot
	sed -i -E '/^#,/{s/, python-format//; s/^#, python-format$$/#/; /^#$$/d}' locales/messages.pot
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching --ignore-obsolete

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEVSTAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage locales/*/LC_MESSAGES/*.mo
