"""Incidents that follow reality, over the sandbox backend and the GitHub emulator: severity raised
by triage (lowered only by a person), several incidents by cause, merge and split, flap control."""

from __future__ import annotations

import pytest

from ops_actions.cli import run
from ops_actions.incident.state_block import read_state, with_state
from tests.support.emulator import labels_of
from tests.support.fixtures.receiver import Receiver
from tests.support.fixtures.world import World


def open_titles(world: World) -> list[str]:
    return [issue["title"] for issue in sorted(world.issues(state="open"), key=lambda i: i["number"])]


@pytest.mark.seed(7, 25, 50)
def test_the_watch_raises_sev2_to_sev1_and_notifies(world: World, receiver: Receiver) -> None:
    """Webhooks fail (SEV-2, cause payments); then the payments canary fails (SEV-1, same cause): the
    same incident is raised, with the reason on the timeline, the SEV-1 banner and both targets told."""
    world.monkeypatch.setenv("OPS_SLACK_WEBHOOK_URL", f"{receiver.url}/slack")
    world.monkeypatch.setenv("OPS_STATUS_WEBHOOK_URL", f"{receiver.url}/status")
    world.backend.set_scenario("webhook-failing")
    assert world.watch(0) == 0
    (incident,) = world.issues()
    number = incident["number"]
    assert incident["title"] == "[SEV-2] Stripe webhooks failing"
    assert [path for path, _ in receiver.received] == ["/slack"], "SEV-2 is not routed to the status page"
    assert "> [!IMPORTANT]" not in incident["body"]
    receiver.received.clear()

    world.backend.set_scenario("payments-down")
    assert world.watch(10) == 0
    assert len(world.issues()) == 1, "the same cause: no second incident"
    issue = world.emulator.issue(number)
    assert issue["title"] == "[SEV-1] Stripe webhooks failing"
    assert {"sev-1", "incident"} <= labels_of(issue) and "sev-2" not in labels_of(issue)
    (raised,) = [c for c in world.timeline(number) if c.startswith("**Severity**")]
    assert raised.startswith("**Severity** SEV-2 → SEV-1")
    assert "Reason: triage shows `payments-not-accepted` (SEV-1)" in raised
    top = issue["body"].split("<!-- ops-actions:generated-end -->")[0]
    assert top.startswith(
        "<!-- ops-actions:generated-start -->\n**Severity:** SEV-2 → SEV-1 · **Status:** investigating"
    )
    assert (
        "> [!IMPORTANT]\n> SEV-1: post a status update to customers and the internal channel now."
        in issue["body"]
    )
    assert sorted(path for path, _ in receiver.received) == ["/slack", "/status"], "SEV-1 goes everywhere"
    status = next(body for path, body in receiver.received if path == "/status")
    assert (status["event"], status["severity"]) == ("severity", "SEV-1")
    raised_state = read_state(issue["body"])
    assert raised_state is not None
    assert raised_state.next_update_due == "2026-11-27T10:40:00Z", (
        "SEV-1's 30 min from the raise, not SEV-2's 60"
    )
    assert "**Next update due:** 2026-11-27 10:40 UTC" in top
    receiver.received.clear()
    assert world.watch(20) == 0
    assert len([c for c in world.timeline(number) if c.startswith("**Severity**")]) == 1, "raised once"
    assert receiver.received == []
    assert world.watch(41) == 0
    assert len([c for c in world.timeline(number) if c.startswith("**Status update overdue**")]) == 1


def test_the_open_incident_button_s_severity_is_a_floor(world: World) -> None:
    """A person's SEV-3 with an attached triage that says SEV-1 opens as SEV-1, holding the cause."""
    world.backend.set_scenario("db-down")
    reports = world.tmp_path / "button"
    assert (
        world.cli(0, "triage", "--report-dir", str(reports), "--history-file", str(world.tmp_path / "b.json"))
        == 0
    )
    (report,) = reports.glob("*.json")
    assert (
        world.cli(
            0, "incident", "open", "--title", "Slow pages", "--severity", "3", "--from-report", str(report)
        )
        == 0
    )
    (incident,) = world.issues()
    assert incident["title"] == "[SEV-1] Slow pages"
    state = read_state(incident["body"])
    assert state is not None and state.causes == ["backend"]
    (note,) = world.timeline(incident["number"])
    assert note.startswith(
        "**Severity at opening: SEV-1.** @octocat chose SEV-3 through the CLI (ops-actions incident open); "
        "the attached triage shows SEV-1 (`"
    )
    assert "`database-down`" in note
    assert "A worse severity in the triage wins over a person's, which is a floor." in note
    # The same run again (a retry): the incident is open, the note is not posted twice.
    args = ["incident", "open", "--title", "Slow pages", "--severity", "3", "--from-report", str(report)]
    assert run(args) == 0
    assert len(world.timeline(incident["number"])) == 1
    assert world.watch(10) == 0
    assert len(world.issues()) == 1, "the watch finds the cause held: no second incident"


def test_a_person_s_worse_severity_over_the_triage_is_noted_as_the_person_s(world: World) -> None:
    """The Open incident button's SEV-1 over a triage that shows SEV-2: it opens as SEV-1 and the
    timeline says who chose it and why the triage did not lower it."""
    world.backend.set_scenario("webhook-failing")
    reports = world.tmp_path / "button"
    history = str(world.tmp_path / "b.json")
    assert world.cli(0, "triage", "--report-dir", str(reports), "--history-file", history) == 0
    (report,) = reports.glob("*.json")
    world.monkeypatch.setenv("GITHUB_ACTIONS", "true")
    world.monkeypatch.setenv("GITHUB_EVENT_NAME", "workflow_dispatch")
    world.monkeypatch.setenv("GITHUB_ACTOR", "alice")
    args = ["incident", "open", "--title", "Checkout", "--severity", "1", "--from-report", str(report)]
    assert world.cli(1, *args) == 0
    (incident,) = world.issues()
    assert incident["title"] == "[SEV-1] Checkout"
    (note,) = world.timeline(incident["number"])
    assert note.startswith(
        "**Severity at opening: SEV-1.** @alice chose SEV-1 through the Open incident button; "
        "the attached triage shows SEV-2 (`webhooks-failing`)."
    )
    assert "A person's severity is a floor, which a less severe triage does not lower." in note


@pytest.mark.seed(24)
def test_a_lower_severity_is_proposed_once_and_changes_nothing_until_sev(world: World) -> None:
    """A person's SEV-1 over a triage that shows SEV-2: one proposal after the playbook's 30 min,
    the incident stays SEV-1 until someone runs /sev 2, and triage never lowers it by itself."""
    world.backend.set_scenario("webhook-failing")
    assert world.cli(0, "incident", "open", "--title", "Checkout failing", "--severity", "1") == 0
    (incident,) = world.issues()
    number = incident["number"]
    for minute in (2, 20, 31, 41):  # the first triage takes the payments cause, at SEV-2
        assert world.watch(minute) == 0
    proposals = [c for c in world.timeline(number) if c.startswith("**Severity proposal**")]
    assert len(proposals) == 1, "one proposal, not one per tick"
    assert "since 2026-11-27T10:02:00Z triage shows only SEV-2" in proposals[0]
    assert "`/sev 2 <reason>`; nothing changes until a person does" in proposals[0]
    assert world.emulator.issue(number)["title"] == "[SEV-1] Checkout failing"
    world.emulator.set_permission("alice", "write")
    assert world.comment(42, number, "/sev 2 only webhooks, payments go through", "alice") == 0
    assert world.emulator.issue(number)["title"] == "[SEV-2] Checkout failing"
    assert world.watch(50) == 0
    assert world.emulator.issue(number)["title"] == "[SEV-2] Checkout failing"


@pytest.mark.seed(27, 47)
def test_two_unrelated_causes_open_two_linked_incidents_each_fed_by_its_own_signals(world: World) -> None:
    """Webhooks fail (#1); then the database goes down: a second incident (#2, SEV-1, freezing),
    linked in both bodies. Each sees only its own rules and signals; a freeze any open incident
    holds stops a deploy for the other one too."""
    world.emulator.add_workflow(
        "backend-deploy.yml", "Backend Deploy", inputs=("ref", "incident", "override_freeze_reason")
    )
    world.backend.set_scenario("webhook-failing")
    assert world.watch(0) == 0
    world.backend.set_scenario("db-down")
    assert world.watch(10) == 0
    assert open_titles(world) == ["[SEV-2] Stripe webhooks failing", "[SEV-1] Database down"]
    first, second = sorted(world.issues(state="open"), key=lambda i: i["number"])
    assert "**Related incidents:** #" + str(second["number"]) in first["body"]
    assert "**Related incidents:** #" + str(first["number"]) in second["body"]
    assert "**Causes:** `backend`" in second["body"] and "### Branch D: Database down" in second["body"]
    assert "### Branch D" not in first["body"]
    assert "deploy-freeze" in labels_of(second) and "deploy-freeze" not in labels_of(first)
    (linked,) = [c for c in world.timeline(first["number"]) if c.startswith("**Related incident**")]
    assert f"#{second['number']} opened for" in linked
    (cleared,) = [c for c in world.timeline(first["number"]) if c.startswith("**Triage snapshot**")]
    changes = cleared.split("| Signal |")[0]  # the lines above the triage table
    assert "cleared: webhooks-failing" in changes
    assert "`db_ok`" not in changes and "database-down" not in changes, "#1 reads only its own signals"
    assert world.timeline(second["number"]) == []

    world.backend.set_scenario("webhook-failing")
    assert world.watch(14) == 0
    assert len(world.issues(state="open")) == 2, "a held cause fires again in its own incident"
    assert "now firing: webhooks-failing" in world.timeline(first["number"])[-1]
    assert "cleared: database-down" in world.timeline(second["number"])[-1]
    assert world.cli(14, "remediate", "deploy", "--incident", str(first["number"])) == 6
    assert world.emulator.workflow_dispatches() == [], f"#{second['number']}'s freeze holds every deploy"


def test_merge_folds_an_incident_in_and_split_moves_a_cause_out(world: World) -> None:
    """/merge #2 on #1: #2 is closed as a duplicate, #1 takes its cause, severity and freeze, and the
    next triage of that cause updates #1. /split backend moves it out again into a new incident."""
    world.emulator.set_permission("alice", "write")
    world.backend.set_scenario("webhook-failing")
    assert world.watch(0) == 0
    world.backend.set_scenario("db-down")
    assert world.watch(10) == 0
    first, second = sorted(issue["number"] for issue in world.issues(state="open"))
    assert world.comment(11, first, f"/merge #{second}", "alice") == 0
    merged = world.emulator.issue(second)
    assert (merged["state"], merged["state_reason"]) == ("closed", "duplicate")
    assert labels_of(merged) == {"duplicate"}
    assert f"**Merged into #{first}** by @alice" in world.timeline(second)[-1]
    kept = world.emulator.issue(first)
    assert kept["title"] == "[SEV-1] Stripe webhooks failing", "the worse severity of the two"
    assert "deploy-freeze" in labels_of(kept)
    state = read_state(kept["body"])
    assert state is not None and state.causes == ["payments", "backend"] and state.related == []
    assert kept["body"].count("### Branch D: Database down") == 1, "#2's steps came with its cause"
    assert world.watch(12) == 0
    assert not any("joins this incident" in c for c in world.timeline(first)), "D came with the merge"
    assert [issue["number"] for issue in world.issues(state="open")] == [first], "no new incident"
    assert "now firing: backend-not-ready" in world.timeline(first)[-1]

    assert world.comment(13, first, "/split backend", "alice") == 0
    (split,) = [issue for issue in world.issues(state="open") if issue["number"] not in {first, second}]
    assert split["title"] == "[SEV-1] Database down"
    assert "**Related incidents:** #" + str(first) in split["body"]
    state = read_state(world.emulator.issue(first)["body"])
    assert state is not None and state.causes == ["payments"] and state.related == [split["number"]]
    assert any(c.startswith("**Split** by @alice") for c in world.timeline(first))
    assert world.comment(14, first, "/split payments", "alice") == 0
    assert "is #" in world.timeline(first)[-1] and "only cause" in world.timeline(first)[-1]


def test_merge_never_closes_a_pull_request_labelled_incident(world: World) -> None:
    """The issues API answers a pull request's number too (with a ``pull_request`` key): one labelled
    `incident` is no incident, so `/merge #PR` is refused before any write to it, and so is every other
    command naming it; the pull request stays open with its labels."""
    world.emulator.set_permission("alice", "write")
    assert world.cli(0, "incident", "open", "--title", "Checkout failing", "--severity", "2") == 0
    number = world.incident()["number"]
    pull = world.emulator.add_issue(title="Fix checkout", labels=["incident"], pull_request=True)
    world.emulator.reset_log()
    assert world.comment(1, number, f"/merge #{pull}", "alice") == 0
    assert f"#{pull} is a pull request, not an incident" in world.timeline(number)[-1]
    kept = world.emulator.issue(pull)
    assert (kept["state"], labels_of(kept)) == ("open", {"incident"})
    assert world.emulator.comments(pull) == []
    assert not [r for r in world.emulator.requests if r.is_write and f"/issues/{pull}" in r.path]
    assert world.cli(2, "incident", "update", str(pull), "--status", "mitigating", "--message", "x") == 2
    assert world.emulator.issue(pull)["labels"] == kept["labels"]


@pytest.mark.seed(17)
def test_one_failed_readiness_tick_opens_nothing_two_open_a_sev1(world: World) -> None:
    """A blip (one failed readiness probe, then fine) never opens an incident; the first failed tick
    is in the job summary; two failed ticks in a row open the SEV-1."""
    summary = world.tmp_path / "summary.md"
    world.monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    world.backend.add_fault("/api/ready", "status", value=503, times=3)
    assert world.watch(0) == 0
    assert world.issues() == []
    text = summary.read_text(encoding="utf-8")
    assert "**Not fired yet** (breached, waiting for the next triage):" in text
    assert "- `backend-not-ready` (SEV-1): 1 of 2 triages in a row" in text
    assert "backend-not-ready breached, not yet fired" in text
    assert world.watch(10) == 0
    assert world.issues() == [], "the blip is over"
    for minute in (20, 30):
        world.backend.add_fault("/api/ready", "status", value=503, times=3)
        assert world.watch(minute) == 0
    (incident,) = world.issues()
    assert (
        incident["title"]
        == "[SEV-1] The backend does not answer its readiness probe (unreachable counts as down)"
    )


def test_a_firing_alert_confirms_a_failed_readiness_at_once(world: World) -> None:
    """With a monitor's alert firing, the first failed readiness tick opens the incident."""
    world.backend.add_fault("/api/ready", "status", value=503, times=3)
    alert = {"source": "uptime", "title": "API down", "severity": "critical", "dedupe_key": "api-down"}
    assert world.alert(0, alert) == 0
    (incident,) = world.issues()
    assert incident["title"] == "[SEV-1] API down"
    state = read_state(incident["body"])
    assert state is not None
    assert state.causes == ["backend", "alert:api-down"]
    assert state.snapshots[0]["fired"] == ["backend-not-ready"]


def test_an_incident_holding_no_cause_keeps_following_what_its_triage_saw(world: World) -> None:
    """An incident opened before incidents had causes (its state holds none) takes the causes of its
    last snapshot's rules instead of seeing them opened again in a second incident."""
    world.backend.set_scenario("worker-stalled")
    assert world.watch(0) == 0
    (incident,) = world.issues()
    state = read_state(incident["body"])
    assert state is not None and state.causes == ["B"]
    state.causes = []
    world.edit_body(incident["number"], with_state(incident["body"], state))
    assert world.watch(10) == 0
    assert len(world.issues()) == 1
    assert world.timeline(incident["number"])[0].startswith(
        "**Now following**: B) Queue growing or worker down"
    )
