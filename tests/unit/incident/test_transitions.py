"""Incident transitions (ops_actions/incident/transitions.py): the status line they write."""

from __future__ import annotations

from ops_actions.incident.labels import label_specs, labels_for
from ops_actions.incident.transitions import service_titled, status_line, update_status
from ops_actions.playbook import load_playbook, parse_playbook
from tests.support.fixtures.world import START
from tests.support.incident_states import opened
from tests.support.paths import PLAYBOOK
from tests.support.playbooks import with_services


def test_the_status_line_reads_as_sentences() -> None:
    """A title or impact ending its own sentence takes no second period; a resolved incident's line (the
    resolution's notification) promises no next update (never "Next update in n/a min")."""
    playbook = load_playbook(PLAYBOOK)
    state = opened(playbook, title="Checkout is down.", severity="SEV-1", impact="All card payments fail!")
    line = status_line(playbook, state, now=START, next_minutes=30)
    assert line == (
        "[SEV-1] 2026-11-27 10:00 UTC - Incident Checkout is down. Impact: All card payments fail! "
        "Current status: investigating. Next update in 30 min."
    )
    state.status = "resolved"
    resolved = status_line(playbook, state, now=START, next_minutes=None)
    assert resolved.endswith("Current status: resolved.") and "n/a" not in resolved
    _, event = update_status(
        playbook, state, status="mitigating", next_minutes=None, message="Fixed.", now=START, by="a", key="s"
    )
    assert ".." not in line + event.body


def test_a_service_s_incident_is_titled_and_labelled_with_its_service() -> None:
    whole = parse_playbook(with_services(), source="x.yaml")
    worker = whole.for_service("worker")
    assert service_titled(worker, "Queue stuck") == "Job worker: Queue stuck"
    assert service_titled(worker, "job worker: queue stuck") == "job worker: queue stuck"
    one = load_playbook(PLAYBOOK)
    assert service_titled(one, "Queue stuck") == "Queue stuck"
    state = opened(one)
    assert labels_for(worker, state)[:2] == ["incident", "service:worker"]
    assert "service:worker" not in labels_for(whole.for_service("api"), state)
    assert not any(label.startswith("service:") for label in labels_for(one, state))
    assert {"service:api", "service:worker"} <= set(label_specs(whole))
