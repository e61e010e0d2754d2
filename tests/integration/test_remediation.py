"""Remediation end to end over real HTTP: sandbox backend + GitHub emulator + a webhook receiver."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ops_actions.cli import run
from ops_actions.incident.state_block import read_state
from ops_actions.sandbox.github import GitHubEmulator
from tests.support.fixtures.github import GITHUB_TOKEN
from tests.support.fixtures.receiver import Receiver
from tests.support.fixtures.world import World

GOOD = "a" * 40
BAD = "b" * 40


@pytest.fixture
def outage(world: World, github_emulator: GitHubEmulator) -> World:
    """The three example workflows declared on the emulator with fast, scripted runs."""
    github_emulator.add_workflow(
        "backend-deploy.yml",
        "Backend Deploy",
        inputs=("ref", "incident", "override_freeze_reason"),
        outcome="failure",
        queued_s=0.1,
        in_progress_s=0.3,
    )
    github_emulator.add_workflow(
        "backend-rollback.yml",
        "Backend Rollback",
        inputs=("sha", "incident", "hotfix_branch"),
        queued_s=0.1,
        in_progress_s=0.3,
    )
    github_emulator.add_workflow(
        "backend-live-smoke.yml", "Backend Live Smoke", inputs=("incident",), queued_s=0.1, in_progress_s=0.3
    )
    github_emulator.add_run(
        "backend-deploy.yml",
        head_sha=GOOD,
        conclusion="success",
        created_at=datetime.now(UTC) - timedelta(hours=3),
    )
    github_emulator.add_run(
        "backend-deploy.yml",
        head_sha=BAD,
        conclusion="success",
        created_at=datetime.now(UTC) - timedelta(hours=1),
    )
    github_emulator.set_branch_sha("main", BAD)
    return world


def follow(*args: str) -> tuple[str, ...]:
    return ("remediate", *args, "--wait", "--poll-seconds", "0.05", "--timeout", "1m")


@pytest.mark.seed(37, 42, 54)
def test_outage_deploy_fails_rollback_recovers_smoke_passes_resolve(outage: World) -> None:
    """The whole seed path: detect, redeploy (fails), roll back to the last good SHA, recover,
    15 normal minutes, smoke, the manual checks ticked, resolve."""
    outage.backend.set_scenario("job-regression")
    assert outage.watch(0) == 0
    number = str(outage.incident()["number"])
    assert outage.incident()["title"] == "[SEV-2] Job failures or dead letters rising"

    assert outage.cli(2, *follow("deploy", "--incident", number)) == 7
    deploy_runs = [d for d in outage.emulator.workflow_dispatches() if d["workflow"] == "backend-deploy.yml"]
    assert deploy_runs[0]["inputs"] == {"ref": "main", "incident": number}
    assert any("**Backend Deploy** dispatched by @octocat" in c for c in outage.timeline())
    assert any("**Backend Deploy** concluded: **failure**" in c for c in outage.timeline())

    assert outage.cli(3, *follow("rollback", "--incident", number, "--hotfix-branch")) == 0
    rollback = [d for d in outage.emulator.workflow_dispatches() if d["workflow"] == "backend-rollback.yml"]
    assert rollback[0]["inputs"] == {"sha": GOOD, "incident": number, "hotfix_branch": "true"}
    # The rollback run's own hotfix-branch job opens the branch at the SHA rolled back to.
    assert outage.cli(4, "hotfix-branch", "--incident", number, "--sha", GOOD) == 0
    assert outage.emulator.state()["refs"][f"refs/heads/hotfix/incident-{number}"] == GOOD
    assert any("**Backend Rollback** concluded: **success**" in c for c in outage.timeline())

    outage.backend.set_scenario("healthy")
    assert outage.watch(5) == 0
    assert outage.cli(6, "incident", "resolve", number) == 6
    assert outage.watch(21) == 0
    summary = [c for c in outage.timeline() if c.startswith("**Post-rollback monitoring**")]
    assert len(summary) == 1
    assert "recovered" in summary[0]
    assert any("Metrics normal for 16 min" in c for c in outage.timeline())
    body = outage.incident()["body"]
    assert "- [x] Metrics have been normal for at least 15 minutes." in body
    assert "- [ ] Backend Live Smoke passed." in body

    assert outage.cli(22, "incident", "resolve", number) == 6, "smoke has not run"
    assert outage.cli(23, *follow("smoke", "--incident", number)) == 0
    assert "- [x] Backend Live Smoke passed." in outage.incident()["body"]
    assert outage.cli(24, "incident", "resolve", number) == 6, "the manual checks are not ticked"
    for item in ("manual-signup-login", "manual-checkout-webhook", "manual-job-succeeded"):
        assert outage.cli(24, "incident", "check", number, item) == 0
    assert outage.cli(24, "incident", "resolve", number) == 0
    issue = outage.incident()
    assert issue["state"] == "closed"
    state = read_state(issue["body"])
    assert state is not None
    assert [(r["role"], r["conclusion"]) for r in state.runs] == [
        ("deploy", "failure"),
        ("rollback", "success"),
        ("smoke", "success"),
    ]


@pytest.mark.seed(47)
def test_freeze_blocks_a_deploy_until_an_override(outage: World, capsys: pytest.CaptureFixture[str]) -> None:
    """db-down freezes deploys: remediate and guard refuse; an override reason lets one through, recorded."""
    outage.backend.set_scenario("db-down")
    assert outage.watch(0) == 0
    number = str(outage.incident()["number"])
    assert outage.cli(1, "remediate", "deploy", "--incident", number) == 6
    refused = capsys.readouterr().err
    assert "deploys are frozen by incident" in refused
    assert outage.emulator.workflow_dispatches() == []
    assert outage.cli(2, "guard") == 6
    # The refusal says how to override, in both places a deploy starts from.
    syntax = (
        'remediate deploy --override-reason "why", '
        "or run Backend Deploy with its input override_freeze_reason"
    )
    assert syntax in refused and syntax in capsys.readouterr().err
    assert outage.cli(3, "guard", "--override-reason", "fix the DB connection pool") == 0
    assert any(
        "**Deploy freeze overridden** by octocat" in c and "connection pool" in c for c in outage.timeline()
    )
    assert (
        outage.cli(
            4, "remediate", "deploy", "--incident", number, "--override-reason", "fix the DB connection pool"
        )
        == 0
    )
    (dispatch,) = outage.emulator.workflow_dispatches()
    assert dispatch["inputs"]["override_freeze_reason"] == "fix the DB connection pool"


def test_slash_deploy_dispatches_and_the_watch_follows_the_run(outage: World, tmp_path: Path) -> None:
    """/smoke from a comment only dispatches; the next scheduled watch records the conclusion."""
    outage.backend.set_scenario("webhook-failing")
    assert outage.watch(0) == 0
    number = outage.incident()["number"]
    outage.emulator.set_permission("alice", "write")
    comment_id = outage.emulator.add_comment(number, body="/smoke", user="alice")
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps(
            {
                "action": "created",
                "issue": {"number": number, "labels": [{"name": "incident"}]},
                "comment": {"id": comment_id, "body": "/smoke", "user": {"login": "alice", "type": "User"}},
            }
        ),
        encoding="utf-8",
    )
    outage.monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    assert outage.cli(1, "command") == 0
    assert any("**Backend Live Smoke** dispatched by @alice" in c for c in outage.timeline())
    outage.emulator.advance(5)
    assert outage.watch(10) == 0
    assert any("**Backend Live Smoke** concluded: **success**" in c for c in outage.timeline())
    assert "- [x] Backend Live Smoke passed." in outage.incident()["body"]


def test_old_server_answering_204_is_followed_by_creation_time(outage: World) -> None:
    """Without run details in the dispatch answer, the run is found by workflow, event and time."""
    outage.emulator.dispatch_details = False
    outage.monkeypatch.delenv("OPS_ACTIONS_NOW")
    assert run(["remediate", "smoke", "--wait", "--poll-seconds", "0.05", "--timeout", "1m"]) == 0


def test_dispatch_failure_is_on_the_timeline(outage: World, capsys: pytest.CaptureFixture[str]) -> None:
    """A workflow the repository lacks: exit 4, a clear line, and a timeline entry."""
    outage.backend.set_scenario("webhook-failing")
    assert outage.watch(0) == 0
    number = str(outage.incident()["number"])
    outage.emulator.inject("404", method="POST", path_contains="/dispatches")
    assert outage.cli(1, "remediate", "smoke", "--incident", number) == 4
    assert "dispatch backend-live-smoke.yml" in capsys.readouterr().err
    assert any("**Backend Live Smoke** could not be dispatched" in c for c in outage.timeline())


@pytest.mark.seed(25, 50)
def test_notifications_route_by_severity_and_a_failing_target_never_blocks(
    outage: World, receiver: Receiver
) -> None:
    """SEV-1 goes to every target at once; SEV-2 only where routed; a 500 target is noted on the timeline."""
    outage.monkeypatch.setenv("OPS_SLACK_WEBHOOK_URL", f"{receiver.url}/slack")
    outage.monkeypatch.setenv("OPS_STATUS_WEBHOOK_URL", f"{receiver.url}/broken")
    assert (
        outage.cli(
            0, "incident", "open", "--title", "Payments down", "--severity", "1", "--impact", "all checkouts"
        )
        == 0
    )
    paths = [path for path, _ in receiver.received]
    assert paths.count("/slack") == 1
    assert paths.count("/broken") == 3, "three attempts with back-off"
    slack = next(body for path, body in receiver.received if path == "/slack")
    assert slack["text"].startswith(
        "[SEV-1] 2026-11-27 10:00 UTC - Incident Payments down. Impact: all checkouts."
    )
    number = str(outage.incident()["number"])
    assert any(
        "**Notification not delivered** (opened)" in c and "`status-page`: failed after 3" in c
        for c in outage.timeline()
    )
    receiver.received.clear()
    assert outage.cli(1, "incident", "severity", number, "2", "--reason", "EU only") == 0
    assert outage.cli(2, "incident", "update", number, "--status", "mitigating", "--next", "20m") == 0
    assert [path for path, _ in receiver.received] == ["/slack", "/slack"], (
        "SEV-2 is not routed to the status page"
    )
    assert all(GITHUB_TOKEN not in json.dumps(body) for _, body in receiver.received)


def test_every_input_is_checked_before_a_dispatch(outage: World, capsys: pytest.CaptureFixture[str]) -> None:
    """A typo never reaches production: each bad input stops with exit 2 (or 4: GitHub says the issue
    does not exist) and a reason, and the emulator records no dispatch, no branch and no comment."""
    outage.backend.set_scenario("job-regression")
    assert outage.watch(0) == 0
    number = str(outage.incident()["number"])
    other = str(outage.emulator.add_issue(title="A feature request", body="not an incident"))
    resolved = ["incident", "status:resolved"]  # an old incident, resolved (a close without it is undone)
    closed = str(outage.emulator.add_issue(title="[SEV-3] old", labels=resolved, state="closed"))
    refs = dict(outage.emulator.state()["refs"])
    comments = {n: len(outage.emulator.comments(int(n))) for n in (number, other, closed)}
    cases = [
        (
            ("rollback", "--incident", "999", "--ref", GOOD, "--hotfix-branch"),
            4,
            "read issue #999: not found",
        ),
        (("rollback", "--incident", other, "--ref", GOOD), 2, f"issue #{other} is not an incident"),
        (("rollback", "--incident", closed, "--ref", GOOD), 2, f"incident #{closed} is closed"),
        (("smoke", "--incident", closed), 2, f"incident #{closed} is closed: smoke refused"),
        (("deploy", "--incident", number, "--hotfix-branch"), 2, "--hotfix-branch goes with rollback"),
        (("rollback", "--ref", GOOD, "--hotfix-branch"), 2, "--hotfix-branch needs --incident"),
        (("rollback", "--incident", number, "--ref", "HEAD~1"), 2, "give a commit SHA"),
        (("rollback", "--incident", number, "--ref", GOOD[:8], "--hotfix-branch"), 2, "full 40-hex"),
        (("deploy", "--incident", number, "--ref", "main..evil"), 2, "not a git branch, tag or SHA"),
        (("smoke", "--incident", number, "--ref", "main"), 2, "smoke takes no ref"),
        (("smoke", "--incident", number, "--wait", "--poll-seconds", "0"), 2, "--poll-seconds 0"),
        (("smoke", "--incident", number, "--wait", "--timeout", "soon"), 2, "not a duration"),
        (("smoke", "--incident", "0"), 2, "0 is not in the range x>=1"),
    ]
    capsys.readouterr()
    for args, code, reason in cases:
        assert outage.cli(1, "remediate", *args) == code, args
        err = capsys.readouterr().err
        assert reason in err, (args, err)
        assert len(err.strip().splitlines()) <= 2 or "Usage:" in err, "the playbook's line, one error line"
    assert outage.emulator.workflow_dispatches() == []
    assert outage.emulator.state()["refs"] == refs
    assert {n: len(outage.emulator.comments(int(n))) for n in comments} == comments

    assert outage.cli(2, "incident", "resolve", closed) == 2, "a closed incident is not resolved again"
    assert f"incident #{closed} is closed: resolve refused" in capsys.readouterr().err
    assert len(outage.emulator.comments(int(closed))) == comments[closed]


@pytest.mark.seed(37)
def test_the_tool_ticks_the_branch_steps_it_did_and_leaves_a_person_s(
    world: World, github_emulator: GitHubEmulator
) -> None:
    """Branch B: the redeploy's box is ticked once it is dispatched, the monitoring's once its window
    ended; a person's checks stay unticked, and a tool's box a person clears stays cleared."""
    github_emulator.add_workflow(
        "backend-deploy.yml", "Backend Deploy", inputs=("ref", "incident"), queued_s=0.1, in_progress_s=0.2
    )
    world.backend.set_scenario("worker-stalled")
    assert world.watch(0) == 0
    number = world.incident()["number"]
    redeploy = "Redeploy (Backend Deploy). _[dispatch]_"
    monitor = "Monitor the metrics for 10-15 minutes after the redeploy. _[monitor]_"
    assert f"- [ ] {redeploy}" in world.incident()["body"]
    assert world.cli(2, *follow("deploy", "--incident", str(number))) == 0
    body = world.incident()["body"]
    assert f"- [x] {redeploy}" in body
    assert f"- [ ] {monitor}" in body, "the window has not ended"
    world.backend.set_scenario("healthy")
    assert world.watch(18) == 0
    assert any(c.startswith("**Post-deploy monitoring**") for c in world.timeline())
    body = world.incident()["body"]
    assert f"- [x] {monitor}" in body
    assert "- [ ] Check the worker heartbeat and the deploy logs." in body, "a person's step"
    world.edit_body(number, body.replace(f"- [x] {redeploy}", f"- [ ] {redeploy}"))
    assert world.watch(28) == 0
    assert world.cli(29, "incident", "update", str(number), "--status", "mitigating") == 0
    assert f"- [ ] {redeploy}" in world.incident()["body"], "a person cleared it: the tool ticks a box once"


@pytest.mark.seed(42)
def test_slash_rollback_hotfix_asks_the_run_for_the_branch_which_opens_once(
    outage: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """`/rollback --hotfix` dispatches the rollback with its hotfix_branch input and writes no ref
    (the commands job cannot); the rollback run's `hotfix-branch` step creates
    hotfix/incident-N at the SHA rolled back to. A retried run finds it there and says so; a branch
    someone moved is left where it is, and the line says where; one timeline note per SHA."""
    outage.backend.set_scenario("job-regression")
    assert outage.watch(0) == 0
    number = outage.incident()["number"]
    outage.emulator.set_permission("alice", "write")
    branch = f"refs/heads/hotfix/incident-{number}"
    assert outage.comment(1, number, f"/rollback {GOOD} --hotfix", "alice") == 0
    (dispatch,) = outage.emulator.workflow_dispatches()
    assert dispatch["inputs"] == {"sha": GOOD, "incident": str(number), "hotfix_branch": "true"}
    assert branch not in outage.emulator.state()["refs"]
    assert f"the run opens hotfix/incident-{number} once the rollback succeeded" in capsys.readouterr().out

    hotfix = ("hotfix-branch", "--incident", str(number), "--sha", GOOD)
    assert outage.cli(2, *hotfix) == 0
    assert f"Hotfix branch hotfix/incident-{number} created at {GOOD[:12]}." in capsys.readouterr().out
    assert outage.cli(3, *hotfix) == 0, "a retried run does not fail on its own branch"
    assert f"already exists at {GOOD[:12]}." in capsys.readouterr().out
    assert outage.emulator.state()["refs"][branch] == GOOD
    notes = [c for c in outage.timeline() if c.startswith("**Hotfix branch**")]
    assert len(notes) == 1 and "created" in notes[0]

    outage.emulator.set_branch_sha(f"hotfix/incident-{number}", BAD)
    assert outage.cli(4, *hotfix) == 0
    assert f"already exists at {BAD[:12]}, not at the rolled-back {GOOD[:12]}" in capsys.readouterr().out
    assert outage.emulator.state()["refs"][branch] == BAD
    assert len([c for c in outage.timeline() if c.startswith("**Hotfix branch**")]) == 1

    writes = len([r for r in outage.emulator.requests if r.method != "GET"])
    assert outage.cli(5, "hotfix-branch", "--incident", str(number), "--sha", GOOD[:8]) == 2
    assert "give the full 40-hex commit SHA" in capsys.readouterr().err
    assert len([r for r in outage.emulator.requests if r.method != "GET"]) == writes
