"""The incident's transitions, pure: opening, status, severity, owner, impact and resolving.

Each transition takes the state and a command and returns the new state with the timeline event
to post (:mod:`ops_actions.adapters.github_tracker` writes both); it refuses what the playbook does
not allow with OpsError. Also here: the checks of a command's words, the communication template
filled for an incident (``status_line``), and how an incident was detected.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from ops_actions.errors import ExitCode, OpsError
from ops_actions.incident.clock import iso, parse_time
from ops_actions.incident.state import (
    MAX_REASON,
    MAX_STATE_TEXT,
    MAX_TITLE,
    IncidentState,
    bounded,
    public_held,
    title_text,
)
from ops_actions.incident.timeline import (
    TimelineEntry,
    TimelineEvent,
    compile_timeline,
    durations,
    mitigated_at,
    timeline_table,
)
from ops_actions.playbook.model import Playbook
from ops_actions.text.markdown import inert, plain_line
from ops_actions.text.template import fill


def check_status(playbook: Playbook, status: str) -> str:
    if status not in playbook.statuses:
        raise OpsError(f"unknown status {status!r}; the playbook allows " + ", ".join(playbook.statuses))
    return status


# How an incident can be opened (``detected_by["how"]``), as the postmortem and the header say it.
DETECTION: Final = {
    "triage": "scheduled triage (ops-actions watch)",
    "alert": "an alert",
    "button": "the Open incident button",
    "cli": "the CLI (ops-actions incident open)",
    "person": "a person, who opened the issue by hand",
}


def detection_text(state: IncidentState, author: str, *, by_tool: bool) -> str:
    """How the incident was detected, as recorded when it was opened; an issue the tool did not write
    was opened by a person (its author); else, with nothing recorded, says so instead of guessing."""
    found = state.detected_by
    how = found.get("how", "")
    if how not in DETECTION:
        if not by_tool and author:
            return f"{DETECTION['person']} (@\u200b{inert(author)})"
        return "not recorded (opened before ops-actions recorded it)"
    text = DETECTION[how]
    if how == "alert" and found.get("source"):
        text += f" from {inert(found['source'])}"
    if found.get("by"):
        text += f", by @\u200b{inert(found['by'])}"
    return text


def service_titled(playbook: Playbook, title: str) -> str:
    """The title of a service's incident begins with the service's name (``Billing API: ...``), so the
    issue list and the page say whose it is; a title that begins with it already is kept."""
    if playbook.service is None or title.lower().startswith(playbook.service.name.lower()):
        return title
    return f"{playbook.service.name}: {title}"


def new_incident(
    playbook: Playbook,
    *,
    key: str,
    title: str,
    severity: str,
    impact: str,
    summary: str,
    now: datetime,
    detected_at: datetime | None = None,
    playbook_sha256: str = "",
    snapshot: dict[str, Any] | None = None,
    detected_by: Mapping[str, str] | None = None,
    inputs: Sequence[Mapping[str, object]] = (),
) -> IncidentState:
    """The state of a freshly opened incident (status: the playbook's first), with how it was opened
    and the triage ticks that opened it (``inputs``, see incident/recorded_inputs.py)."""
    severity = playbook.severities.parse(severity)
    at = iso(now)
    policy = playbook.severity(severity).policy
    return IncidentState(
        key=key,
        title=title_text(service_titled(playbook, title)),
        severity=severity,
        status=playbook.statuses[0],
        opened_at=at,
        impact=bounded(impact, MAX_STATE_TEXT),
        summary=bounded(summary, MAX_STATE_TEXT),
        # Only a triage that saw the rules fail knows when they began; without one nothing failed
        # before the opening that the tool saw, and the postmortem says so.
        detected_at=iso(detected_at) if detected_at else None,
        next_update_due=iso(now + timedelta(minutes=policy.update_every_minutes)),
        status_update_due=policy.immediate_status_update,
        playbook_sha256=playbook_sha256,
        severity_history=[{"at": at, "severity": severity, "reason": "opened"}],
        status_history=[{"at": at, "status": playbook.statuses[0]}],
        snapshots=[snapshot] if snapshot else [],
        inputs=[dict(entry) for entry in inputs],
        detected_by={key: bounded(value, MAX_TITLE) for key, value in (detected_by or {}).items() if value},
    )


# The sentence of a communication template that names the next update: from the end of the sentence
# before it (or the start) to its own end.
_WITH_NEXT_UPDATE = re.compile(r"(?:(?<=[.!?])|^)[^.!?]*\{next_update_minutes\}[^.!?]*[.!?]?")


def status_line(
    playbook: Playbook,
    state: IncidentState,
    *,
    now: datetime,
    next_minutes: int | None,
    escape: Callable[[str], str] = inert,
) -> str:
    """The playbook's communication template, filled for this incident; ``escape`` makes the title and
    impact inert for where the line goes (GitHub Markdown unless told).

    It reads as sentences whatever people typed: a title or impact that ends its own sentence ("Checkout
    down.", "Down?") takes the template's period after it; without a next update (``next_minutes``
    None: the incident is resolved) the template's sentence about it is left out, never "in n/a min".
    """
    values: dict[str, object] = {
        "severity": state.severity,
        "timestamp": now.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "title": escape(state.title).strip(),
        "impact": escape(state.impact).strip() or "under assessment",
        "status": state.status,
        "next_update_minutes": next_minutes,
    }
    template = playbook.communication_template
    if next_minutes is None:
        template = _WITH_NEXT_UPDATE.sub("", template).strip()
    for name, value in values.items():
        if isinstance(value, str) and value.endswith((".", "!", "?", "…")):
            template = template.replace(f"{{{name}}}.", f"{{{name}}}")
    return fill(template, values)


def acknowledge(state: IncidentState, at: str) -> None:
    """Set the acknowledgement time unless it is set: the first person acting, an owner or the resolution."""
    if state.acknowledged_at is None:
        state.acknowledged_at = at


def update_status(
    playbook: Playbook,
    state: IncidentState,
    *,
    status: str,
    next_minutes: int | None,
    message: str,
    now: datetime,
    by: str | None,
    key: str,
    public: str = "",
) -> tuple[IncidentState, TimelineEvent]:
    """A status update: the template line as a timeline comment, and the state's clocks; ``public``
    is what its writer wrote for customers (the status page shows it, and nothing else of the
    update: neither the template nor the message).

    The final status is refused: only resolving sets it, through the resolution checklist and
    with the issue closed, so no update or notification says "resolved" of an open incident.
    """
    status = check_status(playbook, status)
    if status == playbook.statuses[-1]:
        raise OpsError(
            f"'{status}' is set by resolving the incident: use /resolve (ops-actions incident resolve), "
            "which checks the resolution checklist and closes the issue",
            ExitCode.REFUSED,
        )
    new = replace(state)
    at = iso(now)
    if status != state.status:
        new.status = status
        new.status_history = [*state.status_history, {"at": at, "status": status}]
    if by:
        acknowledge(new, at)
        new.runner_view = None  # a person's update is a second signal: customers may hear of it
    if state.status_update_due:
        new.urgent_update_sent_at = at
    new.status_update_due = False
    minutes = (
        next_minutes
        if next_minutes is not None
        else playbook.severity(new.severity).policy.update_every_minutes
    )
    new.next_update_due = iso(now + timedelta(minutes=minutes))
    line = status_line(playbook, new, now=now, next_minutes=minutes)
    if message.strip():
        line += f"\n\n{inert(message.strip())}"
    public_text = bounded(inert(public), MAX_STATE_TEXT) if public.strip() else None
    if public_text:
        line += f"\n\n**For customers:** {public_text}"
    body = f"**Status update**{by_suffix(by)}\n\n{line}"
    return new, TimelineEvent(key, "status", at, f"status: {status}", body, state.key, public=public_text)


# The timeline kind of a second signal for an incident that rested on unreachability alone.
CONFIRMED: Final = "confirmed"


def confirm_reach(
    playbook: Playbook, state: IncidentState, *, second: str, now: datetime, key: str
) -> tuple[IncidentState, TimelineEvent]:
    """A second signal (``second`` says which) for an incident opened on unreachability from the
    runner alone: no longer the runner's view only, so customers are told now if they waited."""
    told = (
        " The status page and the public targets, which waited for a second signal, are told now."
        if public_held(playbook, state)
        else ""
    )
    body = f"**Confirmed** by {second}: no longer only unreachable from the runner.{told}"
    event = TimelineEvent(key, CONFIRMED, iso(now), "confirmed by a second signal", body, state.key)
    return replace(state, runner_view=None), event


def by_suffix(login: str | None) -> str:
    """`` by @login`` for a timeline line, or nothing when no person did it."""
    return f" by @{login}" if login else ""


def change_severity(
    playbook: Playbook,
    state: IncidentState,
    *,
    severity: str,
    reason: str,
    now: datetime,
    by: str | None,
    key: str,
) -> tuple[IncidentState, TimelineEvent]:
    """A new severity, recorded with its reason; the issue title and label follow."""
    severity = playbook.severities.parse(severity)
    reason = bounded(reason, MAX_REASON)
    new = replace(state)
    at = iso(now)
    new.severity = severity
    new.severity_history = [*state.severity_history, {"at": at, "severity": severity, "reason": reason}]
    policy = playbook.severity(severity).policy
    if policy.immediate_status_update and state.severity != severity:
        new.status_update_due = True
    # The next update follows the new severity's cadence: a raise brings it forward, a lowering
    # keeps the update already promised.
    sooner = now + timedelta(minutes=policy.update_every_minutes)
    if state.next_update_due and parse_time(state.next_update_due) > sooner:
        new.next_update_due = iso(sooner)
    if by:
        acknowledge(new, at)
    body = f"**Severity** {state.severity} → {severity}{by_suffix(by)}"
    if reason:
        body += f"\n\nReason: {inert(reason)}"
    return new, TimelineEvent(
        key, "severity", at, f"severity: {state.severity} → {severity}", body, state.key
    )


def owner_login(owner: str) -> str:
    """The GitHub login in ``@someone`` (or ``someone``); OpsError when it cannot be one."""
    login = owner.strip().lstrip("@")
    if not re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})", login):
        raise OpsError(f"{owner!r} is not a GitHub login")
    return login


def assign_owner(
    state: IncidentState, *, owner: str, now: datetime, by: str | None, key: str
) -> tuple[IncidentState, TimelineEvent]:
    """A new owner; assigning someone acknowledges the incident."""
    login = owner_login(owner)
    new = replace(state)
    at = iso(now)
    new.owner = login
    acknowledge(new, at)
    return new, TimelineEvent(
        key, "owner", at, f"owner: @{login}", f"**Owner** @{login}{by_suffix(by)}", state.key
    )


def change_public_title(
    state: IncidentState, *, title: str, now: datetime, by: str | None, key: str
) -> tuple[IncidentState, TimelineEvent]:
    """The title customers read on the status page, instead of the one derived from the components."""
    if not plain_line(title).strip():
        raise OpsError("the public title must not be empty")
    new = replace(state, public_title=title_text(title))
    body = f"**Public title**{by_suffix(by)}: {inert(new.public_title or '')}"
    return new, TimelineEvent(key, "public-title", iso(now), "public title set", body, state.key)


def change_impact(
    state: IncidentState, *, impact: str, now: datetime, by: str | None, key: str
) -> tuple[IncidentState, TimelineEvent]:
    """A new impact statement."""
    if not impact.strip():
        raise OpsError("the impact must not be empty")
    new = replace(state)
    new.impact = bounded(impact, MAX_STATE_TEXT)
    at = iso(now)
    body = f"**Impact**{by_suffix(by)}: {inert(new.impact)}"
    return new, TimelineEvent(key, "impact", at, "impact updated", body, state.key)


def resolve(
    playbook: Playbook,
    state: IncidentState,
    *,
    now: datetime,
    by: str | None,
    key: str,
    comment_bodies: Sequence[str],
    override: tuple[str, Sequence[str]] | None = None,
) -> tuple[IncidentState, TimelineEvent]:
    """Resolved: the final comment holds the compiled timeline and the durations (and any override)."""
    new = replace(state)
    new.freeze = None
    at = iso(now)
    final = playbook.statuses[-1]
    if new.status != final:
        new.status = final
        new.status_history = [*state.status_history, {"at": at, "status": final}]
    new.resolved_at = at
    new.next_update_due = None
    new.status_update_due = False
    new.mitigated_at = mitigated_at(state, at)
    acknowledge(new, at)
    timeline = [*compile_timeline(new, comment_bodies), TimelineEntry(at, "resolved", "resolved")]
    lines = [f"**Resolved**{by_suffix(by)} at {at}", "", timeline_table(timeline), "", durations(new)]
    if not state.impact.strip():
        lines += ["", "**Impact: never assessed**: nobody stated it (`/impact`) before the resolution."]
    if override:
        reason, missing = override
        lines += ["", f"**Resolved with an override**: {inert(reason)} (missing: {'; '.join(missing)})"]
    return new, TimelineEvent(key, "resolved", at, "resolved", "\n".join(lines), state.key)
