"""Where the repository's files are, for tests at any depth under tests/ (no test builds a path
from the place of its own file)."""

import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
REPO_ROOT = TESTS.parent
PACKAGE = REPO_ROOT / "ops_actions"
DOCS = REPO_ROOT / "docs"
WORKFLOWS_DIR = REPO_ROOT / ".github" / "workflows"
# The project's own workflows (its CI, its releases, its Scorecard): init never installs them.
PROJECT_WORKFLOWS = frozenset({"ci.yml", "release.yml", "scorecard.yml"})
ACTION_YML = REPO_ROOT / "action.yml"
PLAYBOOK = REPO_ROOT / "playbook.yaml"
BUNDLED_PLAYBOOK = PACKAGE / "playbook.yaml"
SEARCH_EXAMPLE = REPO_ROOT / "examples" / "search-team" / "playbook.yaml"
MESSAGING_EXAMPLE = REPO_ROOT / "examples" / "messaging-team" / "playbook.yaml"

# Test data and the assets that stay at tests/ (act's --local-repository flags and the npm folders name them).
TESTS_DATA = TESTS / "data"
WEBHOOKS = TESTS_DATA / "github-webhooks"
ALERTS_DATA = TESTS_DATA / "alerts"
GITHUB_FIXTURES = TESTS_DATA / "github-fixtures"
GITHUB_API_SPEC = TESTS_DATA / "github-api" / "openapi-subset.json"
BROKEN_PLAYBOOKS = TESTS_DATA / "broken-playbooks"
ATOM_SCHEMA = TESTS_DATA / "atom" / "rfc4287.rnc"
SEED_PLAYBOOK_MD = TESTS_DATA / "seed" / "incident-response-playbook.md"
ACTIONS_PINS = TESTS_DATA / "actions-pins.md"
ACT_STUBS = TESTS / "act-stubs"
MERMAID_DIR = TESTS / "mermaid"
AXE_DIR = TESTS / "axe"

# The virtual environment's bin folder: the tools the test extras install (act, actionlint, uv, …).
BIN_DIR = Path(sys.executable).parent
