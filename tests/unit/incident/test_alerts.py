"""Alert intake without a server (ops_actions/incident/alerts.py): a payload's shape read as alerts."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops_actions.errors import ExitCode
from ops_actions.incident.alerts import AlertError, alert_service, client_payload, parse_payload
from ops_actions.playbook import load_playbook
from tests.support.events import recorded_alert
from tests.support.services import API, WORKER, split_services


def test_a_grafana_body_travels_wrapped_and_maps_its_labels() -> None:
    """Grafana's 14 top-level keys exceed GitHub's 10: `send-alert` wraps it, intake unwraps it."""
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


def test_an_alert_goes_to_the_service_it_names_or_whose_component_it_is(tmp_path: Path) -> None:
    """Our service field, then the group's common service label, then the one service that has the
    component; a label naming no service falls back to the component; a playbook of one service has
    no service to route to."""
    playbook = load_playbook(split_services(tmp_path))
    ours = {"title": "Checkout 502", "component": "billing"}
    assert alert_service(playbook, ours) == API
    assert alert_service(playbook, {**ours, "service": WORKER}) == WORKER
    grouped = recorded_alert("alertmanager-grouped.json")  # component billing
    assert alert_service(playbook, grouped) == API
    labelled = {**grouped, "commonLabels": {**grouped["commonLabels"], "service": WORKER}}
    assert alert_service(playbook, labelled) == WORKER
    unknown = {**grouped, "commonLabels": {**grouped["commonLabels"], "service": "checkout-svc"}}
    assert alert_service(playbook, unknown) == API
    assert alert_service(load_playbook(None), grouped) is None
    assert alert_service(load_playbook(None), ours) is None


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({"title": "Something broke"}, "which service is this alert for? the playbook has api, worker: "),
        ({"title": "Jobs", "component": "auth", "service": "billing"}, "service 'billing' is not one of"),
    ],
)
def test_an_alert_without_its_service_is_refused_naming_the_services(
    tmp_path: Path, payload: dict[str, str], reason: str
) -> None:
    """No field, no label and a component two services share (or none): exit 2, one line."""
    with pytest.raises(AlertError) as refused:
        alert_service(load_playbook(split_services(tmp_path)), payload)
    assert str(refused.value).startswith(f"alert rejected: {reason}")
    assert refused.value.exit_code == ExitCode.USAGE


def test_our_service_field_on_a_playbook_without_services_is_refused() -> None:
    with pytest.raises(AlertError, match="this playbook declares no services"):
        alert_service(load_playbook(None), {"title": "x", "service": "api"})
