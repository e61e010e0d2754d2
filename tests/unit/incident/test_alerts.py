"""Alert intake without a server (ops_actions/incident/alerts.py): a payload's shape read as alerts."""

from __future__ import annotations

from ops_actions.incident.alerts import client_payload, parse_payload
from ops_actions.playbook import load_playbook
from tests.support.events import recorded_alert


def test_a_grafana_body_travels_wrapped_and_maps_its_labels() -> None:
    """Grafana's 14 top-level keys exceed GitHub's 10: `alert send` wraps it, intake unwraps it."""
    playbook = load_playbook(None)
    grafana = recorded_alert("grafana.json")
    payload = client_payload(grafana)
    assert list(payload) == ["body"]
    alert = parse_payload(playbook, payload)
    assert (alert.source, alert.severity, alert.component, alert.status) == (
        "grafana",
        "SEV-1",
        "worker",
        "firing",
    )
    assert alert.title == "The job worker stopped sending heartbeats"
    assert client_payload(recorded_alert("alertmanager-grouped.json")) == recorded_alert(
        "alertmanager-grouped.json"
    )
