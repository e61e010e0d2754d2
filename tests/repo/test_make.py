"""`make` on a newcomer's machine: a .venv made by another Python is rebuilt, not half used, and
`make test` says how to get Node.js and npm before it starts anything."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import REPO_ROOT
from tests.support.processes import finished

MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def checkout(tmp_path: Path, python: str) -> Path:
    """The Makefile and the lock beside a .venv whose python is ``python`` (a script), built and
    synced after the lock changed last (so nothing needs doing when the Python is the same)."""
    (tmp_path / "Makefile").write_bytes((REPO_ROOT / "Makefile").read_bytes())
    for name in ("pyproject.toml", "uv.lock"):
        (tmp_path / name).write_text("", encoding="utf-8")
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    fake = bin_dir / "python"
    fake.write_text(python, encoding="utf-8")
    fake.chmod(0o755)
    for name in ("uv", "ops-actions"):
        (bin_dir / name).write_text("", encoding="utf-8")
    later = (tmp_path / "uv.lock").stat().st_mtime + 10
    for stamp in (bin_dir / "uv", tmp_path / ".venv" / ".runtime", tmp_path / ".venv" / ".dev"):
        stamp.touch()
        os.utime(stamp, (later, later))
    return tmp_path


# The venv's python: the real interpreter's version for `-c`, else it only says what it was asked.
SAME = f'#!/bin/sh\nif [ "$1" = -c ]; then exec "{sys.executable}" "$@"; fi\necho "python $*"\n'


def make(folder: Path, *args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": path if path is not None else os.environ["PATH"]}
    assert MAKE is not None
    return finished([MAKE, "--no-print-directory", f"PYTHON={sys.executable}", *args], cwd=folder, env=env)


def test_a_venv_of_the_same_python_is_used_as_it_is(tmp_path: Path) -> None:
    folder = checkout(tmp_path, SAME)
    done = make(folder, "-n", "demo", "SCENARIO=db-down")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [".venv/bin/ops-actions demo --scenario db-down"]
    done = make(folder, "-n", "demo", "SERVICES=1")
    assert done.stdout.splitlines() == [".venv/bin/ops-actions demo --services"]


@pytest.mark.parametrize(
    ("python", "said"),
    [
        ('#!/bin/sh\necho "2.7"\n', "Python 2.7"),
        ("#!/nonexistent/python3.9\n", "a Python that no longer runs"),
    ],
)
def test_a_venv_made_by_another_python_is_rebuilt(tmp_path: Path, python: str, said: str) -> None:
    folder = checkout(tmp_path, python)
    done = make(folder, "-n", "demo")
    assert done.returncode == 0, done.stderr
    wanted = f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert done.stdout.splitlines()[:3] == [
        f".venv was made by {said}; rebuilding it with {sys.executable} {wanted} (or run make clean)",
        "rm -rf .venv",
        f"{sys.executable} -m venv .venv",
    ]
    assert ".venv/bin/ops-actions demo" in done.stdout
    assert "rebuilding" not in make(folder, "-n", "clean").stdout


def test_make_test_checks_for_node_and_npm_before_it_starts(tmp_path: Path) -> None:
    folder = checkout(tmp_path, SAME)
    empty = tmp_path / "no-tools"
    empty.mkdir()
    done = make(folder, "test", path=str(empty))
    assert done.returncode != 0
    assert "make test needs Node.js and npm" in done.stderr
    assert "https://nodejs.org/" in done.stderr
    assert "python -m pytest" not in done.stdout, "nothing started"
    tools = tmp_path / "tools"
    tools.mkdir()
    for name in ("node", "npm"):
        (tools / name).write_text("#!/bin/sh\n", encoding="utf-8")
        (tools / name).chmod(0o755)
    done = make(folder, "test", path=str(tools))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "python -m pytest"
