"""The README starts with the two commands and its generated references match the code."""

from __future__ import annotations

from pathlib import Path

from ops_actions.docs import generated_readme

README = Path(__file__).resolve().parent.parent / "README.md"


def test_generated_references_are_current() -> None:
    """The playbook keys (from the JSON Schema) and the CLI help in the README are what the code says."""
    text = README.read_text(encoding="utf-8")
    assert generated_readme(text) == text, "run: python -m ops_actions.docs README.md"


def test_every_schema_key_and_command_is_documented() -> None:
    """A sample of keys and commands appears, so an empty generated block cannot pass."""
    text = README.read_text(encoding="utf-8")
    for needle in (
        "`probes[].signals[].type`",
        "`rules[].consecutive`",
        "`alerts.severities`",
        "#### `ops-actions incident open`",
        "#### `ops-actions remediate`",
        "#### `ops-actions init`",
    ):
        assert needle in text, needle


def test_the_two_commands_come_first() -> None:
    """After the one-paragraph introduction, the first section is the two commands."""
    text = README.read_text(encoding="utf-8")
    first_section = text.split("\n## ", 2)[1]
    assert first_section.startswith("Two commands")
    assert "make demo" in first_section and "make test" in first_section
