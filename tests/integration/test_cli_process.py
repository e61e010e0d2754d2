"""Every command explains itself with an example."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.processes import finished


def test_python_dash_m_runs_the_cli() -> None:
    """`python -m ops_actions --help` works like the console script."""
    result = finished([sys.executable, "-m", "ops_actions", "--help"])
    assert result.returncode == 0
    assert "Usage: " in result.stdout
    assert "playbook" in result.stdout


@pytest.mark.parametrize(
    "argv", [["--help"], ["triage", "--help"], ["playbook", "validate"], ["playbook", "render"]]
)
def test_playbook_and_triage_commands_do_not_import_pygithub(argv: list[str]) -> None:
    """PyGithub (slow to import) stays out of the commands that never talk to GitHub."""
    code = (
        "import sys\n"
        "from ops_actions.cli import run\n"
        f"run({argv!r})\n"
        "assert 'github' not in sys.modules, 'PyGithub was imported'\n"
    )
    result = finished([sys.executable, "-c", code])
    assert result.returncode == 0, result.stderr


def test_a_legacy_code_page_prints_replacements_instead_of_failing(tmp_path: Path) -> None:
    """With stdout in cp1252 (a Windows pipe), characters it lacks become '?', and the command succeeds."""
    result = subprocess.run(
        [sys.executable, "-m", "ops_actions", "demo", "--fast", "--output", str(tmp_path / "out")],
        capture_output=True,
        check=False,
        timeout=120,
        env={**os.environ, "PYTHONIOENCODING": "cp1252"},
    )
    assert result.returncode == 0, result.stderr.decode("cp1252", "replace")
    assert b"SEV-2 ? none" in result.stdout
