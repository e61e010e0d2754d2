"""How fast the CLI starts: process CPU of a few commands as a multiple of ``python -c pass``.

Run: .venv/bin/python bench/startup_bench.py
Goal (issue 18): ``ops-actions --help`` <= 3x ``python -c pass``; a quiet ``watch`` tick (one GitHub
request: the open incidents, none) <= 0.4 s of CPU.

Every command runs as its own process, the way a workflow step starts it: the console script of an
environment installed by the action's own install step (runtime dependencies only, byte-compiled),
interleaved with that environment's ``python -c pass`` round by round so a busy machine slows both
alike; each figure is the median of the rounds. ``playbook validate`` and
``watch`` are also measured with an empty cache folder (a changed playbook, or a hosted runner's
fresh job: the schema is checked), beside the usual case (the playbook was checked before).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from ops_actions.incident.clock import iso
from ops_actions.sandbox.backend import SandboxBackend
from ops_actions.sandbox.github import GitHubEmulator
from ops_actions.triage.history import WatchHistory, save_history

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.act_harness import copy_checkout, install_step  # noqa: E402  (the action's own step)

ROUNDS = 11
REPO = "octo-org/backend"
TOKEN = "bench-token-0123456789abcdef"
ADMIN = "bench-admin-token-0123456789"


def children_cpu() -> float:
    """User + system CPU of the finished child processes so far (getrusage counts microseconds,
    os.times clock ticks: Windows has only the latter)."""
    try:
        import resource
    except ImportError:
        times = os.times()
        return times.children_user + times.children_system
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu_seconds(argv: Sequence[str], env: Mapping[str, str]) -> float:
    """User + system CPU of one process run to its end."""
    before = children_cpu()
    subprocess.run(argv, env=dict(env), capture_output=True, check=True)
    return children_cpu() - before


def main() -> None:
    with (
        tempfile.TemporaryDirectory() as scratch,
        SandboxBackend(admin_token=ADMIN, scenario="healthy") as backend,
        GitHubEmulator(repo=REPO, token=TOKEN) as emulator,
    ):
        action = Path(scratch, "action")
        copy_checkout(action)
        install_step(action)
        python, cli = str(action / ".venv" / "bin" / "python"), str(action / ".venv" / "bin" / "ops-actions")
        state = Path(scratch, "state.json")  # the reminders ran a minute ago: this tick only triages
        env = {
            **os.environ,
            "GITHUB_API_URL": emulator.url,
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_TOKEN": TOKEN,
            "OPS_BACKEND_URL": backend.url,
            "OPS_BACKEND_ADMIN_TOKEN": ADMIN,
            "OPS_ACTIONS_CACHE_DIR": str(Path(scratch, "cache")),
        }
        watch = [cli, "watch", "--history-file", str(state), "--report-dir", str(Path(scratch, "reports"))]
        # name: (command, whether it starts with an empty cache, as a hosted runner's job does)
        cases: dict[str, tuple[list[str], bool]] = {
            "python -c pass": ([python, "-c", "pass"], False),
            # A development venv starts slower: its .pth files (the editable install, setuptools').
            "python -c pass (the development venv)": ([sys.executable, "-c", "pass"], False),
            "ops-actions --help": ([cli, "--help"], False),
            "ops-actions triage --help": ([cli, "triage", "--help"], False),
            "ops-actions playbook validate (a changed playbook)": ([cli, "playbook", "validate"], True),
            "ops-actions playbook validate (checked before)": ([cli, "playbook", "validate"], False),
            "ops-actions watch, one GitHub request (empty cache)": (watch, True),
            "ops-actions watch, one GitHub request": (watch, False),
        }
        spent: dict[str, list[float]] = {name: [] for name in cases}
        requests = []
        for round_ in range(ROUNDS + 1):  # the first round warms the file cache, and is not counted
            save_history(state, WatchHistory(postmortems_checked_at=iso(datetime.now(UTC))))
            for index, (name, (argv, empty)) in enumerate(cases.items()):
                emulator.reset_log()
                fresh = {"OPS_ACTIONS_CACHE_DIR": str(Path(scratch, f"empty-{round_}-{index}"))}
                cpu = cpu_seconds(argv, {**env, **fresh} if empty else env)
                if round_ == 0:
                    continue
                spent[name].append(cpu)
                if argv is watch:
                    requests.append(len(emulator.requests))
    assert set(requests) == {1}, f"the watch tick sent {requests} GitHub requests, not 1"
    base = statistics.median(spent["python -c pass"])
    print(f"process CPU, median of {ROUNDS} interleaved rounds:")
    for name, values in spent.items():
        cpu = statistics.median(values)
        print(f"  {name}: {cpu * 1000:.0f} ms = {cpu / base:.1f}x python -c pass")
    helped = statistics.median(spent["ops-actions --help"]) / base
    dev = statistics.median(spent["ops-actions --help"]) / statistics.median(
        spent["python -c pass (the development venv)"]
    )
    tick = statistics.median(spent["ops-actions watch, one GitHub request"])
    print(
        f"--help: {helped:.1f}x the action environment's python -c pass, {dev:.1f}x the development "
        f"venv's (goal <= 3x); watch tick: {tick:.2f} s CPU (goal <= 0.4 s)"
    )


if __name__ == "__main__":
    main()
