"""Triage snapshots an open incident keeps: what one triage saw, and what changed since the last.

The watch records one when something changed (see :mod:`ops_actions.incident.watch_news`); the
post-deploy monitoring compares the window's end with the snapshot it started from.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

# How many snapshots an incident keeps, newest last (the state block must stay small).
MAX_SNAPSHOTS: Final = 12


def compact_snapshot(
    *,
    at: str,
    severity: str | None,
    fired: Sequence[str],
    signals: Mapping[str, Any],
    unsure: Sequence[str] = (),
) -> dict[str, Any]:
    """What the incident keeps of one triage: enough to tell change and to chart it later.

    ``unsure``: its rules that could not say (unknown signals) or breached without firing yet;
    while there are any, the metrics are not normal.
    """
    snapshot = {"at": at, "severity": severity, "fired": sorted(fired), "signals": dict(signals)}
    if unsure:
        snapshot["unsure"] = sorted(unsure)
    return snapshot


def snapshot_changes(
    before: Mapping[str, Any] | None, after: Mapping[str, Any], ignore: frozenset[str]
) -> list[str]:
    """Human lines for what differs between two snapshots (``ignore``: signals that always move)."""
    if before is None:
        return ["first triage snapshot of this incident"]
    lines = []
    if before.get("severity") != after["severity"]:
        lines.append(f"triage severity {before.get('severity') or 'none'} → {after['severity'] or 'none'}")
    old_fired, new_fired = set(before.get("fired", [])), set(after["fired"])
    if new_fired - old_fired:
        lines.append("now firing: " + ", ".join(sorted(new_fired - old_fired)))
    if old_fired - new_fired:
        lines.append("cleared: " + ", ".join(sorted(old_fired - new_fired)))
    old_signals = before.get("signals", {})
    for name, value in after["signals"].items():
        if name not in ignore and old_signals.get(name) != value:
            lines.append(f"`{name}` {json.dumps(old_signals.get(name))} → {json.dumps(value)}")
    return lines
