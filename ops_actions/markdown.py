"""Markdown the tool reads back: hidden ``<!-- ops-actions:… -->`` markers, and user text made inert.

Markers are found with markdown-it-py, as top-level HTML blocks only, so a marker that a person
pastes inside a code block or a quote is just text, and user text is escaped so it cannot start
a marker at all.
"""

from __future__ import annotations

import json
import re
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
    """User text that cannot open an HTML comment (and so cannot forge a marker)."""
    return text.replace("<!--", "&lt;!--")


def without_mentions(text: str) -> str:
    """User text whose @-mentions notify nobody (a zero-width space after the @)."""
    return _MENTION.sub("@\u200b", text)
