"""Shared fixtures: real local servers the tests talk HTTP to."""

import os

pytest_plugins = [
    "tests.fixtures.act",
    "tests.fixtures.backend",
    "tests.fixtures.github",
    "tests.fixtures.world",
]

# Writes to GitHub are paced 1 s apart by default (GitHub's secondary limits); the emulator has no
# such limit, so the CLI the tests run (in-process or as a child) sends them at once. The pacing
# itself is tested on a simulated clock (tests/test_pacing.py).
os.environ["OPS_GITHUB_WRITE_INTERVAL_S"] = "0"
