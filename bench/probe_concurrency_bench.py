"""Triage CPU against the number of probes, with the probes' concurrency bounded (the playbook's
``triage.max_concurrent_probes``) beside unbounded (every probe at once), measured side by side in one run.

Run: .venv/bin/python bench/probe_concurrency_bench.py
Target (issue 27): at the bounded default, 300 probes cost <= 3.5 x the CPU of 100.
The CPU is this thread's (the event loop and the probes' parsing); the sandbox serves from its own threads.
"""

from __future__ import annotations

import statistics
import time

from ops_actions.playbook import Playbook, bundled_playbook_text, parse_playbook
from ops_actions.sandbox.backend import SandboxBackend
from ops_actions.triage.probes import run_probes

TOKEN = "bench-admin-token-0123456789"
COUNTS = (100, 300, 1000)
ROUNDS = 3


def playbook_of(count: int) -> Playbook:
    """The bundled playbook with ``count`` readiness probes put before its own."""
    head, rest = bundled_playbook_text().split("probes:\n", 1)
    extra = "".join(
        f"  - id: ready{i}\n    path: /api/ready?copy={i}\n    signals:\n"
        f"      - {{name: ready{i}_ok, source: status_ok}}\n"
        for i in range(count)
    )
    return parse_playbook(head + "probes:\n" + extra + rest, source="bench")


def cpu_of(backend: SandboxBackend, playbook: Playbook, concurrency: int) -> tuple[float, int]:
    """This thread's CPU seconds for one round of the playbook's added probes (median of ROUNDS), and
    how many probes failed over all rounds (all at once, a thousand connections can time out)."""
    probes = [probe for probe in playbook.probes if probe.id.startswith("ready") and probe.id != "ready"]
    spent, failed = [], 0
    for _ in range(ROUNDS):
        before = time.thread_time()
        results = run_probes(probes, base_url=backend.url, credentials={}, concurrency=concurrency)
        spent.append(time.thread_time() - before)
        failed += sum(not result.ok for result in results)
    return statistics.median(spent), failed


ProbeRows = dict[int, tuple[tuple[float, int], tuple[float, int]]]
"""Per probe count: (CPU seconds, failed probes) all at once, and bounded."""


def measure(counts: tuple[int, ...] = COUNTS) -> tuple[int, ProbeRows]:
    """The bounded default and, per probe count, its CPU all at once beside bounded."""
    with SandboxBackend(admin_token=TOKEN) as backend:
        playbooks = {count: playbook_of(count) for count in counts}
        default = playbooks[counts[0]].probe_concurrency
        cpu_of(backend, playbooks[counts[0]], default)  # warm up
        rows = {
            count: (cpu_of(backend, playbook, count), cpu_of(backend, playbook, default))
            for count, playbook in playbooks.items()
        }
    return default, rows


def table(default: int, rows: ProbeRows) -> list[str]:
    """The Markdown table of :func:`measure`, and the 300-against-100 line."""
    first = min(rows)
    (base_all, _), (base_bounded, _) = rows[first]
    lines = [
        f"| probes | CPU, all at once | CPU, at most {default} at once | x of {first}, at once "
        f"| x of {first}, bounded | failed, at once | failed, bounded |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for count, ((at_once, failed_at_once), (bounded, failed_bounded)) in rows.items():
        lines.append(
            f"| {count} | {at_once * 1000:.0f} ms | {bounded * 1000:.0f} ms | {at_once / base_all:.2f} "
            f"| {bounded / base_bounded:.2f} | {failed_at_once} | {failed_bounded} |"
        )
    if 300 in rows and first == 100:
        lines.append("")
        lines.append(f"300 vs 100 probes, bounded: {rows[300][1][0] / base_bounded:.2f} x (target <= 3.5)")
    return lines


def main() -> None:
    print("\n".join(table(*measure())))


if __name__ == "__main__":
    main()
