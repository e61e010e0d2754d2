"""What a close the tool did not make means (ops_actions/incident/closes.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ops_actions.incident.closes import close_verdict, ended_by_tool, record_false_alarm
from ops_actions.playbook import load_playbook
from ops_actions.playbook.model import Playbook
from tests.support.fixtures.world import START
from tests.support.incident_states import opened
from tests.support.paths import PLAYBOOK


@pytest.fixture(scope="module")
def playbook() -> Playbook:
    return load_playbook(PLAYBOOK)


@pytest.mark.parametrize(
    ("reason", "permission", "verdict"),
    [
        ("not_planned", "write", "false-alarm"),
        ("not_planned", "admin", "false-alarm"),
        ("not_planned", "read", "reopen"),  # a triage-role user (GitHub's legacy permission: read)
        ("not_planned", "none", "reopen"),
        ("completed", "admin", "reopen"),  # a maintainer's plain close: only the gate resolves
        ("completed", "read", "reopen"),
        ("duplicate", "write", "reopen"),  # a duplicate is /merge's to fold in
        (None, "write", "reopen"),
    ],
)
def test_only_a_writers_not_planned_close_ends_an_unresolved_incident(
    playbook: Playbook, reason: str | None, permission: str, verdict: str
) -> None:
    assert close_verdict(playbook, opened(playbook), state_reason=reason, permission=permission) == verdict


def test_an_incident_the_tool_ended_stays_ended_whoever_closed_it(playbook: Playbook) -> None:
    resolved = replace(opened(playbook), status=playbook.statuses[-1])
    assert ended_by_tool(playbook, resolved)
    assert close_verdict(playbook, resolved, state_reason="completed", permission="read") == "ended"
    false_alarm, event = record_false_alarm(opened(playbook), closed_by="wanda", now=START, key="close-x")
    assert ended_by_tool(playbook, false_alarm) and false_alarm.false_alarm == {
        "by": "wanda",
        "at": "2026-11-27T10:00:00Z",
    }
    assert event.kind == "false-alarm" and "@wanda" in event.body
    assert close_verdict(playbook, false_alarm, state_reason="completed", permission="read") == "ended"
