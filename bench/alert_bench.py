"""How fast an alert becomes an incident: from `ops-actions alert` starting to the issue existing.

Run: .venv/bin/python bench/alert_bench.py
Target (issue 8): <= 1 s, not counting the triage probes' own latency (reported apart).
The CLI runs as a separate process, as in a workflow step, against the sandbox backend and
the GitHub emulator on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ops_actions.sandbox.backend import SandboxBackend
from ops_actions.sandbox.github import Exchange, GitHubEmulator

REPO = "octo-org/backend"
TOKEN = "bench-token-0123456789abcdef"
ADMIN = "bench-admin-token-0123456789"
ROOT = Path(__file__).resolve().parent.parent


def once(emulator: GitHubEmulator, backend: SandboxBackend, scratch: Path, run: int) -> tuple[float, float]:
    """Seconds from process start to the issue's creation, and the slowest probe's latency."""
    created: list[float] = []

    def listen(exchange: Exchange) -> None:
        if exchange.method == "POST" and exchange.path.endswith("/issues") and exchange.status == 201:
            created.append(time.perf_counter())

    emulator.add_listener(listen)
    event = scratch / f"event-{run}.json"
    payload = {
        "title": f"Checkout 502 #{run}",
        "severity": "critical",
        "dedupe_key": f"k{run}",
        "status": "firing",
    }
    event.write_text(json.dumps({"action": "ops-alert", "client_payload": payload}), encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "GITHUB_API_URL": emulator.url,
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_RUN_ID": str(run),
        "GITHUB_EVENT_PATH": str(event),
        "OPS_BACKEND_URL": backend.url,
        "OPS_BACKEND_ADMIN_TOKEN": ADMIN,
    }
    reports = scratch / f"reports-{run}"
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "ops_actions",
            "alert",
            "--report-dir",
            str(reports),
            "--history-file",
            str(scratch / f"s{run}.json"),
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    emulator.remove_listener(listen)
    (report,) = reports.glob("*.json")
    probes = json.loads(report.read_text(encoding="utf-8"))["probes"]
    return created[0] - started, max(p["latency_ms"] for p in probes) / 1000


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch, SandboxBackend(admin_token=ADMIN) as backend:
        results = []
        for run in range(5):
            with GitHubEmulator(repo=REPO, token=TOKEN) as emulator:
                results.append(once(emulator, backend, Path(scratch), run))
    for index, (total, probes) in enumerate(results):
        print(
            f"run {index}: issue created {total:.3f} s after start; probes {probes:.3f} s; "
            f"without probes {total - probes:.3f} s"
        )
    best = min(total - probes for total, probes in results)
    median = sorted(total - probes for total, probes in results)[len(results) // 2]
    print(
        f"alert -> issue, excluding probe latency: median {median:.3f} s, best {best:.3f} s (target <= 1 s)"
    )


if __name__ == "__main__":
    main()
