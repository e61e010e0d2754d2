"""Running a command from a test to its end, with its output captured as text.

The one time limit is for a command that would never end: a test waits for a slow machine (the
suite must pass on a loaded one) but never for ever.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

# Far beyond what any command of the suite needs on a loaded machine; only a hang reaches it.
HANG_S = 900


def finished(
    command: Sequence[str],
    *,
    cwd: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` to its end; its exit code is the caller's to assert."""
    return subprocess.run(
        command, cwd=cwd, env=env, input=input, capture_output=True, text=True, timeout=HANG_S, check=False
    )
