"""HTML from text: escaping, and Markdown rendered for a public page (no raw HTML, no images).

Timeline text is Markdown written partly by people. Rendered with raw HTML switched off, a ``<``
someone typed stays text, markdown-it's link check drops ``javascript:`` and ``data:`` targets,
and with images switched off nothing on the page loads from another host.
"""

from __future__ import annotations

import html
import re
from typing import Final

from markdown_it import MarkdownIt

_PUBLIC: Final = MarkdownIt("commonmark", {"html": False}).disable("image")
_BREAKS: Final = frozenset({"softbreak", "hardbreak"})
# Every character XML 1.0 allows: one other character anywhere and a feed reader rejects the whole feed.
_NOT_XML: Final = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def escape(text: str) -> str:
    """Text for an HTML element or a quoted attribute."""
    return html.escape(text, quote=True)


def xml_chars(text: str) -> str:
    """The text without the characters XML 1.0 forbids (C0 controls, lone surrogates, U+FFFE, U+FFFF)."""
    return _NOT_XML.sub("", text)


def markdown_html(text: str) -> str:
    """Markdown as HTML safe to publish."""
    return str(_PUBLIC.render(text))


def markdown_plain(text: str) -> str:
    """Markdown as plain text: the words people read, one blank line between blocks."""
    blocks: list[str] = []
    for token in _PUBLIC.parse(text):
        if token.type == "inline":
            parts = [
                " " if child.type in _BREAKS else child.content
                for child in token.children or []
                if child.type in _BREAKS or child.type in {"text", "code_inline"}
            ]
            blocks.append("".join(parts).strip())
        elif token.type in {"code_block", "fence"}:
            blocks.append(token.content.rstrip("\n"))
    return "\n\n".join(block for block in blocks if block)
