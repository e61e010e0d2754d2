"""Every command explains itself with an example."""

from __future__ import annotations

import re
import subprocess
import sys

import click
import pytest

from ops_actions.cli import cli


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path under a group, the group itself included."""
    paths = [prefix]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            paths += all_commands(command, (*prefix, name))
        else:
            paths.append((*prefix, name))
    return paths


@pytest.mark.parametrize("path", all_commands(cli), ids=lambda p: " ".join(p) or "ops-actions")
def test_help_has_text_and_an_example(path: tuple[str, ...]) -> None:
    """`--help` of each command has a description and an 'Example:' showing an ops-actions call."""
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    assert command.help, f"{' '.join(path)} has no help text"
    ctx = click.Context(command, info_name="ops-actions")
    text = command.get_help(ctx)
    assert "Example:" in text
    example = text.split("Example:", 1)[1]
    assert re.search(r"(^|\s)ops-actions( \S|$)", example, re.MULTILINE), example


def test_python_dash_m_runs_the_cli() -> None:
    """`python -m ops_actions --help` works like the console script."""
    result = subprocess.run(
        [sys.executable, "-m", "ops_actions", "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0
    assert "Usage: " in result.stdout
    assert "playbook" in result.stdout


@pytest.mark.parametrize(
    "argv", [["--help"], ["triage", "--help"], ["playbook", "validate"], ["playbook", "render"]]
)
def test_playbook_and_triage_commands_do_not_import_pygithub(argv: list[str]) -> None:
    """PyGithub (slow to import) stays out of the commands that never talk to GitHub."""
    code = (
        "import sys\n"
        "from ops_actions.cli import run\n"
        f"run({argv!r})\n"
        "assert 'github' not in sys.modules, 'PyGithub was imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
