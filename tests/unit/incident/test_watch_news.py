"""What a scheduled watch adds to an open incident (ops_actions/incident/watch_news.py): a branch
that joins, once, and one the incident was opened with before its state recorded branches."""

from __future__ import annotations

from datetime import UTC, datetime

from ops_actions.incident.watch_news import watch_updates
from ops_actions.playbook import load_playbook
from tests.support.incident_states import opened
from tests.support.paths import PLAYBOOK

NOW = datetime(2026, 11, 27, 10, 20, tzinfo=UTC)


def _snapshot(*fired: str) -> dict[str, object]:
    return {"at": "2026-11-27T10:20:00Z", "severity": "SEV-1", "fired": list(fired), "signals": {}}


def test_a_branch_joins_once_and_one_already_firing_joins_silently() -> None:
    playbook = load_playbook(PLAYBOOK)
    state = opened(playbook, severity="SEV-1", now=datetime(2026, 11, 27, 10, 10, tzinfo=UTC))
    state.snapshots = [{"at": "2026-11-27T10:10:00Z", "fired": ["backend-not-ready"], "signals": {}}]
    common = {"table": "", "now": NOW, "run_key": "run-1", "volatile_signals": frozenset[str]()}
    snapshot = _snapshot("backend-not-ready", "database-down")
    joined, events = watch_updates(playbook, state, snapshot=snapshot, branches=["D"], **common)
    assert joined.branches == ["D"]
    assert joined.fired_rules == ["backend-not-ready", "database-down"]
    (join,) = [event for event in events if event.kind == "branch"]
    assert join.key == "run-1:branch-D" and "First step: Treat it as SEV-1." in join.body
    again, events = watch_updates(playbook, joined, snapshot=snapshot, branches=["D"], **common)
    assert again.branches == ["D"] and not [event for event in events if event.kind == "branch"]

    # Opened with D before states recorded branches: its last snapshot fired D's rule already.
    state.snapshots = [{"at": "2026-11-27T10:10:00Z", "fired": ["database-down"], "signals": {}}]
    legacy, events = watch_updates(playbook, state, snapshot=snapshot, branches=["D"], **common)
    assert legacy.branches == ["D"]
    assert not [event for event in events if event.kind == "branch"]
