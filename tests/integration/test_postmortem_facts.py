"""A postmortem's facts are true: who detected the incident (recorded when it was opened, whichever
way it was), one definition of time to mitigate everywhere, a postmortem only for a closed incident
(a false alarm's only on request), a timeline diagram in time order that keeps what changed, table
cells without Markdown markers, and action items read the ways people write them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ops_actions.incident.clock import parse_time
from ops_actions.incident.postmortem import ACTION_EXAMPLE, signals_charts, timeline_diagram
from ops_actions.incident.state_block import read_state
from ops_actions.incident.timeline import TimelineEntry, timeline_table
from ops_actions.playbook import bundled_playbook_text, parse_playbook
from tests.support.fixtures.world import World
from tests.support.incident_states import opened
from tests.support.mermaid_check import mermaid_errors


def postmortem_of(world: World, incident: int) -> str:
    (found,) = [i for i in world.issues("postmortem") if f"(#{incident})" in i["title"]]
    return str(found["body"])


def event(world: World, name: str, payload: dict[str, Any]) -> None:
    path = world.tmp_path / f"{name}.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    world.monkeypatch.setenv("GITHUB_EVENT_PATH", str(path))


@pytest.mark.seed(63)
def test_detected_by_says_how_each_incident_was_opened(world: World) -> None:
    """Scheduled triage, an alert and its source, the button, the CLI and a person, each as it was."""
    resolve = ["--force", "--reason", "test"]
    world.backend.set_scenario("worker-stalled")
    assert world.watch(0) == 0
    (triage,) = [i["number"] for i in world.issues()]
    assert world.cli(1, "incident", "resolve", str(triage), *resolve) == 0

    world.backend.set_scenario("healthy")
    event(
        world, "alert", {"action": "ops-alert", "client_payload": {"title": "502s", "source": "uptime-check"}}
    )
    assert (
        world.cli(
            2,
            "alert",
            "--history-file",
            str(world.tmp_path / "a.json"),
            "--report-dir",
            str(world.tmp_path / "r"),
        )
        == 0
    )
    alert = max(i["number"] for i in world.issues())
    assert world.cli(3, "incident", "resolve", str(alert), *resolve) == 0

    world.monkeypatch.setenv("GITHUB_ACTIONS", "true")
    world.monkeypatch.setenv("GITHUB_EVENT_NAME", "workflow_dispatch")
    world.monkeypatch.setenv("GITHUB_ACTOR", "alice")
    assert world.cli(4, "incident", "open", "--title", "Checkout failing", "--severity", "1") == 0
    button = max(i["number"] for i in world.issues())
    assert world.cli(5, "incident", "resolve", str(button), *resolve) == 0
    world.monkeypatch.delenv("GITHUB_ACTIONS")
    world.monkeypatch.setenv("GITHUB_EVENT_NAME", "push")
    world.monkeypatch.setenv("GITHUB_ACTOR", "bob")
    assert world.cli(6, "incident", "open", "--title", "Search is slow", "--severity", "3") == 0
    laptop = max(i["number"] for i in world.issues())
    assert world.cli(7, "incident", "resolve", str(laptop), *resolve) == 0

    person = world.emulator.add_issue(title="[SEV-3] Emails are late", labels=["incident"], user="carol")
    assert world.cli(8, "incident", "resolve", str(person), *resolve) == 0

    expected = {
        triage: "Detected by: scheduled triage (ops-actions watch).",
        alert: "Detected by: an alert from uptime-check.",
        button: "Detected by: the Open incident button, by @\u200balice.",
        laptop: "Detected by: the CLI (ops-actions incident open), by @\u200bbob.",
        person: "Detected by: a person, who opened the issue by hand (@\u200bcarol).",
    }
    for number, line in expected.items():
        assert line in postmortem_of(world, number), number
    # Only the triage saw a signal fail before the opening; the others say that none did, never
    # the opening time passed off as a "first failing signal".
    assert "- First failing signal 2026-11-27T10:00:00Z;" in postmortem_of(world, triage)
    for number in (alert, button, laptop, person):
        body = postmortem_of(world, number)
        assert "First failing signal" not in body, number
        assert "- No failing signal was recorded before the incident was opened (" in body, number


def test_time_to_mitigate_has_one_meaning_in_every_place(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """Until metrics were normal again: the resolution's comment, the postmortem and the report agree,
    whenever someone said "mitigating"."""
    world.backend.set_scenario("worker-stalled")
    assert world.watch(0) == 0
    (number,) = [i["number"] for i in world.issues()]
    assert world.cli(3, "incident", "update", str(number), "--status", "mitigating") == 0
    world.backend.set_scenario("healthy")
    assert world.watch(10) == 0
    assert world.watch(26) == 0
    assert world.cli(27, "incident", "resolve", str(number), "--force", "--reason", "no smoke runner") == 0
    state = read_state(world.incident()["body"])
    assert state is not None and state.clear_since is not None
    minutes = int((parse_time(state.clear_since) - parse_time(state.opened_at)).total_seconds() // 60)
    assert minutes >= 10, "not the 3 minutes until someone said mitigating"
    line = f"- Time to mitigate: {minutes} min (until metrics were normal again)"
    assert any(line in body for body in world.timeline(number) if body.startswith("**Resolved**"))
    assert line in postmortem_of(world, number)
    capsys.readouterr()
    assert world.cli(28, "report", "--json") == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["minutes_to"]["mitigate"]["median"] == minutes
    assert world.cli(29, "report") == 0
    assert "until metrics were normal again" in capsys.readouterr().out


def test_a_postmortem_only_for_a_closed_incident_and_a_false_alarm_only_on_request(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    assert world.cli(0, "incident", "open", "--title", "Checkout failing", "--severity", "2") == 0
    (number,) = [i["number"] for i in world.issues()]
    assert world.cli(1, "postmortem", "create", str(number)) == 2
    assert f"#{number} is still open" in capsys.readouterr().err
    world.emulator.set_permission("alice", "write")
    comment = world.emulator.add_comment(number, body="/postmortem", user="alice")
    payload = {
        "action": "created",
        "issue": {"number": number, "labels": [{"name": "incident"}]},
        "comment": {"id": comment, "body": "/postmortem", "user": {"login": "alice", "type": "User"}},
    }
    event(world, "comment", payload)
    assert world.cli(2, "command") == 0
    assert any("still open" in body for body in world.timeline(number))
    assert world.issues("postmortem") == []

    world.close_as("alice", number, "not_planned")  # a writer's false alarm: the workflow runs
    event(world, "closed", {"action": "closed", "issue": {"number": number, "state_reason": "not_planned"}})
    capsys.readouterr()
    assert world.cli(3, "postmortem", "create") == 0
    assert "closed as not planned (a false alarm): no postmortem" in capsys.readouterr().out
    assert world.issues("postmortem") == []
    assert world.cli(4, "postmortem", "create", str(number)) == 0, "asked for by name, it is filed"
    assert len(world.issues("postmortem")) == 1


def test_the_timeline_diagram_is_in_time_order_and_keeps_what_changed() -> None:
    playbook = parse_playbook(bundled_playbook_text(), source="seed")
    state = opened(playbook)
    state.mitigated_at = "2026-11-27T10:20:00Z"
    long = "Backend Deploy dispatched on main after the worker stopped taking jobs from the queue entirely"
    entries = [
        TimelineEntry("2026-11-27T10:00:00Z", "opened", "opened as SEV-2"),
        TimelineEntry("2026-11-27T10:25:00Z", "status", "status: mitigating"),
        TimelineEntry("2026-11-27T10:05:00Z", "snapshot", "`queue_depth.queued` 40 → 65"),
        TimelineEntry("2026-11-27T10:20:00Z", "snapshot", "`queue_depth.queued` 65 → 3"),
        TimelineEntry("2026-11-27T10:10:00Z", "dispatch", long),
        TimelineEntry("2026-11-27T10:40:00Z", "resolved", "**resolved**"),
    ]
    diagram = timeline_diagram(7, state, entries)
    times = [line.split(" : ")[0].strip() for line in diagram.splitlines() if " : " in line]
    assert times == ["10h00", "10h05", "10h10", "10h20", "10h25", "10h40"], diagram
    assert diagram.index("section Recovery") < diagram.index("10h20")
    assert "queue_depth.queued 40 → 65" in diagram and "65 → 3" in diagram
    cut = next(line for line in diagram.splitlines() if "Backend Deploy" in line)
    assert cut.endswith("…") and len(cut.split(" : ", 1)[1]) <= 80
    assert mermaid_errors([diagram]) == [None]
    table = timeline_table(entries)
    assert "`" not in table and "**" not in table
    assert "| 2026-11-27T10:05:00Z | queue_depth.queued 40 → 65 |" in table


def test_an_unreadable_item_is_answered_with_the_form_and_an_example(world: World) -> None:
    world.backend.set_scenario("worker-stalled")
    assert world.watch(0) == 0
    (number,) = [i["number"] for i in world.issues()]
    assert world.cli(1, "incident", "resolve", str(number), "--force", "--reason", "test") == 0
    (pm,) = world.issues("postmortem")
    body = pm["body"].replace(
        "- [ ] action — @owner — due YYYY-MM-DD", "- [ ] Alert sooner — @bob — due 12/12/2026"
    )
    world.edit_body(pm["number"], body)
    assert world.cli(2, "postmortem", "sync", str(pm["number"])) == 0
    (note,) = [c for c in world.timeline(pm["number"]) if "could not be synced" in c]
    assert "'12/12/2026' is not a date (YYYY-MM-DD)" in note
    assert f"`{ACTION_EXAMPLE}`" in note and "`- [ ] action — @owner — due YYYY-MM-DD`" in note


def test_a_snapshots_changes_are_labels_of_their_own_that_keep_their_values() -> None:
    """A recovery snapshot's summary longer than a label: each change is an event of the time, so
    `40 → 3` and `900 → 5` stay whole instead of being cut off at 80 characters."""
    playbook = parse_playbook(bundled_playbook_text(), source="seed")
    state = opened(playbook)
    summary = (
        "triage severity SEV-2 → none; cleared: worker-heartbeat-stale; `queue_depth.queued` 40 → 3; "
        "`worker_heartbeat_age_s` 900 → 5"
    )
    entries = [
        TimelineEntry("2026-11-27T10:00:00Z", "opened", "opened as SEV-2"),
        TimelineEntry("2026-11-27T10:20:00Z", "snapshot", summary),
    ]
    diagram = timeline_diagram(1, state, entries)
    (line,) = [line.strip() for line in diagram.splitlines() if line.strip().startswith("10h20")]
    assert line == (
        "10h20 : triage severity SEV-2 → none : cleared worker-heartbeat-stale : "
        "queue_depth.queued 40 → 3 : worker_heartbeat_age_s 900 → 5"
    )
    assert mermaid_errors([diagram]) == [None]


def snapshot(at: str, fired: list[str], **signals: object) -> dict[str, Any]:
    return {"at": at, "severity": "SEV-1" if fired else None, "fired": fired, "signals": signals}


@pytest.mark.seed(63)
def test_key_signals_are_what_the_rules_that_fired_read() -> None:
    """A stale heartbeat charts the heartbeat's age in seconds, not the queue; the database down
    charts db_ok as a state (0 then 1), not a flat queue of [3, 3]; a hand-opened incident without a
    rule that fired gets no chart."""
    playbook = parse_playbook(bundled_playbook_text(), source="seed")
    stalled = opened(playbook)
    stalled.snapshots = [
        snapshot(
            "2026-11-27T10:00:00Z",
            ["worker-heartbeat-stale"],
            worker_heartbeat_age_s=900,
            **{"queue_depth.queued": 40},
        ),
        snapshot("2026-11-27T10:10:00Z", [], worker_heartbeat_age_s=5, **{"queue_depth.queued": 3}),
    ]
    (heartbeat,) = signals_charts(playbook, stalled)
    assert 'title "worker_heartbeat_age_s"' in heartbeat and 'y-axis "seconds"' in heartbeat
    assert "line [900, 5]" in heartbeat and "queue_depth" not in heartbeat

    database = opened(playbook, severity="SEV-1")
    database.snapshots = [
        snapshot("2026-11-27T10:00:00Z", ["database-down"], db_ok=False, **{"queue_depth.queued": 3}),
        snapshot("2026-11-27T10:10:00Z", [], db_ok=True, **{"queue_depth.queued": 3}),
    ]
    (db_ok,) = signals_charts(playbook, database)
    assert 'title "db_ok"' in db_ok and 'y-axis "state (1 true, 0 false)"' in db_ok
    assert "line [0, 1]" in db_ok and "[3, 3]" not in db_ok
    assert mermaid_errors([heartbeat, db_ok]) == [None, None]

    by_hand = opened(playbook)
    by_hand.snapshots = [snapshot("2026-11-27T10:00:00Z", [], **{"queue_depth.queued": 3})] * 2
    assert signals_charts(playbook, by_hand) == []
