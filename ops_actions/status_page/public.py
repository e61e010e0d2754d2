"""What customers may see of an incident, pure: its public facts, updates and summary.

The status page is built from this and nothing else. Updates come only from the timeline comments
the tool wrote (the caller passes those, never people's comments), and only of the kinds the
playbook's ``status_page.public_events`` names. Each kind has a fixed public text: the status
template and message a responder chose to publish, a severity, an impact, "resolved". Owners,
triage snapshots and their signals, diagnostics, run links and deploy freezes have no public text
at all, so they cannot ride along. The title of an issue a person opened (and can rename) is the
one a writer last confirmed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final

from ops_actions.incident.clock import iso, parse_time
from ops_actions.incident.state import MAX_STATE_TEXT, IncidentState, bounded, title_text
from ops_actions.incident.transitions import status_line
from ops_actions.playbook.model import Playbook, StatusPage
from ops_actions.text.markdown import MARKER_PREFIX, find_markers, inert, section_source

_NO_PAGE: Final = StatusPage()


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
    """A writer marked it as planned (the ``planned`` label): Statuspage's impact ``maintenance``."""


def page_settings(playbook: Playbook) -> StatusPage:
    """The playbook's status page section, or the defaults when it has none."""
    return playbook.status_page or _NO_PAGE


def level_of(playbook: Playbook, severity: str) -> str:
    """``outage`` for the playbook's outage severities (default: the most severe), else ``degraded``."""
    outage = page_settings(playbook).outage_severities or (playbook.severities[0].id,)
    return "outage" if severity in outage else "degraded"


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


def confirmed_title(own_comments: Sequence[str]) -> str | None:
    """The title an incident a person opened had when a writer last ran a command on it: the tool
    keeps it in that command's timeline entry (None before any writer acted). Its author can rename
    the issue at will; only a writer's next command takes the new title to the page."""
    titles = [
        title
        for body in own_comments
        for marker in find_markers(body, "event")
        if isinstance(title := _changed(marker, "title"), str)
    ]
    return title_text(titles[-1]) if titles else None


def _text(kind: str, marker: Mapping[str, Any], status: str) -> str | None:
    """The public text of a timeline entry of this kind, or None when it has none."""
    if kind == "status":
        public = marker.get("public")
        return bounded(public, MAX_STATE_TEXT) if isinstance(public, str) else f"Status: {status}."
    if kind == "resolved":
        return "The incident is resolved."
    if kind == "severity":
        severity = _changed(marker, "severity")
        return f"Severity changed to {severity}." if isinstance(severity, str) else None
    if kind == "impact":
        impact = _changed(marker, "impact")
        return f"Impact: {inert(impact)}" if isinstance(impact, str) else None
    return None


def _opened(playbook: Playbook, state: IncidentState) -> PublicUpdate:
    """The status template as it read when the incident was opened (what SEV-1 announces at once)."""
    first = state.severity_history[0].get("severity") if state.severity_history else None
    severity = first if isinstance(first, str) else state.severity
    at_open = replace(state, severity=severity, status=playbook.statuses[0])
    minutes = playbook.severity(severity).policy.update_every_minutes
    text = status_line(playbook, at_open, now=parse_time(state.opened_at), next_minutes=minutes)
    return PublicUpdate("opened", state.opened_at, "opened", playbook.statuses[0], text)


def public_updates(
    playbook: Playbook, state: IncidentState, own_comments: Sequence[str]
) -> list[PublicUpdate]:
    """The public entries of an incident's timeline, oldest first (each event once)."""
    wanted = set(page_settings(playbook).public_events)
    updates = [_opened(playbook, state)] if "opened" in wanted else []
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
    opened_by_tool: bool,
    service: str | None = None,
    planned: bool = False,
) -> PublicIncident:
    """The public view of one incident; ``opened_by_tool`` False: a person opened the issue, so its
    title is the one a writer last confirmed (:func:`confirmed_title`), else "Incident #N".
    ``playbook`` is the view of the incident's ``service``, so its components are the service's."""
    if not opened_by_tool:
        state = replace(state, title=confirmed_title(own_comments) or f"Incident #{number}")
    known = playbook.severities.ids
    seen = [state.severity, *(str(entry.get("severity")) for entry in state.severity_history)]
    ended = None
    if not open_:
        ended = state.resolved_at or (iso(closed_at) if closed_at else None)
    return PublicIncident(
        number=number,
        title=state.title,
        severity=state.severity,
        worst_severity=playbook.severities.most_severe(s for s in seen if s in known) or state.severity,
        status=state.status if open_ or state.resolved_at else "closed",
        open=open_,
        started_at=state.opened_at,
        ended_at=ended,
        components=tuple(c for c in state.components if c in playbook.components),
        updates=tuple(public_updates(playbook, state, own_comments)),
        summary=postmortem_summary(playbook, postmortem_body) if postmortem_body else None,
        service=service,
        planned=planned,
    )
