"""The operations people run on an open incident, shared by the ``incident`` CLI subcommands and
the slash commands: each takes the services it needs and the caller's operation key, and returns
the Outcome. On a closed or resolved incident each is refused (exit 2, nothing written, so nothing
published after "resolved"): reopen it, or open a new incident. Filing its postmortem, and marking it
as planned maintenance, are what a resolved incident still takes.

The caller chooses the key (a CLI run keys by its run and arguments, a comment by its id and the
command's place in it), so a re-run of either finds its operation done. The names say what is
done to the incident; the pure transitions they run (``update_status``, ``change_severity``, …)
keep theirs. Dispatching a workflow and filing a postmortem are their services' own operations
(:meth:`Remediator.dispatch`, :meth:`Postmortems.create`), which ``remediate`` and ``postmortem
create`` call as the slash commands do.
"""

from __future__ import annotations

from ops_actions.errors import ExitCode, OpsError
from ops_actions.flows.incidents import IncidentService, Outcome
from ops_actions.flows.postmortems import Postmortems, Result
from ops_actions.flows.regroup import Regrouper
from ops_actions.incident.maintenance import mark_planned, unknown_window
from ops_actions.incident.resolution_gate import set_check
from ops_actions.incident.transitions import (
    change_impact,
    change_public_title,
    change_severity,
    update_status,
)


def post_status_update(
    incidents: IncidentService,
    number: int,
    *,
    key: str,
    status: str,
    next_minutes: int | None,
    message: str,
    by: str | None,
    public: str = "",
) -> Outcome:
    """Post a status update in the playbook's template; the status label and next due time follow.
    ``public`` is its text on the status page (none: the page says only the new status)."""
    playbook, clock = incidents.playbook, incidents.clock
    return incidents.apply(
        number,
        key,
        lambda state: update_status(
            playbook,
            state,
            status=status,
            next_minutes=next_minutes,
            message=message,
            now=clock(),
            by=by,
            key=key,
            public=public,
        ),
        refused_when_closed="status update",
    )


def set_severity(
    incidents: IncidentService, number: int, *, key: str, severity: str, reason: str, by: str | None
) -> Outcome:
    """Change the severity (1, SEV-1, ...) with its reason; the title, label and history follow."""
    playbook, clock = incidents.playbook, incidents.clock
    return incidents.apply(
        number,
        key,
        lambda state: change_severity(
            playbook, state, severity=severity, reason=reason, now=clock(), by=by, key=key
        ),
        title=True,
        refused_when_closed="severity change",
    )


def set_owner(incidents: IncidentService, number: int, *, key: str, owner: str, by: str | None) -> Outcome:
    """Make someone the owner (the assignee on GitHub); this acknowledges the incident."""
    return incidents.assign(number, key, owner, by=by)


def set_impact(incidents: IncidentService, number: int, *, key: str, impact: str, by: str | None) -> Outcome:
    """Restate who is affected and how much."""
    clock = incidents.clock
    return incidents.apply(
        number,
        key,
        lambda state: change_impact(state, impact=impact, now=clock(), by=by, key=key),
        refused_when_closed="impact change",
    )


def set_public_title(
    incidents: IncidentService, number: int, *, key: str, title: str, by: str | None
) -> Outcome:
    """Set the incident's title on the status page, in place of the one derived from its components."""
    clock = incidents.clock
    return incidents.apply(
        number,
        key,
        lambda state: change_public_title(state, title=title, now=clock(), by=by, key=key),
        refused_when_closed="public title change",
    )


def tick_manual_check(
    incidents: IncidentService, number: int, *, key: str, item: str, by: str, via: str
) -> Outcome:
    """Tick a manual item of the resolution checklist, recorded with who, when and how (``via``)."""
    playbook, clock = incidents.playbook, incidents.clock
    return incidents.apply(
        number,
        key,
        lambda state: set_check(
            playbook, state, item_id=item, checked=True, by=by, via=via, now=clock(), key=key
        ),
        refused_when_closed="checklist tick",
    )


def merge_incidents(
    incidents: IncidentService, number: int, *, other: int, key: str, by: str | None
) -> Outcome:
    """Fold open incident #other into #number; #other is closed as a duplicate."""
    return Regrouper(incidents).merge(number, other, key=key, by=by)


def split_cause(incidents: IncidentService, number: int, *, cause: str, key: str, by: str | None) -> Outcome:
    """Move one of #number's causes into a new incident, linked both ways; the Outcome is the new one's."""
    return Regrouper(incidents).split(number, cause, key=key, by=by)


def resolve_incident(
    postmortems: Postmortems, number: int, *, key: str, by: str | None, force_reason: str | None
) -> tuple[Outcome, Result]:
    """Resolve once the checklist holds (``force_reason``: overridden, recorded); file the postmortem."""
    return postmortems.resolve(number, key, by=by, force_reason=force_reason)


def mark_incident_planned(
    incidents: IncidentService, number: int, *, key: str, window: str, by: str | None
) -> Outcome:
    """Mark an incident, open or past, as planned maintenance (``window``: the window's id, "" for
    none named): the ``planned`` label, a timeline entry, and ``report`` leaves it out of the response
    figures. A window id that names no window is refused before anything is written."""
    problem = unknown_window(incidents.playbook, window)
    if problem:
        raise OpsError(problem, ExitCode.USAGE)
    who = by or incidents.tracker.login()
    return incidents.apply(
        number, key, lambda state: mark_planned(state, window=window, by=who, now=incidents.clock(), key=key)
    )
