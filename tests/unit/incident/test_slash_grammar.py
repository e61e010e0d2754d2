"""The slash-command grammar: commands, quoting, errors with usage, and what is not a command."""

from __future__ import annotations

import pytest

from ops_actions.incident.slash_grammar import MAX_COMMANDS, Command, CommandError, parse_comment
from ops_actions.incident.slash_registry import may_command
from ops_actions.playbook import bundled_playbook_text, parse_playbook

STATUSES = ("investigating", "mitigating", "resolved")
# The seed's SEV-1, SEV-2 and SEV-3, as the playbook's severity vocabulary the grammar reads them with.
SEVERITIES = parse_playbook(bundled_playbook_text(), source="seed").severities


def parse(body: str) -> list[Command | CommandError]:
    return parse_comment(body, statuses=STATUSES, severities=SEVERITIES)


@pytest.mark.parametrize(
    ("line", "name", "args"),
    [
        (
            "/status mitigating next 30m Rolled back",
            "status",
            {"status": "mitigating", "next_minutes": "30", "text": "Rolled back"},
        ),
        (
            "/status investigating looking at logs",
            "status",
            {"status": "investigating", "text": "looking at logs"},
        ),
        (
            '/status mitigating next 5m "quoted  text"',
            "status",
            {"status": "mitigating", "next_minutes": "5", "text": "quoted  text"},
        ),
        ("/STATUS Resolved", "status", {"status": "resolved", "text": ""}),
        ("/sev 1 payments down", "sev", {"severity": "SEV-1", "reason": "payments down"}),
        ("/sev SEV-3", "sev", {"severity": "SEV-3", "reason": ""}),
        ("/owner @octocat", "owner", {"owner": "octocat"}),
        ("/owner hubot", "owner", {"owner": "hubot"}),
        ("/impact 30% of EU checkouts", "impact", {"impact": "30% of EU checkouts"}),
        ("/deploy", "deploy", {}),
        ("/deploy release/1.2", "deploy", {"ref": "release/1.2"}),
        ("/rollback 0123abc", "rollback", {"ref": "0123abc"}),
        ("/smoke", "smoke", {}),
        ("/resolve", "resolve", {}),
        (
            "/resolve force smoke runner is down",
            "resolve",
            {"force": "true", "reason": "smoke runner is down"},
        ),
        ("/postmortem", "postmortem", {}),
        ("/help", "help", {}),
    ],
)
def test_valid_commands(line: str, name: str, args: dict[str, str]) -> None:
    """Each command parses to its name and named arguments."""
    (command,) = parse(line)
    assert command == Command(name, args, 1)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("/status fixed", "the status must be one of"),
        ("/status mitigating next soon", "'next' takes minutes"),
        ("/sev 4", "the severity must be one of"),
        ("/owner", "exactly one GitHub login"),
        ("/owner @a @b", "exactly one GitHub login"),
        ("/owner @-bad-", "exactly one GitHub login"),
        ("/impact", "who is affected"),
        ("/deploy main; rm -rf /", "at most one git ref"),
        ("/deploy $(whoami)", "at most one git ref"),
        ("/smoke now", "takes no arguments"),
        ("/resolve please", "/resolve force <reason>"),
        ('/status mitigating "unbalanced', "cannot split"),
        ("/launch-missiles", "unknown command /launch-missiles"),
    ],
)
def test_invalid_commands_explain_themselves(line: str, message: str) -> None:
    """A bad command is an error naming the problem, with the usage line."""
    (error,) = parse(line)
    assert isinstance(error, CommandError)
    assert message in error.message
    assert error.usage


def test_several_commands_run_in_order_and_prose_is_skipped() -> None:
    """Only lines starting with '/' count, in order; the rest of the comment is ignored."""
    body = "Update from the on-call:\n\n/sev 2 only EU\n/owner @hubot\n\nThanks!\n/status mitigating next 15m"
    assert [c.name for c in parse(body) if isinstance(c, Command)] == ["sev", "owner", "status"]


def test_code_blocks_and_quotes_are_not_commands() -> None:
    """A command inside a fence, an indented block, a quote or a list item is text."""
    body = "```\n/sev 1\n```\n\n    /sev 1\n\n> /resolve\n\n- /smoke\n\nsee `/deploy`"
    assert parse(body) == []


def test_too_many_commands_are_cut_with_an_error() -> None:
    """At most ten commands per comment; the eleventh is refused."""
    results = parse("\n".join(["/smoke"] * (MAX_COMMANDS + 3)))
    assert len(results) == MAX_COMMANDS + 1
    assert isinstance(results[-1], CommandError)


@pytest.mark.parametrize(
    ("permission", "allowed"),
    [
        ("admin", True),
        ("maintain", True),
        ("write", True),
        ("triage", False),
        ("read", False),
        ("none", False),
    ],
)
def test_only_write_access_may_command(permission: str, allowed: bool) -> None:
    """write, maintain and admin may; triage, read and none may not."""
    assert may_command(permission) is allowed
