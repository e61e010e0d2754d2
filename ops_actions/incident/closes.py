"""What a close the tool did not make means, pure: GitHub's Close button, a close by hand, a close
through the API.

Only the tool's resolution ends an incident: ``/resolve`` (``incident resolve``) passes the
resolution gate, or overrides it with a recorded reason, and saves the final status in the state
block in the same write that closes the issue. Any other close is read here:

- closed as *not planned* by someone with write access (write, maintain, admin): a false alarm,
  recorded on the timeline and in the state (``false_alarm``): no postmortem, left out of the
  figures and off the status page;
- every other close (completed, duplicate, or not planned by a triage-role user or by the read-only
  author of an issue they opened): reopened, with a note naming who closed it and what the gate
  still misses. A maintainer's plain close is no resolution either: only the gate resolves.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Final, Literal

from ops_actions.incident.clock import iso
from ops_actions.incident.slash_registry import may_command
from ops_actions.incident.state import IncidentState
from ops_actions.incident.timeline import TimelineEvent
from ops_actions.playbook.model import Playbook
from ops_actions.text.markdown import inert

NOT_PLANNED: Final = "not_planned"
# How far back the watch looks for incidents closed without the tool's resolution. A close starts
# incident-postmortem.yml, which settles it at once; the watch is the backstop, for a close that
# workflow missed (a failed run, a week of dropped schedules costs no close).
CLOSE_LOOKBACK: Final = timedelta(days=7)

Verdict = Literal["ended", "false-alarm", "reopen"]


def ended_by_tool(playbook: Playbook, state: IncidentState) -> bool:
    """Whether the incident ended the tool's way: resolved through the gate, or a false alarm."""
    return state.status == playbook.statuses[-1] or state.false_alarm is not None


def close_verdict(
    playbook: Playbook, state: IncidentState, *, state_reason: str | None, permission: str
) -> Verdict:
    """What a close of the incident's issue means; ``permission``: the closer's on the repository."""
    if ended_by_tool(playbook, state):
        return "ended"
    if state_reason == NOT_PLANNED and may_command(permission):
        return "false-alarm"
    return "reopen"


def close_key(closed_at: datetime | None) -> str:
    """The operation key of one close (a re-run that meets the same close does nothing twice)."""
    return f"close-{iso(closed_at) if closed_at else 'unknown'}"


def _closer(login: str | None) -> str:
    return f"@{login}" if login else "someone GitHub does not name"


def _how(state_reason: str | None) -> str:
    return "as not planned" if state_reason == NOT_PLANNED else f"as {state_reason or 'completed'}"


def reopen_note(
    state: IncidentState,
    *,
    closed_by: str | None,
    state_reason: str | None,
    permission: str,
    missing: list[str],
    now: datetime,
    key: str,
) -> TimelineEvent:
    """The timeline note of an incident reopened after a close that skipped the resolution gate."""
    still = "; ".join(missing) if missing else "nothing the checklist verifies, but the resolution itself"
    lines = [
        f"**Reopened**: {_closer(closed_by)} closed this incident {_how(state_reason)} (their permission: "
        f"{inert(permission)}), which skips the resolution gate, so it is open again.",
        "",
        f"Still missing: {inert(still)}.",
        "",
        "Resolve it with `/resolve` once the checklist holds, or `/resolve force <reason>` (writers); "
        "a writer closes a false alarm as *not planned*.",
    ]
    return TimelineEvent(
        key, "reopened", iso(now), "reopened: closed without the gate", "\n".join(lines), state.key
    )


def record_false_alarm(
    state: IncidentState, *, closed_by: str, now: datetime, key: str
) -> tuple[IncidentState, TimelineEvent]:
    """A writer closed the incident as not planned: recorded as a false alarm (who, when)."""
    at = iso(now)
    new = replace(state, false_alarm={"by": closed_by, "at": at})
    new.next_update_due = None
    new.status_update_due = False
    body = (
        f"**False alarm**: @{closed_by} closed this incident as not planned. No postmortem is due, "
        "and it is left out of the figures and off the status page. Reopen it if it was a real incident."
    )
    return new, TimelineEvent(key, "false-alarm", at, "false alarm", body, state.key)
