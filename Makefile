# A fresh machine needs two commands: `make run` and `make test`.
# uv comes from PATH, or is bootstrapped with pip into .tools/ (nothing else is installed globally).
UV := $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/.tools/uv/bin/uv)
PYTEST_ARGS ?=

.PHONY: run test lint bench sync

$(CURDIR)/.tools/uv/bin/uv:
	python3 -m pip install --quiet --disable-pip-version-check --target $(CURDIR)/.tools/uv uv

sync: $(UV)
	$(UV) sync --frozen

run: sync
	$(UV) run --frozen python -m service.platform.embedded

test: sync
	$(UV) run --frozen pytest $(PYTEST_ARGS)

lint: sync
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy idverify service models
	$(UV) run --frozen lint-imports

bench: sync
	$(UV) run --frozen python -m scripts.bench_api
	$(UV) run --frozen python -m scripts.bench_idverify
