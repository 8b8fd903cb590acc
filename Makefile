# Poche: every command a developer or devops needs. `make run` and `make test` do all set-up.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .make
STAGE ?= dev
TERRITORY ?= orne
PHASES ?=
CONTEXT := -c stage=$(STAGE) -c territory=$(TERRITORY) $(if $(PHASES),-c phases=$(PHASES),)
CDK := node_modules/.bin/cdk

export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_VERSION_CHECK := true
export CDK_DISABLE_CLI_TELEMETRY := true
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help install layers run test test-unit synth deploy lint bench clean

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMPS)/python: pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + ")")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	@# pip writes no bytecode where PYTHONDONTWRITEBYTECODE is set: every process (test workers, the platform, each
	@# local function) would then compile boto3, moto and the rest from source at every start
	$(BIN)/python -m compileall -q -j0 $(VENV)/lib > /dev/null || echo "(some modules were left to compile at import)"
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/node: package.json package-lock.json
	@node -e 'const v = +process.versions.node.split(".")[0]; if (v < 20) { console.error("Node.js 20 or newer is needed (found " + process.version + ")"); process.exit(1) }'
	npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMPS) && touch $@

install: $(STAMPS)/python $(STAMPS)/node ## create .venv and node_modules (nothing global)

layers: $(STAMPS)/python ## build the dependency layers for Lambda (arm64 wheels, no Docker)
	$(BIN)/python -m poche_infra.layers

synth: install layers ## synthesize the stacks into cdk.out (offline, no AWS account)
	$(CDK) synth --quiet --no-notices $(CONTEXT)

run: synth ## the whole platform locally on http://127.0.0.1:$${POCHE_PORT:-8000}
	$(BIN)/poche run

test: install layers ## unit, integration, infra, end-to-end, fuzzing and fault-matrix tests, on every core
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n auto --dist loadfile

test-unit: $(STAMPS)/python ## unit and property tests without a synth, for the edit-run loop (under 30 s)
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest tests/unit tests/property -m "not synth" -n auto -q

lint: $(STAMPS)/python ## ruff and mypy over the whole tree
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy infra functions layers tests bench

bench: synth ## every function's cold start, memory, latency, DynamoDB calls; GTFS-RT ingest; GTFS zip memory (.bench/*.json)
	status=0; $(BIN)/python bench/functions.py --cdk-out cdk.out || status=$$?; \
	$(BIN)/python bench/transit_rt.py || status=$$?; $(BIN)/python bench/notifications.py || status=$$?; \
	$(BIN)/python bench/gtfs_zip.py || status=$$?; $(BIN)/python bench/reconciliation.py || status=$$?; \
	exit $$status

deploy: install layers ## deploy every stack of STAGE (make deploy STAGE=prod); needs AWS credentials
	$(CDK) deploy --all --no-notices $(CONTEXT) --require-approval broadening

clean: ## remove what the commands created
	rm -rf $(VENV) node_modules cdk.out build $(STAMPS) .poche .bench .pytest_cache .mypy_cache .ruff_cache
