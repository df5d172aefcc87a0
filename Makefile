# TumorBoard: `make run` to try it, `make test` to prove it.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app tumorboard
PORT ?= 5000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEV := TUMORBOARD_ENV=development PROGRAM_NAME="$${PROGRAM_NAME:-Riverside Regional Cancer Center (demo)}"

.PHONY: run install test test-sqlite test-postgres system-deps bandit lint bench bench-postgres clean

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

## Migrate the SQLite database under instance/, load the demo on first start, serve on 127.0.0.1:$(PORT).
run: $(VENV)/.installed
	$(DEV) $(FLASK) db upgrade
	$(DEV) $(FLASK) seed-demo --if-empty
	$(DEV) $(FLASK) generate-conferences
	@echo "TumorBoard on http://127.0.0.1:$(PORT)"
	$(DEV) $(FLASK) run --host 127.0.0.1 --port $(PORT)

## Debian's chromium (browser tests), postgresql (second test run), haproxy (the scale-out test) and node with npm
## (the identity provider of the sign-in tests), when missing.
system-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	[ -x /usr/sbin/haproxy ] || missing="$$missing haproxy"; \
	command -v node >/dev/null || missing="$$missing nodejs"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

## Static security analysis: no finding of medium severity or above (each accepted one is justified inline with # nosec).
bandit: $(VENV)/.installed-test
	@echo "== bandit"
	$(PY) -m bandit -q -r tumorboard -ll

## Lint (pyflakes, pycodestyle at 120 columns, import order, bugbear) and the layers
## (import-linter contracts: which feature may import which), all in pyproject.toml.
lint: $(VENV)/.installed-test
	@echo "== ruff, import contracts"
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

## The hospital's identity provider for the sign-in tests: oidc-provider from the npm registry, at the locked versions.
OIDC_PROVIDER := tests/oidc/node_modules/.installed
$(OIDC_PROVIDER): tests/oidc/package-lock.json | system-deps
	cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error
	touch $@

test-sqlite: $(VENV)/.installed-test system-deps $(OIDC_PROVIDER) bandit lint
	@echo "== Test suite on SQLite"
	$(PY) -m pytest

test-postgres: $(VENV)/.installed-test system-deps $(OIDC_PROVIDER)
	@echo "== Test suite on PostgreSQL"
	bash tests/with-postgres.sh $(PY) -m pytest

## The whole suite on SQLite, then again on a PostgreSQL server started for the run.
test: test-sqlite test-postgres

## Benchmarks (docs/performance.md): a synthetic large program (10 years) in instance/bench.db, or in DATABASE_URL
## (seeded once, only if empty: use a database of its own), then every benchmark; the table goes into docs/performance.md.
BENCH_URL = $${DATABASE_URL:-sqlite:///$(CURDIR)/instance/bench.db}
BENCH = DATABASE_URL=$(BENCH_URL) TUMORBOARD_ENV=development PROGRAM_NAME="Synthetic Comprehensive Cancer Center" $(FLASK)
bench: $(VENV)/.installed
	mkdir -p instance
	$(BENCH) db upgrade
	$(BENCH) seed-synthetic --if-empty --scale large --years 10
	$(BENCH) bench --output docs/performance.md
	$(BENCH) bench-room --output docs/performance.md

## The same on a throwaway PostgreSQL server (with the gunicorn load tests: 50 physicians, 200 room screens).
bench-postgres: $(VENV)/.installed system-deps
	bash tests/with-postgres.sh bash -c 'DATABASE_URL=$$TEST_DATABASE_URL $(MAKE) --no-print-directory bench'

clean:
	rm -rf $(VENV) .pytest_cache
