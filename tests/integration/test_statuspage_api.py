"""The Statuspage-compatible ``api/v2`` documents of the built status page, from incidents the CLI
really made on the GitHub emulator: each document validates against the JSON Schema the package
ships for it (written from Statuspage's public API documentation), for no incident, an open SEV-1, a
resolved incident, an upcoming and an active maintenance window; the ids stay the same across
builds; and the page's own status.json still validates against status.schema.json."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema
from referencing import Registry, Resource

from ops_actions.playbook import bundled_playbook_text
from ops_actions.status_page.status_json import status_schema
from tests.support.fixtures.world import World
from tests.support.paths import PACKAGE

SCHEMAS = PACKAGE / "status_page" / "statuspage_schemas"
DOCUMENTS = {
    "summary.json": "summary",
    "status.json": "status",
    "components.json": "components",
    "incidents.json": "incidents",
    "incidents/unresolved.json": "incidents-unresolved",
    "scheduled-maintenances.json": "scheduled-maintenances",
    "scheduled-maintenances/upcoming.json": "scheduled-maintenances-upcoming",
    "scheduled-maintenances/active.json": "scheduled-maintenances-active",
}
COMPONENTS = ["auth", "billing", "jobs", "worker", "stripe webhook"]
WINDOW = """
maintenance:
  - id: db-upgrade
    title: Database upgrade
    start: {start}
    end: {end}
    components: [billing, jobs]
    public: Payments may be slow for a few minutes.
"""


@cache
def validators() -> dict[str, jsonschema.Draft202012Validator]:
    """A validator per document, from the schema files as shipped (read from the package folder)."""
    schemas = [json.loads(path.read_text("utf-8")) for path in SCHEMAS.glob("*.schema.json")]
    registry: Registry[Any] = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas
    )
    by_name = {schema["$id"].rsplit("/", 1)[1].removesuffix(".schema.json"): schema for schema in schemas}
    for schema in schemas:
        jsonschema.Draft202012Validator.check_schema(schema)
    return {
        path: jsonschema.Draft202012Validator(
            by_name[name], registry=registry, format_checker=jsonschema.FormatChecker()
        )
        for path, name in DOCUMENTS.items()
    }


def api(world: World, minutes: float) -> dict[str, dict[str, Any]]:
    """Build the site and read back every api/v2 document, each checked against its schema (and the
    page's own status.json against status.schema.json, as before)."""
    out = world.tmp_path / "site"
    assert world.cli(minutes, "status-page", "build", "--out", str(out)) == 0
    jsonschema.validate(json.loads((out / "status.json").read_text("utf-8")), status_schema())
    built = {p.relative_to(out / "api/v2").as_posix() for p in (out / "api/v2").rglob("*.json")}
    assert built == set(DOCUMENTS)
    documents = {}
    for path in DOCUMENTS:
        document = json.loads((out / "api/v2" / path).read_text("utf-8"))
        validators()[path].validate(document)
        documents[path] = document
    return documents


def statuses(document: dict[str, Any]) -> dict[str, str]:
    return {c["name"]: c["status"] for c in document["components"]}


def with_window(world: World, start: str, end: str) -> None:
    playbook = world.tmp_path / "playbook.yaml"
    playbook.write_text(bundled_playbook_text() + WINDOW.format(start=start, end=end), encoding="utf-8")
    world.monkeypatch.setenv("OPS_PLAYBOOK", str(playbook))


def test_no_incident_all_systems_operational_with_ids_the_same_in_every_build(world: World) -> None:
    first = api(world, 0)
    summary = first["summary.json"]
    assert summary["status"] == {"indicator": "none", "description": "All Systems Operational"}
    assert first["status.json"] == {"page": summary["page"], "status": summary["status"]}
    page = summary["page"]
    assert (page["name"], page["url"], page["time_zone"]) == (
        "backend",
        "https://octo-org.github.io/backend/",
        "Etc/UTC",
    )
    assert [c["name"] for c in summary["components"]] == COMPONENTS
    assert set(statuses(summary).values()) == {"operational"}
    assert [c["position"] for c in summary["components"]] == [1, 2, 3, 4, 5]
    assert summary["incidents"] == [] and summary["scheduled_maintenances"] == []
    assert (
        first["incidents.json"]["incidents"] == [] and first["incidents/unresolved.json"]["incidents"] == []
    )

    again = api(world, 60)
    ids = [c["id"] for c in summary["components"]]
    assert [c["id"] for c in again["components.json"]["components"]] == ids
    assert again["summary.json"]["page"]["id"] == page["id"] and len(set(ids)) == len(ids)


def test_an_open_sev1_is_critical_its_component_a_major_outage_and_its_update_public(world: World) -> None:
    open_ = ["incident", "open", "--title", "Checkout failing", "--severity", "1", "--component", "billing"]
    assert world.cli(0, *open_, "--impact", "All card payments") == 0
    update = ["incident", "update", "1", "--status", "mitigating", "--next", "30m"]
    assert world.cli(5, *update, "--public", "Rolled back the 9:55 deploy") == 0

    documents = api(world, 10)
    summary = documents["summary.json"]
    assert summary["status"] == {"indicator": "critical", "description": "Major Service Outage"}
    assert statuses(summary) == dict.fromkeys(COMPONENTS, "operational") | {"billing": "major_outage"}
    (incident,) = summary["incidents"]
    assert documents["incidents/unresolved.json"]["incidents"] == [incident]
    assert (incident["name"], incident["status"], incident["impact"]) == (
        "Billing unavailable",  # derived from the component: the title stays internal
        "identified",
        "critical",
    )
    assert incident["shortlink"] == "https://octo-org.github.io/backend/incidents/1.html"
    assert [c["name"] for c in incident["components"]] == ["billing"]
    assert incident["resolved_at"] is None and incident["started_at"] == "2026-11-27T10:00:00Z"
    posted, opened = incident["incident_updates"]  # newest first
    assert (opened["status"], opened["display_at"]) == ("investigating", "2026-11-27T10:00:00Z")
    assert posted["status"] == "identified" and posted["display_at"] == "2026-11-27T10:05:00Z"
    assert "Rolled back the 9:55 deploy" in posted["body"] and posted["incident_id"] == incident["id"]
    again = api(world, 20)["incidents.json"]["incidents"][0]
    assert (again["id"], again["incident_updates"][0]["id"]) == (incident["id"], posted["id"])


def test_a_resolved_incident_is_listed_with_its_updates_newest_first_and_nothing_is_unresolved(
    world: World,
) -> None:
    assert (
        world.cli(0, "incident", "open", "--title", "Queue stuck", "--severity", "2", "--component", "jobs")
        == 0
    )
    assert (
        world.cli(5, "incident", "update", "1", "--status", "mitigating", "--message", "Worker restarted")
        == 0
    )
    assert world.cli(45, "incident", "resolve", "1", "--force", "--reason", "smoke runner down") == 0

    documents = api(world, 60)
    assert documents["status.json"]["status"]["indicator"] == "none"
    assert documents["incidents/unresolved.json"]["incidents"] == []
    (incident,) = documents["incidents.json"]["incidents"]
    assert (incident["status"], incident["impact"]) == ("resolved", "major")
    assert incident["resolved_at"] == "2026-11-27T10:45:00Z"
    assert [u["status"] for u in incident["incident_updates"]] == ["resolved", "identified", "investigating"]
    assert incident["updated_at"] == incident["incident_updates"][0]["created_at"]
    assert set(statuses(documents["components.json"]).values()) == {"operational"}


def test_an_upcoming_window_is_scheduled_and_its_components_stay_operational(world: World) -> None:
    with_window(world, "2026-11-28T22:00:00Z", "2026-11-28T23:00:00Z")
    documents = api(world, 0)
    (window,) = documents["scheduled-maintenances/upcoming.json"]["scheduled_maintenances"]
    assert documents["scheduled-maintenances/active.json"]["scheduled_maintenances"] == []
    assert documents["scheduled-maintenances.json"]["scheduled_maintenances"] == [window]
    assert documents["summary.json"]["scheduled_maintenances"] == [window]
    assert (window["name"], window["status"], window["impact"]) == (
        "Database upgrade",
        "scheduled",
        "maintenance",
    )
    assert (window["scheduled_for"], window["scheduled_until"]) == (
        "2026-11-28T22:00:00Z",
        "2026-11-28T23:00:00Z",
    )
    assert [c["name"] for c in window["components"]] == ["billing", "jobs"]
    assert window["incident_updates"][0]["body"] == "Payments may be slow for a few minutes."
    assert set(statuses(documents["summary.json"]).values()) == {"operational"}


def test_an_active_window_is_in_progress_and_puts_its_components_under_maintenance(world: World) -> None:
    with_window(world, "2026-11-27T09:30:00Z", "2026-11-27T11:00:00Z")
    documents = api(world, 0)
    (window,) = documents["scheduled-maintenances/active.json"]["scheduled_maintenances"]
    assert documents["scheduled-maintenances/upcoming.json"]["scheduled_maintenances"] == []
    assert window["status"] == "in_progress" and window["incident_updates"][0]["status"] == "in_progress"
    assert statuses(documents["components.json"]) == dict.fromkeys(COMPONENTS, "operational") | {
        "billing": "under_maintenance",
        "jobs": "under_maintenance",
    }
    assert documents["status.json"]["status"]["indicator"] == "none"

    later = api(world, 90)  # 11:30: the window is over
    (done,) = later["scheduled-maintenances.json"]["scheduled_maintenances"]
    assert (done["id"], done["status"], done["resolved_at"]) == (
        window["id"],
        "completed",
        "2026-11-27T11:00:00Z",
    )
    assert later["scheduled-maintenances/active.json"]["scheduled_maintenances"] == []
    assert set(statuses(later["components.json"]).values()) == {"operational"}
