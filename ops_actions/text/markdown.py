"""Markdown the tool reads back: hidden ``<!-- ops-actions:… -->`` markers, and user text made inert.

Markers are found with markdown-it-py, as top-level HTML blocks only, so a marker that a person
pastes inside a code block or a quote is just text, and user text is escaped so it cannot start
a marker at all.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Final

from markdown_it import MarkdownIt

MARKER_PREFIX: Final = "<!-- ops-actions:"
_MENTION = re.compile(r"@(?=[A-Za-z0-9])")
_PARSER = MarkdownIt("commonmark")


def encode_marker(kind: str, payload: dict[str, Any]) -> str:
    """A hidden marker line carrying JSON; ``<`` and ``>`` are escaped so the comment cannot end early."""
    data = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    data = data.replace("<", "\\u003c").replace(">", "\\u003e")
    return f"{MARKER_PREFIX}{kind} {data} -->"


def find_markers(text: str, kind: str) -> list[dict[str, Any]]:
    """Every well-formed marker of this kind, in document order; broken ones are skipped."""
    prefix = f"{MARKER_PREFIX}{kind} "
    found = []
    for token in _PARSER.parse(text):
        if token.type != "html_block" or token.level != 0:
            continue
        for raw_line in token.content.splitlines():
            line = raw_line.strip()
            if line.startswith(prefix) and line.endswith("-->"):
                try:
                    payload = json.loads(line[len(prefix) : -3])
                except ValueError:
                    continue
                if isinstance(payload, dict):
                    found.append(payload)
    return found


def inert(text: str) -> str:
    """User text that opens no HTML (so forges no marker) and no code fence (so hides nothing after it).

    An unclosed fence or ``<pre>`` would swallow the rest of a body, state block included.
    """
    return text.replace("<", "&lt;").replace("```", "\\`\\`\\`").replace("~~~", "\\~\\~\\~")


def without_mentions(text: str) -> str:
    """User text whose @-mentions notify nobody (a zero-width space after the @)."""
    return _MENTION.sub("@\u200b", text)


@dataclass(frozen=True)
class Task:
    """A task-list item: ``- [ ] text`` or ``- [x] text``; ``line`` is 0-based in the source."""

    checked: bool
    text: str
    line: int


def normalized(text: str) -> str:
    """Line breaks as markdown-it counts them (it treats CR LF and a lone CR as a line break)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def section_tasks(text: str, heading: str) -> list[Task] | None:
    """The top-level task items under the heading with this title (None when there is no such heading).

    The section ends at the next heading of the same or a higher level. Line numbers count the
    lines of :func:`normalized` text.
    """
    tokens = _PARSER.parse(normalized(text))
    level: int | None = None
    tasks: list[Task] = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            title = tokens[index + 1].content.strip() if index + 1 < len(tokens) else ""
            depth = int(token.tag[1])
            if level is not None and depth <= level:
                break
            if level is None and title.lower() == heading.lower():
                level = depth
            continue
        if level is None or token.type != "inline" or token.map is None:
            continue
        if index < 2 or tokens[index - 2].type != "list_item_open" or tokens[index - 2].level != 1:
            continue
        content = token.content
        if content[:3] in {"[ ]", "[x]", "[X]"} and (len(content) == 3 or content[3] in " \t"):
            tasks.append(Task(checked=content[1] != " ", text=content[3:].strip(), line=token.map[0]))
    return tasks if level is not None else None


def section_source(text: str, heading: str) -> str | None:
    """The Markdown source under the first heading with this title, up to the next heading of the
    same or a higher level (None when there is no such heading)."""
    lines = normalized(text).split("\n")
    tokens = _PARSER.parse("\n".join(lines))
    start: int | None = None
    level = 0
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or token.map is None:
            continue
        depth = int(token.tag[1])
        if start is not None and depth <= level:
            return "\n".join(lines[start : token.map[0]])
        title = tokens[index + 1].content.strip() if index + 1 < len(tokens) else ""
        if start is None and title.lower() == heading.lower():
            start, level = token.map[1], depth
    return None if start is None else "\n".join(lines[start:])


_TASK_BOX = re.compile(r"^(\s*(?:>\s*)*(?:[-*+]|\d{1,9}[.)])\s+)\[[ xX]\]")


def set_task(text: str, task: Task, *, checked: bool) -> str:
    """The (normalized) text with one task's box ticked or cleared: the box right after its list marker."""
    lines = normalized(text).split("\n")
    if task.line < len(lines):
        box = "[x]" if checked else "[ ]"
        lines[task.line] = _TASK_BOX.sub(lambda match: match.group(1) + box, lines[task.line], count=1)
    return "\n".join(lines)
