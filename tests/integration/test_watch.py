"""The scheduled watch over real HTTP: sandbox backend -> triage -> reconcile -> emulator."""

from __future__ import annotations

import pytest

from ops_actions.cli import run
from ops_actions.incident.state_block import read_state
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


@pytest.mark.seed(24, 44, 53)
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


@pytest.mark.seed(19, 33, 34)
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
    following, snapshot, joined = world.timeline(incident["number"])
    assert following.startswith("**Now following**: `payments`")
    assert "first triage snapshot" in snapshot
    assert joined.startswith("**Branch A) Stripe webhooks failing joins this incident**")
    assert "First step: Verify `STRIPE_WEBHOOK_SECRET` at runtime." in joined
    body = world.emulator.issue(incident["number"])["body"]
    assert "- [ ] Verify `STRIPE_WEBHOOK_SECRET` at runtime." in body
    assert "**Causes:** `payments` (rules `payments-not-accepted`, `webhooks-failing`)" in incident["body"]


def test_a_joining_branch_adds_its_steps_once_and_freezes_deploys(world: World) -> None:
    """An incident open for the backend being unreachable (backend-not-ready); then the database goes
    down: branch D joins. Its steps enter the body's checklist once (what a person wrote stays),
    one timeline comment names D and its first step, deploys are frozen and a deploy is refused."""
    world.emulator.add_workflow(
        "backend-deploy.yml", "Backend Deploy", inputs=("ref", "incident", "override_freeze_reason")
    )
    for minute in (0, 10):
        world.backend.add_fault("/api/ready", "reset", times=3)
        assert world.watch(minute) == 0
    (incident,) = world.issues(state="open")
    number = incident["number"]
    assert "### Branch D" not in incident["body"]
    note = "Responder note: the provider's status page shows an outage in our region."
    world.edit_body(number, incident["body"].replace("### Links", f"{note}\n\n### Links"))
    world.backend.set_scenario("db-down")
    assert world.watch(20) == 0
    for minute in (30, 40):
        assert world.watch(minute) == 0
    assert len(world.issues(state="open")) == 1, "the same cause: D joins, nothing else opens"
    issue = world.emulator.issue(number)
    body = issue["body"]
    assert body.count("### Branch D: Database down") == 1
    assert body.count("- [ ] Check the database status (Render/Fly) and connectivity.") == 1
    assert body.index("### Branch D: Database down") < body.index("### First 10 minutes")
    assert note in body, "a person's writing outside the generated block stays"
    assert "- [x] Hold deploys until the database is stable." in body, "the tool froze deploys itself"
    joined = [c for c in world.timeline(number) if "joins this incident" in c]
    assert len(joined) == 1
    assert joined[0].startswith("**Branch D) Database down joins this incident**")
    assert "First step: Treat it as SEV-1." in joined[0]
    assert "deploy-freeze" in {label["name"] for label in issue["labels"]}
    assert "- The database is down" in body.split("### Impact")[0], "the summary names every rule fired"
    assert world.cli(41, "remediate", "deploy", "--incident", str(number)) == 6
    assert world.emulator.workflow_dispatches() == []
