"""The CLI's help texts (ops_actions/cli/): every command says what it does and shows an example."""

from __future__ import annotations

import re

import click
import pytest

from ops_actions.cli import cli
from ops_actions.docs import command_helps

HELPS = command_helps(cli)


@pytest.mark.parametrize(("path", "command", "text"), HELPS, ids=[" ".join(path) for path, _, _ in HELPS])
def test_help_has_text_and_an_example(path: list[str], command: click.Command, text: str) -> None:
    """`--help` of each command has a description and an 'Example:' showing an ops-actions call."""
    assert command.help, f"{' '.join(path)} has no help text"
    assert "Example:" in text
    example = text.split("Example:", 1)[1]
    assert re.search(r"(^|\s)ops-actions( \S|$)", example, re.MULTILINE), example


def test_every_command_is_reached() -> None:
    """The walk covers the nested commands (a sample), so the parametrized test cannot go empty."""
    paths = {" ".join(path) for path, _, _ in HELPS}
    assert {"ops-actions incident open", "ops-actions postmortem sync", "ops-actions sandbox github"} <= paths
    assert len(paths) >= 25
