"""`ops-actions services --status` over the GitHub emulator: the scheduled triage's summary table and
the one decision to publish the page, read back from the open incidents and the run's jobs."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops_actions.cli import run
from ops_actions.incident.service_states import PAGE_MARK_STEP, watch_job_name
from ops_actions.sandbox.github import GitHubEmulator
from tests.support.fixtures.github import point_cli_at
from tests.support.services import two_services

WATCH_STEP = "Triage and reconcile with GitHub"


def _status(
    emulator: GitHubEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, run_id: int
) -> tuple[int, str, str]:
    """Run the command as the summary job of ``run_id``; its exit code, step outputs and summary."""
    outputs, summary = tmp_path / "out", tmp_path / "summary.md"
    point_cli_at(emulator, monkeypatch, GITHUB_RUN_ID=str(run_id))
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code = run(["services", "--status", "--playbook", str(two_services(tmp_path))])
    return code, outputs.read_text(encoding="utf-8"), summary.read_text(encoding="utf-8")


def _triage_run(emulator: GitHubEmulator, *, worker: str, worker_marked: bool) -> int:
    emulator.add_workflow("incident-triage.yml", "Incident triage", scheduled=True, driven=True)
    run_id = emulator.begin_run("incident-triage.yml", event="schedule")
    emulator.record_job(run_id, "List the services", "success")
    emulator.record_job(
        run_id, watch_job_name("api"), "success", [(WATCH_STEP, "success"), (PAGE_MARK_STEP, "skipped")]
    )
    emulator.record_job(
        run_id,
        watch_job_name("worker"),
        worker,
        [(WATCH_STEP, worker), (PAGE_MARK_STEP, "success" if worker_marked else "skipped")],
    )
    return run_id


def test_the_summary_names_every_service_and_publishes_once_a_job_changed_an_incident(
    github_emulator: GitHubEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Both services in one table (the worker's SEV-1 incident, each job's result); the worker's job
    ran its mark step, so the page is published; two listing requests, no write."""
    github_emulator.add_issue(
        title="[SEV-1] Job worker: Jobs stuck", labels=["incident", "sev-1", "service:worker"]
    )
    run_id = _triage_run(github_emulator, worker="success", worker_marked=True)
    first = len(github_emulator.requests)
    code, outputs, summary = _status(github_emulator, monkeypatch, tmp_path, run_id)
    assert code == 0
    assert "status-page" in outputs and "true" in outputs.split("status-page", 1)[1].splitlines()[1]
    assert "| Billing API (api) | - | none open | success |" in summary
    assert "| Job worker (worker) | SEV-1 | #1 | success |" in summary
    sent = github_emulator.requests[first:]
    assert [(r.method, r.path.rsplit("/", 1)[-1]) for r in sent] == [("GET", "issues"), ("GET", "jobs")]


def test_a_failed_service_job_is_shown_and_no_change_publishes_nothing(
    github_emulator: GitHubEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The worker's job failed before changing anything: its row says failure, the page stays as is."""
    run_id = _triage_run(github_emulator, worker="failure", worker_marked=False)
    code, outputs, summary = _status(github_emulator, monkeypatch, tmp_path, run_id)
    assert code == 0
    assert "false" in outputs.split("status-page", 1)[1].splitlines()[1]
    assert "| Job worker (worker) | - | none open | failure |" in summary
