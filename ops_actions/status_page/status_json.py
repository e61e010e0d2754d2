"""``status.json``, pure: the page's facts for machines, and the JSON Schema they are checked against.

The schema ships beside this module as ``status.schema.json``, and the component figures it
requires come from the registry in :mod:`ops_actions.status_page.component_figures` when it is
loaded; reading package data is all the I/O here (the check itself, with jsonschema, runs in
:mod:`ops_actions.flows.status_page`).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any, Final

from ops_actions.playbook.model import Playbook, Service
from ops_actions.status_page.component_figures import figure_properties, figure_values
from ops_actions.status_page.model import HISTORY_DAYS, Page, incident_path
from ops_actions.status_page.public import PublicIncident, incident_level

STATUS_SCHEMA_ID: Final = "ops-actions/status"
STATUS_VERSION: Final = 1


def service_status_path(service: Service) -> str:
    """Where a service's own ``status.json`` is, relative to the site's root."""
    return f"services/{service.id}/status.json"


def _incident_document(playbook: Playbook, incident: PublicIncident, root: str) -> dict[str, Any]:
    """An incident's facts; ``root`` leads from the document to the site's root (its page's link)."""
    service = {"service": incident.service} if playbook.services else {}
    return {
        "id": incident.number,
        "title": incident.title,
        "severity": incident.severity,
        "level": incident_level(
            playbook, incident, incident.severity if incident.open else incident.worst_severity
        ),
        "status": incident.status,
        "open": incident.open,
        "started_at": incident.started_at,
        "ended_at": incident.ended_at,
        "components": list(incident.components),
        "url": root + incident_path(incident),
        "updates": [
            {"at": u.at, "kind": u.kind, "status": u.status, "text": u.markdown} for u in incident.updates
        ],
        "postmortem_summary": incident.summary,
        **service,
    }


def status_document(playbook: Playbook, page: Page, *, root: str = "") -> dict[str, Any]:
    """``status.json``: the page's facts for machines (checked against status.schema.json). On a page
    of several services it also has a ``services`` list, and each incident its ``service``; a
    service's own document (``playbook`` its view, ``root`` the way back to the site's root) says
    which service it is."""
    extra: dict[str, Any] = {}
    if playbook.service is not None:
        extra["service"] = {"id": playbook.service.id, "name": playbook.service.name}
    if page.services:
        extra["services"] = [
            {
                "id": section.service.id,
                "name": section.service.name,
                "status": section.page.level,
                "open_incidents": [incident.number for incident in section.page.open_incidents],
                "components": [component.name for component in section.page.components],
                "url": service_status_path(section.service),
            }
            for section in page.services
        ]
    return {
        "schema": STATUS_SCHEMA_ID,
        "version": STATUS_VERSION,
        "generated_at": page.generated_at,
        "team": page.team,
        "status": page.level,
        "last_checked_at": page.last_checked_at,
        "history_days": HISTORY_DAYS,
        "components": [
            {
                "name": component.name,
                "status": component.level,
                **figure_values(component),
                "days": [
                    {"date": day.date, "status": day.level, "minutes": day.minutes}
                    for day in component.days
                    if day.level != "operational"
                ],
            }
            for component in page.components
        ],
        "incidents": [_incident_document(playbook, incident, root) for incident in page.incidents],
        **extra,
    }


def service_documents(playbook: Playbook, page: Page) -> dict[str, dict[str, Any]]:
    """Each service's own ``status.json`` by its path (none on a page of one service): its section of
    the page, with its incidents and those of no service that count against it."""
    return {
        service_status_path(section.service): status_document(
            playbook.views[section.service.id], section.page, root="../../"
        )
        for section in page.services
    }


@cache
def _shipped_schema() -> str:
    return (
        resources.files("ops_actions").joinpath("status_page/status.schema.json").read_text(encoding="utf-8")
    )


def status_schema() -> dict[str, Any]:
    """The JSON Schema of ``status.json``: the one shipped in the package, with each component figure
    of the registry a required property of the components, and no other key allowed.

    Read at each call, not once: the registry is what the schema follows, so a figure registered
    after the first build (a test's) is checked too. The shipped file alone names no figure and
    takes any other key of a component as one (a count), so it accepts every figure ever registered.
    """
    schema: dict[str, Any] = json.loads(_shipped_schema())
    component = schema["properties"]["components"]["items"]
    figures = figure_properties()
    component["properties"] = {**component["properties"], **figures}
    component["required"] = [*component["required"], *figures]
    component["additionalProperties"] = False
    return schema
