"""What customers may see of an incident, pure: its public words, facts, updates and summary.

The status page is built from this and nothing else, and this is the one place that decides the
words customers read. Updates come only from the timeline comments the tool wrote (the caller
passes those, never people's comments), and only of the kinds the playbook's
``status_page.public_events`` names. The internal words never reach the page: not the issue's
title (``[SEV-2]``, a decision-tree branch's name, whatever a person typed or renamed it to), not
the status template ("Impact: under assessment"), not a status update's message. The public title
is derived from the incident's components and level ("Degraded performance of billing", "Billing
unavailable") until a writer sets one (``/public-title``, kept in the state block); a status
update says "Status changed to mitigating." unless its writer wrote public words for it
(``/status mitigating … public: …``, kept in its timeline entry); the page always opens an
incident's timeline with an "Investigating" entry at its start. Owners, triage snapshots and their
signals, diagnostics, run links and deploy freezes have no public text at all, so they cannot ride
along. An incident labelled ``planned`` is shown as maintenance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from ops_actions.incident.clock import iso, parse_time
from ops_actions.incident.state import MAX_STATE_TEXT, IncidentState, bounded
from ops_actions.incident.timeline import PUBLIC_TEXT_FIELD
from ops_actions.playbook.model import Playbook, StatusPage
from ops_actions.text.markdown import MARKER_PREFIX, find_markers, inert, section_source

_NO_PAGE: Final = StatusPage()
# The page's level of a component under an active maintenance window, and of a planned incident.
MAINTENANCE_LEVEL: Final = "maintenance"


@dataclass(frozen=True)
class PublicUpdate:
    """One entry of an incident's public timeline; ``markdown`` is its text."""

    key: str
    at: str
    kind: str
    status: str
    markdown: str


@dataclass(frozen=True)
class PublicIncident:
    """An incident as the status page shows it.

    ``components`` is empty when the incident names none yet: it then counts against every
    component, since nobody has said which part is fine. ``worst_severity`` is the highest it had.
    ``service`` is the id of the service its ``service:<id>`` label names, on a page of several
    services; None otherwise (and for an incident of none of them: see :mod:`.model`).
    """

    number: int
    title: str
    severity: str
    worst_severity: str
    status: str
    open: bool
    started_at: str
    ended_at: str | None
    components: tuple[str, ...]
    updates: tuple[PublicUpdate, ...]
    summary: str | None
    service: str | None = None
    planned: bool = False
    """Labelled ``planned`` by a writer: shown as maintenance (Statuspage's impact ``maintenance``),
    left out of the history's figures."""


def page_settings(playbook: Playbook) -> StatusPage:
    """The playbook's status page section, or the defaults when it has none."""
    return playbook.status_page or _NO_PAGE


def level_of(playbook: Playbook, severity: str) -> str:
    """``outage`` for the playbook's outage severities (default: the most severe), else ``degraded``."""
    outage = page_settings(playbook).outage_severities or (playbook.severities[0].id,)
    return "outage" if severity in outage else "degraded"


def incident_level(playbook: Playbook, incident: PublicIncident, severity: str) -> str:
    """The page's level of an incident at ``severity``: maintenance for a planned one."""
    return MAINTENANCE_LEVEL if incident.planned else level_of(playbook, severity)


def is_public(playbook: Playbook, labels: Sequence[str]) -> bool:
    """Whether an incident may appear at all (not labelled internal)."""
    return page_settings(playbook).internal_label not in labels


def _status_at(playbook: Playbook, state: IncidentState, at: str) -> str:
    """The incident's status at a moment, from its status history."""
    moment = parse_time(at)
    status = playbook.statuses[0]
    for entry in state.status_history:
        when, value = entry.get("at"), entry.get("status")
        if isinstance(when, str) and isinstance(value, str) and parse_time(when) <= moment:
            status = value
    return status


def _changed(marker: Mapping[str, Any], name: str) -> Any:
    delta = marker.get("delta")
    changes = delta.get("set") if isinstance(delta, dict) else None
    return changes.get(name) if isinstance(changes, dict) else None


def _text(kind: str, marker: Mapping[str, Any], status: str) -> str | None:
    """The public text of a timeline entry of this kind, or None when it has none."""
    if kind == "status":
        public = marker.get(PUBLIC_TEXT_FIELD)
        return bounded(public, MAX_STATE_TEXT) if isinstance(public, str) else f"Status changed to {status}."
    if kind == "resolved":
        return "The incident is resolved."
    if kind == "severity":
        severity = _changed(marker, "severity")
        return f"Severity changed to {severity}." if isinstance(severity, str) else None
    if kind == "impact":
        impact = _changed(marker, "impact")
        return f"Impact: {inert(impact)}" if isinstance(impact, str) else None
    return None


def _named(components: Sequence[str]) -> str:
    """``billing``, ``billing and jobs``, ``auth, billing and jobs``."""
    return " and ".join(filter(None, (", ".join(components[:-1]), *components[-1:])))


def derived_title(level: str, components: Sequence[str]) -> str:
    """The public title nobody wrote, from the level and the components: "Billing unavailable",
    "Degraded performance of billing and jobs", "Planned maintenance of auth"."""
    names = _named(components)
    if level == "outage":
        return f"{names[:1].upper()}{names[1:]} unavailable" if names else "Service unavailable"
    what = "Planned maintenance" if level == MAINTENANCE_LEVEL else "Degraded performance"
    return f"{what} of {names}" if names else what


def _opened(
    playbook: Playbook, state: IncidentState, planned: bool, components: Sequence[str]
) -> PublicUpdate:
    """The entry at the incident's start, at its first severity: "We are investigating …"."""
    first = state.severity_history[0].get("severity") if state.severity_history else None
    severity = first if isinstance(first, str) else state.severity
    level = MAINTENANCE_LEVEL if planned else level_of(playbook, severity)
    what = derived_title(level, components)
    if level == "outage":
        text = f"We are investigating an outage{' of ' + _named(components) if components else ''}."
    elif planned:
        text = f"{what} is under way."
    else:
        text = f"We are investigating {what[:1].lower()}{what[1:]}."
    return PublicUpdate("opened", state.opened_at, "opened", playbook.statuses[0], text)


def public_updates(
    playbook: Playbook,
    state: IncidentState,
    own_comments: Sequence[str],
    *,
    planned: bool = False,
    components: Sequence[str] = (),
) -> list[PublicUpdate]:
    """The public entries of an incident's timeline, oldest first (each event once), from the
    "Investigating" entry at its start."""
    wanted = set(page_settings(playbook).public_events)
    updates = [_opened(playbook, state, planned, components)]
    seen: set[str] = set()
    for body in own_comments:
        for marker in find_markers(body, "event"):
            key, at, kind = marker.get("key"), marker.get("at"), marker.get("kind")
            if not (isinstance(key, str) and isinstance(at, str) and isinstance(kind, str)):
                continue
            if key in seen or kind not in wanted:
                continue
            try:
                status = _status_at(playbook, state, at)
            except ValueError:
                continue  # not a time: not written by the tool as it is now
            text = _text(kind, marker, status)
            if text is not None:
                seen.add(key)
                updates.append(PublicUpdate(key, at, kind, status, text))
    return sorted(updates, key=lambda update: parse_time(update.at))


def postmortem_summary(playbook: Playbook, body: str) -> str | None:
    """The postmortem section the playbook publishes, once people wrote it (None before, or none)."""
    wanted = page_settings(playbook).postmortem_section
    section = next((s for s in playbook.postmortem.sections if s.id == wanted), None)
    if section is None:
        return None
    source = section_source(body, section.title)
    if source is None:
        return None
    kept = [
        line
        for line in source.split("\n")
        if line.strip() != f"_{section.prompt}_" and not line.startswith(MARKER_PREFIX)
    ]
    text = "\n".join(kept).strip()
    return bounded(text, MAX_STATE_TEXT) if text else None


def public_incident(
    playbook: Playbook,
    number: int,
    state: IncidentState,
    *,
    open_: bool,
    closed_at: datetime | None,
    own_comments: Sequence[str],
    postmortem_body: str | None,
    service: str | None = None,
    planned: bool = False,
) -> PublicIncident:
    """The public view of one incident; its title is the one a writer set, else derived (see the
    module's docstring). ``playbook`` is the view of the incident's ``service``, so its components
    are the service's; ``planned``: a writer labelled it planned."""
    known = playbook.severities.ids
    seen = [state.severity, *(str(entry.get("severity")) for entry in state.severity_history)]
    worst = playbook.severities.most_severe(s for s in seen if s in known) or state.severity
    components = tuple(c for c in state.components if c in playbook.components)
    level = MAINTENANCE_LEVEL if planned else level_of(playbook, worst)
    ended = None
    if not open_:
        ended = state.resolved_at or (iso(closed_at) if closed_at else None)
    return PublicIncident(
        number=number,
        title=state.public_title or derived_title(level, components),
        severity=state.severity,
        worst_severity=worst,
        status=state.status if open_ or state.resolved_at else "closed",
        open=open_,
        started_at=state.opened_at,
        ended_at=ended,
        components=components,
        updates=tuple(public_updates(playbook, state, own_comments, planned=planned, components=components)),
        summary=postmortem_summary(playbook, postmortem_body) if postmortem_body else None,
        service=service,
        planned=planned,
    )
