"""The scheduled watch over real HTTP: sandbox backend -> triage -> reconcile -> emulator."""

from __future__ import annotations

from ops_actions.cli import run
from ops_actions.incident.state_block import read_state
from ops_actions.text.markdown import find_markers
from tests.support.fixtures.world import World


def test_healthy_backend_and_no_incident_costs_two_requests(world: World) -> None:
    """Nothing fired, nothing open: two GitHub requests per tick (the incidents closed lately, for a
    close that skipped the gate, and the open ones), plus the hourly postmortem check."""
    world.emulator.reset_log()
    assert world.watch(0) == 0
    listed = [(r.query["labels"], r.query["state"]) for r in world.emulator.requests]
    assert listed == [("incident", "closed"), ("incident", "open"), ("postmortem", "open")]
    world.emulator.reset_log()
    assert world.watch(10) == 0
    listed = [(r.query["labels"], r.query["state"]) for r in world.emulator.requests]
    assert listed == [("incident", "closed"), ("incident", "open")]
    assert not any(r.is_write for r in world.emulator.requests)
    assert world.issues(state="open") == []


def test_outage_opens_one_incident_and_recovery_is_noted_once(world: World) -> None:
    """db-down opens [SEV-1] Database down; ticks with no news add nothing; 15 normal minutes noted once."""
    world.backend.set_scenario("db-down")
    assert world.watch(0) == 0
    (incident,) = world.issues(state="open")
    assert incident["title"] == "[SEV-1] Database down"
    assert "### Branch D: Database down" in incident["body"]
    assert "deploy-freeze" in {label["name"] for label in incident["labels"]}
    assert world.watch(10) == 0
    (second,) = world.timeline(incident["number"])
    assert "now firing: backend-not-ready" in second, "readiness failed twice in a row: flap control passed"
    assert world.watch(12) == 0
    assert len(world.issues(state="open")) == 1
    assert len(world.timeline(incident["number"])) == 1, "no news, no comment"
    world.backend.set_scenario("healthy")
    assert world.watch(20) == 0
    snapshot = [c for c in world.timeline(incident["number"]) if c.startswith("**Triage snapshot**")]
    assert len(snapshot) == 2
    assert "cleared: backend-not-ready, database-down" in snapshot[1]
    assert world.watch(30) == 0
    assert world.watch(36) == 0
    notes = [c for c in world.timeline(incident["number"]) if "Metrics normal for" in c]
    assert len(notes) == 1
    assert "Metrics normal for 16 min" in notes[0]
    # One span, one rounding: the timeline's summary of the note says what the note says.
    (marker,) = find_markers(notes[0], "event")
    assert marker["summary"] == "metrics normal for 16 min"
    assert world.watch(46) == 0
    assert len([c for c in world.timeline(incident["number"]) if "Metrics normal for" in c]) == 1
    issue = world.emulator.issue(incident["number"])
    state = read_state(issue["body"])
    assert state is not None
    assert state.clear_since == "2026-11-27T10:20:00Z"
    assert state.freeze is None
    assert "deploy-freeze" not in {label["name"] for label in issue["labels"]}
    assert "- [x] Metrics have been normal for at least 15 minutes." in issue["body"]
    assert "- [ ] Backend Live Smoke passed. _(verified automatically)_" in issue["body"]
    escalations = [c for c in world.timeline(incident["number"]) if "No owner after 15 min" in c]
    assert len(escalations) == 1
    assert "@octo-org/backend-oncall" in escalations[0]


def test_overdue_status_update_reminds_once(world: World) -> None:
    """Past the SEV-1 30-minute update promise the watch reminds once, naming the owner."""
    world.backend.set_scenario("db-down")
    assert world.watch(0) == 0
    number = world.issues(state="open")[0]["number"]
    world.emulator.set_permission("octocat", "write")
    assert run(["incident", "assign", str(number), "octocat"]) == 0
    assert world.watch(31) == 0
    assert world.watch(41) == 0
    reminders = [c for c in world.timeline(number) if "Status update overdue" in c]
    assert len(reminders) == 1
    assert "@octocat" in reminders[0]


def test_flapping_queue_needs_consecutive_breaches(world: World) -> None:
    """The queue-growing rule (2 in a row over 3 points) opens nothing before it has history."""
    world.backend.set_scenario("worker-stalled")
    assert world.watch(0) == 0
    (incident,) = world.issues(state="open")
    assert incident["title"] == "[SEV-2] Queue growing or worker down"
    state = read_state(incident["body"])
    assert state is not None
    assert state.snapshots[0]["fired"] == ["worker-heartbeat-stale"]


def test_watch_follows_a_human_opened_incident_instead_of_duplicating(world: World) -> None:
    """With an incident a person opened, the first failing triage is taken as its cause: it is
    appended there, and nothing else opens."""
    assert run(["incident", "open", "--title", "Checkout failing", "--severity", "2"]) == 0
    world.backend.set_scenario("webhook-failing")
    assert world.watch(0) == 0
    (incident,) = world.issues(state="open")
    assert incident["title"] == "[SEV-2] Checkout failing"
    following, snapshot = world.timeline(incident["number"])
    assert following.startswith("**Now following**: `payments`")
    assert "first triage snapshot" in snapshot
    assert "**Causes:** `payments` (rules `payments-not-accepted`, `webhooks-failing`)" in incident["body"]
