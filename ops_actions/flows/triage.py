"""The triage use case: probe the backend, decide, keep the report and the snapshot; then bring
GitHub in line with it (the scheduled watch, alert intake) and remind about postmortems hourly.

The CLI resolves what a triage runs with (the backend URL, the probes' credentials, where the report
and the history go) from its options and the environment, reads the history file, and hands both
in; these functions return what happened, and the CLI prints it and hands it to Actions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from ops_actions.flows.budget import below_reserve, skipped
from ops_actions.flows.incidents import IncidentService
from ops_actions.flows.postmortems import Postmortems
from ops_actions.flows.remediation import Remediator
from ops_actions.flows.watch import reconcile
from ops_actions.incident.alerts import Alert
from ops_actions.incident.clock import iso, parse_time
from ops_actions.incident.triage_report import ProbeResult, Snapshot, TriageReport, snapshot_of
from ops_actions.playbook.model import Playbook, Probe
from ops_actions.triage.engine import triage
from ops_actions.triage.history import WatchHistory, save_history
from ops_actions.triage.report_file import write_report


@dataclass(frozen=True)
class TriageSetup:
    """What one triage of the backend runs with, resolved by the CLI from its options and the
    environment. ``send`` runs a batch of probes against ``backend_url``; ``redact`` masks the
    secrets in what is written (the report, the history file)."""

    playbook: Playbook
    playbook_path: str
    playbook_sha256: str
    backend_url: str
    send: Callable[[Sequence[Probe]], list[ProbeResult]]
    report_dir: Path | None  # None: the playbook's triage.report_dir
    history_file: Path
    clock: Callable[[], datetime]
    redact: Callable[[str], str]
    dry_run: bool = False

    @property
    def report_folder(self) -> Path:
        """Where the report goes: the option's folder, else the playbook's."""
        return self.report_dir or Path(self.playbook.report_dir)


@dataclass
class TriageRun:
    """One triage as it ran: the report, where it was written (the folder, in a dry run), the
    snapshots of the runs before it, and the watch history with this run's snapshot appended."""

    playbook: Playbook
    report: TriageReport
    path: Path
    earlier_snapshots: list[Snapshot]
    history: WatchHistory


def run_triage(setup: TriageSetup, history: WatchHistory, *, alert_firing: bool = False) -> TriageRun:
    """Probe, decide, write the report and the history file (a dry run writes neither: its snapshot
    would change the next real run's trends).

    ``alert_firing``: a firing alert started this run, which confirms the flap-controlled rules.
    """
    earlier = list(history.snapshots)
    report = triage(
        setup.playbook,
        send=setup.send,
        clock=setup.clock,
        history=earlier,
        backend_url=setup.backend_url,
        playbook_path=setup.playbook_path,
        playbook_sha256=setup.playbook_sha256,
        alert_firing=alert_firing,
        redact=setup.redact,
        ran_at=history.probes_ran_at,
    )
    history.snapshots.append(snapshot_of(report))
    ran = {result.probe_id for result in report.probes}
    history.probes_ran_at.update({probe: report.started_at for probe in report.gates if probe in ran})
    if setup.dry_run:
        path = setup.report_folder
    else:
        path = write_report(report, setup.report_folder, now=setup.clock(), redact=setup.redact)
        save_history(setup.history_file, history, redact=setup.redact)
    return TriageRun(setup.playbook, report, path, earlier, history)


def triage_and_reconcile(
    setup: TriageSetup,
    history: WatchHistory,
    incidents: IncidentService,
    *,
    run_id: str | None,
    links: Sequence[tuple[str, str]],
    remediator: Remediator,
    alert: Alert | None = None,
    on_triaged: Callable[[TriageRun], None],
) -> tuple[TriageRun, list[str]]:
    """Triage, then bring GitHub in line (the watch, and alert intake with its alert): what was
    done, one line each. ``on_triaged`` sees the triage before GitHub is touched, so what the CLI
    says about it comes first."""
    firing = alert is not None and alert.status == "firing"
    done = run_triage(setup, history, alert_firing=firing)
    on_triaged(done)
    lines = reconcile(
        incidents,
        setup.playbook,
        done.report,
        history=done.earlier_snapshots,
        now=setup.clock(),
        run_id=run_id,
        links=links,
        playbook_sha256=setup.playbook_sha256,
        remediator=remediator,
        alert=alert,
    )
    return done, lines


def remind_hourly(setup: TriageSetup, done: TriageRun, postmortems: Postmortems) -> list[str]:
    """Postmortem reminders, at most once an hour (the watch history remembers when)."""
    now = setup.clock()
    last = done.history.postmortems_checked_at
    if last and now - parse_time(last) < timedelta(hours=1):
        return []
    low = below_reserve(postmortems.tracker)
    if low:
        return [skipped(low, "the postmortem reminders (the next run with budget sends them)")]
    lines = postmortems.remind()
    done.history.postmortems_checked_at = iso(now)
    if not setup.dry_run:
        save_history(setup.history_file, done.history, redact=setup.redact)
    return lines
