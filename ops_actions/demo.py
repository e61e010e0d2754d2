"""The offline demo: the embedded sandbox backend plays an outage, ops-actions triages it."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from ops_actions.playbook import Playbook
from ops_actions.probes import run_probes
from ops_actions.render import triage_text
from ops_actions.sandbox.backend import SandboxBackend
from ops_actions.state import load_state, save_state
from ops_actions.triage import TriageReport, snapshot_of, triage, write_report

DEMO_TOKEN = "demo-admin-token-not-a-secret"  # noqa: S105 - the sandbox's own token, guards nothing


def run_demo(
    playbook: Playbook,
    *,
    playbook_path: str,
    playbook_sha256: str,
    scenario: str,
    output: Path,
    say: Callable[[str], None],
) -> list[TriageReport]:
    """Triage the sandbox healthy, then in the failure scenario; reports go under ``output``."""
    reports = []
    with SandboxBackend(admin_token=DEMO_TOKEN) as backend, tempfile.TemporaryDirectory() as scratch:
        state_file = Path(scratch) / "state.json"
        for phase in ("healthy", scenario):
            backend.set_scenario(phase)
            say(f"== The sandbox backend plays '{phase}'; ops-actions triages it ==")
            local, _ = load_state(state_file)
            report = triage(
                playbook,
                send=lambda batch: run_probes(batch, base_url=backend.url, admin_token=DEMO_TOKEN),
                clock=lambda: datetime.now(UTC),
                history=local.snapshots,
                backend_url=backend.url,
                playbook_path=playbook_path,
                playbook_sha256=playbook_sha256,
            )
            local.snapshots.append(snapshot_of(report))
            save_state(state_file, local)
            path = write_report(report, output / "reports", now=datetime.now(UTC))
            say(triage_text(playbook, report, str(path)))
            reports.append(report)
    return reports
