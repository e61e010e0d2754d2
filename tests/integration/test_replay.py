"""`ops-actions replay` over incidents the watch made on the sandbox, on a simulated clock."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ops_actions.cli import run
from ops_actions.incident.state_block import read_state
from ops_actions.playbook.reading import bundled_playbook_text
from tests.support.fixtures.world import World
from tests.support.services import API, WORKER, two_services

SEVERITY_CHANGE = (
    "    severity: SEV-2\n    branch: A\n    cause: payments",
    "    severity: SEV-1\n    branch: A\n    cause: payments",
)
THRESHOLD_CHANGE = ("when: worker_heartbeat_age_s > 300\n", "when: worker_heartbeat_age_s > 3600\n")


def _playbook(path: Path, *changes: tuple[str, str]) -> Path:
    text = bundled_playbook_text()
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return path


def _three_incidents(world: World) -> dict[str, int]:
    """The database down at 10:00, webhooks failing at 11:00, the worker stalled at 12:00 for three
    ticks; healthy ticks between, every 10 minutes, and nobody resolves anything."""
    plan = {0: "db-down", 20: "healthy", 60: "webhook-failing", 70: "healthy", 120: "worker-stalled"}
    plan[150] = "healthy"
    for minute in range(0, 170, 10):
        if minute in plan:
            world.backend.set_scenario(plan[minute])
        assert world.watch(minute) == 0
    by_title = {issue["title"]: issue["number"] for issue in world.issues()}
    assert set(by_title) == {
        "[SEV-1] Database down",
        "[SEV-2] Stripe webhooks failing",
        "[SEV-2] Queue growing or worker down",
    }
    return {
        "db": by_title["[SEV-1] Database down"],
        "webhooks": by_title["[SEV-2] Stripe webhooks failing"],
        "worker": by_title["[SEV-2] Queue growing or worker down"],
    }


def _replay(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = run(["replay", *args])
    return code, capsys.readouterr().out


def test_replay_reports_exactly_the_incidents_a_changed_playbook_changes(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One rule's severity raised and one threshold moved: the webhook incident opens at SEV-1, the
    worker's opens later on the queue rule alone; the database outage is unchanged. The same
    playbook on both sides changes nothing, and replay writes nothing to GitHub."""
    numbers = _three_incidents(world)
    base = _playbook(tmp_path / "base.yaml")
    new = _playbook(tmp_path / "new.yaml", SEVERITY_CHANGE, THRESHOLD_CHANGE)
    world.at(200)
    world.emulator.reset_log()
    code, out = _replay(capsys, "--playbook", str(new), "--base", str(base))
    assert code == 0
    assert not any(request.is_write for request in world.emulator.requests)
    lines = out.splitlines()
    assert lines[0].endswith("3 incident(s) opened in the last 90d, 2 changed")
    assert lines[1:] == [
        f"#{numbers['db']}: unchanged",
        f"#{numbers['webhooks']}: SEV-2 at 11:00 → SEV-1 at 11:00 (webhooks-failing)",
        f"#{numbers['worker']}: SEV-2 at 12:00 → SEV-2 at 12:20 (queue-growing)",
    ]
    code, out = _replay(capsys, "--playbook", str(base), "--base", str(base), "--json")
    assert code == 0
    replayed = json.loads(out)
    assert [item["number"] for item in replayed] == [numbers["db"], numbers["webhooks"], numbers["worker"]]
    assert [item["changed"] for item in replayed] == [False, False, False]
    db = replayed[0]["before"]
    assert db["opened"] == {"severity": "SEV-1", "at": "2026-11-27T10:00:00Z", "rules": ["database-down"]}
    assert db["branches"] == ["D"]
    assert db["incidents"] == [["backend"]]


def test_replay_names_flap_control_and_a_split_cause(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Flap control on the database rule holds the outage back for two failed ticks: it opens ten
    minutes later. Giving the readiness rule its own cause makes a second incident of it."""
    world.backend.set_scenario("db-down")
    assert world.watch(0) == 0
    assert world.watch(10) == 0
    (issue,) = world.issues()
    base = _playbook(tmp_path / "base.yaml")
    flap = _playbook(
        tmp_path / "flap.yaml",
        (
            "  rules: [backend-not-ready, ops-metrics-unavailable]",
            "  rules: [backend-not-ready, database-down]",
        ),
    )
    split = _playbook(
        tmp_path / "split.yaml",
        (
            "    severity: SEV-1\n    cause: backend\n    summary: The backend does not",
            "    severity: SEV-1\n    cause: readiness\n    summary: The backend does not",
        ),
    )
    world.at(30)
    code, out = _replay(
        capsys, "--playbook", str(flap), "--base", str(base), "--incident", str(issue["number"])
    )
    assert code == 0
    assert (
        out.splitlines()[1]
        == f"#{issue['number']}: SEV-1 at 10:00 → SEV-1 at 10:10 (backend-not-ready, database-down)"
    )
    code, out = _replay(
        capsys, "--playbook", str(split), "--base", str(base), "--incident", str(issue["number"])
    )
    assert out.splitlines()[1] == f"#{issue['number']}: a second incident for cause readiness"


def test_replay_holds_back_a_one_tick_outage_and_skips_what_has_no_recording(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A database down for one tick under flap control would not have opened; an incident a person
    opened with no triage behind it (as every incident made before recordings) has no recorded
    inputs, which is no error."""
    world.backend.set_scenario("db-down")
    assert world.watch(10) == 0
    world.backend.set_scenario("healthy")
    assert world.watch(20) == 0
    assert world.cli(25, "incident", "open", "--title", "Checkout slow", "--severity", "3") == 0
    outage, person = sorted(issue["number"] for issue in world.issues())
    state = read_state(world.emulator.issue(outage)["body"])
    assert state is not None
    assert [entry["why"] for entry in state.inputs] == [["opened"], ["fired", "unsure", "clear"]]
    flap = _playbook(
        tmp_path / "flap.yaml",
        (
            "  rules: [backend-not-ready, ops-metrics-unavailable]",
            "  rules: [backend-not-ready, database-down]",
        ),
    )
    world.at(30)
    code, out = _replay(capsys, "--playbook", str(flap), "--base", str(_playbook(tmp_path / "base.yaml")))
    assert code == 0
    assert out.splitlines()[1:] == [
        f"#{outage}: would not have opened (flap control)",
        f"#{person}: no recorded inputs",
    ]


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_replay_reads_the_base_from_git_and_refuses_bad_input_in_one_line(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--base REV reads the playbook file at that revision (git show); an unknown revision, a bad
    --since and an unknown incident are one line each and exit 2."""
    world.backend.set_scenario("webhook-failing")
    assert world.watch(0) == 0
    (issue,) = world.issues()
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _playbook(repo / "playbook.yaml")
    _git(repo, "add", "playbook.yaml")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "playbook")
    _playbook(repo / "playbook.yaml", SEVERITY_CHANGE)
    monkeypatch.chdir(repo)
    world.at(30)
    code, out = _replay(capsys, "--base", "main")
    assert code == 0
    assert out.splitlines() == [
        "Replay: playbook.yaml against main:playbook.yaml: 1 incident(s) opened in the last 90d, 1 changed",
        f"#{issue['number']}: SEV-2 at 10:00 → SEV-1 at 10:00 (webhooks-failing)",
    ]
    for args, reason in [
        ([], "--base origin/HEAD: no such file, and git show origin/HEAD:playbook.yaml failed: "),
        (["--base", "main", "--since", "3m"], "--since '3m': give a number of days such as 90d"),
        (["--base", "main", "--incident", "999"], "--incident 999: "),
    ]:
        capsys.readouterr()
        assert run(["replay", *args]) == 2
        captured = capsys.readouterr()
        (line,) = [text for text in captured.err.splitlines() if text.startswith("ops-actions: error")]
        assert line.startswith(f"ops-actions: error: {reason}"), line
        assert "Traceback" not in captured.err


def test_replay_runs_each_services_incidents_through_that_services_view(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two services: each incident is replayed through its own service's view of both playbooks,
    and --service lists that service's incidents only."""
    base = two_services(tmp_path)
    new = tmp_path / "new.yaml"
    old, raised = SEVERITY_CHANGE
    new.write_text(base.read_text(encoding="utf-8").replace(old, raised, 1), encoding="utf-8")

    def watch(minute: int, service: str) -> None:
        history = str(tmp_path / f"history-{service}.json")
        args = ["watch", "--service", service, "--playbook", str(base), "--history-file", history]
        assert world.cli(minute, *args, "--report-dir", str(tmp_path / "r")) == 0

    world.backend.set_scenario("db-down")
    watch(0, WORKER)
    world.backend.set_scenario("webhook-failing")
    watch(10, API)
    numbers = {issue["title"]: issue["number"] for issue in world.issues()}
    worker = next(number for title, number in numbers.items() if "Job worker" in title)
    api = next(number for title, number in numbers.items() if "Billing API" in title)
    world.at(30)
    code, out = _replay(capsys, "--playbook", str(new), "--base", str(base))
    assert code == 0
    assert out.splitlines()[1:] == [
        f"#{worker}: unchanged",
        f"#{api}: SEV-2 at 10:10 → SEV-1 at 10:10 (webhooks-failing)",
    ]
    code, out = _replay(capsys, "--playbook", str(new), "--base", str(base), "--service", WORKER)
    assert out.splitlines()[1:] == [f"#{worker}: unchanged"]
