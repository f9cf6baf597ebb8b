# jichitai: `make run` and `make test` do all set-up on a fresh machine.
.DEFAULT_GOAL := help
VENV := .venv
BIN := $(VENV)/bin
DB ?= sqlite:///jichitai.db
DEMO_MUNICIPALITY ?= 131016
DEMO_RESIDENTS ?= 300

.PHONY: help install run test test-sqlite test-postgres lint fmt db-check bench screenshots clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

install: ## install Debian and Python packages (only what is missing)
	@scripts/install.sh

run: install ## seed a demo municipality and demo staff on SQLite, then serve the API on 127.0.0.1:8000
	@JICHITAI_DATABASE_URL=$(DB) scripts/run-demo.sh $(DEMO_MUNICIPALITY) $(DEMO_RESIDENTS)

lint: install ## ruff, mypy and the import-layer contracts
	$(BIN)/ruff check src tests bench examples
	$(BIN)/ruff format --check src tests bench examples
	$(BIN)/mypy
	$(BIN)/mypy examples/child_allowance/consumer.py
	$(BIN)/lint-imports

fmt: install ## format the code
	$(BIN)/ruff format src tests bench examples
	$(BIN)/ruff check --fix src tests bench examples

test-sqlite: install ## the whole suite on SQLite
	JICHITAI_DATABASE_URL= $(BIN)/pytest -q -p no:cacheprovider

test-postgres: install ## the whole suite on a throwaway PostgreSQL cluster
	scripts/with-postgres.sh $(BIN)/pytest -q -p no:cacheprovider

test: lint test-sqlite test-postgres ## lint, then every test on SQLite and on PostgreSQL

bench: install ## benchmarks (not part of CI)
	$(BIN)/jichitai bench register --residents 100000
	$(BIN)/jichitai bench api
	$(BIN)/jichitai bench ui --residents 100000
	$(BIN)/jichitai bench migration --persons 1000000
	scripts/with-postgres.sh $(BIN)/jichitai bench migration --persons 1000000
	$(BIN)/jichitai bench feed --changes 50000
	$(BIN)/jichitai bench certificates --count 500

screenshots: install ## redraw docs/screenshots/ (the counter's main screens; look at them before committing)
	$(BIN)/python scripts/screenshots.py docs/screenshots

clean: ## remove the virtual environment and local databases
	rm -rf $(VENV) jichitai.db jichitai.db-wal jichitai.db-shm
