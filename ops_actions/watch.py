"""The scheduled watch: triage, then reconcile what it found with the incidents on GitHub.

With no incident open, a fired rule opens one (the playbook's consecutive-breach counts have
already been applied by triage). With one open, the watch follows the oldest: it appends a
snapshot only when something changed, notes once when metrics have been normal long enough to
resolve, and reminds once when the promised status update is overdue. It never closes anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ops_actions.incident import (
    INCIDENT_LABEL,
    IncidentState,
    compact_snapshot,
    iso,
    parse_time,
    watch_updates,
)
from ops_actions.lifecycle import Incidents, IssueView, operation_key
from ops_actions.playbook.model import Playbook
from ops_actions.remediation import Remediator
from ops_actions.render import triage_markdown
from ops_actions.triage import Snapshot, TriageReport, history_value

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
) -> list[str]:
    """Bring GitHub in line with one triage; returns what was done, one line each."""
    listed = incidents.tracker.open_incidents(INCIDENT_LABEL)
    signals = {r.name: history_value(r) for r in report.signals if history_value(r) is not None}
    snapshot = compact_snapshot(
        at=iso(now), severity=report.severity, fired=[o.id for o in report.fired], signals=signals
    )
    if not listed:
        if report.severity is None:
            return ["no incident open and no rule fired: nothing to do"]
        summary = "\n".join(f"- {o.summary} (`{o.id}`)" for o in report.fired)
        outcome = incidents.open(
            key=WATCH_KEY,
            title=incident_title(report),
            severity=report.severity,
            impact="Detected by scheduled triage; impact under assessment.",
            summary=summary,
            operation=operation_key(run_id, "watch-open", WATCH_KEY),
            report=report,
            links=links,
            detected_at=first_failing(history, now),
            playbook_sha256=playbook_sha256,
            snapshot=snapshot,
            listed=listed,
        )
        return [f"{outcome.message}: {outcome.url}"]
    issue = min(listed, key=lambda i: i.number)
    state = incidents.state_of(issue)
    concluded = follow_runs(remediator, issue, state) if remediator else []
    if concluded:
        issue = incidents.tracker.issue(issue.number)
        state = incidents.state_of(issue)
    volatile = frozenset(
        spec.name for probe in playbook.probes for spec in probe.signals if spec.type == "age_seconds"
    )
    after, events = watch_updates(
        playbook,
        state,
        snapshot=snapshot,
        branches=[branch.id for branch in report.branches],
        table=triage_markdown(playbook, report),
        now=now,
        run_key=operation_key(run_id, "watch", issue.number),
        volatile_signals=volatile,
    )
    posted = incidents.record(issue, state, after, events)
    if not posted and not concluded:
        return [f"#{issue.number} is open; nothing new to add"]
    return concluded + [f"#{issue.number}: {event.summary}" for event in posted]
