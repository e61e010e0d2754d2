"""The Statuspage-compatible public API of the site, pure: ``api/v2/*.json`` in Atlassian Statuspage's
documented shapes, from the same page model the HTML is rendered from (so nothing the page does not
show can reach them), and the JSON Schemas they are checked against.

Aggregators, dashboards and scripts written for a Statuspage page read these files unchanged. The
shapes follow Statuspage's public API reference (the ``/api/v2/`` documents every Statuspage page
serves) and the type definitions of its clients; ``docs/status-page.md`` names the source of each
field and has the map from the playbook's statuses and severities onto Statuspage's. Every id is
derived from what it names (the repository with the issue number, the component's name, the
window's id), so a document reads the same across builds but for what changed.

The schemas ship in ``statuspage_schemas/`` beside this module: one per document, sharing the
definitions of ``defs.schema.json``; reading them is all the I/O here (the check, with jsonschema,
runs in :mod:`ops_actions.flows.status_page`).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any, Final

from ops_actions.incident.clock import iso, parse_time
from ops_actions.playbook.maintenance import MaintenanceWindow
from ops_actions.playbook.model import Playbook
from ops_actions.status_page.model import Page, incident_path, worst_level
from ops_actions.status_page.public import PublicIncident, page_settings

API_ROOT: Final = "api/v2/"
# Each document by its path under API_ROOT, and the schema file it is checked against.
SCHEMAS: Final = {
    "summary.json": "summary.schema.json",
    "status.json": "status.schema.json",
    "components.json": "components.schema.json",
    "incidents.json": "incidents.schema.json",
    "incidents/unresolved.json": "incidents-unresolved.schema.json",
    "scheduled-maintenances.json": "scheduled-maintenances.schema.json",
    "scheduled-maintenances/upcoming.json": "scheduled-maintenances-upcoming.schema.json",
    "scheduled-maintenances/active.json": "scheduled-maintenances-active.schema.json",
}
SCHEMA_BASE: Final = "https://ops-actions.invalid/statuspage/v2/"
# Statuspage lists at most this many incidents and maintenances in its list documents.
LISTED: Final = 50
IMPACT_ORDER: Final = ("none", "minor", "major", "critical")
DESCRIPTIONS: Final = {
    "none": "All Systems Operational",
    "minor": "Minor Service Outage",
    "major": "Partial System Outage",
    "critical": "Major Service Outage",
}
COMPONENT_STATUS: Final = {
    "operational": "operational",
    "degraded": "degraded_performance",
    "outage": "major_outage",
    "maintenance": "under_maintenance",
}
INCIDENT_STATUSES: Final = ("investigating", "identified", "monitoring", "resolved", "postmortem")


def stable_id(repository: str, *parts: object) -> str:
    """A Statuspage-like id (12 characters, a-z and 2-7) derived from what it names."""
    digest = hashlib.sha256(":".join(["ops-actions", repository, *map(str, parts)]).encode()).digest()
    return base64.b32encode(digest).decode().lower()[:12]


def page_url(playbook: Playbook, repository: str) -> str:
    """The page's address: the playbook's ``status_page.url``, else the repository's GitHub Pages site."""
    configured = page_settings(playbook).url
    if configured:
        return configured.rstrip("/") + "/"
    owner, _, name = repository.partition("/")
    return f"https://{owner.lower()}.github.io/{name}/"


def impact_of(playbook: Playbook, severity: str, *, planned: bool = False) -> str:
    """Statuspage's impact of a severity: ``critical`` for the page's outage severities, ``major`` for
    the most severe of the others, ``minor`` for the rest; ``maintenance`` for a planned incident."""
    if planned:
        return "maintenance"
    outage = page_settings(playbook).outage_severities or (playbook.severities[0].id,)
    if severity in outage:
        return "critical"
    others = [s.id for s in playbook.severities if s.id not in outage]
    return "major" if others[:1] == [severity] else "minor"


def status_of(playbook: Playbook, status: str, *, open_: bool, postmortem: bool = False) -> str:
    """Statuspage's incident status of one of ours: a name it knows is kept, the playbook's first
    status is ``investigating``, any other open one ``identified``; an ended incident is
    ``resolved``, or ``postmortem`` once its postmortem summary is published."""
    if not open_ or status == "resolved":
        return "postmortem" if postmortem else "resolved"
    if status in INCIDENT_STATUSES:
        return status
    return "investigating" if status == playbook.statuses[0] else "identified"


def _worst(impacts: Sequence[str]) -> str:
    return max(impacts, key=IMPACT_ORDER.index, default="none")


def _incident_impact(playbook: Playbook, incident: PublicIncident) -> str:
    severity = incident.severity if incident.open else incident.worst_severity
    return impact_of(playbook, severity, planned=incident.planned)


class _Api:
    """The documents of one build: the page (its maintenance windows too), and where the site is."""

    def __init__(self, playbook: Playbook, page: Page) -> None:
        self.playbook = playbook
        self.page = page
        self.now = parse_time(page.generated_at)
        self.windows = page.maintenance
        self.url = page_url(playbook, page.repository)
        self.page_id = stable_id(page.repository, "page")
        self.groups = {
            component.name: section.service.id
            for section in reversed(page.services)
            for component in section.page.components
        }

    def id(self, *parts: object) -> str:
        return stable_id(self.page.repository, *parts)

    # -- the page and its status ------------------------------------------------------------

    def page_document(self) -> dict[str, Any]:
        return {
            "id": self.page_id,
            "name": self.page.team,
            "url": self.url,
            "time_zone": "Etc/UTC",
            "updated_at": self.page.generated_at,
        }

    def indicator(self) -> str:
        """none, minor, major or critical: the worst impact of the open incidents (planned ones aside)."""
        impacts = [_incident_impact(self.playbook, i) for i in self.page.open_incidents]
        return _worst([impact for impact in impacts if impact != "maintenance"])

    def status(self) -> dict[str, str]:
        indicator = self.indicator()
        return {"indicator": indicator, "description": DESCRIPTIONS[indicator]}

    # -- components --------------------------------------------------------------------------

    def components(self) -> list[dict[str, Any]]:
        documents: list[dict[str, Any]] = []
        for position, component in enumerate(self.page.components, start=1):
            status = COMPONENT_STATUS[component.level]
            group = self.groups.get(component.name)
            documents.append(
                self._component(
                    self.id("component", component.name),
                    component.name,
                    status,
                    position,
                    group_id=self.id("group", group) if group else None,
                )
            )
        for position, section in enumerate(self.page.services, start=len(documents) + 1):
            status = COMPONENT_STATUS[worst_level([c.level for c in section.page.components])]
            service = section.service
            grouping = self._component(self.id("group", service.id), service.name, status, position)
            grouping.update(
                group=True,
                description=service.description,
                components=[self.id("component", c.name) for c in section.page.components],
            )
            documents.append(grouping)
        return documents

    def _component(
        self, component_id: str, name: str, status: str, position: int, *, group_id: str | None = None
    ) -> dict[str, Any]:
        return {
            "id": component_id,
            "name": name,
            "status": status,
            "created_at": self.page.generated_at,
            "updated_at": self.page.generated_at,
            "position": position,
            "description": None,
            "showcase": False,
            "start_date": None,
            "group_id": group_id,
            "page_id": self.page_id,
            "group": False,
            "only_show_if_degraded": False,
        }

    def _affected(self, names: Sequence[str]) -> list[dict[str, Any]]:
        """The component documents of the names (none named: every component of the page)."""
        chosen = set(names) or {c.name for c in self.page.components}
        return [c for c in self.components() if not c["group"] and c["name"] in chosen]

    # -- incidents ---------------------------------------------------------------------------

    def incident(self, incident: PublicIncident) -> dict[str, Any]:
        """An incident, its updates newest first as Statuspage lists them."""
        incident_id = self.id("incident", incident.number)
        postmortem = incident.summary is not None
        updates = [
            {
                "id": self.id("incident", incident.number, update.key),
                "status": status_of(
                    self.playbook,
                    "resolved" if update.kind == "resolved" else update.status,
                    open_=True,
                ),
                "body": update.markdown,
                "incident_id": incident_id,
                "created_at": update.at,
                "updated_at": update.at,
                "display_at": update.at,
                "affected_components": None,
                "deliver_notifications": True,
                "custom_tweet": None,
                "tweet_id": None,
            }
            for update in reversed(incident.updates)
        ]
        monitoring = [u["created_at"] for u in updates if u["status"] == "monitoring"]
        return {
            "id": incident_id,
            "name": incident.title,
            "status": status_of(self.playbook, incident.status, open_=incident.open, postmortem=postmortem),
            "created_at": incident.started_at,
            "updated_at": updates[0]["updated_at"] if updates else incident.started_at,
            "monitoring_at": monitoring[-1] if monitoring else None,
            "resolved_at": incident.ended_at,
            "impact": _incident_impact(self.playbook, incident),
            "shortlink": self.url + incident_path(incident),
            "started_at": incident.started_at,
            "page_id": self.page_id,
            "incident_updates": updates,
            "components": self._affected(incident.components),
        }

    # -- scheduled maintenances --------------------------------------------------------------

    def maintenance(self, window: MaintenanceWindow) -> dict[str, Any]:
        """A window as a scheduled maintenance: one update, saying where it stands."""
        window_id = self.id("maintenance", window.id)
        status = window.status_at(self.now)
        # Where it stands changed at its start, then at its end; before its start, the page does
        # not know when it was announced, so the announcement carries the build's time.
        changes = {"in_progress": iso(window.start), "completed": iso(window.end)}
        at = changes.get(status, self.page.generated_at)
        update = {
            "id": self.id("maintenance", window.id, status),
            "status": status,
            "body": window.public or window.title,
            "incident_id": window_id,
            "created_at": at,
            "updated_at": at,
            "display_at": at,
            "affected_components": None,
            "deliver_notifications": True,
            "custom_tweet": None,
            "tweet_id": None,
        }
        return {
            "id": window_id,
            "name": window.title,
            "status": status,
            "created_at": at,
            "updated_at": at,
            "monitoring_at": None,
            "resolved_at": iso(window.end) if status == "completed" else None,
            "impact": "maintenance",
            "shortlink": self.url,
            "started_at": iso(window.start),
            "page_id": self.page_id,
            "incident_updates": [update],
            "components": self._affected(window.components),
            "scheduled_for": iso(window.start),
            "scheduled_until": iso(window.end),
        }

    def maintenances(self, *statuses: str) -> list[dict[str, Any]]:
        """The windows in these statuses (every one when none is named), latest start first."""
        chosen = [w for w in self.windows if not statuses or w.status_at(self.now) in statuses]
        ordered = sorted(chosen, key=lambda w: w.start, reverse=True)
        return [self.maintenance(window) for window in ordered[:LISTED]]

    # -- the documents -----------------------------------------------------------------------

    def documents(self) -> dict[str, dict[str, Any]]:
        page = self.page_document()
        incidents = [self.incident(i) for i in self.page.incidents[:LISTED]]
        unresolved = [self.incident(i) for i in self.page.open_incidents]
        upcoming = self.maintenances("scheduled")
        active = self.maintenances("in_progress", "verifying")
        components = self.components()
        return {
            "summary.json": {
                "page": page,
                "components": components,
                "incidents": unresolved,
                "scheduled_maintenances": active + upcoming,
                "status": self.status(),
            },
            "status.json": {"page": page, "status": self.status()},
            "components.json": {"page": page, "components": components},
            "incidents.json": {"page": page, "incidents": incidents},
            "incidents/unresolved.json": {"page": page, "incidents": unresolved},
            "scheduled-maintenances.json": {"page": page, "scheduled_maintenances": self.maintenances()},
            "scheduled-maintenances/upcoming.json": {"page": page, "scheduled_maintenances": upcoming},
            "scheduled-maintenances/active.json": {"page": page, "scheduled_maintenances": active},
        }


def api_documents(playbook: Playbook, page: Page) -> dict[str, dict[str, Any]]:
    """Every ``api/v2`` document by its path relative to the site's root."""
    return {API_ROOT + path: document for path, document in _Api(playbook, page).documents().items()}


def components_of(playbook: Playbook, page: Page) -> list[dict[str, Any]]:
    """The page's components as ``components.json`` lists them."""
    return _Api(playbook, page).components()


def incident_of(playbook: Playbook, page: Page, incident: PublicIncident) -> dict[str, Any]:
    """One incident of the page as ``incidents.json`` lists it."""
    return _Api(playbook, page).incident(incident)


def status_of_page(playbook: Playbook, page: Page) -> dict[str, str]:
    """The page's ``status``: its indicator and description."""
    return _Api(playbook, page).status()


@cache
def _schema_text(name: str) -> str:
    folder = resources.files("ops_actions").joinpath("status_page/statuspage_schemas")
    return folder.joinpath(name).read_text(encoding="utf-8")


def schema_files() -> dict[str, dict[str, Any]]:
    """Every shipped schema by its ``$id`` (``defs.schema.json`` among them), for a registry."""
    names = ["defs.schema.json", *SCHEMAS.values()]
    loaded = [json.loads(_schema_text(name)) for name in names]
    return {schema["$id"]: schema for schema in loaded}


def schema_for(path: str) -> str:
    """The ``$id`` of the schema an ``api/v2`` document (its path from the site's root) is checked against."""
    return SCHEMA_BASE + SCHEMAS[path.removeprefix(API_ROOT)]
