"""Which playbook a command runs: this repository's ``playbook.yaml`` (the package's bundled copy is the
same bytes), ``OPS_PLAYBOOK`` everywhere, a near-miss name stops instead of falling back to the seed,
and every command names the file and its hash first (and in the job summary)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ops_actions.cli import run
from ops_actions.sandbox.backend import SandboxBackend
from ops_actions.sandbox.github import GitHubEmulator
from tests.support.fixtures.backend import ADMIN_TOKEN
from tests.support.paths import PLAYBOOK
from tests.support.playbooks import playbook_header


def test_every_command_names_the_playbook_and_its_hash_first_and_in_the_job_summary(
    backend: SandboxBackend,
    github_env: GitHubEmulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The first line on stderr (stdout stays the command's own: JSON stays JSON) and the summary."""
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("OPS_BACKEND_ADMIN_TOKEN", ADMIN_TOKEN)
    expected = playbook_header("playbook.yaml", PLAYBOOK.read_bytes())
    written = ["--report-dir", str(tmp_path / "r"), "--history-file", str(tmp_path / "s.json")]
    commands = [
        ["playbook", "validate"],
        ["playbook", "render"],
        ["triage", "--json", "--backend-url", backend.url, *written],
        ["incident", "open", "--title", "Checkout failing", "--severity", "2", "--dry-run"],
        ["postmortem", "remind"],
        ["report", "--json"],
    ]
    for command in commands:
        summary.unlink(missing_ok=True)
        assert run(command) == 0, command
        captured = capsys.readouterr()
        assert captured.err.splitlines()[0] == expected, command
        assert f"Playbook: playbook.yaml, sha256 `{expected[-12:]}`" in summary.read_text(encoding="utf-8")
        if "--json" in command:
            json.loads(captured.out)
