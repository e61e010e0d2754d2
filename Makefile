# Two commands on a fresh machine: `make demo` and `make test`. Each bootstraps .venv from PyPI with
# uv, from the committed uv.lock: exactly the versions CI tested (`--locked` refuses a stale lock).
PYTHON ?= python3
UV_VERSION := 0.13.9
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
# uv sync --inexact keeps uv itself in the venv; UV_PYTHON_DOWNLOADS=never uses $(PYTHON), never a download.
SYNC := UV_PROJECT_ENVIRONMENT=$(VENV) UV_PYTHON_DOWNLOADS=never $(UV) sync --locked --inexact --quiet

.PHONY: demo test lint clean

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# `make demo` needs the runtime dependencies only; `make test` and `make lint` add the extras.
$(VENV)/.runtime: $(UV) pyproject.toml uv.lock
	$(SYNC) --python $(BIN)/python
	touch $@

$(VENV)/.dev: $(UV) pyproject.toml uv.lock
	$(SYNC) --python $(BIN)/python --extra test --extra lint
	touch $@ $(VENV)/.runtime

demo: $(VENV)/.runtime
	$(BIN)/ops-actions demo

test: $(VENV)/.dev
	$(BIN)/python -m pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/actionlint -shellcheck $(BIN)/shellcheck
	$(BIN)/zizmor --offline .
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.github-actions action.yml tests/act-stubs/*/action.yml tests/act-stubs/*/*/action.yml

clean:
	rm -rf $(VENV) reports demo-output .pytest_cache .mypy_cache .ruff_cache
