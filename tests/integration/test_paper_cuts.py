"""What a newcomer trips over first: tokens echoed outside Actions, dry runs that do not say so (or
write local files), `--fail-on 2`, a port in use, `--repo octo-org`, and status lines with a double
period or "Next update in n/a min"."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from ops_actions.cli import run
from ops_actions.sandbox.backend import SandboxBackend
from ops_actions.sandbox.github import GitHubEmulator
from tests.support.fixtures.backend import ADMIN_TOKEN
from tests.support.fixtures.github import GITHUB_TOKEN
from tests.support.paths import PLAYBOOK
from tests.support.processes import finished


@pytest.mark.parametrize("actions", [None, "false", "true"])
def test_action_masks_tokens_only_inside_actions(
    actions: str | None,
    github_env: GitHubEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`ops-actions action` on a laptop prints no `::add-mask::` line, so no token reaches the terminal;
    inside Actions it masks both tokens first."""
    if actions is None:
        monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    else:
        monkeypatch.setenv("GITHUB_ACTIONS", actions)
    monkeypatch.setenv("OPS_BACKEND_ADMIN_TOKEN", ADMIN_TOKEN)
    monkeypatch.setenv("OPS_COMMAND", "incident open")
    monkeypatch.setenv("OPS_ARGS", "--title 'Queue stuck' --severity 2 --dry-run")
    assert run(["action"]) == 0
    captured = capsys.readouterr()
    printed = captured.out + captured.err
    if actions == "true":
        assert f"::add-mask::{GITHUB_TOKEN}" in printed and f"::add-mask::{ADMIN_TOKEN}" in printed
        printed = "\n".join(line for line in printed.splitlines() if not line.startswith("::add-mask::"))
    else:
        assert "::add-mask::" not in printed
    assert GITHUB_TOKEN not in printed and ADMIN_TOKEN not in printed
    assert github_env.issues() == []


def test_a_dry_run_writes_nothing_and_says_so_last(
    github_env: GitHubEmulator,
    backend: SandboxBackend,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Nothing on GitHub, no report and no triage snapshot (it would change the next run's trends)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPS_PLAYBOOK", str(PLAYBOOK))
    monkeypatch.setenv("OPS_BACKEND_ADMIN_TOKEN", ADMIN_TOKEN)
    backend.set_scenario("db-down")
    commands = [
        ["incident", "open", "--title", "Checkout failing", "--severity", "1", "--dry-run"],
        ["watch", "--backend-url", backend.url, "--dry-run"],
        ["send-alert", "--title", "Checkout 5xx", "--severity", "critical", "--dry-run"],
    ]
    for command in commands:
        assert run(command) == 0, command
        out = capsys.readouterr().out
        assert out.rstrip("\n").splitlines()[-1] == "dry run: nothing was written", command
    assert github_env.issues() == [] and github_env.repository_dispatches() == []
    assert sorted(path.name for path in tmp_path.iterdir()) == [], "no report folder, no state file"
    assert run(["incident", "open", "--title", "Checkout failing", "--severity", "1"]) == 0
    assert "nothing was written" not in capsys.readouterr().out


def test_fail_on_takes_a_severity_the_way_severity_does(
    backend: SandboxBackend,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--fail-on 2`, `sev-2` and `SEV-2` mean one thing, as for `incident open --severity`."""
    monkeypatch.setenv("OPS_BACKEND_ADMIN_TOKEN", ADMIN_TOKEN)
    backend.set_scenario("worker-stalled")
    common = ["triage", "--backend-url", backend.url, "--report-dir", str(tmp_path), "--history-file"]
    for index, given in enumerate(("2", "sev-2", "SEV-2")):
        assert run([*common, str(tmp_path / f"s{index}.json"), "--fail-on", given]) == 5, given
    assert run([*common, str(tmp_path / "s.json"), "--fail-on", "1"]) == 0
    capsys.readouterr()
    assert run([*common, str(tmp_path / "s.json"), "--fail-on", "9"]) == 2
    assert "--fail-on: unknown severity '9'; the playbook has SEV-1, SEV-2, SEV-3" in capsys.readouterr().err


@pytest.mark.parametrize("server", ["backend", "github"])
def test_a_port_in_use_is_exit_2_naming_the_port(server: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = finished([sys.executable, "-m", "ops_actions", "sandbox", server, "--port", str(port)])
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        f"ops-actions: error: cannot listen on 127.0.0.1:{port}: the port is in use "
        "(pick another --port; 0 picks a free one)\n"
    )


def test_a_repository_without_its_owner_says_what_is_expected(
    github_env: GitHubEmulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["incident", "open", "--title", "x", "--repo", "octo-org"]) == 2
    assert "--repo 'octo-org': expected OWNER/NAME, e.g. octo-org/backend" in capsys.readouterr().err
    monkeypatch.setenv("GITHUB_REPOSITORY", "octo-org/backend/extra")
    assert run(["postmortem", "remind"]) == 2
    assert "GITHUB_REPOSITORY 'octo-org/backend/extra': expected OWNER/NAME" in capsys.readouterr().err
    monkeypatch.delenv("GITHUB_REPOSITORY")
    assert run(["postmortem", "remind"]) == 2
    assert "no repository: pass --repo OWNER/NAME or set GITHUB_REPOSITORY" in capsys.readouterr().err


def test_help_lists_what_people_type_first_and_the_workflows_entry_points_last(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["--help"]) == 0
    printed = capsys.readouterr().out
    typed, _, by_workflows = printed.partition("Run by the workflows:")
    names = [line.split()[0] for line in typed.partition("Commands:")[2].splitlines() if line.strip()]
    assert names[:4] == ["init", "playbook", "demo", "triage"]
    entry = [line.split()[0] for line in by_workflows.splitlines() if line.strip()]
    assert set(entry) == {"watch", "alert", "command", "action", "schedules", "hotfix-branch", "guard"}
    assert not set(entry) & set(names)
    assert "send-alert" in names, "people raise alerts by hand; the alert workflow takes them"


def test_alert_is_one_command_and_send_alert_another(capsys: pytest.CaptureFixture[str]) -> None:
    """`alert` (what incident-alert.yml runs) takes no subcommand: `alert send` is a usage error
    naming the extra argument, and neither command's help lists commands of its own."""
    for command in (["alert", "--help"], ["send-alert", "--help"]):
        assert run(command) == 0
        assert "Commands:" not in capsys.readouterr().out
    assert run(["alert", "send"]) == 2
    assert "unexpected extra argument (send)" in capsys.readouterr().err
