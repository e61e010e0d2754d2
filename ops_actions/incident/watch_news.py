"""What a scheduled watch adds to an open incident's timeline, each item at most once.

A triage snapshot when something changed, a branch that joins (its steps go into the body, see
issue_body.merged_body), a deploy freeze when a freezing branch fires, the
post-deploy monitoring summary, "metrics normal for N min" (which lifts the freeze), an overdue
status update reminder, the escalation when nobody owns the incident, and a monitor's alert
(``alert_update``), pure: :mod:`ops_actions.flows.watch` posts what these return.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from ops_actions.incident.clock import iso, minutes_text, parse_time, whole_minutes
from ops_actions.incident.remediation_state import (
    freeze_reason,
    freezing_branches,
    lift_freeze,
    monitor_summary,
    start_freeze,
)
from ops_actions.incident.snapshots import MAX_SNAPSHOTS, snapshot_changes
from ops_actions.incident.state import IncidentState
from ops_actions.incident.timeline import TimelineEvent
from ops_actions.playbook.model import Playbook
from ops_actions.text.markdown import inert


def watch_updates(
    playbook: Playbook,
    state: IncidentState,
    *,
    snapshot: dict[str, Any],
    branches: Sequence[str],
    table: str,
    now: datetime,
    run_key: str,
    volatile_signals: frozenset[str],
    nudge: bool = True,
) -> tuple[IncidentState, list[TimelineEvent]]:
    """A scheduled triage's news for an open incident, each item at most once: a snapshot when
    something changed, a deploy freeze when a freezing branch fires, the post-deploy monitoring
    summary, 'normal for N min' (which also lifts the freeze), an overdue-update reminder, and an
    escalation when nobody owns the incident (those two not while ``nudge`` is false: a
    maintenance window pauses them)."""
    new = replace(state)
    at = iso(now)
    events: list[TimelineEvent] = []

    def step(update: tuple[IncidentState, TimelineEvent] | None) -> None:
        nonlocal new
        if update is not None:
            new, event = update
            events.append(event)

    previous = state.snapshots[-1] if state.snapshots else None
    changes = snapshot_changes(previous, snapshot, volatile_signals)
    if changes:
        new.snapshots = [*state.snapshots, snapshot][-MAX_SNAPSHOTS:]
        body = "**Triage snapshot**\n\n" + "\n".join(f"- {line}" for line in changes) + "\n\n" + table
        events.append(
            TimelineEvent(f"{run_key}:snapshot", "snapshot", at, "; ".join(changes)[:200], body, state.key)
        )
    new.fired_rules = [*new.fired_rules, *(r for r in snapshot["fired"] if r not in new.fired_rules)]
    # A branch the last snapshot already fired did not join now: the incident was opened with it
    # before its state recorded branches, and its body has the steps.
    known = {rule.id: rule.branch for rule in playbook.rules}
    before = {known.get(rule) for rule in previous["fired"]} if previous else set()
    for branch_id in branches:
        if branch_id in before and branch_id not in new.branches:
            new.branches = [*new.branches, branch_id]
        elif branch_id not in new.branches:
            step(join_branch(playbook, new, branch_id, now=now, key=f"{run_key}:branch-{branch_id}"))
    freezing = freezing_branches(playbook, branches)
    if freezing and not new.freeze:
        step(start_freeze(new, reason=freeze_reason(playbook, freezing), now=now, key=f"{run_key}:freeze"))
    step(
        monitor_summary(
            new, snapshot=snapshot, now=now, key=f"{run_key}:monitor", volatile_signals=volatile_signals
        )
    )
    if snapshot["fired"] or snapshot.get("unsure"):
        new.clear_since = None
    else:
        new.clear_since = state.clear_since or at
        needed = next(
            (item.minutes for item in playbook.resolution_checklist if item.verify == "metrics-normal"), None
        )
        normal_for = whole_minutes(parse_time(new.clear_since), now)
        if needed and normal_for >= needed and new.normal_noted_for != new.clear_since:
            new.normal_noted_for = new.clear_since
            # The span measured, read the same in the comment, its timeline summary and the unfreeze.
            normal = f"metrics normal for {minutes_text(normal_for)}"
            body = (
                f"**M{normal[1:]}** (since {new.clear_since}); "
                f"the playbook asks for {needed} min before resolving. "
                "Run Backend Live Smoke (`/smoke`), do the manual checks, then `/resolve`."
            )
            events.append(TimelineEvent(f"{run_key}:normal", "normal", at, normal, body, state.key))
            if new.freeze:
                step(lift_freeze(new, why=normal, now=now, key=f"{run_key}:unfreeze"))
    if nudge:
        events.extend(_nudges(playbook, state, new, now=now, run_key=run_key))
    return new, events


def _nudges(
    playbook: Playbook, state: IncidentState, new: IncidentState, *, now: datetime, run_key: str
) -> list[TimelineEvent]:
    """What the watch asks of people, each once, recorded in ``new``: an overdue status update, and
    an escalation when nobody took the incident in time."""
    at = iso(now)
    found: list[TimelineEvent] = []
    due = state.next_update_due
    if due and state.status != playbook.statuses[-1] and now > parse_time(due) and state.reminded_for != due:
        new.reminded_for = due
        who = f"@{state.owner}" if state.owner else "No owner yet: assign one with `/owner @user`."
        body = (
            f"**Status update overdue** (was due {due}). {who} Post one with "
            "`/status <status> next <N>m <text>`."
        )
        found.append(
            TimelineEvent(f"{run_key}:reminder", "reminder", at, "status update overdue", body, state.key)
        )
    escalation = playbook.escalation
    if (
        escalation
        and not state.owner
        and not state.escalated
        and now - parse_time(state.opened_at) >= timedelta(minutes=escalation.no_owner_after_minutes)
    ):
        new.escalated = True
        body = (
            f"**No owner after {escalation.no_owner_after_minutes} min.** {' '.join(escalation.mention)}: "
            "please take this incident with `/owner @you`."
        )
        found.append(
            TimelineEvent(f"{run_key}:escalate", "escalation", at, "escalated: no owner", body, state.key)
        )
    return found


def join_branch(
    playbook: Playbook, state: IncidentState, branch_id: str, *, now: datetime, key: str
) -> tuple[IncidentState, TimelineEvent]:
    """A branch starts firing on an open incident: the incident follows its steps (the save writes
    them into the body's checklist), and the timeline names it and its first step."""
    branch = playbook.branch(branch_id)
    new = replace(state)
    new.branches = [*state.branches, branch_id]
    steps = [s for s in branch.steps if not s.only_for or state.severity in s.only_for]
    first = f" First step: {steps[0].text}" if steps else ""
    body = (
        f"**Branch {branch.id}) {branch.title} joins this incident**: its steps are now in the "
        f"issue's checklist.{first}"
    )
    summary = f"branch {branch.id} joined"
    return new, TimelineEvent(key, "branch", iso(now), summary, body, state.key)


def alert_update(
    state: IncidentState,
    *,
    key: str,
    status: str,
    title: str,
    source: str,
    link: str | None,
    still_firing: Sequence[str],
    now: datetime,
) -> tuple[IncidentState, TimelineEvent] | None:
    """A monitor's alert on the timeline, once per change of its status (a repeat adds nothing)."""
    if state.alerts.get(key) == status:
        return None
    new = replace(state)
    new.alerts = {**state.alerts, key: status}
    where = f" (alert: {inert(link, cell=True)})" if link else ""
    body = f"**Alert {status}** from {inert(source)}: {inert(title)}{where}"
    if status == "resolved":
        body += (
            "\n\nTriage still sees: " + ", ".join(still_firing) + "."
            if still_firing
            else "\n\nTriage sees nothing firing: the 'normal for N min' clock runs from now."
        )
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]
    event_key = f"alert-{digest}-{status}-{len(state.alerts)}"
    return new, TimelineEvent(event_key, "alert", iso(now), f"alert {status}: {title}"[:200], body, state.key)
