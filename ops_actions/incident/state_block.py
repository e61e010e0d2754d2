"""The hidden state block at the end of an issue body: writing it, reading it, rebuilding it.

The block is a cache of the comment log: each timeline event carries the state delta it made
(``state_delta``), and ``replay`` applies the ones a block has not seen, so an update a concurrent
writer overwrote in the body is not lost. The block is trimmed to fit (``state_marker``), and a
body without a valid block is rebuilt from labels, assignees and the tool's own markers. Also here:
fitting any text plus its markers within GitHub's body limit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Final

from ops_actions.incident.clock import iso
from ops_actions.incident.labels import STATUS_LABEL_PREFIX, incident_title
from ops_actions.incident.recorded_inputs import without_oldest
from ops_actions.incident.state import LOGIN, IncidentState, slug, state_fits_playbook
from ops_actions.playbook.model import Playbook
from ops_actions.text.markdown import encode_marker, find_markers

# GitHub's limit on an issue body (and a comment), in characters.
BODY_LIMIT: Final = 65_536
# The encoded block is kept under this many characters by trimming its histories oldest first
# (the state's free text is bounded too, see MAX_STATE_TEXT), so it always fits in an issue body.
STATE_BUDGET: Final = 32_000
_TRUNCATED: Final = "\n\n_… truncated to fit GitHub's 65,536-character limit._\n"


# Fields a state delta never carries: bookkeeping of the block itself, and of what the body holds
# (written with the block, in the same edit).
_UNREPLAYED: Final = frozenset({"applied", "comments_seen", "comments_read_until", "version", "body_written"})


def state_delta(before: IncidentState, after: IncidentState) -> dict[str, Any]:
    """What a transition changed: lists that only grew as appended items, everything else as set."""
    old, new = before.to_dict(), after.to_dict()
    changed_set: dict[str, Any] = {}
    appended: dict[str, Any] = {}
    for name, value in new.items():
        if name in _UNREPLAYED or old.get(name) == value:
            continue
        previous = old.get(name)
        if isinstance(value, list) and isinstance(previous, list) and value[: len(previous)] == previous:
            appended[name] = value[len(previous) :]
        else:
            changed_set[name] = value
    delta: dict[str, Any] = {}
    if changed_set:
        delta["set"] = changed_set
    if appended:
        delta["append"] = appended
    return delta


def _sets(marker: Mapping[str, Any]) -> dict[str, Any]:
    delta = marker.get("delta")
    found = delta.get("set") if isinstance(delta, dict) else None
    return dict(found) if isinstance(found, dict) else {}


def replay(playbook: Playbook, state: IncidentState, markers: Sequence[Mapping[str, Any]]) -> IncidentState:
    """The state with the events it has not seen applied (their deltas), in timeline order, never raising.

    Comments are append-only, so an update a concurrent writer overwrote in the body is still in
    its event comment; replaying those makes the body's block a cache of the comment log. Timeline
    order decides: a field a later entry set keeps that entry's value, even when the earlier entry
    is the one replayed now (two commands at once). An entry whose change would not fit the
    playbook is marked seen and left out.
    """
    current = state
    for index, marker in enumerate(markers):
        key = marker.get("key")
        if not isinstance(key, str) or current.has_applied(key):
            continue
        later = {name for after in markers[index + 1 :] for name in _sets(after)}
        data = current.to_dict()
        for name, value in _sets(marker).items():
            if name in data and name not in _UNREPLAYED and name not in later:
                data[name] = value
        delta = marker.get("delta")
        appended = delta.get("append") if isinstance(delta, dict) else None
        for name, items in dict(appended if isinstance(appended, dict) else {}).items():
            if isinstance(data.get(name), list) and isinstance(items, list) and name not in _UNREPLAYED:
                data[name] = [*data[name], *items]
        try:
            candidate = IncidentState.from_dict(data)
        except (ValueError, TypeError):
            candidate = replace(current)
        if not state_fits_playbook(playbook, candidate):
            candidate = replace(current)
        candidate.mark_applied(key)
        current = candidate
    return current


def fit_body(visible: str, tail: str) -> str:
    """Visible text plus a tail (markers) within GitHub's limit; the tail always survives."""
    if len(visible) + len(tail) <= BODY_LIMIT:
        return visible + tail
    room = BODY_LIMIT - len(tail) - len(_TRUNCATED)
    return visible[:room] + _TRUNCATED + tail


# Lists (and how many entries of each always stay) that give way, oldest first, when the block grows.
_TRIMMABLE: Final = (
    ("snapshots", 1),
    ("severity_history", 2),
    ("status_history", 2),
    ("runs", 1),
    ("applied", 20),
)


def _trimmed(state: IncidentState) -> IncidentState | None:
    """The state with one entry less in its largest list (None when nothing can go).

    The first severity and status entries stay (they say how the incident opened), and so do the
    recorded inputs' lead and opening tick; runs the watch still follows go after the concluded ones.
    """
    sizes = {
        name: len(json.dumps(getattr(state, name), ensure_ascii=False))
        for name, keep in _TRIMMABLE
        if len(getattr(state, name)) > keep
    }
    if without_oldest(state.inputs) is not None:
        sizes["inputs"] = len(json.dumps(state.inputs, ensure_ascii=False))
    if state.alerts:
        sizes["alerts"] = len(json.dumps(state.alerts, ensure_ascii=False))
    if not sizes:
        return None
    name = max(sizes, key=lambda field_name: sizes[field_name])
    new = replace(state)
    if name == "alerts":
        new.alerts = dict(list(state.alerts.items())[1:])
    elif name in {"severity_history", "status_history"}:
        entries = getattr(state, name)
        setattr(new, name, [entries[0], *entries[2:]])
    elif name == "inputs":
        new.inputs = without_oldest(state.inputs) or state.inputs
    elif name == "runs":
        done = next((i for i, run in enumerate(state.runs) if run.get("conclusion") is not None), 0)
        new.runs = state.runs[:done] + state.runs[done + 1 :]
    else:
        setattr(new, name, getattr(state, name)[1:])
    return new


def state_marker(state: IncidentState) -> str:
    """The hidden state block, under STATE_BUDGET characters whatever the text (oldest entries go first)."""
    marker = encode_marker("state", state.to_dict())
    current: IncidentState | None = state
    while len(marker) > STATE_BUDGET and current is not None:
        current = _trimmed(current)
        if current is not None:
            marker = encode_marker("state", current.to_dict())
    return marker


def with_state(body: str, state: IncidentState) -> str:
    """The body with its state block replaced (or appended), kept within GitHub's limit."""
    visible = strip_state(body).rstrip("\n")
    return fit_body(visible, "\n\n" + state_marker(state) + "\n")


def strip_state(body: str) -> str:
    """The body without its state block lines."""
    return "\n".join(line for line in body.splitlines() if not line.startswith("<!-- ops-actions:state "))


def read_state(body: str) -> IncidentState | None:
    """The last valid state block of a body, or None when there is none or it is corrupt."""
    for payload in reversed(find_markers(body, "state")):
        try:
            return IncidentState.from_dict(payload)
        except (ValueError, TypeError):
            continue
    return None


def rebuild_state(
    playbook: Playbook,
    *,
    title: str,
    labels: Sequence[str],
    assignees: Sequence[str],
    created_at: datetime,
    marked_texts: Sequence[str],
) -> IncidentState:
    """A state rebuilt from what GitHub shows and the tool's own markers (``marked_texts``: the bodies
    the tool wrote, oldest first), never from text anyone else wrote.

    Severity, status and owner come from labels and assignees; the dedupe key from the tool's
    markers (the opening one, else any timeline entry's), else the title's slug, the key
    ``incident open`` gives by default, so a body rewritten by hand keeps the incident findable;
    then every timeline entry is replayed in order.
    """
    severity = next((s.id for s in playbook.severities if s.label in labels), playbook.severities[-1].id)
    status = next(
        (
            label.removeprefix(STATUS_LABEL_PREFIX)
            for label in labels
            if label.removeprefix(STATUS_LABEL_PREFIX) in playbook.statuses
            and label.startswith(STATUS_LABEL_PREFIX)
        ),
        playbook.statuses[0],
    )
    markers = [marker for body in marked_texts for marker in find_markers(body, "event")]
    plain_title = incident_title(playbook, title)
    keys = [m["incident"] for m in markers if isinstance(m.get("incident"), str) and m["incident"]]
    opening = [m["incident"] for m in markers if m.get("kind") == "opened" and m.get("incident") in keys]
    opened = iso(created_at)
    owner = next((login for login in assignees if LOGIN.fullmatch(login)), None)
    state = IncidentState(
        key=(opening or keys or [slug(plain_title)])[0],
        title=plain_title,
        severity=severity,
        status=status,
        opened_at=opened,
        owner=owner,
        severity_history=[{"at": opened, "severity": severity, "reason": "rebuilt from labels"}],
        status_history=[{"at": opened, "status": status}],
    )
    return replay(playbook, state, markers)
