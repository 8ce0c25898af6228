# The two front-door commands. Both create the virtualenv .venv (the one Pulumi.yaml names) and
# install the project into it, editable, with the versions pinned in pyproject.toml, when it is
# missing or older than pyproject.toml. checkov, heavy and with pins of its own, lives in its own
# environment .venv-checkov, installed on demand (docs/checkov.md), never in .venv.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: plan test lint format clean checkov demo readme mutation

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

## plan: offline plan of the dev environment (dev, dev-blue, dev-green); reports in build/plan/
## plan CHECKOV=1: also checkov on the three plans, merged with the pack: build/plan/checkov.json
plan: $(STAMP)
	$(VENV)/bin/faas plan
ifeq ($(CHECKOV),1)
	$(PY) -m policies.checkov build/plan/dev.json build/plan/dev-blue.json \
		build/plan/dev-green.json --json build/plan/checkov.json
endif

## demo: the blue/green cutover against a local AWS API (faas demo cutover); report in build/demo/
demo: $(STAMP)
	$(VENV)/bin/faas demo cutover

## readme: regenerate the README's generated parts (exit codes, policy rules, the plan summary)
readme: $(STAMP)
	$(PY) -m faas.exitcodes README.md
	$(VENV)/bin/faas check --update-readme
	mkdir -p build && $(VENV)/bin/faas plan > build/plan-summary.txt
	$(PY) -m faas.plan.readme README.md build/plan-summary.txt build/plan

## checkov: install the pinned checkov (pyproject's `checkov` extra) into .venv-checkov
checkov: $(STAMP)
	$(PY) -m policies.checkov --install

## test: lint, then the whole test suite (unit, property, Pulumi mocks, moto server, CLIs), in
## parallel: one pytest-xdist worker per core (TEST_WORKERS=0: one process), each test
## module whole on one worker (its module-scoped moto server, fresh copy or world is built once).
## Bytecode is cached (the gitignored __pycache__/ folders) even where the environment sets
## PYTHONDONTWRITEBYTECODE, as this machine's image does: pytest caches each test module with its
## asserts rewritten only where bytecode may be written, else every worker rewrites them all
## again, about 2.5 s of its start. `make test PYTHONDONTWRITEBYTECODE=1` keeps it off.
TEST_WORKERS ?= auto
test: export PYTHONDONTWRITEBYTECODE :=
test: $(STAMP) lint
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

## mutation: mutation testing of the modules where a silent regression costs most (slow: not part
## of `make test`; docs/testing.md); scores and survivors in build/mutation/report.{md,json}.
## Exit 1 when a gated group scores below its gate. MUTATION_ARGS="--group cutover --full" etc.
mutation: $(STAMP)
	$(PY) -m mutation $(MUTATION_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean:
	rm -rf build .pytest_cache .ruff_cache
	find . -path ./.venv -prune -o -path ./.venv-checkov -prune -o -name __pycache__ -type d \
		-prune -exec rm -rf {} +
