"""The Statuspage-compatible documents (ops_actions/status_page/statuspage_api.py): the map of the
playbook's severities and statuses onto Statuspage's impacts and statuses, a planned incident's
``maintenance`` impact, and a page of several services as group components."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from ops_actions.playbook import Playbook, bundled_playbook_text, load_playbook, parse_playbook
from ops_actions.status_page.model import build_page
from ops_actions.status_page.public import PublicIncident
from ops_actions.status_page.statuspage_api import api_documents, impact_of, stable_id, status_of
from tests.support.services import two_service_playbook

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def bundled_playbook() -> Playbook:
    return parse_playbook(bundled_playbook_text(), source="playbook.yaml")


def _incident(number: int, severity: str, status: str = "investigating", **extra: object) -> PublicIncident:
    at = "2026-11-28T11:00:00Z"
    incident = PublicIncident(number, f"T{number}", severity, severity, status, True, at, None, (), (), None)
    return replace(incident, **extra)  # type: ignore[arg-type]


def test_the_seed_severities_map_to_critical_major_and_minor_and_planned_to_maintenance() -> None:
    playbook = bundled_playbook()
    assert [impact_of(playbook, s) for s in ("SEV-1", "SEV-2", "SEV-3")] == ["critical", "major", "minor"]
    assert impact_of(playbook, "SEV-1", planned=True) == "maintenance"


def test_the_seed_statuses_map_onto_statuspages() -> None:
    playbook = bundled_playbook()
    assert status_of(playbook, "investigating", open_=True) == "investigating"
    assert status_of(playbook, "mitigating", open_=True) == "identified"
    assert status_of(playbook, "monitoring", open_=True) == "monitoring"
    assert status_of(playbook, "resolved", open_=False) == "resolved"
    assert status_of(playbook, "closed", open_=False, postmortem=True) == "postmortem"


def test_a_planned_incident_is_maintenance_and_leaves_the_indicator_alone() -> None:
    playbook = bundled_playbook()
    page = build_page(
        playbook,
        [_incident(1, "SEV-1", planned=True), _incident(2, "SEV-3")],
        team="T",
        repository="o/r",
        now=NOW,
        last_checked_at=None,
    )
    documents = api_documents(playbook, page)
    assert documents["api/v2/status.json"]["status"] == {
        "indicator": "minor",
        "description": "Minor Service Outage",
    }
    impacts = {i["name"]: i["impact"] for i in documents["api/v2/incidents/unresolved.json"]["incidents"]}
    assert impacts == {"T1": "maintenance", "T2": "minor"}


def test_each_service_of_several_is_a_group_of_its_components(tmp_path: Path) -> None:
    playbook = load_playbook(two_service_playbook(tmp_path))
    own = {"api": ("auth", "billing"), "worker": ("jobs", "worker")}
    playbook = replace(playbook, views={k: replace(v, components=own[k]) for k, v in playbook.views.items()})
    page = build_page(
        playbook,
        [_incident(1, "SEV-1", components=("billing",), service="api")],
        team="T",
        repository="o/r",
        now=NOW,
        last_checked_at=None,
    )
    components = api_documents(playbook, page)["api/v2/components.json"]["components"]
    groups = {c["name"]: c for c in components if c["group"]}
    assert set(groups) == {"Billing API", "Job worker"}
    api = groups["Billing API"]
    assert api["status"] == "major_outage" and api["id"] == stable_id("o/r", "group", "api")
    members = {c["id"]: c for c in components if not c["group"]}
    assert [members[i]["name"] for i in api["components"]] == ["auth", "billing"]
    assert {c["name"]: c["group_id"] for c in members.values()} == {
        "auth": api["id"],
        "billing": api["id"],
        "jobs": groups["Job worker"]["id"],
        "worker": groups["Job worker"]["id"],
    }
