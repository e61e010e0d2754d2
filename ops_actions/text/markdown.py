"""Markdown the tool reads back: hidden ``<!-- ops-actions:… -->`` markers, and outside text made inert.

Markers are found with markdown-it-py, as top-level HTML blocks only, so a marker that a person
pastes inside a code block or a quote is just text, and outside text is escaped (by :func:`inert`,
the one escaping function) so it cannot start a marker at all.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from ops_actions.text.json_limits import loads_bounded

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

MARKER_PREFIX: Final = "<!-- ops-actions:"
_MENTION = re.compile(r"@(?=[A-Za-z0-9])")
# Every character some reader takes for a line break: markdown-it (CR, LF), str.splitlines (also
# VT, FF, FS, GS, RS, NEL, LS, PS) and the Actions runner's line reader (CR, LF).
_LINE_BREAK = re.compile(r"\r\n|[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# Other control characters have no place in Markdown (ESC would also drive a terminal), and what XML
# 1.0 forbids (lone surrogates, U+FFFE, U+FFFF) would make the status page's feed invalid as a whole.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# Backslashes as well: one typed before a bracket would otherwise escape the escape instead.
_LINK_SYNTAX = re.compile(r"[\\\[\]]")
# Line breaks json.dumps(ensure_ascii=False) leaves raw, which would split a marker line.
_RAW_IN_JSON: Final = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}


@functools.cache
def _parser() -> MarkdownIt:
    """The CommonMark parser, loaded on first use: a command that reads no Markdown never pays it."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


def encode_marker(kind: str, payload: dict[str, Any]) -> str:
    """A hidden marker line carrying JSON.

    Non-ASCII text stays as it is (an emoji costs one character, not twelve), line separators are
    escaped so the marker stays one line for every reader, and ``<`` and ``>`` are escaped so the
    comment cannot end early.
    """
    data = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    data = data.replace("<", "\\u003c").replace(">", "\\u003e")
    for raw, escaped in _RAW_IN_JSON.items():
        data = data.replace(raw, escaped)
    return f"{MARKER_PREFIX}{kind} {data} -->"


def find_markers(text: str, kind: str) -> list[dict[str, Any]]:
    """Every well-formed marker of this kind, in document order; broken ones are skipped (a hand
    edit may leave anything: a marker nested thousands deep is broken too, see json_limits)."""
    prefix = f"{MARKER_PREFIX}{kind} "
    found = []
    for token in _parser().parse(text):
        if token.type != "html_block" or token.level != 0:
            continue
        for raw_line in token.content.splitlines():
            line = raw_line.strip()
            if line.startswith(prefix) and line.endswith("-->"):
                try:
                    payload = loads_bounded(line[len(prefix) : -3])
                except ValueError:
                    continue
                if isinstance(payload, dict):
                    found.append(payload)
    return found


def in_tool_form(text: str) -> bool:
    """Whether a comment has the form every comment the tool writes has: exactly one marker line,
    alone in the comment's last top-level block.

    Every workflow's job token writes as github-actions[bot], so the author alone cannot tell the
    tool's comments from another workflow's; a workflow that quotes outside text (a marker on a
    line of its own) inside its own reply puts something after it, or writes a second marker.
    """
    blocks = [t for t in _parser().parse(text) if t.level == 0 and not t.type.endswith("_close")]
    marker_lines = [
        line.strip()
        for block in blocks
        if block.type == "html_block"
        for line in block.content.splitlines()
        if line.strip().startswith(MARKER_PREFIX)
    ]
    last = blocks[-1] if blocks else None
    return (
        len(marker_lines) == 1
        and last is not None
        and last.type == "html_block"
        and last.content.strip() == marker_lines[0]
    )


def inert(text: str, *, cell: bool = False) -> str:
    """Text from outside (backend data, alert fields, titles, links, what people type) as Markdown
    that shows that text and does nothing else: the one escaping function.

    Every kind of line break becomes LF (so markdown-it, ``str.splitlines`` and the reader of a
    table agree on the lines), other control characters go, ``<`` opens no HTML (so no marker, no
    ``<details>``, no ``<img>``), fences open no code block (an unclosed one would swallow the rest
    of a body, state block included), brackets make no link, image or link reference (on the
    public page an outsider's ``[reset your password](https://…)`` would be a live link) and
    @-mentions notify nobody (a zero-width space after the @). ``cell=True`` also keeps the text
    on one line and its ``|`` inside a table cell.
    """
    text = _CONTROL.sub("", _LINE_BREAK.sub("\n", text))
    text = _LINK_SYNTAX.sub(lambda match: "\\" + match.group(0), text)
    text = text.replace("<", "&lt;").replace("```", "\\`\\`\\`").replace("~~~", "\\~\\~\\~")
    text = _MENTION.sub("@\u200b", text)
    if cell:
        text = " ".join(text.split("\n")).replace("|", "\\|")
    return text


def plain_line(text: str) -> str:
    """Outside text as one line of plain characters, as a title is stored: every line break and run
    of white space one space, no control character and nothing XML forbids. It stays unescaped
    (each place that shows it escapes it for its format)."""
    return " ".join(_CONTROL.sub("", _LINE_BREAK.sub("\n", text)).split())


GENERATED_START: Final = "<!-- ops-actions:generated-start -->"
GENERATED_END: Final = "<!-- ops-actions:generated-end -->"


def generated(content: str) -> str:
    """Content between the markers of the block the tool owns in a body it rewrites."""
    return f"{GENERATED_START}\n{content.strip(chr(10))}\n{GENERATED_END}"


def refresh_generated(body: str, block: str) -> str:
    """Replace the generated block, keeping everything people wrote around it (a body that lost its
    markers gets the block at the top)."""
    start, end = body.find(GENERATED_START), body.find(GENERATED_END)
    if start == -1 or end == -1 or end < start:
        return block + "\n\n" + body
    return body[:start] + block + body[end + len(GENERATED_END) :]


_EMPHASIS: Final = re.compile(r"\*\*|__|~~|`+")


def unmarked(text: str) -> str:
    """Text the tool wrote with Markdown emphasis and code markers taken out, for a table cell or a
    short label: a summary cut short must not leave a ``**`` or a backtick open there."""
    return _EMPHASIS.sub("", text)


def code_span(text: str, *, cell: bool = False) -> str:
    """Trusted text (a query, a regex, a path) as inline code that shows it exactly: the fence is one
    backtick longer than any run inside (JMESPath literals are backquoted). ``cell=True`` escapes
    ``|``, which ends a table cell even inside code."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    shown = f"{fence}{pad}{text}{pad}{fence}"
    return shown.replace("|", "\\|") if cell else shown


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
    tokens = _parser().parse(normalized(text))
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
    tokens = _parser().parse("\n".join(lines))
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
