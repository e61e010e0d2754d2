"""docs/cli.md and docs/playbook.md are what ops_actions/docs.py generates, and name every key and command."""

from __future__ import annotations

import pytest

from ops_actions.docs import GENERATED, regenerated
from tests.support.paths import REPO_ROOT


@pytest.mark.parametrize("document", list(GENERATED))
def test_generated_references_are_current(document: str) -> None:
    """The playbook keys (JSON Schema), the query examples (the engine) and the CLI help are the code's."""
    text = (REPO_ROOT / document).read_text(encoding="utf-8")
    assert regenerated(document, text) == text, "run: python -m ops_actions.docs"


def test_every_schema_key_and_command_is_documented() -> None:
    """A sample of keys and commands appears, so an empty generated block cannot pass."""
    playbook = (REPO_ROOT / "docs" / "playbook.md").read_text(encoding="utf-8")
    cli = (REPO_ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for needle in (
        "`probes[].signals[].type`",
        "`rules[].consecutive`",
        "`alerts.severities`",
        "`triage.report_dir`",
    ):
        assert needle in playbook, needle
    for needle in (
        "### `ops-actions incident open`",
        "### `ops-actions remediate`",
        "### `ops-actions init`",
    ):
        assert needle in cli, needle
