"""Slash commands in issue comments: which lines are commands, and how a line is read.

A command is a line that starts with ``/`` outside code blocks and quotes. Arguments are split
like a POSIX shell would (quotes group words) but nothing is ever executed; each command's entry
in :mod:`ops_actions.incident.slash_registry` names and checks them. Several commands in one
comment run in order; a comment holds at most :data:`MAX_COMMANDS`.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from markdown_it import MarkdownIt

from ops_actions.incident.slash_registry import SLASH_COMMANDS, PlaybookTerms
from ops_actions.playbook.model import Severities
from ops_actions.text.markdown import normalized

MAX_COMMANDS: Final = 10
MAX_LINE: Final = 2_000
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
    command = SLASH_COMMANDS.get(head.lower())
    if command is None:
        every = "  ".join(known.usage for known in SLASH_COMMANDS.values())
        return CommandError(number, shown, f"unknown command /{head[:40]}", every)
    try:
        words = shlex.split(rest)
    except ValueError as error:
        return CommandError(number, shown, f"cannot split the arguments: {error}", command.usage)
    try:
        args = command.arguments(words, PlaybookTerms(statuses, severities))
    except ValueError as error:
        return CommandError(number, shown, str(error), command.usage)
    return Command(command.name, args, number)
