# Every target installs what it needs first (scripts/bootstrap.sh is quick when nothing changed).
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
BIN := $(VENV)/bin
STATE_DIR ?= .devstack
PYTEST_ARGS ?=
SERVICES := registration matching scheduling feedback analytics portal notifications
REGISTRY ?=
TAG ?= 0.1.0
OVERLAY ?= prod

.PHONY: help install run demo test test-fast test-faults lint fmt typecheck contracts openapi bench bench-matching bench-analytics bench-pool bench-scheduling bench-portal bench-notifications up down status clean images manifests test-deploy

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

install: ## Find Python 3.12, install uv if missing, sync every package from uv.lock
	@./scripts/bootstrap.sh

run: install ## Start Kafka, MongoDB, the six services, the identity provider, the portal, an SMTP inbox
	@$(BIN)/devstack run --state-dir $(STATE_DIR)

demo: install ## On a running stack (`make run`), a new demo program with people, pairs and history
	@$(BIN)/devstack demo --state-dir $(STATE_DIR) --people $(or $(PEOPLE),300) --seed $(or $(SEED),7)

test: install lint typecheck ## Lint, type-check and run every test (unit, integration, e2e)
	@$(BIN)/mentorship-contracts generate --check
	@$(BIN)/devstack openapi --check
	@$(BIN)/pytest $(PYTEST_ARGS)

test-fast: install ## Only the tests that need no broker or database
	@$(BIN)/pytest -m "not integration and not e2e" $(PYTEST_ARGS)

test-faults: install ## Only the fault-injection suite (tests/faults; also part of `make test`)
	@$(BIN)/pytest -m faults $(PYTEST_ARGS)

lint: install ## ruff (lint and format check) and the import-linter architecture contracts
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .
	@$(BIN)/lint-imports --no-cache

fmt: install ## Format and autofix
	@$(BIN)/ruff format .
	@$(BIN)/ruff check --fix .

typecheck: install ## mypy --strict over every package and test
	@$(BIN)/mypy

contracts: install ## Regenerate the committed JSON Schemas and AsyncAPI document
	@$(BIN)/mentorship-contracts generate

openapi: install ## Regenerate the committed OpenAPI document of every service
	@$(BIN)/devstack openapi

bench: install ## Every benchmark with its baseline; figures to bench-results/latest.json, compared with the run before (ONLY="analytics pool" for some)
	@$(BIN)/python benchmarks/suite.py $(if $(ONLY),--only $(ONLY))

bench-matching: install ## Matching at n=10,000 against min-cost flow and greedy (N=... to change)
	@$(BIN)/python benchmarks/bench_matching.py --mentees $(or $(N),10000)

bench-analytics: install ## Projection and reports at 10,000 participants, 5,000 pairs (PAIRS=... to change)
	@$(BIN)/python benchmarks/bench_analytics.py --pairs $(or $(PAIRS),5000)

bench-pool: install ## Matching's pool after a 10,000-row import (PARTICIPANTS=... to change)
	@$(BIN)/python benchmarks/bench_pool.py --participants $(or $(PARTICIPANTS),10000)

bench-scheduling: install ## Planning the series of newly approved pairs (PAIRS="354 5000" to change)
	@$(BIN)/python benchmarks/bench_scheduling.py --pairs $(or $(PAIRS),354 5000)

bench-portal: install ## Server time of every portal page, p50/p95 over 200 requests (REQUESTS=...)
	@$(BIN)/python benchmarks/bench_portal.py --requests $(or $(REQUESTS),200)

bench-notifications: install ## Notifications of 5,000 new pairs over SMTP (PAIRS=..., SESSIONS=...)
	@$(BIN)/python benchmarks/bench_notifications.py --pairs $(or $(PAIRS),5000) --sessions $(or $(SESSIONS),1)

up: install ## Start only the infrastructure (prints the env to export)
	@$(BIN)/devstack up --state-dir $(STATE_DIR)

down: ## Stop what `make up` started
	@$(BIN)/devstack down --state-dir $(STATE_DIR)

status: ## Is the infrastructure running?
	@$(BIN)/devstack status --state-dir $(STATE_DIR)

images: ## Build each service's image $(REGISTRY)mentorship/<service>:$(TAG) (needs Docker)
	@for service in $(SERVICES); do \
		docker build -f services/$$service/Dockerfile -t $(REGISTRY)mentorship/$$service:$(TAG) . \
			|| exit 1; \
	done

manifests: install ## Print the Kubernetes objects of deploy/k8s/overlays/$(OVERLAY) (default prod)
	@$(BIN)/kubectl kustomize deploy/k8s/overlays/$(OVERLAY)

test-deploy: install ## The offline deployment checks of tests/deploy (kustomize, schemas, promtool)
	@$(BIN)/pytest tests/deploy -m "not e2e" $(PYTEST_ARGS)

clean: down ## Remove the virtualenv, caches and local state
	rm -rf $(VENV) .tools $(STATE_DIR) .pytest_cache .mypy_cache .ruff_cache .hypothesis
