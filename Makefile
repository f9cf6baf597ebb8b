# jichitai: `make run` and `make test` do all set-up on a fresh machine.
.DEFAULT_GOAL := help
VENV := .venv
BIN := $(VENV)/bin
DB ?= sqlite:///jichitai.db
DEMO_MUNICIPALITY ?= 131016
DEMO_RESIDENTS ?= 300

.PHONY: help install run test test-sqlite test-postgres test-fast lint fmt db-check bench screenshots clean cluster cluster-status cluster-down

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

install: ## install Debian and Python packages (only what is missing)
	@scripts/install.sh

run: install ## seed a demo municipality and demo staff on SQLite, then serve the API on 127.0.0.1:8000
	@JICHITAI_DATABASE_URL=$(DB) scripts/run-demo.sh $(DEMO_MUNICIPALITY) $(DEMO_RESIDENTS)

cluster: install ## a production-like stack on loopback: etcd, 2 Patroni shards (sync standby), pgBackRest, API (docs/operations.md)
	@scripts/cluster.sh up

cluster-status: ## the stack's components and their state (exit 0 only if all is healthy)
	@scripts/cluster.sh status

cluster-down: ## stop the stack and remove its state directory
	@scripts/cluster.sh down

lint: install ## ruff, mypy and the import-layer contracts
	$(BIN)/ruff check src tests bench examples
	$(BIN)/ruff format --check src tests bench examples
	$(BIN)/mypy
	$(BIN)/mypy examples/child_allowance/consumer.py
	$(BIN)/lint-imports

fmt: install ## format the code
	$(BIN)/ruff format src tests bench examples
	$(BIN)/ruff check --fix src tests bench examples

# PYTHONDONTWRITEBYTECODE is emptied for the tests: pytest then keeps the modules it rewrites for
# assertions (the tests, and its plugins schemathesis and Hypothesis) and Python its bytecode
# (src/, for the hundreds of `jichitai` runs of the end-to-end tests) in __pycache__ (ignored by
# git), instead of compiling them again in every run; collection takes half the time.
PYTEST := env PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -q -p no:cacheprovider

test-sqlite: install ## the whole suite on SQLite
	JICHITAI_DATABASE_URL= $(PYTEST)

test-postgres: install ## the whole suite on a throwaway PostgreSQL cluster
	scripts/with-postgres.sh $(PYTEST)

test-fast: install ## the suite on SQLite less the slow tests (fuzzers, heavy properties, benchmarks): for local use
	JICHITAI_DATABASE_URL= $(PYTEST) -m "not slow"

test: lint ## lint, then every test on SQLite and on PostgreSQL (the two passes side by side)
	@scripts/test-both.sh

bench: install ## benchmarks (not part of CI)
	$(BIN)/jichitai bench register --residents 100000
	$(BIN)/jichitai bench api
	$(BIN)/jichitai bench ui --residents 100000
	$(BIN)/jichitai bench migration --persons 1000000
	scripts/with-postgres.sh $(BIN)/jichitai bench migration --persons 1000000
	$(BIN)/jichitai bench feed --changes 50000
	$(BIN)/jichitai bench certificates --count 500
	scripts/with-postgres.sh $(BIN)/jichitai bench storage
	$(BIN)/jichitai bench cluster

screenshots: install ## redraw docs/screenshots/ (the counter's main screens; look at them before committing)
	$(BIN)/python scripts/screenshots.py docs/screenshots

clean: ## remove the virtual environment and local databases
	rm -rf $(VENV) jichitai.db jichitai.db-wal jichitai.db-shm
