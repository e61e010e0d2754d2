"""`ops-actions rehearse` plays game-day scenarios offline: the watch and the slash commands of the team's
playbook on the sandbox backend and the GitHub emulator, on a simulated clock, each expectation PASS or
FAIL, exit 1 naming a failed one, and nothing written or notified outside the rehearsal."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ops_actions.cli import run
from tests.support.fixtures.receiver import Receiver
from tests.support.paths import PACKAGE
from tests.support.services import two_service_playbook

SCENARIOS = PACKAGE / "scenarios"
BRANCH_D = SCENARIOS / "branch-d-database-down.yaml"


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder with no playbook: rehearsals read the bundled one."""
    folder = tmp_path / "cwd"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.delenv("OPS_PLAYBOOK", raising=False)
    return folder


def test_the_rehearsal_of_the_seeds_branch_d_passes(
    elsewhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The database goes down: one SEV-1 on branch D, deploys frozen, a triage-role user refused, a
    /resolve before the manual checks refused and the one after accepted, the postmortem filed."""
    assert run(["rehearse", str(BRANCH_D)]) == 0
    out = capsys.readouterr().out
    for line in (
        "    10 min  watch: opened #1",
        "    13 min  command: refused: tom has read permission",
        "    14 min  command: /deploy: deploys are frozen by incident #1",
        "    50 min  watch: #1: deploy freeze lifted",
        "    60 min  watch: #1: Backend Live Smoke concluded success",
        "    61 min  command: /resolve: #1 cannot be resolved yet: missing Manual check: signup",
        "    62 min  @alice ticks 'manual-signup-login' on #1",
        "    63 min  command: /resolve: #1: resolved; postmortem #2 created",
        "  PASS  incident 1 followed branches D: D",
        "  PASS  /resolve on incident 1: refused then accepted: refused then accepted",
        "  PASS  3 notification(s) to internal-channel: 3 received",
        "  10 of 10 expectations passed",
        "1 of 1 scenarios passed",
    ):
        assert line in out, line
    assert "FAIL" not in out


def test_one_wrong_expectation_exits_1_and_names_it(
    elsewhere: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same scenario expecting SEV-2 at minute 10: that expectation fails by name, in the output and
    in the report; the others still pass."""
    wrong = tmp_path / "branch-d-wrong.yaml"
    text = BRANCH_D.read_text(encoding="utf-8")
    assert "{severity: SEV-1, at: 10}" in text
    wrong.write_text(text.replace("{severity: SEV-1, at: 10}", "{severity: SEV-2, at: 10}"), encoding="utf-8")
    report = tmp_path / "report.md"
    assert run(["rehearse", str(wrong), "--report", str(report)]) == 1
    out = capsys.readouterr().out
    assert "  FAIL  incident 1 is SEV-2 at minute 10: SEV-1" in out
    assert [line for line in out.splitlines() if "FAIL" in line] == [
        "  FAIL  incident 1 is SEV-2 at minute 10: SEV-1"
    ]
    assert "  9 of 10 expectations passed; 1 failed" in out
    markdown = report.read_text(encoding="utf-8")
    assert "| incident 1 is SEV-2 at minute 10 | **FAIL** | SEV-1 |" in markdown
    assert (
        "| Branch D: the database goes down | `" in markdown
        and "| **failed** (1 of 10 expectations) |" in markdown
    )


def test_every_shipped_scenario_passes_against_the_bundled_playbook(
    elsewhere: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The package's folder at once (a folder is its scenarios, sorted), inside a job: the job summary gets
    the report; the rehearsal writes nothing in the working folder."""
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert run(["rehearse", str(SCENARIOS)]) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out
    assert out.count("== ") == 6
    assert "6 of 6 scenarios passed" in out
    for line in (
        # The failed deploy: said, and the incident stays open.
        "watch: #1: Backend Deploy concluded failure",
        "  PASS  incident 1 open at the end: open",
        "nothing to do (backend-not-ready breached, not yet fired)",
        "  PASS  1 incident opened: 1 opened",
    ):
        assert line in out, line
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("Playbook: ")
    assert "## Rehearsals\n\n6 of 6 scenarios passed.\n" in text
    assert "| A flapping backend opens one incident, not many | `" in text
    assert list(elsewhere.iterdir()) == []


def test_a_rehearsal_reaches_nothing_of_the_callers(
    elsewhere: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, receiver: Receiver
) -> None:
    """The caller's Slack and status-page webhooks and tokens never reach the rehearsal's runs: the team's
    channel hears nothing of a game day, the sandbox's own webhooks count the updates; the caller's
    environment and working folder are as they were."""
    monkeypatch.setenv("OPS_SLACK_WEBHOOK_URL", f"{receiver.url}/slack")
    monkeypatch.setenv("OPS_STATUS_WEBHOOK_URL", f"{receiver.url}/status")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_" + "c" * 36)
    monkeypatch.setenv("GITHUB_API_URL", "https://api.github.com")
    before = dict(os.environ)
    assert run(["rehearse", str(BRANCH_D)]) == 0
    assert "  PASS  3 notification(s) to internal-channel: 3 received" in capsys.readouterr().out
    assert receiver.received == []
    assert dict(os.environ) == before
    assert Path.cwd() == elsewhere and list(elsewhere.iterdir()) == []


def test_signal_values_and_a_triage_users_command(
    elsewhere: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Signal values by minute (read from the playbook's JSON fields; an age as seconds at that minute):
    the worker stops at minute 5, branch B opens at the next tick; the heartbeat comes back at 18 (2 s
    old then, 122 s at the tick)."""
    scenario = tmp_path / "signals.yaml"
    scenario.write_text(
        """\
name: the worker stops
minutes: 20
people: {tom: triage}
timeline:
  - {at: 5, signals: {worker_running: false, worker_heartbeat_age_s: 600}}
  - {at: 12, by: tom, comment: /sev 1}
  - {at: 18, signals: {worker_running: true, worker_heartbeat_age_s: 2}}
expect:
  - {severity: SEV-2, at: 12}
  - branches: [B]
  - incidents: 1
  - says: "cleared: worker-heartbeat-stale, worker-stopped"
""",
        encoding="utf-8",
    )
    assert run(["rehearse", str(scenario)]) == 0
    out = capsys.readouterr().out
    assert "     5 min  backend: answers worker_running=false, worker_heartbeat_age_s=600" in out
    assert "    12 min  command: refused: tom has read permission" in out
    assert "  4 of 4 expectations passed" in out


def test_a_malformed_scenario_is_one_line_exit_2_before_any_is_played(
    elsewhere: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A good scenario and a broken one: nothing is played, one error line names the file, line and key;
    a report that could not be written is refused before anything is played too."""
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\nminutes: 10\ntimeline: []\nexpect:\n  - {dispatches: {workflow: deploy}}\n")
    assert run(["rehearse", str(BRANCH_D), str(broken)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    errors = [line for line in captured.err.splitlines() if not line.startswith("playbook: ")]
    assert errors == [
        f"ops-actions: error: {broken}:5:18: 'count' is a required property (at expect.0.dispatches)"
    ]
    nowhere = tmp_path / "gone" / "report.md"
    assert run(["rehearse", str(BRANCH_D), "--report", str(nowhere)]) == 2
    captured = capsys.readouterr()
    assert (
        captured.out == "" and f"--report: no folder {nowhere.parent} to write report.md in" in captured.err
    )


def test_the_playbook_option_rehearses_a_changed_playbook(
    elsewhere: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--playbook: the team's working copy. With the database rule at SEV-2, branch D's SEV-1 expectations
    fail by name, so a reviewer sees what the change does."""
    playbook = tmp_path / "playbook.yaml"
    text = (PACKAGE / "playbook.yaml").read_text(encoding="utf-8")
    marker = "  - id: database-down\n    when: db_ok == false\n    severity: SEV-1\n"
    assert marker in text
    playbook.write_text(text.replace(marker, marker.replace("SEV-1", "SEV-2")), encoding="utf-8")
    copy = tmp_path / "d.yaml"
    shutil.copy(BRANCH_D, copy)
    assert run(["rehearse", str(copy), "--playbook", str(playbook)]) == 1
    out = capsys.readouterr().out
    assert "  PASS  incident 1 is SEV-1 at minute 10: SEV-1" not in out


def test_a_scenario_of_one_service_runs_that_services_watch(
    elsewhere: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """In a playbook of two services, `service: worker` runs the worker's watch (its own backend
    variables, its team's channel): the incident is the worker's; without `service:` the scenario is
    refused at its first line."""
    playbook = two_service_playbook(tmp_path)
    scenario = tmp_path / "worker.yaml"
    scenario.write_text(
        """\
name: the worker's database goes down
minutes: 10
service: worker
timeline:
  - {at: 5, backend: db-down}
expect:
  - {severity: SEV-1, at: 10}
  - branches: [D]
  - notifications: {target: internal-channel, count: 1}
""",
        encoding="utf-8",
    )
    assert run(["rehearse", str(scenario), "--playbook", str(playbook)]) == 0
    out = capsys.readouterr().out
    assert "    10 min  watch: opened #1" in out
    assert "  3 of 3 expectations passed" in out
    bare = tmp_path / "bare.yaml"
    bare.write_text(scenario.read_text(encoding="utf-8").replace("service: worker\n", ""), encoding="utf-8")
    assert run(["rehearse", str(bare), "--playbook", str(playbook)]) == 2
    assert f"ops-actions: error: {bare}:1:1: the playbook has several services (api, worker): give the " in (
        capsys.readouterr().err
    )
