"""``{placeholder}`` templates filled in one pass, so braces in user text stay text."""

from __future__ import annotations

import re
from collections.abc import Mapping

_PLACEHOLDER = re.compile(r"\{([^{}\s]*)\}")


def placeholders(template: str) -> list[str]:
    """The placeholder names a template uses, in order."""
    return _PLACEHOLDER.findall(template)


def fill(template: str, values: Mapping[str, object]) -> str:
    """Replace each known ``{name}`` of the template; values are never re-scanned for placeholders."""
    return _PLACEHOLDER.sub(
        lambda match: str(values[match.group(1)]) if match.group(1) in values else match.group(0), template
    )
