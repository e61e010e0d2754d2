"""The status page's model (ops_actions/status_page/model.py) of a playbook of several services: a
section per service, of its components, and the incidents of no service counted where they could be."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from ops_actions.playbook import Playbook, load_playbook
from ops_actions.status_page.model import Page, build_page
from ops_actions.status_page.public import PublicIncident
from tests.support.services import two_service_playbook

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def _incident(number: int, service: str | None, severity: str, components: tuple[str, ...]) -> PublicIncident:
    at = "2026-11-28T11:00:00Z"
    return PublicIncident(
        number,
        f"T{number}",
        severity,
        severity,
        "investigating",
        True,
        at,
        None,
        components,
        (),
        None,
        service,
    )


def _page(playbook: Playbook, incidents: list[PublicIncident]) -> Page:
    return build_page(playbook, incidents, team="T", repository="o/r", now=NOW, last_checked_at=None)


def _split(tmp_path: Path) -> Playbook:
    """The two services with components of their own: api auth and billing, worker jobs and worker."""
    playbook = load_playbook(two_service_playbook(tmp_path))
    own = {"api": ("auth", "billing"), "worker": ("jobs", "worker")}
    return replace(playbook, views={k: replace(v, components=own[k]) for k, v in playbook.views.items()})


def test_each_service_has_its_components_levels_and_incidents(tmp_path: Path) -> None:
    """An incident of no service naming auth counts against the billing API alone (the worker has no
    auth); the worker's incident names no component: all of the worker's, none of the API's."""
    page = _page(
        _split(tmp_path),
        [
            _incident(1, "api", "SEV-1", ("billing",)),
            _incident(2, "worker", "SEV-2", ()),
            _incident(3, None, "SEV-2", ("auth",)),
        ],
    )
    api, worker = page.services
    assert (api.service.id, api.page.level, worker.service.id, worker.page.level) == (
        "api",
        "outage",
        "worker",
        "degraded",
    )
    assert {c.name: c.level for c in api.page.components} == {"auth": "degraded", "billing": "outage"}
    assert {c.name: c.level for c in worker.page.components} == {"jobs": "degraded", "worker": "degraded"}
    assert {i.number for i in api.page.open_incidents} == {1, 3}
    assert [i.number for i in worker.page.open_incidents] == [2]
    assert [i.number for i in page.other_incidents] == [3]
    assert page.level == "outage"
    assert {c.name: c.level for c in page.components} == {
        "auth": "degraded",
        "billing": "outage",
        "jobs": "degraded",
        "worker": "degraded",
    }, "every service's components, each once, the worker's incident against the worker's alone"


def test_an_incident_of_no_service_naming_no_component_counts_against_every_service(tmp_path: Path) -> None:
    page = _page(_split(tmp_path), [_incident(1, None, "SEV-2", ())])
    assert [section.page.level for section in page.services] == ["degraded", "degraded"]
    assert {c.level for c in page.components} == {"degraded"}


def test_a_playbook_of_one_service_and_a_services_view_have_no_sections(tmp_path: Path) -> None:
    incidents = [_incident(1, None, "SEV-2", ())]
    assert _page(load_playbook(None), incidents).services == ()
    view = load_playbook(two_service_playbook(tmp_path)).for_service("api")
    assert _page(view, [_incident(1, "api", "SEV-2", ())]).services == ()
