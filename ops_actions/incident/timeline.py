"""The incident's timeline: the events transitions post as comments, and the timeline compiled from them.

Every event is one issue comment with a hidden marker (its key makes posting idempotent, its delta
lets the state block be rebuilt from the comments); ``compile_timeline`` reads the markers back
into rows for the resolution comment and the postmortem, with the durations people report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from ops_actions.incident.clock import duration, is_time, parse_time
from ops_actions.incident.state import IncidentState
from ops_actions.incident.state_block import fit_body
from ops_actions.text.markdown import encode_marker, find_markers, inert, unmarked

# The marker's field holding what the status page shows of an entry (see ``TimelineEvent.public``).
PUBLIC_TEXT_FIELD: Final = "public_text"


@dataclass(frozen=True)
class TimelineEvent:
    """A timeline entry: one comment with a hidden marker that makes it idempotent."""

    key: str
    kind: str
    at: str
    summary: str
    body: str
    incident: str
    delta: dict[str, Any] | None = None
    # What the status page shows of this entry: the public words its writer gave (never the template).
    public: str | None = None

    def markdown(self) -> str:
        """The comment text: visible Markdown, then the marker (with the state change it made)."""
        payload: dict[str, Any] = {
            "key": self.key,
            "kind": self.kind,
            "at": self.at,
            "summary": self.summary,
            "incident": self.incident,
        }
        if self.delta:
            payload["delta"] = self.delta
        if self.public:
            payload[PUBLIC_TEXT_FIELD] = self.public
        marker = encode_marker("event", payload)
        return fit_body(self.body.rstrip("\n"), "\n\n" + marker + "\n")


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the compiled timeline."""

    at: str
    kind: str
    summary: str


def compile_timeline(state: IncidentState, comment_bodies: Sequence[str]) -> list[TimelineEntry]:
    """Detected/opened from the state, then every event the tool wrote, in time order."""
    entries = []
    if state.detected_at and state.detected_at != state.opened_at:
        entries.append(TimelineEntry(state.detected_at, "detected", "first failing triage"))
    entries.append(
        TimelineEntry(
            state.opened_at,
            "opened",
            f"opened as {state.severity_history[0]['severity']}" if state.severity_history else "opened",
        )
    )
    seen: set[str] = set()
    for body in comment_bodies:
        for marker in find_markers(body, "event"):
            key, at, kind = marker.get("key"), marker.get("at"), marker.get("kind")
            if not (isinstance(key, str) and is_time(at) and isinstance(kind, str)) or key in seen:
                continue
            seen.add(key)
            if kind == "opened":
                continue
            entries.append(TimelineEntry(str(at), kind, str(marker.get("summary", kind))))
    return sorted(entries, key=lambda entry: entry.at)


MITIGATED: Final = (
    "time to mitigate runs from opening until metrics were normal again: the start of the normal "
    "triage results the resolution followed (until the resolution when triage never saw the "
    "incident breach and recover)"
)


def mitigated_at(state: IncidentState, resolved_at: str) -> str:
    """When the incident was mitigated, by the one definition (:data:`MITIGATED`): the start of the
    stretch of normal triage results (``clear_since``) that lasted to the resolution, when triage saw
    the incident breach; else the resolution itself."""
    breached = any(snapshot.get("fired") for snapshot in state.snapshots)
    since = state.clear_since
    if breached and since and parse_time(state.opened_at) <= parse_time(since) <= parse_time(resolved_at):
        return since
    return resolved_at


def timeline_table(entries: Sequence[TimelineEntry]) -> str:
    """The timeline as a Markdown table; each event shows as plain text (no emphasis or code)."""
    rows = ["| Time (UTC) | Event |", "|---|---|"]
    rows += [f"| {entry.at} | {inert(unmarked(entry.summary), cell=True)} |" for entry in entries]
    return "\n".join(rows)


def durations(state: IncidentState) -> str:
    """Time to acknowledge, mitigate (by :data:`MITIGATED`) and resolve, as a Markdown list."""
    return "\n".join(
        [
            f"- Time to acknowledge: {duration(state.opened_at, state.acknowledged_at)}",
            f"- Time to mitigate: {duration(state.opened_at, state.mitigated_at)} (until metrics were "
            "normal again)",
            f"- Time to resolve: {duration(state.opened_at, state.resolved_at)}",
        ]
    )
