"""The recipe "a new slash command" (docs/development.md, "Where a change goes"): one registry entry
and one operation, registered here for the test only, reach the grammar, the dispatch, the /help
reply, the `command` CLI's --help and the generated reference, with no other file edited."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from ops_actions.cli import cli
from ops_actions.docs import block
from ops_actions.flows.slash_commands import SLASH_OPERATIONS, CommandRun
from ops_actions.incident.slash_grammar import Command, CommandError, parse_comment
from ops_actions.incident.slash_registry import SLASH_COMMANDS, PlaybookTerms, SlashCommand, help_text
from ops_actions.sandbox.github import GitHubEmulator
from tests.support.slash_comments import comment, incident, reactions

# The fixture of tests/support/slash_comments.py (an open incident on the emulator), used by name.
__all__ = ["incident"]


def _ping_arguments(words: list[str], terms: PlaybookTerms) -> dict[str, str]:
    if len(words) > 1:
        raise ValueError("give at most one word")
    return {"word": words[0]} if words else {}


PING = SlashCommand("ping", "/ping [word]", "answers pong (a command of this test only)", _ping_arguments)


@pytest.fixture
def ping(monkeypatch: pytest.MonkeyPatch) -> list[CommandRun]:
    """/ping registered for one test, as the recipe's two entries; returns the runs its operation saw."""
    runs: list[CommandRun] = []

    def answer(run: CommandRun) -> str:
        runs.append(run)
        return f"/ping: pong {run.args.get('word', '')}".rstrip()

    monkeypatch.setitem(SLASH_COMMANDS, PING.name, PING)
    monkeypatch.setitem(SLASH_OPERATIONS, PING.name, answer)
    return runs


def test_every_registered_command_has_an_operation() -> None:
    """The registry (core) and the dispatch (flows) name the same commands."""
    assert list(SLASH_OPERATIONS) == list(SLASH_COMMANDS)


@pytest.mark.usefixtures("ping")
def test_a_registered_command_is_parsed_by_its_entry() -> None:
    """The grammar reads the new command through its parser, and answers with its usage line."""
    terms = {"statuses": ("investigating", "resolved"), "severities": ("SEV-1", "SEV-2")}
    assert parse_comment("/ping hello", **terms) == [Command("ping", {"word": "hello"}, 1)]
    (error,) = parse_comment("/ping a b", **terms)
    assert isinstance(error, CommandError)
    assert (error.message, error.usage) == ("give at most one word", "/ping [word]")


@pytest.mark.usefixtures("ping")
def test_a_registered_command_is_listed_in_help_and_the_reference() -> None:
    """/help, `ops-actions command --help` and docs/cli.md's generated blocks name it."""
    assert "- `/ping [word]`" in help_text().splitlines()
    shown = CliRunner().invoke(cli, ["command", "--help"])
    assert shown.exit_code == 0
    assert "/help, /ping [word]. Only users with write access" in " ".join(shown.output.split())
    row = "| `/ping [word]` | answers pong (a command of this test only) | write, maintain, admin |  |"
    assert row in block("slash-commands").splitlines()
    assert "/ping [word]" in block("cli-reference")


def test_a_registered_command_is_dispatched_to_its_operation(
    ping: list[CommandRun],
    incident: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    github_emulator: GitHubEmulator,
) -> None:
    """A writer's comment runs the operation with the parsed arguments; /help's reply lists the command."""
    code, comment_id = comment(tmp_path, monkeypatch, github_emulator, incident, "/ping hello\n/help")
    assert code == 0
    (run,) = ping
    assert (run.args, run.number, run.by, run.key) == (
        {"word": "hello"},
        incident,
        "alice",
        f"comment-{comment_id}-0",
    )
    assert reactions(github_emulator, comment_id) == ["eyes", "+1"]
    assert "- `/ping [word]`" in github_emulator.comments(incident)[-1]["body"]


def test_a_command_narrowed_to_admins_refuses_a_writer(
    ping: list[CommandRun],
    incident: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    github_emulator: GitHubEmulator,
) -> None:
    """An entry's permissions are enforced: a writer's /ping for admins runs nothing and says why."""
    monkeypatch.setitem(SLASH_COMMANDS, PING.name, replace(PING, permissions=frozenset({"admin"})))
    code, comment_id = comment(tmp_path, monkeypatch, github_emulator, incident, "/ping")
    assert code == 0
    assert ping == []
    assert reactions(github_emulator, comment_id) == ["eyes", "-1"]
    reply = github_emulator.comments(incident)[-1]["body"]
    assert "/ping is for admin permission only (yours: write)" in reply
