"""JSON from outside, bounded: how deep it may nest and whether its text is encodable.

Every JSON the tool reads from a source it does not control (a backend's answer, an alert
payload, a hidden marker in an issue body, the watch's local history file) passes here, so a
document nested thousands deep or carrying a lone surrogate (valid JSON, never valid UTF-8) is
refused with a one-line reason instead of ending the run in a RecursionError or a
UnicodeEncodeError later, far from where it came in. The checks walk iteratively: no recursion.
"""

from __future__ import annotations

import json
from typing import Any, Final

# Deeper than anything the tool writes or a backend's ops API answers; far below the interpreter's
# recursion limit, so every later walk over a value (asdict, json.dumps, JMESPath) stays safe.
MAX_JSON_DEPTH: Final = 64


def depth_of(value: object, *, limit: int = MAX_JSON_DEPTH) -> int:
    """How deep a decoded JSON value nests (a scalar is 0), counted up to ``limit + 1`` at most."""
    deepest = 0
    pending: list[tuple[object, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth + 1)
            if deepest > limit:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return deepest


def lone_surrogate(value: object) -> bool:
    """Whether any text in a decoded JSON value (keys too) cannot be written as UTF-8."""
    pending: list[object] = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def problem_of(value: object, *, limit: int = MAX_JSON_DEPTH) -> str | None:
    """Why a decoded JSON value may not be used (too deep, not UTF-8), or None when it may."""
    if depth_of(value, limit=limit) > limit:
        return f"nested deeper than {limit} levels"
    if lone_surrogate(value):
        return "holds text that is not valid Unicode (a lone surrogate)"
    return None


def loads_bounded(text: str, *, limit: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` that also refuses what ``problem_of`` refuses; ValueError with the reason."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError(f"nested deeper than {limit} levels") from None
    problem = problem_of(value, limit=limit)
    if problem is not None:
        raise ValueError(problem)
    return value
