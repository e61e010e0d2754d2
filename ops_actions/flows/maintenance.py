"""Maintenance windows over the tracker: the windows known now, ad hoc ones started and ended.

The playbook declares windows under review; an ad hoc window is an issue labelled ``maintenance``
that the tool opened (``ops-actions maintenance start``, ``/maintenance start``), its window in a
hidden marker of the body (:mod:`ops_actions.incident.maintenance`). Reading them is one listing
of the open ``maintenance`` issues; a window is closed once it ended (``end`` ends it early; the
watch closes one it finds over), so that listing stays short however many windows a year holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Final, Protocol

from ops_actions.errors import ExitCode, OpsError
from ops_actions.flows.tracker_protocols import IncidentTracker, IssueView
from ops_actions.incident.maintenance import WINDOW_MARKER, window_body, window_of_issue
from ops_actions.incident.new_issue import NewIssue
from ops_actions.incident.operation_keys import marker_of
from ops_actions.incident.state import title_text
from ops_actions.playbook.maintenance import MAINTENANCE_LABEL, MaintenanceWindow
from ops_actions.playbook.model import Playbook
from ops_actions.text.markdown import find_markers

# The order windows are listed in: running ones first, then the coming ones, then those over.
_ORDER: Final = {"in_progress": 0, "scheduled": 1, "completed": 2}


class WindowReader(Protocol):
    """What reading the windows needs of the tracker (the page's reads have it too)."""

    def login(self) -> str: ...
    def open_incidents(self, labels: Sequence[str]) -> Sequence[IssueView]: ...


def _service_id(playbook: Playbook) -> str | None:
    return playbook.service.id if playbook.service else None


def adhoc_windows(tracker: WindowReader, playbook: Playbook) -> list[MaintenanceWindow]:
    """The open ad hoc windows that cover the view's service (one listing; the tool's login is read
    only when the listing holds an issue). An issue someone else wrote never counts."""
    listed = tracker.open_incidents((MAINTENANCE_LABEL,))
    if not listed:
        return []
    mine = tracker.login()
    windows = (window_of_issue(issue.number, issue.body) for issue in listed if issue.author == mine)
    return [w for w in windows if w is not None and w.covers_service(_service_id(playbook))]


def known_windows(tracker: WindowReader, playbook: Playbook, now: datetime) -> tuple[MaintenanceWindow, ...]:
    """The playbook's windows (of the view's service) and the open ad hoc ones covering it: running
    ones at ``now`` first, then the coming ones, then those over, each group by start."""
    found = [*playbook.maintenance, *adhoc_windows(tracker, playbook)]
    return tuple(sorted(found, key=lambda w: (_ORDER[w.status_at(now)], w.start, w.id)))


def close_ended(tracker: IncidentTracker, windows: Sequence[MaintenanceWindow], now: datetime) -> list[str]:
    """Close the ad hoc windows that are over (one write each), and say so."""
    lines = []
    for window in windows:
        if window.issue is not None and window.status_at(now) == "completed":
            tracker.edit_issue(window.issue, state="closed", state_reason="completed")
            lines.append(f"maintenance {window.id} is over: #{window.issue} closed")
    return lines


@dataclass(frozen=True)
class WindowRequest:
    """An ad hoc window asked for: how long from now, what it covers, why, and by whom."""

    minutes: int
    """How long from now (``parse_minutes``: 1 minute to 7 days)."""
    components: tuple[str, ...]
    reason: str
    by: str
    title: str = ""
    freeze_deploys: bool = False


def check_request(playbook: Playbook, request: WindowRequest) -> None:
    """Refuse what cannot be right (exit 2, before anything is read or written)."""
    unknown = [c for c in request.components if c not in playbook.components]
    if unknown:
        raise OpsError(
            f"unknown component {unknown[0]!r}: the playbook's are {', '.join(playbook.components)}",
            ExitCode.USAGE,
        )
    if not request.reason.strip():
        raise OpsError("say why: a window needs a reason (--reason)", ExitCode.USAGE)


def start_window(
    tracker: IncidentTracker, playbook: Playbook, request: WindowRequest, *, now: datetime, key: str
) -> tuple[IssueView, MaintenanceWindow]:
    """Open an ad hoc window from now (one issue; a re-run with the same key finds it)."""
    check_request(playbook, request)
    service = _service_id(playbook)
    what = ", ".join(request.components) or "every component"
    window = MaintenanceWindow(
        id="",
        title=title_text(request.title.strip() or f"Maintenance of {what}")[:120],
        start=now,
        end=now + timedelta(minutes=request.minutes),
        components=request.components,
        services=(service,) if service else (),
        freeze_deploys=request.freeze_deploys,
    )
    body = window_body(window, reason=title_text(request.reason), by=request.by, key=key)
    issue = tracker.create_issue(
        NewIssue(
            title=f"[maintenance] {window.title}",
            body=body,
            labels=[MAINTENANCE_LABEL, *([playbook.service.label] if playbook.service else [])],
            marker=marker_of(key),
            find_labels=(MAINTENANCE_LABEL,),
        )
    )
    made = window_of_issue(issue.number, issue.body)
    return issue, made if made is not None else replace(window, issue=issue.number)


def end_window(tracker: IncidentTracker, number: int, *, now: datetime) -> MaintenanceWindow:
    """End ad hoc window #number now (its end becomes now) and close its issue; OpsError (exit 2,
    nothing written) when #number is no open window the tool keeps."""
    issue = tracker.issue(number)
    window = window_of_issue(number, issue.body) if issue.author == tracker.login() else None
    if window is None or MAINTENANCE_LABEL not in issue.labels:
        raise OpsError(f"#{number} is no maintenance window this tool opened", ExitCode.USAGE)
    if issue.state != "open":
        raise OpsError(f"maintenance {window.id} is over already (#{number} is closed)", ExitCode.USAGE)
    ended = replace(window, end=max(min(window.end, now), window.start + timedelta(seconds=1)))
    data = find_markers(issue.body, WINDOW_MARKER)[-1]
    body = window_body(
        ended, reason=str(data.get("reason", "")), by=str(data.get("by", "")), key=str(data.get("key", ""))
    )
    tracker.edit_issue(number, body=body, state="closed", state_reason="completed")
    return ended
