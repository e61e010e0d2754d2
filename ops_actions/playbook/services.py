"""A playbook of several services: its catalogue, and the view of the playbook each service runs with.

A service sets some keys of its own (``backend``, ``components``, ``probes``, ``rules``,
``decision_tree``, ``workflows``) and inherits every other. Its view is the playbook built again with
those keys replaced, so every check the builder makes of the whole playbook is made of each view: a
rule the service inherits that names a signal its own probes do not give is an error at that rule's
line, said of the service. A service's own values keep their lines (``PositionedDocument.overlaid``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ops_actions.playbook.maintenance import MaintenanceWindow
from ops_actions.playbook.model import Escalation, Playbook, Service
from ops_actions.playbook.model_builder import ModelBuilder
from ops_actions.playbook.positions import PositionedDocument
from ops_actions.playbook.problems import KeyPath, Problem

# The keys a service may set for itself, each replacing the playbook's key of the same name.
OWN_KEYS = ("backend", "probes", "rules", "decision_tree", "workflows")


def with_service_views(
    document: PositionedDocument, playbook: Playbook, found: list[Problem]
) -> tuple[Playbook, list[Problem]]:
    """The playbook with its catalogue and every service's view; and the problems of the services
    (those ``found`` in the whole playbook already are not said again)."""
    items: list[Mapping[str, Any]] = document.value.get("services") or []
    if not items:
        return playbook, []
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item["id"] in seen:
            problems.append(document.problem(("services", index, "id"), f"duplicate service {item['id']!r}"))
        seen.add(item["id"])
    catalogue = tuple(_service(item) for item in items)
    views: dict[str, Playbook] = {}
    known = {(problem.line, problem.column, problem.message) for problem in found}
    for index, (item, service) in enumerate(zip(items, catalogue, strict=True)):
        builder = ModelBuilder(_view_document(document, index, item))
        view = builder.build()
        for problem in builder.problems:
            if (problem.line, problem.column, problem.message) not in known:
                problems.append(replace(problem, message=f"service {service.id!r}: {problem.message}"))
        views.setdefault(service.id, _as_service(view, service, catalogue, views, playbook.maintenance))
    return replace(playbook, services=catalogue, views=views), problems


def _service(item: Mapping[str, Any]) -> Service:
    owners = item.get("owners", {})
    return Service(
        id=item["id"],
        name=item["name"],
        description=item.get("description"),
        environment=item.get("environment", f"ops-{item['id']}"),
        team=owners.get("team"),
        channel_env=owners.get("channel_env"),
    )


def _view_document(document: PositionedDocument, index: int, item: Mapping[str, Any]) -> PositionedDocument:
    """The playbook as the service at ``index`` sees it, its own keys placed at their lines."""
    # The windows are the whole playbook's, each view given those that cover its service (_as_service).
    value = {key: part for key, part in document.value.items() if key not in ("services", "maintenance")}
    moved: dict[KeyPath, KeyPath] = {}
    for key in OWN_KEYS:
        if key in item:
            value[key] = item[key]
            moved[(key,)] = ("services", index, key)
    if "components" in item:
        value["scope"] = {**value["scope"], "components": item["components"]}
        moved[("scope", "components")] = ("services", index, "components")
    return document.overlaid(value, moved)


def _as_service(
    view: Playbook,
    service: Service,
    catalogue: tuple[Service, ...],
    views: Mapping[str, Playbook],
    windows: tuple[MaintenanceWindow, ...],
) -> Playbook:
    """The built view made the service's: its reports in a folder of its own, escalation to its team,
    its team's channel for the internal notifications, the maintenance windows that cover it."""
    escalation = view.escalation
    if escalation is not None and service.team:
        escalation = Escalation(escalation.no_owner_after_minutes, (service.team,))
    notify = tuple(
        replace(target, url_env=service.channel_env)
        if service.channel_env and target.audience == "internal"
        else target
        for target in view.notify
    )
    return replace(
        view,
        service=service,
        services=catalogue,
        views=views,
        report_dir=f"{view.report_dir.rstrip('/')}/{service.id}",
        escalation=escalation,
        notify=notify,
        maintenance=tuple(window for window in windows if window.covers_service(service.id)),
    )
