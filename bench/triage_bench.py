"""Triage speed against the sandbox backend: concurrency and CLI start-up, printed as figures.

Run: .venv/bin/python bench/triage_bench.py
Targets (issue 3): 7 probes of 200 ms take <= 1.3 x the slowest probe; 100 probes of 50 ms take
< 1.5 s; `ops-actions --help` and `ops-actions triage --help` take <= 0.25 s of process time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime

from ops_actions.playbook import bundled_playbook_text, parse_playbook
from ops_actions.sandbox.backend import SandboxBackend
from ops_actions.triage.engine import triage
from ops_actions.triage.probes import run_probes

TOKEN = "bench-admin-token-0123456789"


def sleepy_playbook(count: int, delay_ms: int) -> str:
    """The bundled playbook with its probes replaced by ``count`` probes of the sandbox's sleep route."""
    text = bundled_playbook_text()
    head, rest = text.split("probes:\n", 1)
    tail = rest[rest.index("\n# Rules are evaluated") :]
    probes = "".join(
        f"  - id: sleep{i}\n    path: /_sandbox/sleep?ms={delay_ms}\n    timeout_s: 10\n"
        f"    signals:\n      - {{name: sleep{i}_ok, source: status_ok}}\n"
        for i in range(count)
    )
    # Rules and steps name the seed's signals; give them one probe so the playbook stays valid.
    seed_probes = rest[: rest.index("\n# Rules are evaluated")]
    return head + "probes:\n" + probes + seed_probes + tail


def measure(backend: SandboxBackend, count: int, delay_ms: int) -> tuple[float, float]:
    """Wall time of one triage of ``count`` sleep probes, and the slowest probe's own latency (ms)."""
    playbook = parse_playbook(sleepy_playbook(count, delay_ms), source="bench")
    sleepers = [p for p in playbook.probes if p.id.startswith("sleep")]
    started = time.perf_counter()
    results = run_probes(sleepers, base_url=backend.url, admin_token=TOKEN)
    wall_ms = (time.perf_counter() - started) * 1000
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    return wall_ms, max(r.latency_ms for r in results)


def full_triage_ms(backend: SandboxBackend) -> float:
    """Wall time of a whole triage (probes, rules, diagnostics) with the bundled playbook."""
    playbook = parse_playbook(bundled_playbook_text(), source="bench")
    started = time.perf_counter()
    triage(
        playbook,
        send=lambda batch: run_probes(batch, base_url=backend.url, admin_token=TOKEN),
        clock=lambda: datetime.now(UTC),
        history=[],
        backend_url=backend.url,
        playbook_path="bench",
        playbook_sha256="0" * 64,
    )
    return (time.perf_counter() - started) * 1000


def cli_seconds(*args: str) -> float:
    """Best-of-5 process time (user + system) of an ops-actions call."""
    best = float("inf")
    for _ in range(5):
        before = os.times()
        subprocess.run([sys.executable, "-m", "ops_actions", *args], capture_output=True, check=True)
        after = os.times()
        best = min(
            best,
            (after.children_user - before.children_user) + (after.children_system - before.children_system),
        )
    return best


def main() -> None:
    with SandboxBackend(admin_token=TOKEN, scenario="job-regression") as backend:
        run_probes([], base_url=backend.url, admin_token=TOKEN)  # warm the event loop machinery
        wall, slowest = measure(backend, 7, 200)
        ratio = wall / slowest
        print(f"7 probes x 200 ms: wall {wall:.0f} ms, slowest probe {slowest:.0f} ms,", end=" ")
        print(f"ratio {ratio:.2f} (target <= 1.3)")
        wall100, _ = measure(backend, 100, 50)
        print(f"100 probes x 50 ms: wall {wall100:.0f} ms (target < 1500 ms)")
        print(f"full triage, bundled playbook, job-regression scenario: {full_triage_ms(backend):.0f} ms")
    for args in (("--help",), ("triage", "--help")):
        print(f"ops-actions {' '.join(args)}: {cli_seconds(*args):.3f} s process time (target <= 0.25 s)")


if __name__ == "__main__":
    main()
