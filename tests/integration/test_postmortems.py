"""Postmortems over the emulator: creation from a real incident, idempotency, action-item sync, reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ops_actions.adapters.github_tracker import ACTIONS_BOT
from ops_actions.incident.postmortem import read_postmortem_state
from ops_actions.incident.state_block import read_state
from tests.support.fixtures.github import GITHUB_TOKEN, REPO
from tests.support.fixtures.world import World
from tests.support.mermaid_check import mermaid_errors


@pytest.fixture
def resolved(world: World) -> tuple[int, int]:
    """A worker outage the watch detected, owned, mitigated, recovered and resolved; then its postmortem."""
    world.backend.set_scenario("worker-stalled")
    assert world.watch(0) == 0
    incident = world.issues("incident")[0]["number"]
    world.emulator.set_permission("octocat", "write")
    assert world.cli(4, "incident", "assign", str(incident), "octocat") == 0
    assert world.cli(9, "incident", "update", str(incident), "--status", "mitigating", "--next", "30m") == 0
    assert world.watch(10) == 0
    world.backend.set_scenario("healthy")
    assert world.watch(20) == 0
    assert world.watch(40) == 0
    assert (
        world.cli(41, "incident", "resolve", str(incident), "--force", "--reason", "smoke runner offline")
        == 0
    )
    assert world.cli(42, "postmortem", "create", str(incident)) == 0
    (pm,) = world.issues("postmortem")
    return incident, pm["number"]


@pytest.mark.seed(62, 63)
def test_postmortem_holds_the_timeline_durations_and_detection_facts(
    world: World, resolved: tuple[int, int]
) -> None:
    """The postmortem is due 24 h after resolution, linked both ways, with a correct timeline and charts."""
    incident, number = resolved
    pm = world.emulator.issue(number)
    assert pm["title"] == f"Postmortem: [SEV-2] Queue growing or worker down (#{incident})"
    body = pm["body"]
    for text in (
        f"**Incident:** #{incident}",
        "**Due:** 2026-11-28T10:41:00Z (24 h after resolution)",
        "| 2026-11-27T10:00:00Z | opened as SEV-2 |",
        "| 2026-11-27T10:04:00Z | owner: @\u200boctocat |",
        "| 2026-11-27T10:09:00Z | status: mitigating |",
        "| 2026-11-27T10:41:00Z | resolved |",
        "- Time to acknowledge: 4 min",
        "- Time to mitigate: 20 min (until metrics were normal again)",
        "- Time to resolve: 41 min",
        "Detected by: scheduled triage (ops-actions watch).",
        "### Root cause",
        "### Preventive actions",
    ):
        assert text in body, text
    assert [p["due"] for p in [vars(read_postmortem_state(body))]] == ["2026-11-28T10:41:00Z"]
    state = read_state(world.emulator.issue(incident)["body"])
    assert state is not None
    assert state.postmortem == number
    assert any(f"**Postmortem**: #{number}" in c["body"] for c in world.emulator.comments(incident))
    diagrams = [block.split("\n```", 1)[0] for block in body.split("```mermaid\n")[1:]]
    assert len(diagrams) == 2, "a timeline and a chart of the queue over the snapshots"
    assert diagrams[0].startswith("timeline")
    assert diagrams[1].startswith("xychart-beta")
    assert mermaid_errors(diagrams) == [None, None]


def test_creating_again_refreshes_facts_and_keeps_what_people_wrote(
    world: World, resolved: tuple[int, int]
) -> None:
    """A second create (e.g. the workflow re-run) updates the same issue and keeps the root cause text."""
    incident, number = resolved
    body = world.emulator.issue(number)["body"]
    world.edit_body(number, body.replace("_What caused the incident?_", "A stuck lock in the worker."))
    assert world.cli(50, "postmortem", "create", str(incident)) == 0
    assert len(world.issues("postmortem")) == 1
    assert "A stuck lock in the worker." in world.emulator.issue(number)["body"]


def test_a_postmortem_whose_link_was_lost_is_found_among_the_newer_ones_only(world: World) -> None:
    """A false alarm (a writer closed it as not planned); GitHub refuses its link comment after the
    postmortem asked for exists (exit 4): the next create finds that postmortem by its marker,
    listing only the postmortems updated since the incident opened, so the 150 older ones are never
    read; still one postmortem for the incident."""
    world.backend.set_scenario("worker-stalled")
    assert world.watch(0) == 0
    incident = world.incident()["number"]
    world.emulator.set_permission("mona", "write")
    world.close_as("mona", incident, "not_planned")
    world.backend.set_scenario("healthy")
    assert world.watch(5) == 0  # the watch records the false alarm: no postmortem yet
    long_ago = datetime.now(UTC) - timedelta(days=30)
    for i in range(150):
        world.emulator.add_issue(
            title=f"Postmortem: old {i}", labels=["postmortem"], user=ACTIONS_BOT, created_at=long_ago
        )
    world.emulator.inject("422", method="POST", path_contains=f"/issues/{incident}/comments")
    assert world.cli(6, "postmortem", "create", str(incident)) == 4
    world.emulator.reset_log()
    assert world.cli(7, "postmortem", "create", str(incident)) == 0
    assert world.emulator.issue(incident)["state"] == "closed"
    mine = [i for i in world.issues("postmortem") if i["title"].endswith(f"(#{incident})")]
    assert len(mine) == 1
    state = read_state(world.emulator.issue(incident)["body"])
    assert state is not None
    assert state.postmortem == mine[0]["number"]
    listings = [r for r in world.emulator.requests if r.path == f"/repos/{REPO}/issues"]
    assert len(listings) == 1, "one page: the newer postmortems"
    assert "since" in listings[0].query


# The template's example task on its own line (the section's prompt quotes it too).
PLACEHOLDER = "\n- [ ] action — @owner — due YYYY-MM-DD\n"
ITEMS = (
    "- [ ] Alert on worker heartbeat age — @alice — due 2026-12-01\n"
    "- [ ] Add a queue depth SLO — @bob — due 2026-12-05\n"
    "- [ ] Someone should look at retries\n"
)


@pytest.mark.seed(65)
def test_sync_creates_sub_issues_and_mirrors_checkboxes_both_ways(
    world: World, resolved: tuple[int, int]
) -> None:
    """Items become assigned sub-issues; a box ticked here closes one; a closed sub-issue ticks a box."""
    _, number = resolved
    for login in ("alice", "bob"):  # the owners are collaborators, so GitHub can assign them
        world.emulator.set_permission(login, "write")
    body = world.emulator.issue(number)["body"]
    world.edit_body(number, body.replace(PLACEHOLDER, "\n" + ITEMS))
    assert world.cli(60, "postmortem", "sync", str(number)) == 0
    children = world.issues("action-item")
    assert sorted(c["title"] for c in children) == [
        "Action: Add a queue depth SLO",
        "Action: Alert on worker heartbeat age",
    ]
    assert {c["assignees"][0]["login"] for c in children} == {"alice", "bob"}
    sub_issues = world.emulator.state()["sub_issues"]
    assert sorted(sub_issues[str(number)]) == sorted(c["number"] for c in children)
    problems = [c["body"] for c in world.emulator.comments(number) if "could not be synced" in c["body"]]
    assert len(problems) == 1
    assert "Someone should look at retries" in problems[0]
    assert "no owner" in problems[0]

    alert = next(c for c in children if "heartbeat" in c["title"])
    slo = next(c for c in children if "SLO" in c["title"])
    body = world.emulator.issue(number)["body"]
    world.edit_body(
        number, body.replace("- [ ] Alert on worker heartbeat", "- [x] Alert on worker heartbeat")
    )
    world.emulator.handle(
        "PATCH",
        f"/repos/{REPO}/issues/{slo['number']}",
        {"authorization": f"token {GITHUB_TOKEN}", "content-type": "application/json"},
        b'{"state": "closed"}',
    )
    assert world.cli(61, "postmortem", "sync", str(number)) == 0
    assert world.emulator.issue(alert["number"])["state"] == "closed"
    assert "- [x] Add a queue depth SLO — @bob — due 2026-12-05" in world.emulator.issue(number)["body"]
    assert world.cli(62, "postmortem", "sync", str(number)) == 0
    assert len(world.issues("action-item")) == 2, "nothing is created twice"
    assert len([c for c in world.emulator.comments(number) if "could not be synced" in c["body"]]) == 1


def test_two_identical_action_items_make_one_issue_and_orphan_none(
    world: World, resolved: tuple[int, int]
) -> None:
    """The same item pasted twice (spacing and case aside: one key) is one action: one issue, the one
    the postmortem keeps, and the next sync creates nothing more."""
    _, number = resolved
    world.emulator.set_permission("alice", "write")
    item = "- [ ] Alert on worker heartbeat age — @alice — due 2026-12-01\n"
    twice = item + item.replace("Alert on worker", "alert on  worker")
    body = world.emulator.issue(number)["body"]
    world.edit_body(number, body.replace(PLACEHOLDER, "\n" + twice))
    assert world.cli(60, "postmortem", "sync", str(number)) == 0
    (child,) = world.issues("action-item")
    pm = read_postmortem_state(world.emulator.issue(number)["body"])
    assert pm is not None and [entry["number"] for entry in pm.items.values()] == [child["number"]]
    assert world.emulator.state()["sub_issues"][str(number)] == [child["number"]]
    assert world.cli(61, "postmortem", "sync", str(number)) == 0
    assert len(world.issues("action-item")) == 1


def test_a_sync_stopped_midway_never_duplicates_an_item(
    world: World, resolved: tuple[int, int], capsys: pytest.CaptureFixture[str]
) -> None:
    """GitHub refuses attaching the first sub-issue: sync exits 4 with the item's number already saved;
    the next sync creates only the other item and attaches both."""
    _, number = resolved
    for login in ("alice", "bob"):
        world.emulator.set_permission(login, "write")
    body = world.emulator.issue(number)["body"]
    world.edit_body(number, body.replace(PLACEHOLDER, "\n" + ITEMS))
    world.emulator.inject("422", method="POST", path_contains="/sub_issues")
    assert world.cli(60, "postmortem", "sync", str(number)) == 4
    assert "add a sub-issue" in capsys.readouterr().err
    (first,) = world.issues("action-item")
    assert world.cli(61, "postmortem", "sync", str(number)) == 0
    children = world.issues("action-item")
    assert len(children) == 2, "the item created before the refusal is not created again"
    assert sorted(world.emulator.state()["sub_issues"][str(number)]) == sorted(c["number"] for c in children)
    assert first["number"] in [c["number"] for c in children]


def test_an_item_owner_github_cannot_assign_is_named_not_fatal(
    world: World, resolved: tuple[int, int], capsys: pytest.CaptureFixture[str]
) -> None:
    """Owners who are not collaborators: GitHub would refuse the create (422), so the items are created
    unassigned and the sync says who could not be assigned."""
    _, number = resolved
    body = world.emulator.issue(number)["body"]
    world.edit_body(number, body.replace(PLACEHOLDER, "\n" + ITEMS))
    capsys.readouterr()
    assert world.cli(60, "postmortem", "sync", str(number)) == 0
    out = capsys.readouterr().out
    assert "(GitHub could not assign @alice)" in out
    assert "(GitHub could not assign @bob)" in out
    children = world.issues("action-item")
    assert len(children) == 2
    assert all(child["assignees"] == [] for child in children)


@pytest.mark.seed(61)
def test_overdue_items_and_an_empty_postmortem_are_reminded_once_a_day(
    world: World, resolved: tuple[int, int]
) -> None:
    """Past the due dates: one reminder; another run the same day adds nothing; the next day, again."""
    _, number = resolved
    body = world.emulator.issue(number)["body"]
    world.edit_body(number, body.replace(PLACEHOLDER, "\n- [ ] Fix the lock — @alice — due 2026-11-28\n"))
    day = 60 * 24
    assert world.cli(2 * day, "postmortem", "remind") == 0
    reminders = [c["body"] for c in world.emulator.comments(number) if c["body"].startswith("**Reminder**")]
    assert len(reminders) == 1
    assert "@alice: 'Fix the lock' was due 2026-11-28" in reminders[0]
    assert "still empty: Root cause, Detection, What stopped the escalation" in reminders[0]
    assert world.cli(2 * day + 30, "postmortem", "remind") == 0
    assert len([c for c in world.emulator.comments(number) if c["body"].startswith("**Reminder**")]) == 1
    assert world.cli(3 * day, "postmortem", "remind") == 0
    assert len([c for c in world.emulator.comments(number) if c["body"].startswith("**Reminder**")]) == 2


@pytest.mark.parametrize(
    "mangle",
    [
        lambda b: b.replace("### Preventive actions", "### Things to do"),
        lambda b: b.replace(PLACEHOLDER, "\n- [ ]\n- [x]\n-[ ] x\n* [ ] y — @ — due\n"),
        lambda b: b.replace(
            PLACEHOLDER,
            "\n- [ ] 修复锁 — @al\u200bice — due 2026-02-30\n- [ ] \u202eevil\u202c — @bob — due soon\n",
        ),
        lambda b: b + "\n" + ("- [ ] filler line\n" * 4000),
        lambda b: b.replace("<!-- ops-actions:postmortem", "<!-- ops-actions:postmortem {broken json"),
        lambda b: "",
    ],
    ids=[
        "missing-section",
        "hand-edited-tasks",
        "odd-unicode",
        "over-60000-characters",
        "broken-state",
        "emptied",
    ],
)
def test_malformed_postmortems_never_crash_sync(
    world: World, resolved: tuple[int, int], mangle: Any, request: pytest.FixtureRequest
) -> None:
    """Whatever people did to the body, sync exits 0 and reports in a comment what it could not read."""
    _, number = resolved
    world.edit_body(number, mangle(world.emulator.issue(number)["body"])[:65_000])
    assert world.cli(70, "postmortem", "sync", str(number)) == 0
    assert len(world.emulator.issue(number)["body"]) <= 65_536
    reports = [c for c in world.timeline(number) if "could not be synced" in c]
    # Only the broken state block leaves readable (template) tasks behind: nothing to report there.
    assert len(reports) == (0 if request.node.callspec.id == "broken-state" else 1)
    assert all(len(report) <= 65_536 for report in reports)
