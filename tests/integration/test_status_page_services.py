"""The status page of a playbook of two services, built from incidents the CLI made on the GitHub
emulator: one page grouped by service, status.json with its services and one per service, read
with the same listings as a page of one service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ops_actions.playbook.reading import bundled_playbook_text
from tests.integration.test_status_page import Site, build, component_states
from tests.support.fixtures.github import REPO
from tests.support.fixtures.world import World
from tests.support.services import two_service_playbook


@pytest.fixture
def services(world: World) -> World:
    world.monkeypatch.setenv("OPS_PLAYBOOK", str(two_service_playbook(world.tmp_path)))
    return world


def service_documents(site: Site) -> dict[str, dict[str, Any]]:
    """Each service's own status.json (checked against the schema as the page's is), by service id."""
    return {
        path.split("/")[1]: Site.checked(content)
        for path, content in site.files.items()
        if path.startswith("services/")
    }


def test_a_page_of_two_services_groups_levels_components_and_history_by_service(services: World) -> None:
    """The billing API in an outage, the worker's incident resolved: a section per service with its
    level and components, its past incidents under it, and the page's level the worst of all; read
    with three listings whatever the number of services (none per service)."""
    world = services
    api = ["incident", "open", "--service", "api", "--title", "Checkout failing", "--severity", "1"]
    assert world.cli(0, *api, "--component", "billing") == 0
    worker = ["incident", "open", "--service", "worker", "--title", "Queue stuck", "--severity", "2"]
    assert world.cli(1, *worker, "--component", "jobs") == 0
    assert world.cli(30, "incident", "resolve", "2", "--force", "--reason", "smoke runner down") == 0
    world.emulator.reset_log()

    site = build(world, 40)
    listings = [r for r in world.emulator.requests if r.method == "GET" and r.path == f"/repos/{REPO}/issues"]
    assert len(listings) == 4, "one listing of each kind for every service"
    assert {r.query.get("labels") for r in listings} == {"incident", "postmortem", "maintenance"}
    text = site.text()
    assert text.split(" Open incidents ", 1)[0].endswith(
        "Major outage 1 open incident. Services "
        "Billing API Outage auth Operational billing Outage jobs Operational worker Operational "
        "stripe webhook Operational "
        "Job worker Operational auth Operational billing Operational jobs Operational worker Operational "
        "stripe webhook Operational"
    )
    assert "Service: Billing API · Affects: billing" in text
    past = text.split("Past incidents", 1)[1]
    assert past.startswith(
        " Billing API No incidents in the last 90 days. "
        "Job worker Degraded performance of jobs Degraded · 2026-11-27 10:01 UTC · lasted 29 min"
    )
    history = text.split("Last 90 days", 1)[1].split("Past incidents", 1)[0]
    api_history, worker_history = history.split(" Job worker ", 1)
    assert "jobs No incidents" in api_history and "jobs 1 day with incidents, 29 min in all" in worker_history
    assert "Service Job worker Affects jobs" in site.text("incidents/2.html")

    status = site.status
    assert status["status"] == "outage"
    assert [(s["id"], s["name"], s["status"], s["open_incidents"], s["url"]) for s in status["services"]] == [
        ("api", "Billing API", "outage", [1], "services/api/status.json"),
        ("worker", "Job worker", "operational", [], "services/worker/status.json"),
    ]
    assert [(i["id"], i["service"]) for i in status["incidents"]] == [(1, "api"), (2, "worker")]
    assert component_states(site)["billing"] == "outage", "the whole page's components: every service's"
    own = service_documents(site)
    assert own["api"]["service"] == {"id": "api", "name": "Billing API"} and own["api"]["status"] == "outage"
    assert [i["id"] for i in own["api"]["incidents"]] == [1]
    (resolved,) = own["worker"]["incidents"]
    assert resolved["url"] == "../../incidents/2.html" and resolved["open"] is False
    assert (site.root / "services/worker" / resolved["url"]).resolve() == (
        site.root / "incidents/2.html"
    ).resolve()
    assert own["worker"]["status"] == "operational" and "services" not in own["worker"]


def test_an_incident_of_no_service_counts_against_every_service_and_is_listed_under_other(
    services: World, tmp_path: Path
) -> None:
    """An incident resolved before the playbook had services (no service label) is a past incident
    under "Other incidents"; an issue a person opened with the incident label alone counts against
    both services until someone labels it."""
    world = services
    world.monkeypatch.setenv("OPS_PLAYBOOK", str(tmp_path / "one.yaml"))
    (tmp_path / "one.yaml").write_text(bundled_playbook_text(), encoding="utf-8")
    assert world.cli(0, "incident", "open", "--title", "Old outage", "--severity", "2") == 0
    assert world.cli(20, "incident", "resolve", "1", "--force", "--reason", "smoke runner down") == 0
    world.monkeypatch.setenv("OPS_PLAYBOOK", str(two_service_playbook(world.tmp_path)))
    person = world.emulator.add_issue(
        title="[SEV-2] Everything slow", labels=["incident", "sev-2"], user="mona"
    )

    site = build(world, 30)
    text = site.text()
    assert "Billing API Degraded" in text and "Job worker Degraded" in text
    assert "Degraded performance Degraded" in text and "Service: not narrowed down yet" in text
    assert "Everything slow" not in text, "a person's title never reaches the page"
    assert (
        text.split("Past incidents", 1)[1]
        .split(" Times are UTC", 1)[0]
        .endswith("Other incidents Degraded performance Degraded · 2026-11-27 10:00 UTC · lasted 20 min")
    )
    assert {s["id"]: s["status"] for s in site.status["services"]} == {
        "api": "degraded",
        "worker": "degraded",
    }
    assert all(s["open_incidents"] == [person] for s in site.status["services"]), "what their level counts"
    assert {i["id"]: i["service"] for i in site.status["incidents"]} == {person: None, 1: None}
    for document in service_documents(site).values():
        assert {i["id"] for i in document["incidents"]} == {person, 1}


def test_a_service_name_is_text_on_the_page(world: World, tmp_path: Path) -> None:
    """The name comes from the playbook, and still shows as the text it is."""
    path = two_service_playbook(tmp_path)
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "name: Billing API", "name: '<img src=x onerror=alert(1)> & co'", 1
        ),
        encoding="utf-8",
    )
    world.monkeypatch.setenv("OPS_PLAYBOOK", str(path))
    assert world.cli(0, "incident", "open", "--service", "api", "--title", "Slow", "--severity", "2") == 0
    site = build(world, 1)
    assert "<img" not in site.files["index.html"] and "<img" not in site.files["incidents/1.html"]
    assert "<img src=x onerror=alert(1)> & co Degraded" in site.text()


def test_one_services_page_lists_that_services_label_alone(services: World) -> None:
    """`status-page build --service worker`: GitHub filters by the service's label; the page is the
    worker's alone, its status.json says whose it is."""
    world = services
    assert world.cli(0, "incident", "open", "--service", "api", "--title", "Down", "--severity", "1") == 0
    assert world.cli(1, "incident", "open", "--service", "worker", "--title", "Slow", "--severity", "2") == 0
    world.emulator.reset_log()
    out = world.tmp_path / "worker-site"
    assert world.cli(5, "status-page", "build", "--service", "worker", "--out", str(out)) == 0
    listed = {r.query.get("labels") for r in world.emulator.requests if r.path == f"/repos/{REPO}/issues"}
    assert listed == {"incident,service:worker", "postmortem", "maintenance"}
    site = Site(out)
    assert [i["id"] for i in site.status["incidents"]] == [2] and site.status["status"] == "degraded"
    assert site.status["service"] == {"id": "worker", "name": "Job worker"} and "services" not in site.status
    assert "Billing API" not in site.everything()
