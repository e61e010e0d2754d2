"""Shared fixtures: real local servers the tests talk HTTP to."""

import atexit
import os
import shutil
import tempfile

import pytest

# Helpers in tests/support/ assert too: rewrite them as pytest does test files, for detailed messages.
pytest.register_assert_rewrite("tests.support")

pytest_plugins = [
    "tests.support.fixtures.act",
    "tests.support.fixtures.backend",
    "tests.support.fixtures.github",
    "tests.support.fixtures.receiver",
    "tests.support.fixtures.world",
]

# Writes to GitHub are paced 1 s apart by default (GitHub's secondary limits); the emulator has no
# such limit, so the CLI the tests run (in-process or as a child) sends them at once. The pacing
# itself is tested on a simulated clock (tests/integration/test_pacing.py).
os.environ["OPS_GITHUB_WRITE_INTERVAL_S"] = "0"

# Which playbooks passed the schema check is remembered in a cache folder: the tests' own one,
# never the user's (a child process and act's workflows get it through the environment).
os.environ["OPS_ACTIONS_CACHE_DIR"] = tempfile.mkdtemp(prefix="ops-actions-cache-")
atexit.register(shutil.rmtree, os.environ["OPS_ACTIONS_CACHE_DIR"], ignore_errors=True)
