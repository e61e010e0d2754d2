"""Reading what the tool wrote to GitHub as a person would see it."""

from __future__ import annotations


def without_markers(body: str) -> str:
    """A comment or body without the tool's own hidden marker lines."""
    return "\n".join(line for line in body.splitlines() if not line.startswith("<!-- ops-actions:"))
