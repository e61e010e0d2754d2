"""The resolution gate holds on every way to close, over real HTTP: people close incidents through
the REST API with their own tokens (as GitHub's Close button does), the scheduled watch runs next,
and the status page is built before and after.

Only the tool's resolution ends an incident. A close by anyone else is undone with a note naming
who closed it and what the gate misses, except a writer's close as *not planned*: a false alarm,
recorded, with no postmortem, left out of the figures and off the page.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from ops_actions.incident.state_block import read_state
from tests.integration.test_status_page import Site, build, component_states
from tests.support.fixtures.world import World


def shown(site: Site, number: int) -> dict[str, Any] | None:
    """The incident as status.json shows it (None: not shown)."""
    return next((i for i in site.status["incidents"] if i["id"] == number), None)


def never_resolved(site: Site, number: int) -> None:
    incident = shown(site, number)
    assert incident is not None and incident["open"] is True
    assert incident["status"] != "resolved" and incident["ended_at"] is None
    assert not [kind for kind in (u["kind"] for u in incident["updates"]) if kind == "resolved"]
    assert not [title for title, _ in site.entries() if title.endswith(": resolved")]


def test_a_triage_user_closing_an_unverified_sev1_is_undone_by_the_next_watch(world: World) -> None:
    """A triage-role user closes an unverified SEV-1 through the API: a production change on it is
    refused as closed, and the page built before the next run still shows it mitigating; the next
    watch reopens it, and the timeline names who closed it and what the resolution gate still
    misses; the page never showed it resolved."""
    world.backend.set_scenario("db-down")
    assert world.watch(0) == 0
    (incident,) = world.issues(state="open")
    number = incident["number"]
    assert incident["title"] == "[SEV-1] Database down"
    update = ["incident", "update", str(number), "--status", "mitigating", "--message", "failing over"]
    assert world.cli(5, *update) == 0
    world.emulator.set_permission("tina", "triage")
    world.close_as("tina", number)
    assert world.emulator.issue(number)["state"] == "closed"
    assert world.cli(6, "remediate", "smoke", "--incident", str(number)) == 2, "no production change first"
    assert world.emulator.workflow_dispatches() == [] and world.emulator.issue(number)["state"] == "closed"

    before = build(world, 6)
    never_resolved(before, number)
    assert shown(before, number)["status"] == "mitigating"  # type: ignore[index]
    assert "outage" in component_states(before).values()

    assert world.watch(10) == 0
    issue = world.emulator.issue(number)
    assert issue["state"] == "open" and issue["state_reason"] == "reopened"
    (note,) = [body for body in world.timeline(number) if body.startswith("**Reopened**")]
    assert "@tina closed this incident as completed" in note
    assert "Still missing: the impact (SEV-1): none stated" in note, "an unassessed SEV-1 impact first"
    assert "metrics normal for" in note and "not ticked" in note
    state = read_state(issue["body"])
    assert state is not None and state.status == "mitigating" and state.resolved_at is None
    assert "status:mitigating" in {label["name"] for label in issue["labels"]}
    after = build(world, 11)
    never_resolved(after, number)
    assert world.watch(20) == 0
    assert len([b for b in world.timeline(number) if b.startswith("**Reopened**")]) == 1, "noted once"


def test_a_triage_users_not_planned_close_is_no_false_alarm(world: World) -> None:
    """Only writers declare a false alarm: a triage-role user's close as not planned is undone too."""
    assert world.cli(0, "incident", "open", "--title", "Checkout failing", "--severity", "2") == 0
    world.emulator.set_permission("tina", "triage")
    world.close_as("tina", 1, "not_planned")
    assert world.watch(5) == 0
    issue = world.emulator.issue(1)
    assert issue["state"] == "open"
    (note,) = [body for body in world.timeline(1) if body.startswith("**Reopened**")]
    assert "@tina closed this incident as not planned (their permission: read)" in note
    state = read_state(issue["body"])
    assert state is not None and state.false_alarm is None


def test_a_writers_not_planned_close_is_a_false_alarm(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """A writer closes a SEV-2 as not planned: the close workflow records a false alarm and files no
    postmortem; it stays closed through the next watch, the report leaves it out of the figures,
    the page does not show it, and a /status on it afterwards is refused."""
    assert world.cli(0, "incident", "open", "--title", "Checkout failing", "--severity", "2") == 0
    assert world.cli(1, "incident", "update", "1", "--status", "mitigating") == 0
    world.emulator.set_permission("wanda", "write")
    world.close_as("wanda", 1, "not_planned")
    event = world.tmp_path / "closed.json"
    event.write_text(json.dumps({"action": "closed", "issue": {"number": 1}}), encoding="utf-8")
    world.monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    capsys.readouterr()
    assert world.cli(2, "postmortem", "create") == 0  # incident-postmortem.yml, on the close
    assert "closed as not planned (a false alarm): no postmortem" in capsys.readouterr().out
    assert world.issues("postmortem") == []
    (note,) = [body for body in world.timeline(1) if body.startswith("**False alarm**")]
    assert "@wanda closed this incident as not planned" in note
    state = read_state(world.emulator.issue(1)["body"])
    assert state is not None and state.false_alarm is not None and state.false_alarm["by"] == "wanda"

    assert world.watch(5) == 0
    assert world.emulator.issue(1)["state"] == "closed"
    assert len(world.timeline(1)) == 2, "the status update and the false alarm, nothing more"

    capsys.readouterr()
    assert world.cli(6, "report", "--since", "30d", "--json") == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["incidents"]["total"] == 0 and figures["incidents"]["false_alarms"] == 1
    assert figures["postmortems"]["expected"] == 0
    site = build(world, 7)
    assert shown(site, 1) is None and "Checkout failing" not in site.everything()
    assert set(component_states(site).values()) == {"operational"}
    assert {(c["incident_days"], c["incident_minutes"]) for c in site.status["components"]} == {(0, 0)}

    world.emulator.set_permission("alice", "write")
    assert world.comment(8, 1, "/status mitigating back again", "alice") == 0
    *_, reply = world.timeline(1)
    assert "#1 is closed: status update refused (reopen it, or open a new incident)" in reply
    assert world.emulator.issue(1)["state"] == "closed"
