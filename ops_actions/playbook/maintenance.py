"""Maintenance windows: planned work declared in the playbook (reviewed like code) or opened ad hoc.

A window names what it covers (services and components; none named means all of them), when it
runs (UTC, start before end), the words customers read, and whether deploys are frozen while it
runs. Its status follows Atlassian Statuspage's scheduled maintenance: ``scheduled`` before its
start, ``in_progress`` from its start, ``completed`` from its end. What a window holds (rules, the
watch's reminders) is decided in :mod:`ops_actions.incident.maintenance`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Literal

from ops_actions.playbook.problems import KeyPath

WindowStatus = Literal["scheduled", "in_progress", "completed"]

# The label of an issue that holds an ad hoc window, and of an incident a writer marked as planned.
MAINTENANCE_LABEL: Final = "maintenance"
PLANNED_LABEL: Final = "planned"

# Where the builder says a problem: the key path and the message.
Adder = Callable[[KeyPath, str], None]


@dataclass(frozen=True)
class MaintenanceWindow:
    """One maintenance window."""

    id: str
    title: str
    start: datetime
    end: datetime
    components: tuple[str, ...] = ()
    """The components it covers; () covers every component of its services."""
    services: tuple[str, ...] = ()
    """The services it covers (ids); () covers every service (and a playbook of one service)."""
    public: str = ""
    """What customers read on the page and in the feeds."""
    freeze_deploys: bool = False
    issue: int | None = None
    """The issue that holds an ad hoc window; None for one declared in the playbook."""

    def status_at(self, now: datetime) -> WindowStatus:
        """Where the window stands at ``now``: Statuspage's scheduled, in_progress or completed."""
        if now < self.start:
            return "scheduled"
        return "in_progress" if now < self.end else "completed"

    def active_at(self, now: datetime) -> bool:
        return self.start <= now < self.end

    def covers_service(self, service_id: str | None) -> bool:
        """Whether it covers the service (None or "": the playbook of one service, or the whole)."""
        return not self.services or not service_id or service_id in self.services

    def covers(self, component: str) -> bool:
        return not self.components or component in self.components

    def covers_all(self, components: Sequence[str]) -> bool:
        """Whether every one of these components is covered; a window naming components never covers
        what names none (a rule of no component may be about anything, so only a window of every
        component holds it)."""
        if not self.components:
            return True
        return bool(components) and all(component in self.components for component in components)


def parse_utc(text: str) -> datetime | None:
    """An ISO 8601 time with a zone, in UTC; None when it is not one."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo is not None else None


def build_windows(
    items: Sequence[Mapping[str, Any]],
    add: Adder,
    *,
    components: Sequence[str],
    services: Sequence[str],
) -> tuple[MaintenanceWindow, ...]:
    """The playbook's ``maintenance:`` list, schema-valid already; each problem the schema cannot
    see (a time without a zone, an end not after its start, a component or service not declared, a
    repeated id) goes to ``add`` with its key path, and that window is left out."""
    windows: list[MaintenanceWindow] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        path: KeyPath = ("maintenance", index)
        before = len(windows)
        start, end = (_time(item[key], (*path, key), add) for key in ("start", "end"))
        if item["id"] in seen:
            add((*path, "id"), f"duplicate maintenance window {item['id']!r}")
        seen.add(item["id"])
        known = _known(item.get("components", []), components, (*path, "components"), "component", add)
        known &= _known(item.get("services", []), services, (*path, "services"), "service", add)
        if start and end and end <= start:
            add((*path, "end"), "the window must end after it starts")
        elif start and end and known and len(windows) == before:
            windows.append(
                MaintenanceWindow(
                    id=item["id"],
                    title=item["title"],
                    start=start,
                    end=end,
                    components=tuple(item.get("components", ())),
                    services=tuple(item.get("services", ())),
                    public=item.get("public", ""),
                    freeze_deploys=item.get("freeze_deploys", False),
                )
            )
    return tuple(windows)


def _time(text: str, path: KeyPath, add: Adder) -> datetime | None:
    moment = parse_utc(text)
    if moment is None:
        add(path, f"{text!r} is not an ISO 8601 time with a zone (e.g. 2026-12-12T22:00:00Z)")
    return moment


def _known(names: Sequence[str], declared: Sequence[str], path: KeyPath, what: str, add: Adder) -> bool:
    unknown = [index for index, name in enumerate(names) if name not in declared]
    for index in unknown:
        add((*path, index), f"unknown {what} {names[index]!r}")
    return not unknown
