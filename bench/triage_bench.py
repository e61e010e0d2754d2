"""Triage speed against the sandbox backend, printed as figures measured side by side in one run.

Run: .venv/bin/python bench/triage_bench.py
Targets: 7 probes of 200 ms take <= 1.3 x the slowest probe; 100 probes of 50 ms take < 1.5 s
(issue 3); query evaluation adds < 5 % to a 100-probe triage's CPU (issue 19); a rule whose branch
fetches a diagnostic costs <= 1.1 D through a delay D on every request (issue 18). How fast the CLI
starts is bench/startup_bench.py's.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from datetime import UTC, datetime

from ops_actions.incident.triage_report import ProbeResult
from ops_actions.playbook import Playbook, bundled_playbook_text, parse_playbook
from ops_actions.playbook.model import Probe
from ops_actions.sandbox.backend import SandboxBackend
from ops_actions.triage.engine import triage
from ops_actions.triage.probes import run_probes

TOKEN = "bench-admin-token-0123456789"
CREDENTIALS = {"OPS_BACKEND_ADMIN_TOKEN": TOKEN}
# The seed's paths, all of which a delay slows in the firing-branch case.
SEED_PATHS = ("/api/ready", "/api/ops/metrics", "/api/ops/webhook-events", "/api/ops/dead-letters")
# What each of the 100 probes of the query benchmark reads from the messaging API's stats.
STATS_SIGNALS = (
    "{name: pending_N, field: deliveries.pending, type: count}",
    "{name: failed_N, field: 'deliveries.\"failed-last-hour\"', type: count}",
    "{name: webhooks_N, field: '\"webhook-failures\"', type: count}",
    "{name: degraded_N, field: \"length(providers[?state!='up'])\", type: count}",
    "{name: relay_N, field: \"providers[?name=='smtp-relay'].state | [0]\", type: text}",
    "{name: first_N, field: 'providers[0].\"error-rate\"', type: number}",
)


def with_probes(probes: str) -> str:
    """The bundled playbook with ``probes`` put before its own (whose signals its rules name)."""
    text = bundled_playbook_text()
    head, rest = text.split("probes:\n", 1)
    return head + "probes:\n" + probes + rest


def sleepy_playbook(count: int, delay_ms: int) -> str:
    """The bundled playbook plus ``count`` probes of the sandbox's sleep route."""
    return with_probes(
        "".join(
            f"  - id: sleep{i}\n    path: /_sandbox/sleep?ms={delay_ms}\n    timeout_s: 10\n"
            f"    signals:\n      - {{name: sleep{i}_ok, source: status_ok}}\n"
            for i in range(count)
        )
    )


def stats_playbook(count: int) -> Playbook:
    """The bundled playbook plus ``count`` X-API-Key probes of /v1/stats, six JMESPath queries each."""
    probes = "".join(
        f"  - id: stats{i}\n    path: /v1/stats?copy={i}\n    auth: {{kind: header, header: X-API-Key}}\n"
        "    signals:\n" + "".join(f"      - {signal.replace('_N', f'_{i}')}\n" for signal in STATS_SIGNALS)
        for i in range(count)
    )
    return parse_playbook(with_probes(probes), source="bench")


def measure(backend: SandboxBackend, count: int, delay_ms: int) -> tuple[float, float]:
    """Wall time of one round of ``count`` sleep probes, and the slowest probe's own latency (ms)."""
    playbook = parse_playbook(sleepy_playbook(count, delay_ms), source="bench")
    sleepers = [p for p in playbook.probes if p.id.startswith("sleep")]
    started = time.perf_counter()
    results = run_probes(
        sleepers, base_url=backend.url, credentials=CREDENTIALS, concurrency=playbook.probe_concurrency
    )
    wall_ms = (time.perf_counter() - started) * 1000
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    return wall_ms, max(r.latency_ms for r in results)


def run_triage(playbook: Playbook, url: str, rounds: list[int] | None = None) -> float:
    """Wall time (ms) of a whole triage: probes, rules, diagnostics; ``rounds`` counts its batches."""
    credentials = {playbook.admin_token_env: TOKEN}

    def send(batch: Sequence[Probe]) -> list[ProbeResult]:
        if rounds is not None:
            rounds.append(len(batch))
        return run_probes(
            batch, base_url=url, credentials=credentials, concurrency=playbook.probe_concurrency
        )

    started = time.perf_counter()
    report = triage(
        playbook,
        send=send,
        clock=lambda: datetime.now(UTC),
        history=[],
        backend_url=url,
        playbook_path="bench",
        playbook_sha256="0" * 64,
    )
    assert report.backend_reachable
    return (time.perf_counter() - started) * 1000


def query_share() -> None:
    """CPU of a whole 100-probe triage (this thread runs the event loop and the engine; the sandbox
    serves from its own threads) beside the CPU of evaluating its 600 queries on the same answers."""
    playbook = stats_playbook(100)
    stats = [probe for probe in playbook.probes if probe.id.startswith("stats")]
    with SandboxBackend(api="messaging", admin_token=TOKEN) as backend:
        credentials = {playbook.admin_token_env: TOKEN}
        answers = run_probes(
            stats, base_url=backend.url, credentials=credentials, concurrency=playbook.probe_concurrency
        )
        bodies = [(probe, result.body) for probe, result in zip(stats, answers, strict=True)]
        assert all(body for _, body in bodies)
        triage_cpu, query_cpu = [], []
        for _ in range(5):
            before = time.thread_time()
            run_triage(playbook, backend.url)
            triage_cpu.append(time.thread_time() - before)
            before = time.thread_time()
            for _ in range(20):
                for probe, body in bodies:
                    for spec in probe.signals:
                        assert spec.field is not None
                        spec.field.search(body)
            query_cpu.append((time.thread_time() - before) / 20)
    cpu, queries = statistics.median(triage_cpu), statistics.median(query_cpu)
    count = sum(len(probe.signals) for probe in stats)
    print(
        f"100-probe triage: {cpu * 1000:.0f} ms CPU; its {count} JMESPath queries: {queries * 1000:.2f} ms,"
    )
    print(f"  ratio {queries / cpu:.3f} of the triage's CPU (target < 0.05)")


def firing_branch(delay_s: float) -> None:
    """A rule whose branch fetches a diagnostic, through a delay D on every request: with the bundled
    playbook's prefetch, and without it, each against the same run without the delay."""
    prefetched = parse_playbook(bundled_playbook_text(), source="bench")
    two_rounds = parse_playbook(bundled_playbook_text().replace("    prefetch: true\n", ""), source="bench")
    added: dict[str, list[float]] = {"prefetch": [], "no prefetch": []}
    with SandboxBackend(admin_token=TOKEN, scenario="webhook-failing") as backend:
        run_triage(prefetched, backend.url)  # warm up
        for _ in range(3):
            for name, playbook in (("prefetch", prefetched), ("no prefetch", two_rounds)):
                backend.clear_faults()
                plain = run_triage(playbook, backend.url)
                for path in SEED_PATHS:
                    backend.add_fault(path, "delay", value=delay_s, times=100)
                rounds: list[int] = []
                slowed = run_triage(playbook, backend.url, rounds)
                added[name].append((slowed - plain) / 1000 / delay_s)
                expected = 1 if name == "prefetch" else 2
                assert len(rounds) == expected, (name, rounds)
    for name, ratios in added.items():
        target = " (target <= 1.1)" if name == "prefetch" else " (for comparison)"
        print(f"branch A fires, delay D = {delay_s:g} s on every request, {name}: ", end="")
        print(f"adds {statistics.median(ratios):.2f} D{target}")


def main() -> None:
    with SandboxBackend(admin_token=TOKEN, scenario="job-regression") as backend:
        run_probes(
            [], base_url=backend.url, credentials=CREDENTIALS, concurrency=1
        )  # warm the event loop machinery
        wall, slowest = measure(backend, 7, 200)
        ratio = wall / slowest
        print(f"7 probes x 200 ms: wall {wall:.0f} ms, slowest probe {slowest:.0f} ms,", end=" ")
        print(f"ratio {ratio:.2f} (target <= 1.3)")
        wall100, _ = measure(backend, 100, 50)
        print(f"100 probes x 50 ms: wall {wall100:.0f} ms (target < 1500 ms)")
        seed = parse_playbook(bundled_playbook_text(), source="bench")
        print(
            f"full triage, bundled playbook, job-regression scenario: {run_triage(seed, backend.url):.0f} ms"
        )
    query_share()
    firing_branch(0.3)


if __name__ == "__main__":
    main()
