"""Slash commands in issue comments: the grammar, and who may use them.

A command is a line that starts with ``/`` outside code blocks and quotes. Arguments are split
like a POSIX shell would (quotes group words) but nothing is ever executed. Several commands
in one comment run in order; a comment holds at most :data:`MAX_COMMANDS`.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from markdown_it import MarkdownIt

from ops_actions.playbook.model import Severities
from ops_actions.text.markdown import normalized

MAX_COMMANDS: Final = 10
MAX_LINE: Final = 2_000
# Permissions of the collaborator-permission API that may run commands.
WRITE_PERMISSIONS: Final = frozenset({"admin", "maintain", "write"})

USAGE: Final[dict[str, str]] = {
    "status": "/status <status> [next <N>m] <text>",
    "sev": "/sev <1|2|3> [reason]",
    "owner": "/owner @user",
    "impact": "/impact <text>",
    "deploy": "/deploy [ref]",
    "rollback": "/rollback [sha]",
    "smoke": "/smoke",
    "check": "/check <checklist item>",
    "merge": "/merge #N",
    "split": "/split <cause>",
    "resolve": "/resolve [force <reason>]",
    "postmortem": "/postmortem",
    "help": "/help",
}
_NEXT = re.compile(r"^(\d{1,4})m$")
_LOGIN = re.compile(r"^@?([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))$")
_REF = re.compile(r"^[A-Za-z0-9._/-]{1,200}$")
_ISSUE = re.compile(r"^#?([1-9][0-9]{0,9})$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,200}$")
_PARSER = MarkdownIt("commonmark")


@dataclass(frozen=True)
class Command:
    """A parsed command; ``args`` holds its named arguments as text."""

    name: str
    args: dict[str, str] = field(default_factory=dict)
    line: int = 0


@dataclass(frozen=True)
class CommandError:
    """A line that looked like a command but is not a valid one."""

    line: int
    text: str
    message: str
    usage: str


def may_command(permission: str) -> bool:
    """Only write, maintain and admin may change an incident."""
    return permission in WRITE_PERMISSIONS


_DETAILS_OPEN = re.compile(r"<details\b", re.IGNORECASE)
_DETAILS_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)


def _details_depth(html: str) -> int:
    """How many ``<details>`` sections an HTML fragment opens (negative: closes)."""
    return len(_DETAILS_OPEN.findall(html)) - len(_DETAILS_CLOSE.findall(html))


def command_lines(body: str) -> list[tuple[int, str]]:
    """(line number, text) of lines starting with '/' in top-level paragraphs: not in code, quotes or
    lists, and not inside a collapsed ``<details>`` section (what a reader does not see never runs)."""
    body = normalized(body)  # line numbers as markdown-it counts them (not str.splitlines's)
    lines = body.split("\n")
    found = []
    depth = 0
    tokens = _PARSER.parse(body)
    for index, token in enumerate(tokens):
        if token.type == "html_block":
            depth = max(depth + _details_depth(token.content), 0)
            continue
        if token.type == "inline":
            inline_html = "".join(
                child.content for child in token.children or [] if child.type == "html_inline"
            )
            depth = max(depth + _details_depth(inline_html), 0)
            continue
        if token.type != "paragraph_open" or token.level != 0 or token.map is None or depth:
            continue
        inline = tokens[index + 1] if index + 1 < len(tokens) else None
        if inline is not None and any(
            child.type == "html_inline" and _DETAILS_OPEN.search(child.content)
            for child in inline.children or []
        ):
            continue
        start, end = token.map
        for number in range(start, end):
            text = lines[number].strip()
            if text.startswith("/"):
                found.append((number + 1, text))
    return found


def parse_comment(
    body: str, *, statuses: Sequence[str], severities: Severities
) -> list[Command | CommandError]:
    """Every command of a comment, in order; invalid ones become CommandError with the usage line."""
    results: list[Command | CommandError] = []
    for number, text in command_lines(body):
        if len(results) == MAX_COMMANDS:
            results.append(
                CommandError(number, text[:80], f"at most {MAX_COMMANDS} commands per comment", "")
            )
            break
        results.append(parse_line(text, number=number, statuses=statuses, severities=severities))
    return results


def parse_line(
    text: str, *, number: int = 1, statuses: Sequence[str], severities: Severities
) -> Command | CommandError:
    """One command line."""
    shown = text[:80]
    if len(text) > MAX_LINE:
        return CommandError(number, shown, f"a command line is limited to {MAX_LINE} characters", "")
    head, _, rest = text[1:].partition(" ")
    name = head.lower()
    if name not in USAGE:
        return CommandError(number, shown, f"unknown command /{head[:40]}", "  ".join(USAGE.values()))
    try:
        words = shlex.split(rest)
    except ValueError as error:
        return CommandError(number, shown, f"cannot split the arguments: {error}", USAGE[name])
    try:
        return Command(name, _arguments(name, words, statuses, severities), number)
    except ValueError as error:
        return CommandError(number, shown, str(error), USAGE[name])


def _arguments(
    name: str, words: list[str], statuses: Sequence[str], severities: Severities
) -> dict[str, str]:
    """Check a command's words and name them; ValueError says what is wrong."""
    if name == "status":
        if not words or words[0].lower() not in statuses:
            raise ValueError("the status must be one of " + ", ".join(statuses))
        args = {"status": words[0].lower()}
        rest = words[1:]
        if len(rest) >= 2 and rest[0].lower() == "next":
            match = _NEXT.match(rest[1].lower())
            if not match or not 1 <= int(match.group(1)) <= 10_080:
                raise ValueError("'next' takes minutes such as 30m")
            args["next_minutes"] = match.group(1)
            rest = rest[2:]
        args["text"] = " ".join(rest)
        return args
    if name == "sev":
        severity = severities.find(words[0]) if words else None
        if severity is None:
            raise ValueError("the severity must be one of " + ", ".join(severities.ids))
        return {"severity": severity, "reason": " ".join(words[1:])}
    if name == "owner":
        match = _LOGIN.match(words[0]) if len(words) == 1 else None
        if not match:
            raise ValueError("give exactly one GitHub login, e.g. @octocat")
        return {"owner": match.group(1)}
    if name == "impact":
        if not words:
            raise ValueError("say who is affected and how much")
        return {"impact": " ".join(words)}
    if name in {"deploy", "rollback"}:
        if len(words) > 1 or (words and not _REF.match(words[0])):
            raise ValueError("give at most one git ref or SHA")
        return {"ref": words[0]} if words else {}
    if name == "check":
        if len(words) != 1 or not _NAME.match(words[0]):
            raise ValueError("name one manual checklist item, e.g. /check manual-signup-login")
        return {"item": words[0]}
    if name == "merge":
        match = _ISSUE.match(words[0]) if len(words) == 1 else None
        if not match:
            raise ValueError("name the one incident to fold into this one, e.g. /merge #12")
        return {"number": match.group(1)}
    if name == "split":
        if len(words) != 1 or not _NAME.match(words[0]):
            raise ValueError("name one of the incident's causes (the body lists them), e.g. /split B")
        return {"cause": words[0]}
    if name == "resolve":
        if not words:
            return {}
        if words[0].lower() != "force" or len(words) < 2:
            raise ValueError("to override the checklist write: /resolve force <reason>")
        return {"force": "true", "reason": " ".join(words[1:])}
    if words:
        raise ValueError(f"/{name} takes no arguments")
    return {}


def help_text() -> str:
    """The commands and their usage, for /help and error replies."""
    return "\n".join(f"- `{usage}`" for usage in USAGE.values())
