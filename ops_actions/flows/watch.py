"""The scheduled watch: triage, then reconcile what it found with the incidents on GitHub.

With no incident open, a fired rule opens one (the playbook's consecutive-breach counts have
already been applied by triage). With one open, the watch follows the oldest: it appends a
snapshot only when something changed, notes once when metrics have been normal long enough to
resolve, and reminds once when the promised status update is overdue. It never closes anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ops_actions.errors import OpsError
from ops_actions.flows.incidents import Incidents, IssueView, operation_key
from ops_actions.flows.remediation import Remediator
from ops_actions.incident.alerts import Alert
from ops_actions.incident.render import triage_markdown
from ops_actions.incident.state import (
    INCIDENT_LABEL,
    Event,
    IncidentState,
    alert_update,
    compact_snapshot,
    iso,
    parse_time,
    stale_gap,
    watch_updates,
)
from ops_actions.incident.triage_report import Snapshot, TriageReport, history_value
from ops_actions.playbook.model import Playbook

WATCH_KEY = "triage"


def incident_title(report: TriageReport) -> str:
    """A title from what triage found: the first branch's title, else the first fired rule's summary."""
    if report.branches:
        return report.branches[0].title
    fired = report.fired
    return fired[0].summary.rstrip(".")[:120] if fired else "Backend incident"


def first_failing(history: Sequence[Snapshot], now: datetime) -> datetime:
    """When the current run of breaching triage snapshots began (now, if this is the first)."""
    start = now
    for snapshot in reversed(history):
        if not any(snapshot.breaches.values()):
            break
        start = parse_time(snapshot.at)
    return start


def follow_runs(remediator: Remediator, issue: IssueView, state: IncidentState) -> list[str]:
    """Poll the incident's dispatched runs that have not concluded (one request each)."""
    done = []
    for entry in state.runs:
        if entry.get("conclusion") is None and isinstance(entry.get("id"), int):
            run = remediator.tracker.watch_run(entry["id"]).poll()
            if run is not None and run.status == "completed":
                remediator.conclude(issue.number, run)
                done.append(f"#{issue.number}: {entry.get('name', 'run')} concluded {run.conclusion}")
    return done


def readable(
    incidents: Incidents, listed: Sequence[IssueView]
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


def reconcile(
    incidents: Incidents,
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
    alert and a triage that see the same cause end in the one open incident.
    """
    listed = incidents.tracker.open_incidents(INCIDENT_LABEL)
    followed, notes = readable(incidents, listed)
    signals = {r.name: history_value(r) for r in report.signals if history_value(r) is not None}
    fired = [o.id for o in report.fired]
    snapshot = compact_snapshot(at=iso(now), severity=report.severity, fired=fired, signals=signals)
    gap = stale_gap(history[-1].at if history else None, now, playbook.watch_interval_minutes)
    late = (
        f"the previous triage ran {gap:.0f} min ago (cron interval {playbook.watch_interval_minutes} min): "
        "scheduled runs are late"
        if gap
        else None
    )
    if listed and not followed:
        return notes
    if not listed:
        lines = [f"warning: {late}"] if late else []
        firing = alert is not None and alert.status == "firing"
        if report.severity is None and not firing:
            if alert is not None:
                return [*lines, f"alert '{alert.title}' resolved and no incident is open: nothing to do"]
            return [*lines, "no incident open and no rule fired: nothing to do"]
        severities = [s for s in (report.severity, alert.severity if firing and alert else None) if s]
        severity = min(severities, key=lambda s: playbook.severity(s).rank)
        summary = "\n".join(f"- {o.summary} (`{o.id}`)" for o in report.fired)
        if alert is not None:
            summary = (
                f"- Alert from {alert.source}: {alert.title}"
                + (f" ({alert.link})" if alert.link else "")
                + ("\n" + summary if summary else "")
            )
        outcome = incidents.open(
            key=WATCH_KEY,
            title=alert.title if alert and not report.branches else incident_title(report),
            severity=severity,
            impact="",
            summary=summary,
            operation=operation_key(run_id, "watch-open", WATCH_KEY),
            report=report,
            links=links,
            detected_at=first_failing(history, now),
            playbook_sha256=playbook_sha256,
            snapshot=snapshot,
            listed=listed,
            components=[alert.component] if alert and alert.component else (),
            alerts={alert.key: alert.status} if alert else None,
            detected_by={"how": "alert", "source": alert.source} if alert else {"how": "triage"},
        )
        return [*lines, f"{outcome.message}: {outcome.url}"]
    issue, state = followed[0]
    concluded = follow_runs(remediator, issue, state) if remediator else []
    if concluded:
        issue = incidents.tracker.issue(issue.number)
        state = incidents.state_of(issue)
    volatile = frozenset(spec.name for probe in playbook.probes for spec in probe.signals if spec.volatile)
    run_key = operation_key(run_id, "watch", issue.number)
    events: list[Event] = []
    current = state
    if alert is not None:
        update = alert_update(
            current,
            key=alert.key,
            status=alert.status,
            title=alert.title,
            source=alert.source,
            link=alert.link,
            still_firing=fired,
            now=now,
        )
        if update is not None:
            current, event = update
            events.append(event)
    if late:
        body = f"**Triage was late**: {late}. Alerts (repository_dispatch) do not wait for the cron."
        events.append(Event(f"{run_key}:late", "late", iso(now), "scheduled triage late", body, state.key))
    after, watched = watch_updates(
        playbook,
        current,
        snapshot=snapshot,
        branches=[branch.id for branch in report.branches],
        table=triage_markdown(playbook, report),
        now=now,
        run_key=run_key,
        volatile_signals=volatile,
    )
    posted = incidents.record(issue, state, after, events + watched)
    if not posted and not concluded:
        return [*notes, f"#{issue.number} is open; nothing new to add"]
    return notes + concluded + [f"#{issue.number}: {event.summary}" for event in posted]
