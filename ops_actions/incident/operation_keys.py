"""Idempotency keys and their markers: what makes a re-run of a command find its own writes.

A key names one operation (a workflow run's command, or one local run); the timeline comment or
issue the operation writes carries the key as a marker, so a re-run or a repeated delivery finds
the write instead of making it again.
"""

from __future__ import annotations

import hashlib
import uuid

from ops_actions.text.markdown import find_markers


def operation_key(run_id: str | None, kind: str, *parts: object) -> str:
    """An idempotency key: stable across re-runs of one workflow run, unique for local runs.

    The arguments are hashed, so a long message makes no long key.
    """
    scope = f"run-{run_id}" if run_id else f"local-{uuid.uuid4().hex[:12]}"
    # surrogatepass: an argument with a lone surrogate (a title pasted badly) keys like any other.
    joined = "\x1f".join(str(part) for part in parts).encode("utf-8", errors="surrogatepass")
    digest = hashlib.sha256(joined).hexdigest()[:16]
    return f"{scope}:{kind}:{digest}"


def marker_of(key: str) -> str:
    """The text that proves an operation's comment or issue exists (its key, JSON-quoted)."""
    return f'"{key}"'


def marker_keys(body: str) -> set[str]:
    """The keys of the timeline entries and replies a comment carries."""
    return {
        marker["key"]
        for kind in ("event", "reply")
        for marker in find_markers(body, kind)
        if isinstance(marker.get("key"), str)
    }
