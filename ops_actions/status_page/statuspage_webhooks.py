"""What subscribers receive, pure: Statuspage's webhook payloads for one incident change.

Statuspage sends an incident webhook (``meta``, ``page``, ``incident``) when an incident is created
or updated, and a component webhook (``meta``, ``page``, ``component_update``, ``component``) each
time a component changes status. Both are made here from two page models, the page just before the
change and just after (the same public view the page is built from, so nothing else can reach a
subscriber), with the objects of :mod:`ops_actions.status_page.statuspage_api`: the incident as
``incidents.json`` has it, the component as ``components.json`` has it. Each payload comes with a
delivery id derived from what it tells, the same in every attempt.
"""

from __future__ import annotations

from typing import Any

from ops_actions.playbook.model import Playbook
from ops_actions.status_page.model import Page
from ops_actions.status_page.public import PublicIncident
from ops_actions.status_page.statuspage_api import (
    components_of,
    incident_of,
    page_url,
    stable_id,
    status_of_page,
)

Payload = tuple[str, dict[str, Any]]
"""A delivery id and the payload."""


def _page(playbook: Playbook, page: Page) -> dict[str, str]:
    status = status_of_page(playbook, page)
    return {
        "id": stable_id(page.repository, "page"),
        "status_indicator": status["indicator"],
        "status_description": status["description"],
    }


def change_payloads(
    playbook: Playbook,
    before: Page,
    after: Page,
    incident: PublicIncident,
    *,
    event: str,
) -> list[Payload]:
    """The incident webhook of ``incident`` as ``after`` shows it, then a component webhook for each
    component whose status differs between ``before`` and ``after``. ``event`` is the kind of the
    change (opened, status, severity, resolved), part of the delivery ids."""
    repository, at = after.repository, after.generated_at
    meta = {"unsubscribe": None, "documentation": page_url(playbook, repository), "generated_at": at}
    page = _page(playbook, after)
    payloads: list[Payload] = [
        (
            stable_id(repository, "delivery", incident.number, event, at),
            {"meta": meta, "page": page, "incident": incident_of(playbook, after, incident)},
        )
    ]
    old = {c["id"]: c["status"] for c in components_of(playbook, before)}
    for component in components_of(playbook, after):
        if component["group"] or old.get(component["id"], component["status"]) == component["status"]:
            continue
        parts = (component["id"], incident.number, event, at)
        update = {
            "created_at": at,
            "new_status": component["status"],
            "old_status": old[component["id"]],
            "id": stable_id(repository, "component_update", *parts),
            "component_id": component["id"],
        }
        payloads.append(
            (
                stable_id(repository, "delivery", *parts),
                {"meta": meta, "page": page, "component_update": update, "component": component},
            )
        )
    return payloads
