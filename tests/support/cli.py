"""Running the CLI from tests: several processes at once, and what it says on stderr."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support.paths import REPO_ROOT
from tests.support.processes import HANG_S

# `incident open` for the SEV-1 several tests start from: card payments failing at checkout.
OPEN_CHECKOUT_SEV1 = (
    "incident",
    "open",
    "--title",
    "Checkout failing",
    "--severity",
    "1",
    "--impact",
    "All card payments",
)


def together(runs: list[tuple[list[str], dict[str, str]]]) -> list[subprocess.CompletedProcess[str]]:
    """Start the CLI invocations as separate processes at once and wait for all."""
    processes = []
    for args, extra in runs:
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), **extra}
        env.pop("GITHUB_ACTIONS", None)
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "ops_actions", *args],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    results = []
    for process in processes:
        out, err = process.communicate(timeout=HANG_S)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


def error_lines(err: str) -> list[str]:
    """What stderr says besides the command's first line, which names the playbook."""
    return [line for line in err.splitlines() if line and not line.startswith("playbook: ")]


def error_line(capsys: pytest.CaptureFixture[str]) -> str:
    """The one line the CLI printed on stderr besides its first, which names the playbook."""
    (line,) = error_lines(capsys.readouterr().err)
    return line
