"""``ops-actions triage``, and how every triage of the backend is shown: the step outputs, the job
summary, the error for an unreachable backend. The watch and alert intake triage through
``triage_then_reconcile`` (the use case itself is :mod:`ops_actions.flows.triage`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ops_actions.cli.options import backend_options, playbook_option, service_option
from ops_actions.cli.root import error_line, loaded_playbook, run_output, say, triage_setup
from ops_actions.errors import ExitCode, OpsError

if TYPE_CHECKING:
    from ops_actions.cli.root import GitHubContext
    from ops_actions.flows.triage import TriageRun, TriageSetup
    from ops_actions.incident.alerts import Alert


@click.command()
@backend_options
@playbook_option
@service_option
@click.option("--json", "as_json", is_flag=True, help="Print the JSON report instead of the table.")
@click.option(
    "--fail-on", metavar="SEVERITY", help="Exit 5 when the severity is this one or worse: SEV-2, or 2."
)
def triage(
    backend_url: str | None,
    backend_admin_token: str | None,
    report_dir: Path | None,
    history_file: Path,
    playbook_path: Path | None,
    service: str | None,
    as_json: bool,
    fail_on: str | None,
) -> int:
    """Probe the backend, decide severity and decision-tree branches, write the JSON report.

    Exit codes: 0 done, 2 bad options or playbook, 3 backend unreachable, 5 --fail-on reached.

    \b
    Example:
      ops-actions triage --backend-url https://api.example.com --fail-on SEV-2
    """
    from ops_actions.flows.triage import run_triage
    from ops_actions.incident.triage_text import triage_text

    loaded = loaded_playbook(playbook_path).for_service(service)
    if fail_on is not None:
        try:
            fail_on = loaded.playbook.severities.parse(fail_on)
        except OpsError as error:
            raise OpsError(f"--fail-on: {error.message}") from None
    setup, history = triage_setup(loaded, backend_url, backend_admin_token, report_dir, history_file)
    done = run_triage(setup, history)
    show_triage(setup, done, gate_lines=not as_json)
    report = done.report
    if as_json:
        say(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        say(triage_text(done.playbook, report, str(done.path)), nl=False)
    if not report.backend_reachable:
        return int(ExitCode.BACKEND_UNREACHABLE)
    rank = done.playbook.severities.rank
    if fail_on and report.severity and rank(report.severity) <= rank(fail_on):
        return int(ExitCode.SEVERITY)
    return int(ExitCode.OK)


def show_triage(setup: TriageSetup, done: TriageRun, *, gate_lines: bool = True) -> None:
    """Hand a triage's figures to Actions (outputs, job summary); an unreachable backend is an error.
    ``gate_lines``: say why each gated probe ran or was skipped (not when stdout is the JSON report,
    which holds a skipped probe's reason in its signals)."""
    from ops_actions.incident.triage_text import triage_markdown

    report = done.report
    for probe_id, why in report.gates.items() if gate_lines else ():
        ran = any(result.probe_id == probe_id for result in report.probes)
        say(f"probe {probe_id}: {'ran' if ran else 'skipped, not failed'}: {why}")
    if setup.dry_run:
        say(f"[dry-run] would write the report to {done.path}/ and the snapshot to {setup.history_file}")
        run_output().outputs({"severity": report.severity or ""})
    else:
        run_output().outputs({"severity": report.severity or "", "report-path": str(done.path)})
    run_output().summary("## Triage\n\n" + triage_markdown(done.playbook, report))
    if not report.backend_reachable:
        error_line(f"backend unreachable: no probe got an answer from {report.backend_url}")


def triage_then_reconcile(
    ctx: GitHubContext,
    backend_url: str | None,
    backend_admin_token: str | None,
    report_dir: Path | None,
    history_file: Path,
    *,
    alert: Alert | None = None,
) -> tuple[TriageSetup, TriageRun, list[str]]:
    """Triage, then bring GitHub in line (the watch, and alert intake with its alert)."""
    from ops_actions.flows.triage import triage_and_reconcile

    setup, history = triage_setup(
        ctx.loaded, backend_url, backend_admin_token, report_dir, history_file, dry_run=ctx.dry_run
    )
    done, lines = triage_and_reconcile(
        setup,
        history,
        ctx.incidents,
        run_id=ctx.config.run_id,
        links=ctx.links(),
        remediator=ctx.remediator(),
        alert=alert,
        on_triaged=lambda done: show_triage(setup, done),
    )
    return setup, done, lines
