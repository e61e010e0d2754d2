"""The scheduled watch over real HTTP: sandbox backend -> triage -> reconcile -> emulator."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ops_actions.cli import run
from ops_actions.incident.state_block import read_state
from ops_actions.text.markdown import find_markers
from tests.support.fixtures.receiver import Receiver
from tests.support.fixtures.world import World
from tests.support.playbooks import playbook_with


def test_healthy_backend_and_no_incident_costs_two_requests(world: World) -> None:
    """Nothing fired, nothing open: two GitHub requests per tick (the incidents closed lately, for a
    close that skipped the gate, and the open ones), plus the hourly postmortem check; first the
    budget, GET /rate_limit, which GitHub does not count (the closed listing may wait on it)."""
    world.emulator.reset_log()
    assert world.watch(0) == 0
    assert world.emulator.requests[0].path == "/rate_limit"
    listed = [(r.query["labels"], r.query["state"]) for r in world.emulator.requests[1:]]
    assert listed == [("incident", "closed"), ("incident", "open"), ("postmortem", "open")]
    world.emulator.reset_log()
    assert world.watch(10) == 0
    listed = [(r.query["labels"], r.query["state"]) for r in world.emulator.requests[1:]]
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


@pytest.mark.seed(29)
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


@pytest.mark.seed(44, 45, 46, 47)
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


# The seed's delay rule, and the same rule on a threshold the retries' backoff alone passes
# (BACKOFF_BASE_S x 0.5 + 2 x BACKOFF_BASE_S x 0.5 = 150 ms at the least): summed over the
# attempts, three fast 503s read as a slow readiness probe and opened a "Delays" incident.
@pytest.mark.seed(8)
@pytest.mark.parametrize("threshold", ["2000", "100"])
def test_a_readiness_503_that_fails_fast_opens_one_sev1_and_no_delays(
    world: World, receiver: Receiver, threshold: str
) -> None:
    """Readiness answers 503 at once, three attempts a tick; two ticks open exactly one incident,
    SEV-1 once flap control lets it, and neither a "Delays" incident nor its Slack post."""
    path = playbook_with(world.tmp_path, "ready_latency_ms > 2000", f"ready_latency_ms > {threshold}")
    world.monkeypatch.setenv("OPS_PLAYBOOK", str(path))
    world.monkeypatch.setenv("OPS_SLACK_WEBHOOK_URL", f"{receiver.url}/slack")
    world.backend.add_fault("/api/ready", "status", times=6, value=503)
    assert world.watch(0) == 0
    assert world.issues() == [], "backend-not-ready waits for flap control; nothing else fired"
    assert world.watch(10) == 0
    assert world.backend.pending_faults() == []
    assert [r.path for r in world.backend.requests].count("/api/ready") == 6
    reports = sorted((world.tmp_path / "r").glob("*.json"))
    assert len(reports) == 2
    for report_path in reports:
        report = json.loads(report_path.read_text(encoding="utf-8"))
        (ready,) = [probe for probe in report["probes"] if probe["id"] == "ready"]
        assert (ready["status_code"], ready["attempts"]) == (503, 3)
        (latency,) = [s for s in report["signals"] if s["name"] == "ready_latency_ms"]
        assert latency["status"] == "unknown"
        assert "HTTP 503" in latency["reason"]
        assert {r["id"]: r["outcome"] for r in report["rules"]}["ops-api-slow"] != "fired"
    (incident,) = world.issues()
    assert incident["title"].startswith("[SEV-1] ")
    assert "Delays" not in incident["title"]
    posts = [json.dumps(payload) for _, payload in receiver.received]
    assert len(posts) == 1, posts
    assert "SEV-1" in posts[0]
    assert "Delays" not in posts[0]


def _job_rules_fired(world: World) -> list[list[str]]:
    """Per report (oldest first), the branch C rules that fired, "(held)" after those only their
    holds_while kept firing."""
    fired = []
    for path in sorted((world.tmp_path / "r").glob("*.json")):
        report = json.loads(path.read_text(encoding="utf-8"))
        fired.append(
            [
                r["id"] + (" (held)" if r.get("held") else "")
                for r in report["rules"]
                if r["branch"] == "C" and r["outcome"] == "fired"
            ]
        )
    return fired


@pytest.mark.seed(39)
def test_a_falling_job_failure_count_opens_nothing(world: World) -> None:
    """A job regression opens C and is resolved; the hour's count then holds, then falls (12 -> 1):
    no triage reopens C (it fired on any non-zero count, so every tick after the fix reopened it)."""
    world.backend.set_scenario("job-regression")
    assert world.watch(0) == 0
    (incident,) = world.issues()
    assert incident["title"] == "[SEV-2] Job failures or dead letters rising"
    resolved = world.cli(
        5, "incident", "resolve", str(incident["number"]), "--force", "--reason", "hotfix deployed"
    )
    assert resolved == 0
    assert world.watch(10) == 0, "the count holds at 12: no rise"
    world.backend.set_scenario("job-failed-once")
    assert world.watch(20) == 0, "the count falls to 1"
    assert [issue["number"] for issue in world.issues()] == [incident["number"]]
    assert world.issues(state="open") == []
    assert _job_rules_fired(world) == [
        ["job-failures-high", "job-failures-isolated"],
        ["job-failures-high (held)", "job-failures-isolated (held)"],
        ["job-failures-isolated (held)"],
    ]


@pytest.mark.seed(8, 39)
def test_a_rise_of_job_failures_opens_c_once_and_it_holds_while_jobs_fail(world: World) -> None:
    """None, then one failed job (the seed's isolated job error: a rise) opens C once, SEV-2; while
    the count holds the rule holds (no "cleared", no second incident); at zero it clears."""
    assert world.watch(0) == 0
    world.backend.set_scenario("job-failed-once")
    assert world.watch(10) == 0
    (incident,) = world.issues()
    assert incident["title"] == "[SEV-2] Job failures or dead letters rising"
    for minutes in (20, 30, 40):
        assert world.watch(minutes) == 0
    assert len(world.issues()) == 1
    assert not any("cleared" in comment for comment in world.timeline()), world.timeline()
    world.backend.set_scenario("healthy")
    assert world.watch(50) == 0
    assert any("cleared: job-failures-isolated" in comment for comment in world.timeline())
    assert _job_rules_fired(world) == [
        [],
        ["job-failures-isolated"],
        ["job-failures-isolated (held)"],
        ["job-failures-isolated (held)"],
        ["job-failures-isolated (held)"],
        [],
    ]


CANARY = "/api/ops/canary/jobs"
LISTS = ("/api/ops/webhook-events", "/api/ops/dead-letters")


def _newest_report(world: World) -> dict[str, Any]:
    """The newest triage report the watch wrote."""
    newest = sorted((world.tmp_path / "r").glob("*.json"))[-1]
    report: dict[str, Any] = json.loads(newest.read_text(encoding="utf-8"))
    return report


@pytest.mark.seed(7)
def test_a_healthy_day_costs_production_one_canary_job_an_hour(world: World) -> None:
    """144 healthy ticks (a day on the 10-minute schedule): the job canary POSTs on the first tick
    (no record of an earlier run) and then once every 60 minutes, the playbook's interval, as the
    state file carries its last run between runs; no diagnostic list is fetched."""
    posted_on = []
    for tick in range(144):
        before = len(world.backend.requests)
        assert world.watch(tick * 10) == 0
        if any(r.method == "POST" and r.path == CANARY for r in world.backend.requests[before:]):
            posted_on.append(tick)
    assert posted_on == list(range(0, 144, 6))
    assert not [r for r in world.backend.requests if r.path.startswith(LISTS)]
    assert world.issues() == []
    (canary,) = [s for s in _newest_report(world)["signals"] if s["name"] == "jobs_canary_status"]
    assert canary["status"] == "unknown"
    assert canary["reason"].startswith("probe jobs_canary skipped, not failed: its when (")
    assert "last ran 50 min ago (every 60 min)" in canary["reason"]


@pytest.mark.seed(40)
def test_a_bad_tick_runs_the_canary_and_fetches_the_list_its_branch_needs(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """A healthy tick skips the canary and says why; the next tick's failed jobs (a rise) call for
    it in a second round, and branch C fetches the dead letters, not the failed webhooks."""
    assert world.watch(0) == 0
    world.backend.clear_requests()
    capsys.readouterr()
    assert world.watch(10) == 0
    assert not [r for r in world.backend.requests if r.path == CANARY or r.path.startswith(LISTS)]
    assert "probe jobs_canary: skipped, not failed: its when (" in capsys.readouterr().out
    world.backend.set_scenario("job-failed-once")
    world.backend.clear_requests()
    assert world.watch(20) == 0
    paths = [r.path.split("?")[0] for r in world.backend.requests]
    assert paths.count(CANARY) == 1
    assert paths.count("/api/ops/dead-letters") == 1
    assert "/api/ops/webhook-events" not in paths
    assert paths.index(CANARY) > paths.index("/api/ops/metrics"), "the canary waits for the first round"
    out = capsys.readouterr().out
    assert "probe jobs_canary: ran: its when (" in out
    assert ") is true" in out
    report = _newest_report(world)
    (canary,) = [s for s in report["signals"] if s["name"] == "jobs_canary_status"]
    assert (canary["status"], canary["value"]) == ("ok", 201)
    (found,) = report["diagnostics"]
    assert (found["probe"], found["count"]) == ("dead_letters", 1)
