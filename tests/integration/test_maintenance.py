"""Maintenance windows over real HTTP (sandbox backend, GitHub emulator, simulated clock): what a
window holds in the watch, what it does not hide, ad hoc windows from the CLI, and their cost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ops_actions.cli import run
from ops_actions.incident.state_block import read_state
from ops_actions.sandbox.github import GitHubEmulator
from tests.support.events import recorded_event
from tests.support.fixtures.github import REPO
from tests.support.fixtures.world import World
from tests.support.playbooks import bundled_playbook_text
from tests.support.services import two_services

# From START (2026-11-27T10:00Z) for 25 minutes: ticks at 0, 10 and 20 run inside it.
WORKER_WINDOW = """
maintenance:
  - id: worker-move
    title: Worker host move
    start: 2026-11-27T10:00:00Z
    end: 2026-11-27T10:25:00Z
    components: [worker, jobs]
"""
EVERYTHING_WINDOW = """
maintenance:
  - id: db-upgrade
    title: Database upgrade
    start: 2026-11-27T10:00:00Z
    end: 2026-11-27T10:25:00Z
"""


def _with_window(world: World, windows: str) -> Path:
    path = world.tmp_path / "maintenance-playbook.yaml"
    path.write_text(bundled_playbook_text().rstrip() + "\n" + windows, encoding="utf-8")
    world.monkeypatch.setenv("OPS_PLAYBOOK", str(path))
    return path


WORKER_AND_JOBS = ("--component", "worker", "--component", "jobs")


def _start(world: World, minute: float, *options: str) -> dict[str, Any]:
    """`maintenance start OPTIONS` at START + minute; the window's issue it opened."""
    assert world.cli(minute, "maintenance", "start", *options) == 0
    (window_issue,) = world.issues("maintenance", state="open")
    return window_issue


def _summary(world: World) -> Path:
    summary = world.tmp_path / "summary.md"
    world.monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    return summary


def test_a_rule_inside_a_window_opens_nothing_and_says_why(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """The worker stalls during the worker's window: no incident, and the watch's output and job
    summary say which window holds it."""
    _with_window(world, WORKER_WINDOW)
    summary = _summary(world)
    world.backend.set_scenario("worker-stalled")
    assert world.watch(0) == 0
    out = capsys.readouterr().out
    assert world.issues() == []
    assert "held by maintenance worker-move until 2026-11-27T10:25:00Z" in out
    assert "held by maintenance worker-move" in summary.read_text(encoding="utf-8")
    assert "nothing to do" not in out


def test_a_rule_still_firing_when_the_window_ends_opens_at_once(world: World) -> None:
    """A window over everything holds the database outage; the run after it ends opens the
    incident at once, with backend-not-ready already past its flap control (its breaches inside
    the window counted)."""
    _with_window(world, EVERYTHING_WINDOW)
    world.backend.set_scenario("db-down")
    for minute in (0, 10, 20):
        assert world.watch(minute) == 0
        assert world.issues() == []
    assert world.watch(30) == 0
    (incident,) = world.issues(state="open")
    assert incident["title"] == "[SEV-1] Database down"
    state = read_state(incident["body"])
    assert state is not None
    assert set(state.snapshots[0]["fired"]) >= {"backend-not-ready", "database-down"}
    assert state.opened_at == "2026-11-27T10:30:00Z"


def test_a_sev1_outside_the_window_opens_as_usual(world: World) -> None:
    """The worker's window does not cover the database's components: db-down opens its SEV-1."""
    _with_window(world, WORKER_WINDOW)
    world.backend.set_scenario("db-down")
    assert world.watch(0) == 0
    (incident,) = world.issues(state="open")
    assert incident["title"] == "[SEV-1] Database down"


def test_an_ad_hoc_window_from_the_cli_holds_the_watch_and_closes_when_over(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """`maintenance start` opens a window issue; the watch holds the stalled worker for it, then
    opens the incident and closes the window once it is over. `list --json` shows it."""
    window_issue = _start(world, 0, "--for", "30m", *WORKER_AND_JOBS, "--reason", "Moving the worker host")
    assert window_issue["title"] == "[maintenance] Maintenance of worker, jobs"
    capsys.readouterr()
    assert world.cli(1, "maintenance", "list", "--json") == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(w["id"], w["status"], w["issue"]) for w in listed] == [
        (f"adhoc-{window_issue['number']}", "in_progress", window_issue["number"])
    ]
    world.backend.set_scenario("worker-stalled")
    assert world.watch(5) == 0
    assert f"held by maintenance adhoc-{window_issue['number']}" in capsys.readouterr().out
    assert world.issues() == []
    assert world.watch(35) == 0
    (incident,) = world.issues(state="open")
    assert "worker" in incident["title"].lower() or "Queue growing" in incident["title"]
    assert world.issues("maintenance", state="open") == []
    assert world.emulator.issue(window_issue["number"])["state"] == "closed"


def test_ending_a_window_early_lets_the_next_run_open(world: World) -> None:
    """`maintenance end N` ends the window now: the next watch opens the incident."""
    window_issue = _start(world, 0, "--for", "2h", *WORKER_AND_JOBS, "--reason", "Host move")
    world.backend.set_scenario("worker-stalled")
    assert world.watch(5) == 0
    assert world.issues() == []
    assert world.cli(10, "maintenance", "end", str(window_issue["number"])) == 0
    assert world.emulator.issue(window_issue["number"])["state"] == "closed"
    assert world.watch(15) == 0
    assert len(world.issues(state="open")) == 1


def test_a_window_start_with_an_unknown_component_writes_nothing(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world.emulator.reset_log()
    code = world.cli(0, "maintenance", "start", "--for", "2h", "--component", "payroll", "--reason", "x")
    assert code == 2
    assert "unknown component 'payroll'" in capsys.readouterr().err
    assert not any(r.is_write for r in world.emulator.requests)


def test_a_quiet_tick_reads_no_windows(world: World) -> None:
    """Nothing fired and nothing open: the windows are not listed (the quiet tick stays at its two
    listings); a firing rule costs one listing of the open 'maintenance' issues."""
    world.emulator.reset_log()
    assert world.watch(0) == 0
    assert not [r for r in world.emulator.requests if r.query.get("labels") == "maintenance"]
    world.backend.set_scenario("worker-stalled")
    world.emulator.reset_log()
    assert world.watch(10) == 0
    assert len([r for r in world.emulator.requests if r.query.get("labels") == "maintenance"]) == 1


def test_a_window_pauses_the_reminders_of_the_incidents_it_covers(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """An open worker incident, then a window over the worker: no overdue-update reminder and no
    no-owner escalation while it runs; once it ends, they come."""
    world.backend.set_scenario("worker-stalled")
    assert world.watch(0) == 0
    (incident,) = world.issues(state="open")
    window_issue = _start(world, 1, "--for", "2h", *WORKER_AND_JOBS, "--reason", "Host move")
    capsys.readouterr()
    for minute in (20, 40, 70, 100):
        assert world.watch(minute) == 0
    assert f"#{incident['number']}: reminders paused by maintenance adhoc-{window_issue['number']}" in (
        capsys.readouterr().out
    )
    nudges = ("Status update overdue", "No owner after")
    assert not [
        c for c in world.timeline(incident["number"]) if c.startswith(tuple(f"**{n}" for n in nudges))
    ]
    assert world.watch(125) == 0
    timeline = world.timeline(incident["number"])
    assert [c for c in timeline if "No owner after" in c]
    assert [c for c in timeline if "Status update overdue" in c]


def test_a_window_of_one_service_does_not_hold_another_services_rules(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two services on one backend: a window of api (every component) holds api's watch; the
    worker's watch opens the worker's incident as usual."""
    world.monkeypatch.setenv("OPS_PLAYBOOK", str(two_services(world.tmp_path)))
    world.monkeypatch.chdir(world.tmp_path)  # each service's reports land in its default folder
    window_issue = _start(world, 0, "--service", "api", "--for", "2h", "--reason", "API move")
    assert "service:api" in {label["name"] for label in window_issue["labels"]}
    world.backend.set_scenario("worker-stalled")
    capsys.readouterr()
    for service in ("api", "worker"):
        history = str(world.tmp_path / f"{service}.json")
        assert world.cli(5, "watch", "--service", service, "--history-file", history) == 0
    assert f"held by maintenance adhoc-{window_issue['number']}" in capsys.readouterr().out
    (incident,) = world.issues(state="open")
    assert "service:worker" in {label["name"] for label in incident["labels"]}


def test_a_writers_maintenance_command_starts_a_window_and_a_triage_users_is_refused(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """`/maintenance start` from a triage-role user changes nothing; a writer's starts the window,
    which holds the worker's rules; `/maintenance end` on the window's own issue ends it."""
    world.backend.set_scenario("db-down")
    assert world.watch(0) == 0
    (incident,) = world.issues(state="open")
    command = "/maintenance start 2h component: worker, jobs reason: moving the worker host"
    world.emulator.set_permission("tess", "triage")
    assert world.comment(1, incident["number"], command, "tess") == 0
    assert world.issues("maintenance", state="all") == []
    assert "refused: tess has read permission" in capsys.readouterr().out
    world.emulator.set_permission("wanda", "write")
    assert world.comment(2, incident["number"], command, "wanda") == 0
    (window_issue,) = world.issues("maintenance", state="open")
    number = window_issue["number"]
    assert f"/maintenance: started adhoc-{number} until 2026-11-27T12:02:00Z" in capsys.readouterr().out
    assert "moving the worker host" in window_issue["body"]
    assert "- Covers: worker, jobs" in window_issue["body"]
    world.backend.set_scenario("worker-stalled")
    assert world.watch(10) == 0
    assert f"held by maintenance adhoc-{number}" in capsys.readouterr().out
    assert world.comment(11, number, "/maintenance end", "wanda") == 0
    assert world.emulator.issue(number)["state"] == "closed"
    assert world.comment(12, number, "/status mitigating on it", "wanda") == 0
    assert "/status works on incident issues" in capsys.readouterr().out


PLANNED_WINDOW = """
maintenance:
  - id: db-upgrade
    title: Database upgrade
    start: 2026-12-12T22:00:00Z
    end: 2026-12-13T02:00:00Z
"""


def test_a_planned_incident_leaves_the_response_figures_of_report(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """An incident resolved after 40 minutes counts in time to resolve; marked as planned it does not,
    and the report lists it as maintenance, with its window; a triage-role user's /planned is refused."""
    _with_window(world, PLANNED_WINDOW)
    world.backend.set_scenario("db-down")
    assert world.watch(0) == 0
    (incident,) = world.issues(state="open")
    number = incident["number"]
    assert world.cli(40, "incident", "resolve", str(number), "--force", "--reason", "done by hand") == 0

    def figures(minute: float) -> dict[str, object]:
        capsys.readouterr()
        assert world.cli(minute, "report", "--json") == 0
        return json.loads(capsys.readouterr().out)

    before = figures(41)
    assert before["minutes_to"]["resolve"]["count"] == 1  # type: ignore[index]
    world.emulator.set_permission("tess", "triage")
    assert world.comment(42, number, "/planned db-upgrade", "tess") == 0
    assert figures(43)["minutes_to"] == before["minutes_to"]
    assert world.cli(44, "incident", "planned", str(number), "--window", "db-upgrad") == 2
    assert "no maintenance window 'db-upgrad'" in capsys.readouterr().err
    world.emulator.set_permission("wanda", "write")
    assert world.comment(45, number, "/planned db-upgrade", "wanda") == 0
    after = figures(46)
    assert after["minutes_to"]["resolve"]["count"] == 0  # type: ignore[index]
    assert after["incidents"]["total"] == 0  # type: ignore[index]
    assert after["incidents"]["planned"] == 1  # type: ignore[index]
    assert after["maintenance"] == [
        {"number": number, "title": "Database down", "window": "db-upgrade", "minutes": 40}
    ]
    issue = world.emulator.issue(number)
    assert "planned" in {label["name"] for label in issue["labels"]}
    assert issue["state"] == "closed"
    assert [c for c in world.timeline(number) if c.startswith("**Planned**: @wanda")]
    capsys.readouterr()
    assert world.cli(47, "report") == 0
    assert "**Maintenance** (planned, left out of the figures above): #" in capsys.readouterr().out


def test_a_window_that_freezes_deploys_refuses_them_naming_the_window(
    world: World, github_emulator: GitHubEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--freeze-deploys`: remediate deploy and guard refuse (exit 6) naming the window, with the
    override syntax; an override reason lets the deploy through; once the window ends, no freeze."""
    github_emulator.add_workflow(
        "backend-deploy.yml", "Backend Deploy", inputs=("ref", "incident", "override_freeze_reason")
    )
    window_issue = _start(
        world, 0, "--for", "1h", "--component", "billing", "--reason", "Stripe upgrade", "--freeze-deploys"
    )
    capsys.readouterr()
    assert world.cli(1, "remediate", "deploy") == 6
    refused = capsys.readouterr().err
    assert (
        f"deploys are frozen by maintenance adhoc-{window_issue['number']} until 2026-11-27T11:00:00Z"
        in refused
    )
    assert 'remediate deploy --override-reason "why"' in refused
    assert github_emulator.workflow_dispatches() == []
    assert world.cli(2, "guard") == 6
    assert f"maintenance adhoc-{window_issue['number']}" in capsys.readouterr().err
    assert world.cli(3, "guard", "--override-reason", "hotfix") == 0
    assert world.cli(61, "guard") == 0
    assert "no deploy freeze" in capsys.readouterr().out


def test_a_window_issue_someone_else_wrote_holds_nothing(world: World) -> None:
    """Only the tool's own window issues count: the same body and label in an issue another user
    opened (anyone who can open an issue) holds no rule."""
    real = _start(world, 0, "--for", "2h", "--reason", "everything")
    assert world.cli(1, "maintenance", "end", str(real["number"])) == 0
    forged = world.emulator.issue(real["number"])["body"].replace(
        "2026-11-27T10:01:00Z", "2026-11-27T12:00:00Z"
    )
    assert "2026-11-27T12:00:00Z" in forged
    world.emulator.add_issue(title="[maintenance] x", body=forged, labels=["maintenance"], user="mallory")
    world.backend.set_scenario("worker-stalled")
    assert world.watch(5) == 0
    assert len(world.issues(state="open")) == 1


ALERT = {
    "source": "uptime-check",
    "title": "Checkout returns 502",
    "severity": "critical",
    "component": "billing",
    "dedupe_key": "checkout-502",
    "status": "firing",
}


def test_a_firing_alert_of_a_covered_component_is_held_and_one_outside_opens(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """A monitor's alert on billing during a billing window opens nothing and says so; the same
    alert on jobs, outside the window, opens its incident."""
    window_issue = _start(world, 0, "--for", "1h", "--component", "billing", "--reason", "Stripe upgrade")
    capsys.readouterr()
    assert world.alert(1, ALERT) == 0
    assert f"held by maintenance adhoc-{window_issue['number']}" in capsys.readouterr().out
    assert world.issues() == []
    assert world.alert(2, {**ALERT, "component": "jobs", "dedupe_key": "jobs-502"}) == 0
    assert len(world.issues(state="open")) == 1


def test_a_dry_run_start_writes_nothing(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    world.emulator.reset_log()
    assert world.cli(0, "maintenance", "start", "--for", "1h", "--reason", "r", "--dry-run") == 0
    assert "POST" in capsys.readouterr().out
    assert not any(r.is_write for r in world.emulator.requests)


FORM_BODY = """### Duration

2h

### Components

worker, jobs

### Reason

Moving the worker host

### Deploys

- [X] Freeze deploys while it runs
"""


def _form_opened(world: World, minute: float, login: str) -> int:
    """A person opens an issue from the "Maintenance window" form; the commands workflow runs on
    the issues 'opened' event. Returns the request's number."""
    world.at(minute)
    number = world.emulator.add_issue(
        title="[maintenance request] worker", body=FORM_BODY, labels=["maintenance-request"], user=login
    )
    payload = recorded_event("issues", "opened")
    payload["issue"].update(number=number, labels=world.emulator.issue(number)["labels"], body=FORM_BODY)
    payload["sender"].update(login=login, type="User")
    payload["repository"]["full_name"] = REPO
    event = world.tmp_path / f"request-{number}.json"
    event.write_text(json.dumps(payload), encoding="utf-8")
    world.monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    assert run(["command"]) == 0
    return number


def test_the_maintenance_form_starts_a_writers_window_and_refuses_a_triage_users(world: World) -> None:
    """A triage-role user's request gets one reply and no window; a writer's starts the window the
    form says (components, reason, freeze), links it and closes the request; the watch holds."""
    world.emulator.set_permission("tess", "triage")
    refused = _form_opened(world, 0, "tess")
    assert world.issues("maintenance", state="all") == []
    (reply,) = world.emulator.comments(refused)
    assert "need write access" in reply["body"]
    world.emulator.set_permission("wanda", "write")
    request = _form_opened(world, 1, "wanda")
    (window_issue,) = world.issues("maintenance", state="open")
    assert "- Covers: worker, jobs" in window_issue["body"] and "Deploys: frozen" in window_issue["body"]
    assert "Moving the worker host" in window_issue["body"]
    assert world.emulator.issue(request)["state"] == "closed"
    assert f"adhoc-{window_issue['number']}" in world.emulator.comments(request)[0]["body"]
    world.backend.set_scenario("worker-stalled")
    assert world.watch(5) == 0
    assert world.issues() == []
