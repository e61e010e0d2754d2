"""The scheduled watch: triage, then reconcile what it found with the incidents on GitHub.

What fires is matched to the open incidents by cause (:mod:`ops_actions.incident.causes`): each
incident sees only its own rules. On each it appends a snapshot only when something changed,
raises the severity when its rules show a worse one (and proposes a lower one once, after the
playbook's window), notes once when its metrics have been normal long enough to resolve, and
reminds once when the promised status update is overdue. Causes no incident holds open a new
incident, linked to the open ones (the playbook's consecutive-breach counts and flap control have
already been applied by triage). It never closes anything, and reopens an incident closed without
the tool's resolution (see incident/closes.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from ops_actions.errors import OpsError
from ops_actions.flows.budget import below_reserve, skipped
from ops_actions.flows.closes import settle_closes
from ops_actions.flows.incidents import IncidentService, Outcome
from ops_actions.flows.maintenance import close_ended, known_windows
from ops_actions.flows.remediation import Remediator
from ops_actions.flows.tracker_protocols import IssueView
from ops_actions.incident.alerts import Alert
from ops_actions.incident.causes import (
    AlertSeen,
    Assignment,
    Held,
    alert_cause,
    assign_causes,
    cause_components,
    cause_title,
    firing_causes,
    followed,
    held_alerts_firing,
    others_signals,
    signals_of,
    view_of,
)
from ops_actions.incident.clock import iso, parse_time, stale_gap
from ops_actions.incident.closes import CLOSE_LOOKBACK
from ops_actions.incident.labels import service_labels
from ops_actions.incident.maintenance import held_causes, held_line, holding_window
from ops_actions.incident.operation_keys import operation_key
from ops_actions.incident.recorded_inputs import decision_changes, input_entry, opening_inputs, with_input
from ops_actions.incident.severity_follow import follow_severity
from ops_actions.incident.snapshots import compact_snapshot
from ops_actions.incident.state import IncidentState
from ops_actions.incident.state_block import read_state
from ops_actions.incident.timeline import TimelineEvent
from ops_actions.incident.transitions import confirm_reach
from ops_actions.incident.triage_report import RuleOutcome, Snapshot, TriageReport, history_value
from ops_actions.incident.triage_text import triage_markdown
from ops_actions.incident.watch_news import alert_update, watch_updates
from ops_actions.playbook.maintenance import MaintenanceWindow
from ops_actions.playbook.model import INCIDENT_LABEL, Playbook
from ops_actions.text.markdown import inert


def incident_title(report: TriageReport) -> str:
    """A title from what triage found: the first branch's title, else the first fired rule's summary."""
    if report.branches:
        return report.branches[0].title
    fired = report.fired
    return fired[0].summary.rstrip(".")[:120] if fired else "Backend incident"


def causes_key(causes: Sequence[str]) -> str:
    """The dedupe key of an incident the watch opens for these causes (two runs opening the same
    causes at once settle on one issue)."""
    digest = hashlib.sha256("\x1f".join(sorted(causes)).encode("utf-8")).hexdigest()[:12]
    return f"causes-{digest}"


def first_failing(history: Sequence[Snapshot], now: datetime, rules: Collection[str]) -> datetime:
    """When the current run of triage snapshots in which any of these rules breached began (now,
    if this is the first)."""
    start = now
    for snapshot in reversed(history):
        if not any(snapshot.breaches.get(rule) for rule in rules):
            break
        start = parse_time(snapshot.at)
    return start


def follow_runs(remediator: Remediator, issue: IssueView, state: IncidentState) -> list[str]:
    """Poll the incident's dispatched runs that have not concluded (one request each)."""
    done = []
    for entry in state.runs:
        if entry.get("conclusion") is None and isinstance(entry.get("id"), int):
            try:
                tracker = remediator.tracker_for(entry.get("role"))
            except OpsError as error:  # another repository's run, and no token for it in this run
                done.append(f"#{issue.number}: {entry.get('name', 'run')} not followed: {error.message}")
                continue
            run = tracker.watch_run(entry["id"]).poll()
            if run is not None and run.status == "completed":
                remediator.conclude(issue.number, run)
                done.append(f"#{issue.number}: {entry.get('name', 'run')} concluded {run.conclusion}")
    return done


def readable(
    incidents: IncidentService, listed: Sequence[IssueView]
) -> tuple[list[tuple[IssueView, IncidentState]], list[str]]:
    """The open incidents whose state can be read, oldest first, each key once; and what happened.

    One that GitHub will not let us read (deleted or moved between listing and reading, say) is
    reported and skipped, so it never stops the watch for the others. A second open incident of a
    key (a create GitHub carried out after the client gave up on it) is closed as a duplicate.
    """
    found: list[tuple[IssueView, IncidentState]] = []
    lines: list[str] = []
    for issue in sorted(listed, key=lambda item: item.number):
        try:
            state = incidents.state_of(issue)
        except OpsError as error:
            lines.append(
                f"warning: #{issue.number} could not be read ({error.message}); going on with the others"
            )
            continue
        first = next((kept for kept, kept_state in found if kept_state.key == state.key), None)
        if first is not None:
            incidents.close_duplicate(issue, first.number)
            lines.append(f"#{issue.number} closed as a duplicate of #{first.number}")
            continue
        found.append((issue, state))
    return found, lines


@dataclass(frozen=True)
class _Run:
    """What one reconcile shares across the open incidents."""

    playbook: Playbook
    report: TriageReport
    signals: dict[str, Any]
    now: datetime
    run_id: str | None
    late: str | None
    volatile: frozenset[str]
    alert: Alert | None


def reconcile(
    incidents: IncidentService,
    playbook: Playbook,
    report: TriageReport,
    *,
    history: Sequence[Snapshot],
    now: datetime,
    run_id: str | None,
    links: Sequence[tuple[str, str]],
    playbook_sha256: str,
    remediator: Remediator | None = None,
    alert: Alert | None = None,
) -> list[str]:
    """Bring GitHub in line with one triage (and the alert that started it, if any).

    Returns what was done, one line each. The scheduled watch and alert intake share this, so an
    alert and a triage that see the same cause end in the same incident.
    """
    # Incidents closed without the tool's resolution are reopened first, so they are followed below;
    # low on budget, that listing waits for a later run (the incident's own commands settle it too).
    low = below_reserve(incidents.tracker)
    settled = (
        [skipped(low, "the recently-closed listing (closes made by hand are settled next run)")]
        if low
        else settle_closes(incidents, now - CLOSE_LOOKBACK)
    )
    listed, neighbours = _open_listing(incidents, playbook)
    opened, notes = readable(incidents, listed)
    notes = [*settled, *notes]
    if listed and not opened:
        return notes  # none could be read: opening another would likely duplicate one of them
    gap = stale_gap(history[-1].at if history else None, now, playbook.watch_interval_minutes)
    run = _Run(
        playbook=playbook,
        report=report,
        signals={r.name: history_value(r) for r in report.signals if history_value(r) is not None},
        now=now,
        run_id=run_id,
        late=(
            f"the previous triage ran {gap:.0f} min ago "
            f"(cron interval {playbook.watch_interval_minutes} min): scheduled runs are late"
            if gap
            else None
        ),
        volatile=frozenset(spec.name for probe in playbook.probes for spec in probe.signals if spec.volatile),
        alert=alert,
    )
    held = [
        Held(
            issue.number,
            tuple(followed(playbook, s)),
            tuple(s.components),
            tuple(s.alerts),
            bool(s.snapshots),
        )
        for issue, s in opened
    ]
    seen = (
        AlertSeen(alert_cause(playbook, alert.key), alert.key, alert.component, alert.status == "firing")
        if alert
        else None
    )
    # A rule fired only by its hold keeps an open incident firing; it opens none (after a resolve,
    # a count that holds or falls is no new failure).
    fresh = [outcome for outcome in report.fired if not outcome.held]
    plan = assign_causes(playbook, held, firing_causes(playbook, fresh), seen)
    lines = [*notes, *([f"warning: {run.late}"] if run.late and not opened else [])]
    # Windows matter only when something would open or an incident is followed: a quiet tick reads none.
    windows = known_windows(incidents.tracker, playbook, now) if plan.new or opened else ()
    lines += close_ended(incidents.tracker, windows, now)
    alerted = (seen.cause, seen.component or "") if seen and seen.firing else None
    on_hold = held_causes(playbook, plan.new, [o.id for o in fresh], windows, now, alert=alerted)
    plan.new = [cause for cause in plan.new if cause not in on_hold]
    lines += [held_line(cause_title(playbook, cause), window) for cause, window in on_hold.items()]
    new: tuple[int, str] | None = None
    if plan.new:
        together = [issue.number for issue, opened_at in neighbours if _together(playbook, opened_at, now)]
        outcome = _open_for(
            incidents, run, plan.new, opened, listed, history, links, playbook_sha256, together
        )
        if outcome is not None:
            lines.append(f"{outcome.message}: {outcome.url}")
            if outcome.action == "opened":
                new = (outcome.number, "; ".join(cause_title(playbook, c) for c in plan.new))
    owned = [signals_of(playbook, plan.causes_of(mine)) for mine in held]
    # The new incident's signals are its news, not the open ones'.
    others = others_signals([*owned, signals_of(playbook, plan.new)])[: len(held)]
    for (issue, state), mine, theirs in zip(opened, held, others, strict=True):
        beside = [(new[0], f"opened for {inert(new[1])}")] if new is not None else []
        beside += [
            (other.number, f"of {inert(_service_name(playbook, other))} opened at the same time")
            for other, opened_at in neighbours
            if _together(playbook, opened_at, parse_time(state.opened_at))
        ]
        elsewhere = [cause for other in held if other is not mine for cause in plan.causes_of(other)]
        paused = holding_window(windows, state.components, now)
        if paused is not None:
            lines.append(f"#{issue.number}: reminders paused by maintenance {paused.id}")
        lines += _follow(
            incidents,
            run,
            issue,
            state,
            plan,
            mine,
            remediator,
            beside,
            run.volatile | theirs,
            elsewhere=elsewhere,
            paused=paused,
        )
    if not plan.new and not opened and not on_hold:
        pending = [o.id for o in report.rules if o.outcome == "pending"]
        waiting = f" ({', '.join(pending)} breached, not yet fired)" if pending else ""
        holding = [o.id for o in report.fired if o.held]
        if holding:
            waiting += f" ({', '.join(holding)} held by holds_while: a hold opens no incident)"
        if alert is not None:
            lines.append(
                f"alert '{alert.title}' {alert.status} and no incident holds it: nothing to do{waiting}"
            )
        else:
            lines.append(f"no incident open and no rule fired: nothing to do{waiting}")
    return lines


def _follow(
    incidents: IncidentService,
    run: _Run,
    issue: IssueView,
    state: IncidentState,
    plan: Assignment,
    held: Held,
    remediator: Remediator | None,
    beside: Sequence[tuple[int, str]],
    ignored: frozenset[str],
    *,
    elsewhere: Sequence[str],
    paused: MaintenanceWindow | None,
) -> list[str]:
    """One open incident's news from this triage: its own rules, its alert, its severity, and
    the incidents open beside it (``beside``: the one this run opened, and another service's opened
    at the same time; each number with what the timeline says of it). ``ignored``: signals whose
    change is no news here (volatile ones, and those only other incidents' rules read); ``elsewhere``:
    the causes the other open incidents hold, recorded with the tick for replay; ``paused``: the
    window that pauses its reminders."""
    playbook, now = run.playbook, run.now
    concluded = follow_runs(remediator, issue, state) if remediator else []
    if concluded:
        issue = incidents.tracker.issue(issue.number)
        state = incidents.state_of(issue)
    run_key = operation_key(run.run_id, "watch", issue.number)
    causes = plan.causes_of(held)
    view = view_of(playbook, run.report.rules, causes)
    snapshot = compact_snapshot(
        at=iso(now),
        severity=view.severity,
        fired=[o.id for o in view.fired],
        signals=run.signals,
        unsure=view.unsure,
    )
    events: list[TimelineEvent] = []
    current = state
    adopted = [cause for cause in causes if cause not in state.causes]
    if adopted:
        current = replace(current, causes=causes)
        body = "**Now following**: " + "; ".join(inert(cause_title(playbook, c)) for c in adopted)
        events.append(
            TimelineEvent(
                f"{run_key}:causes",
                "causes",
                iso(now),
                "now following " + ", ".join(adopted),
                body,
                state.key,
            )
        )
    alert = run.alert if plan.alert_to == issue.number else None
    if alert is not None:
        update = alert_update(
            current,
            key=alert.key,
            status=alert.status,
            title=alert.title,
            source=alert.source,
            link=alert.link,
            still_firing=[o.id for o in view.fired],
            now=now,
        )
        if update is not None:
            current, event = update
            events.append(event)
    second = _second_signal(run, view.fired, alert)
    if current.runner_view is not None and second is not None:
        current, event = confirm_reach(playbook, current, second=second, now=now, key=f"{run_key}:confirmed")
        events.append(event)
    for number, said in beside:
        if number in current.related:
            continue
        current = replace(current, related=[*current.related, number])
        events.append(
            TimelineEvent(
                f"{run_key}:related-{number}",
                "related",
                iso(now),
                f"related: #{number}",
                f"**Related incident** #{number} {said}.",
                state.key,
            )
        )
    if run.late:
        body = f"**Triage was late**: {run.late}. Alerts (repository_dispatch) do not wait for the cron."
        events.append(
            TimelineEvent(f"{run_key}:late", "late", iso(now), "scheduled triage late", body, state.key)
        )
    after, watched = watch_updates(
        playbook,
        current,
        snapshot=snapshot,
        branches=list(view.branches),
        table=triage_markdown(playbook, run.report),
        now=now,
        run_key=run_key,
        volatile_signals=ignored,
        nudge=paused is None,
    )
    firing = alert if alert is not None and alert.status == "firing" else None
    reasons = [f"`{o.id}` ({o.severity}): {o.summary}" for o in view.fired]
    if firing is not None:
        reasons.append(f"a firing alert from {firing.source} ({firing.severity})")
    after, changed = follow_severity(
        playbook,
        after,
        evidence=playbook.severities.most_severe([view.severity, firing.severity if firing else None]),
        reasons=reasons,
        hold=held_alerts_firing(after.alerts),
        now=now,
        key=run_key,
    )
    why = decision_changes(
        current, after, previous=state.snapshots[-1] if state.snapshots else None, snapshot=snapshot
    )
    if why:
        after = replace(
            after, inputs=with_input(after.inputs, input_entry(iso(now), run.signals, why, elsewhere))
        )
    posted = incidents.record(issue, state, after, events + watched + changed)
    if not posted and not concluded:
        return [f"#{issue.number} is open; nothing new to add"]
    return concluded + [f"#{issue.number}: {event.summary}" for event in posted]


def _open_listing(
    incidents: IncidentService, playbook: Playbook
) -> tuple[Sequence[IssueView], list[tuple[IssueView, datetime]]]:
    """The open incidents of this view, and those of the playbook's other services with when each
    opened (one listing: on a service's view every open incident is listed and split by the
    service's label)."""
    if playbook.service is None:
        return incidents.tracker.open_incidents(playbook.incident_labels), []
    everything = incidents.tracker.open_incidents((INCIDENT_LABEL,))
    own = playbook.service.label
    mine = [issue for issue in everything if own in issue.labels]
    others = [
        (issue, _opened_at(incidents, issue))
        for issue in everything
        if own not in issue.labels and service_labels(issue.labels)
    ]
    return mine, others


def _opened_at(incidents: IncidentService, issue: IssueView) -> datetime:
    """When another service's incident opened, as its state block says (the tool's clock, as this
    run's); the issue's creation when the tool's block is not there."""
    state = read_state(issue.body) if incidents.by_tool(issue.author) else None
    return parse_time(state.opened_at) if state is not None else issue.created_at


def _together(playbook: Playbook, opened_at: datetime, other: datetime) -> bool:
    """Whether two incidents opened together: within the playbook's watch interval of each other."""
    return abs(opened_at - other) <= timedelta(minutes=playbook.watch_interval_minutes)


def _service_name(playbook: Playbook, issue: IssueView) -> str:
    """The name of the service another service's incident is labelled with."""
    labels = service_labels(issue.labels)
    return next((service.name for service in playbook.services if service.label in labels), labels[0])


def _second_signal(run: _Run, fired: Sequence[RuleOutcome], alert: Alert | None) -> str | None:
    """What says, besides the runner, that an incident's backend is down: a firing alert routed to
    it, or a fired rule of its own with a backend answer behind it (a 5xx, ``db_ok=false``)."""
    if alert is not None and alert.status == "firing":
        return f"a firing alert from {inert(alert.source)}"
    answered = [o.id for o in fired if o.id not in run.report.unanswered_rules]
    return "the backend's answer (" + ", ".join(f"`{rule}`" for rule in answered) + ")" if answered else None


def _open_for(
    incidents: IncidentService,
    run: _Run,
    causes: Sequence[str],
    opened: Sequence[tuple[IssueView, IncidentState]],
    listed: Sequence[IssueView],
    history: Sequence[Snapshot],
    links: Sequence[tuple[str, str]],
    playbook_sha256: str,
    together: Sequence[int],
) -> Outcome | None:
    """A new incident for causes no open incident holds, linking the ``opened`` ones and ``together``:
    other services' incidents opened within a watch interval."""
    playbook, report, alert = run.playbook, run.report, run.alert
    view = view_of(playbook, report.rules, causes)
    alerted = alert if alert is not None and alert_cause(playbook, alert.key) in causes else None
    severity = playbook.severities.most_severe([view.severity, alerted.severity if alerted else None])
    if severity is None:
        return None
    own = replace(report, branches=[b for b in report.branches if b.id in view.branches])
    summary = "\n".join(f"- {o.summary} (`{o.id}`)" for o in view.fired)
    components = cause_components(playbook, causes)
    if alerted is not None:
        summary = (
            f"- Alert from {alerted.source}: {alerted.title}"
            + (f" ({alerted.link})" if alerted.link else "")
            + ("\n" + summary if summary else "")
        )
        components = sorted({*components, *([alerted.component] if alerted.component else [])})
    key = causes_key(causes)
    return incidents.open(
        key=key,
        title=alerted.title if alerted and not own.branches else incident_title(own),
        severity=severity,
        impact="",
        summary=summary,
        operation=operation_key(run.run_id, "watch-open", key),
        report=own,
        links=links,
        # An alert may open it with no rule failing: then no signal failed first, and none is named.
        detected_at=(
            first_failing(history, run.now, [r.id for r in playbook.rules if r.cause in causes])
            if view.fired
            else None
        ),
        playbook_sha256=playbook_sha256,
        snapshot=compact_snapshot(
            at=iso(run.now),
            severity=view.severity,
            fired=[o.id for o in view.fired],
            signals=run.signals,
            unsure=view.unsure,
        ),
        components=components,
        alerts={alerted.key: alerted.status} if alerted else None,
        listed=listed,
        causes=causes,
        related=[*(issue.number for issue, _ in opened), *together],
        detected_by={"how": "alert", "source": alerted.source} if alerted else {"how": "triage"},
        runner_view=None if alerted else report.runner_view([o.id for o in view.fired]),
        inputs=opening_inputs(
            history,
            at=iso(run.now),
            signals=run.signals,
            others=[cause for _, state in opened for cause in followed(playbook, state)],
        ),
    )
