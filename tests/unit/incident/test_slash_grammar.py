"""The slash-command grammar: commands, quoting, errors with usage, and what is not a command."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from ops_actions.incident.slash_grammar import MAX_COMMANDS, Command, CommandError, parse_comment
from ops_actions.incident.slash_registry import SLASH_COMMANDS, may_command
from ops_actions.playbook import bundled_playbook_text, parse_playbook
from tests.support.strategies import PROPERTY, typed_text

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
        (
            "/status mitigating next 30m rolled back db-7 public: Payments are recovering.",
            "status",
            {
                "status": "mitigating",
                "next_minutes": "30",
                "text": "rolled back db-7",
                "public": "Payments are recovering.",
            },
        ),
        (
            "/status mitigating PUBLIC:Recovering now",
            "status",
            {"status": "mitigating", "text": "", "public": "Recovering now"},
        ),
        ("/public-title Card payments slow", "public-title", {"title": "Card payments slow"}),
        ("/sev 1 payments down", "sev", {"severity": "SEV-1", "reason": "payments down"}),
        ("/sev SEV-3", "sev", {"severity": "SEV-3", "reason": ""}),
        ("/owner @octocat", "owner", {"owner": "octocat"}),
        ("/owner hubot", "owner", {"owner": "hubot"}),
        ("/impact 30% of EU checkouts", "impact", {"impact": "30% of EU checkouts"}),
        ("/deploy", "deploy", {}),
        ("/deploy release/1.2", "deploy", {"ref": "release/1.2"}),
        ("/rollback 0123abc", "rollback", {"ref": "0123abc"}),
        ("/rollback --hotfix", "rollback", {"hotfix": "true"}),
        ("/rollback 0123abc --hotfix", "rollback", {"ref": "0123abc", "hotfix": "true"}),
        ("/rollback --hotfix 0123abc", "rollback", {"ref": "0123abc", "hotfix": "true"}),
        ("/smoke", "smoke", {}),
        ("/resolve", "resolve", {}),
        (
            "/resolve force smoke runner is down",
            "resolve",
            {"force": "true", "reason": "smoke runner is down"},
        ),
        ("/postmortem", "postmortem", {}),
        ("/planned", "planned", {"window": ""}),
        ("/planned db-upgrade", "planned", {"window": "db-upgrade"}),
        (
            "/maintenance start 2h component: stripe webhook, billing reason: Stripe API upgrade",
            "maintenance",
            {
                "action": "start",
                "minutes": "120",
                "components": "stripe webhook,billing",
                "reason": "Stripe API upgrade",
                "title": "",
            },
        ),
        (
            "/maintenance start 1h30m --freeze-deploys title: DB move reason: moving the database",
            "maintenance",
            {
                "action": "start",
                "minutes": "90",
                "components": "",
                "reason": "moving the database",
                "title": "DB move",
                "freeze_deploys": "true",
            },
        ),
        ("/maintenance end", "maintenance", {"action": "end"}),
        ("/maintenance end #57", "maintenance", {"action": "end", "number": "57"}),
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
        ("/status mitigating looking public:", "'public:' takes the words customers read"),
        ("/public-title", "the title customers read"),
        ("/deploy main; rm -rf /", "at most one git ref"),
        ("/deploy $(whoami)", "at most one git ref"),
        ("/smoke now", "takes no arguments"),
        ("/rollback 0123abc 4567def --hotfix", "at most one git ref"),
        ("/resolve please", "/resolve force <reason>"),
        ('/status mitigating "unbalanced', "cannot split"),
        ("/launch-missiles", "unknown command /launch-missiles"),
        ("/planned a b", "at most one maintenance window"),
        ("/maintenance", "start a window"),
        ("/maintenance start soon reason: x", "not a duration"),
        ("/maintenance start 200h reason: x", "between 1 minute and 7 days"),
        ("/maintenance start 2h billing reason: x", "say what it is with component:"),
        ("/maintenance start 2h component: billing", "say why with reason:"),
        ("/maintenance end 57 58", "at most the window's issue"),
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


COMMAND_FRAGMENTS = st.sampled_from(
    [
        *(f"/{name}" for name in SLASH_COMMANDS),
        "/STATUS",
        "/sev",
        "/",
        "//",
        " mitigating",
        " resolved",
        " next 30m",
        " next 0m",
        " next 99999m",
        " 1",
        " SEV-2",
        " @octocat",
        " @",
        " force",
        " release/1.2",
        ' "quoted',
        " 'x'",
        "\\",
        "\n",
        "\n\n",
        "\r\n",
        "```\n",
        "~~~\n",
        "> ",
        "    ",
        "- ",
        "1. ",
        "<!-- ",
        " -->",
        "# ",
        "text",
        " $(touch x)",
        "\t",
    ]
)


comment_bodies = st.one_of(
    typed_text,
    st.lists(st.one_of(COMMAND_FRAGMENTS, typed_text), max_size=40).map("".join),
)


@PROPERTY
@given(comment_bodies)
@example("\n".join(["/help"] * 30))
def test_any_comment_parses_to_at_most_eleven_known_results(body: str) -> None:
    """Any text parses without raising into at most MAX_COMMANDS + 1 results, all known commands."""
    results = parse(body)
    assert len(results) <= MAX_COMMANDS + 1
    for result in results:
        if isinstance(result, Command):
            assert result.name in SLASH_COMMANDS
            assert all(isinstance(k, str) and isinstance(v, str) for k, v in result.args.items())
        else:
            assert isinstance(result, CommandError)
            assert result.message


command_lines = st.lists(
    st.tuples(st.sampled_from(sorted(SLASH_COMMANDS)), typed_text.map(lambda t: t.replace("\n", " "))).map(
        lambda pair: f"/{pair[0]} {pair[1]}".rstrip()
    ),
    min_size=1,
    max_size=8,
)


@PROPERTY
@given(command_lines, st.sampled_from(["fence", "tilde-fence", "quote", "indented"]))
def test_commands_inside_code_or_quotes_never_run(lines: list[str], wrapping: str) -> None:
    """Command lines wrapped in a code fence, a quote or an indented code block produce no command."""
    lines = [line.replace("~", "-").replace("`", "'") for line in lines]
    if wrapping == "fence":
        body = "Logs:\n\n```\n" + "\n".join(lines) + "\n```\n"
    elif wrapping == "tilde-fence":
        body = "~~~~\n" + "\n".join(lines) + "\n~~~~"
    elif wrapping == "quote":
        body = "\n".join(f"> {line}" for line in lines)
    else:
        body = "See:\n\n" + "\n".join(f"    {line}" for line in lines)
    assert parse(body) == []


def test_a_command_inside_a_fence_stays_text_even_after_unicode_line_separators() -> None:
    """A fence whose opening line holds NEL characters still hides the command line inside it."""
    body = "```log\x85a\x85b\n/sev 1\n```\nhello"
    assert parse(body) == []
