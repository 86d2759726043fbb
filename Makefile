# evalapp: `make run` to try it, `make test` to test it. Nothing else is needed on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app evalapp
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint audit bench bench-export bench-dashboard bench-http bench-catch-up bench-national screenshots install translations messages requirements clean

## run: install, migrate the database under instance/, load the questionnaire and the demo, serve
run: export EVALAPP_BASE_URL ?= http://$(HOST):$(PORT)
run: install translations
	$(FLASK) db upgrade
	$(FLASK) tallies catch-up
	$(FLASK) questionnaire load
	$(FLASK) seed-demo
	@echo
	@echo "evalapp is starting on http://$(HOST):$(PORT)/ — open one of the invitation links above to answer as an authority."
	@echo
	$(FLASK) run --host $(HOST) --port $(PORT)

## test: the whole suite on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set
test: install translations
	@test -x $${CHROMIUM:-/usr/bin/chromium} || echo "No Chromium at /usr/bin/chromium: the browser tests (tests/e2e) are skipped. Install it with: apt-get install chromium"
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## bench: every benchmark, on the PostgreSQL of 127.0.0.1:5432 (databases bench_<size>); BENCH_DATABASE_URL=sqlite for SQLite, BENCH_SIZES to choose the sizes
bench: bench-dashboard bench-export bench-http bench-catch-up bench-national

## bench-http: dashboard and questionnaire pages on gunicorn (2 workers) under wrk and locust, beside /healthz
bench-http: install translations
	@command -v wrk >/dev/null || (apt-get install -y -qq wrk >/dev/null 2>&1) || { echo "wrk is needed: apt-get install wrk"; exit 1; }
	$(BIN)/python -m tests.benchmarks.http

## bench-catch-up: respondents submitting while the catch-up counts a bulk load of 1k, 10k and 100k responses (gunicorn)
bench-catch-up: install translations
	$(BIN)/python -m tests.benchmarks.catch_up

## bench-national: import, invite and email 35,000 authorities (the worker killed midway), a dashboard and 20 respondents after a bulk load of 100,000, every export (gunicorn, a worker, Redis of BENCH_REDIS_URL)
bench-national: install translations
	$(BIN)/python -m tests.benchmarks.national

## bench-dashboard: the dashboard's aggregation against raw SQL, at 1k, 10k and 100k responses
bench-dashboard: install translations
	$(BIN)/python -m tests.benchmarks.dashboard

## bench-export: the wide export at 1k, 10k and 100k responses (time, peak memory): CSV beside PostgreSQL's COPY, the workbook beside the CSV, SPSS and Stata beside their targets
bench-export: install translations
	$(BIN)/python -m tests.benchmarks.export_wide

## screenshots: the README's pictures of the respondent's page, the dashboard and a partnership, from the demo
screenshots: install translations
	$(BIN)/python -m tests.e2e.screenshots

## audit: known vulnerabilities in the pinned dependencies (pip-audit; needs its online database, so CI does not run it)
audit: install
	$(BIN)/python -m pip install --quiet pip-audit
	$(BIN)/pip-audit -r requirements.txt -r requirements-dev.txt

## lint: ruff over the code and the tests
lint: install
	$(BIN)/ruff check evalapp tests

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $@

## translations: compile the catalogues (.po -> .mo)
translations: install
	$(BIN)/pybabel compile -d evalapp/translations -D messages --statistics 2>&1 | grep -v "^compiling" || true

## messages: extract interface strings and update the catalogues to translate
messages: install
	$(BIN)/pybabel extract --no-wrap --sort-by-file --ignore-dirs ".*" -F babel.cfg -k _l -o evalapp/translations/messages.pot evalapp templates
	$(BIN)/pybabel update --no-wrap --no-fuzzy-matching --ignore-obsolete -i evalapp/translations/messages.pot -d evalapp/translations -D messages

## requirements: pin exact versions of requirements.in (the application) and requirements-dev.in (tests, tools)
requirements: install
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --output-file requirements.txt requirements.in
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --output-file requirements-dev.txt requirements-dev.in

clean:
	rm -rf $(VENV) instance .pytest_cache
