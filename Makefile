# Two commands on a fresh machine: `make demo` and `make test`. Each bootstraps .venv from PyPI with
# uv, from the committed uv.lock: exactly the versions CI tested (`--locked` refuses a stale lock).
PYTHON ?= python3
UV_VERSION := 0.13.9
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
# uv sync --inexact keeps uv itself in the venv; UV_PYTHON_DOWNLOADS=never uses $(PYTHON), never a download.
SYNC := UV_PROJECT_ENVIRONMENT=$(VENV) UV_PYTHON_DOWNLOADS=never $(UV) sync --locked --inexact --quiet
# `make demo SCENARIO=db-down` plays another failure; `make demo SERVICES=1` two services, one failing.
SCENARIO ?=
SERVICES ?=

# A .venv made by another Python (another version, or one since removed: its interpreter no longer
# runs) has packages built for that one: it is rebuilt with $(PYTHON), not half used.
PYTHON_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
VENV_VERSION := $(shell $(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
ifneq ($(VENV_VERSION),$(PYTHON_VERSION))
ifneq ($(wildcard $(VENV)),)
ifeq ($(filter clean,$(MAKECMDGOALS)),)
$(info .venv was made by $(if $(VENV_VERSION),Python $(VENV_VERSION),a Python that no longer runs); \
rebuilding it with $(PYTHON) $(PYTHON_VERSION) (or run make clean))
endif
endif
.PHONY: $(UV)
endif

.PHONY: demo test lint clean node

$(UV):
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# `make demo` needs the runtime dependencies only; `make test` and `make lint` add the extras.
$(VENV)/.runtime: $(UV) pyproject.toml uv.lock
	$(SYNC) --python $(BIN)/python
	touch $@

$(VENV)/.dev: $(UV) pyproject.toml uv.lock
	$(SYNC) --python $(BIN)/python --extra test --extra lint --extra relay
	touch $@ $(VENV)/.runtime

demo: $(VENV)/.runtime
	$(BIN)/ops-actions demo$(if $(SCENARIO), --scenario $(SCENARIO))$(if $(SERVICES), --services)

# The Mermaid check and the status page's accessibility check run on Node: say so before anything
# starts, not as a failure halfway through the suite.
node:
	@command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || { \
	  echo "make test needs Node.js and npm (the Mermaid check and the status page's accessibility check): install them" \
	    "from https://nodejs.org/ or with your package manager (apt-get install nodejs npm," \
	    "brew install node, winget install OpenJS.NodeJS), then run make test again." >&2; \
	  exit 1; }

test: node $(VENV)/.dev
	$(BIN)/python -m pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/actionlint -shellcheck $(BIN)/shellcheck
	$(BIN)/zizmor --offline .
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.github-actions action.yml tests/act-stubs/*/action.yml tests/act-stubs/*/*/action.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.github-issue-forms .github/ISSUE_TEMPLATE/*.yml

clean:
	rm -rf $(VENV) reports backend/reports demo-output .pytest_cache .mypy_cache .ruff_cache
