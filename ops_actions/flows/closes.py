"""Closes the tool did not make, acted on: what they mean is :mod:`ops_actions.incident.closes`'s.

A writer's close as not planned is recorded as a false alarm; any other close (the Close button
of a triage-role user, the read-only author of an issue they opened, a maintainer's plain close,
the API) is undone, with a note naming who closed it and what the resolution gate still misses.
Every command that reads an incident settles its close first (``IncidentService.read``), the close
itself starts ``incident-postmortem.yml``, and the watch looks at the incidents closed lately.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from ops_actions.errors import OpsError
from ops_actions.flows.tracker_protocols import IssueView
from ops_actions.incident.closes import (
    close_key,
    close_verdict,
    ended_by_tool,
    record_false_alarm,
    reopen_note,
)
from ops_actions.incident.resolution_gate import missing_for_resolution
from ops_actions.incident.state import IncidentState

if TYPE_CHECKING:  # incidents.py imports this module: the service is only named here
    from ops_actions.flows.incidents import IncidentService


@dataclass(frozen=True)
class Settled:
    """An incident after its close was read: the issue and state as they are now, and what was
    done (None when there was nothing to do)."""

    issue: IssueView
    state: IncidentState
    done: str | None = None


def settle_close(incidents: IncidentService, issue: IssueView, state: IncidentState) -> Settled:
    """Act on the issue's close, if the tool did not make it. An open issue, or one the tool ended,
    costs nothing. GitHub names the closer only when the issue is read by itself (``closed_by``; a
    listing never does): one read and one permission read for a close the tool has not seen yet.
    """
    playbook, tracker = incidents.playbook, incidents.tracker
    if issue.state == "open" or ended_by_tool(playbook, state):
        return Settled(issue, state)
    closed = tracker.issue(issue.number) if issue.closed_by is None else issue
    if closed.state == "open":
        return Settled(closed, incidents.state_of(closed))
    closer = closed.closed_by
    # A permission GitHub will not tell this token is no write access: the close is undone.
    permission = (tracker.permission(closer) if closer else "none") or "unknown"
    key, now = close_key(closed.closed_at), incidents.clock()
    if (
        close_verdict(playbook, state, state_reason=closed.state_reason, permission=permission)
        == "false-alarm"
    ):
        new, event = record_false_alarm(state, closed_by=closer or "", now=now, key=key)
        incidents.record(closed, state, new, [event])
        done = f"#{issue.number}: closed as not planned by @{closer}: recorded as a false alarm"
        return Settled(closed, new, done)
    note = reopen_note(
        state,
        closed_by=closer,
        state_reason=closed.state_reason,
        permission=permission,
        missing=missing_for_resolution(playbook, state, now),
        now=now,
        key=key,
    )
    # An earlier run that posted the note but failed to reopen finds the note applied: it only reopens.
    incidents.record(closed, state, replace(state), [note], reopen=True)
    reopened = tracker.issue(issue.number)
    who = f"@{closer}" if closer else "someone"
    done = f"#{issue.number}: closed by {who} without the resolution gate: reopened"
    return Settled(reopened, incidents.state_of(reopened), done)


def settle_closes(incidents: IncidentService, since: datetime) -> list[str]:
    """Settle every incident closed since then that the tool did not end (the watch's reconcile):
    one listing; an incident the tool ended is decided from its block, without another read."""
    lines = []
    # Read whole before the first reopen: a reopened issue leaves the closed listing, which would
    # shift the later pages under a reader still on the first.
    for issue in list(
        incidents.tracker.issues(incidents.playbook.incident_labels, state="closed", since=since)
    ):
        if ended_by_tool(incidents.playbook, incidents.recorded_state(issue)):
            continue
        try:
            settled = settle_close(incidents, issue, incidents.state_of(issue))
        except OpsError as error:
            lines.append(f"warning: #{issue.number}: its close could not be settled ({error.message})")
            continue
        if settled.done is not None:
            lines.append(settled.done)
    return lines
