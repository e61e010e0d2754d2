"""Reading what the tool wrote to GitHub as a person would see it."""

from __future__ import annotations

import re

from ops_actions.text.markdown import GENERATED_END, GENERATED_START


def without_markers(body: str) -> str:
    """A comment or body without the tool's own hidden marker lines."""
    return "\n".join(line for line in body.splitlines() if not line.startswith("<!-- ops-actions:"))


def h2_section(text: str, heading: str) -> str:
    """The text under a level-2 heading, up to the next one."""
    return text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]


def code_blocks(text: str, language: str) -> list[str]:
    """The contents of the fenced code blocks in this language."""
    return re.findall(rf"```{language}\n(.*?)\n```", text, re.DOTALL)


def generated_header(body: str) -> str:
    """The generated header of an incident's body (exactly one, between its two markers)."""
    assert body.count(GENERATED_START) == 1 and body.count(GENERATED_END) == 1
    return body.split(GENERATED_START, 1)[1].split(GENERATED_END, 1)[0]
