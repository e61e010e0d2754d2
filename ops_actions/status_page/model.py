"""The status page's model, pure: the state of each component now, the open incidents, and a
90-day history per component, from the public view of the incidents (``status.json`` is
:mod:`ops_actions.status_page.status_json`).

A component is in an outage or degraded while an open incident names it (or names no component
yet: then nobody has said which part is fine), at the level of the incident's severity; otherwise
it is operational. History days count the incidents' time from opening to resolution, overlaps
counted once, at the worst severity each incident had.

Maintenance: the page shows the windows it is given that are upcoming, in progress, or ended
within the history (:func:`shown_windows`). A component under a window in progress is "under
maintenance", a level of its own between operational and degraded, so an incident outside the
window (any open incident not labelled ``planned`` that counts against the component) still
makes it worse. A planned incident counts as maintenance while open and is left out of the
history and its figures: it was work, not an outage.

A playbook of several services has one page grouped by service: each service a section of its own
(:class:`ServiceSection`: its components, its level, its incidents, built as a page of its own from
the service's view), the incidents of a service those its ``service:<id>`` label names. An incident
with no such label (a person opened it, or it predates the services) names no service yet: like an
incident that names no component, it counts against every service whose components it could be
about, and the page lists it once, under "Other incidents". The whole page's components are every
service's, each name once; its level is the worst of all the open incidents.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Final

from ops_actions.incident.clock import iso, parse_time
from ops_actions.playbook.maintenance import MaintenanceWindow
from ops_actions.playbook.model import Playbook, Service
from ops_actions.status_page.public import MAINTENANCE_LEVEL, PublicIncident, incident_level, level_of

HISTORY_DAYS: Final = 90
# Least severe first: maintenance is worse than nothing, better than any incident.
LEVELS: Final = ("operational", MAINTENANCE_LEVEL, "degraded", "outage")


@dataclass(frozen=True)
class Day:
    """One day of a component's history (UTC): the worst level and the minutes in incidents."""

    date: str
    level: str
    minutes: int


@dataclass(frozen=True)
class ComponentView:
    """A component: its level now and its history, oldest day first (what the page counts over the
    history is :mod:`ops_actions.status_page.component_figures`)."""

    name: str
    level: str
    days: tuple[Day, ...]
    incidents: tuple[int, ...] = ()
    """The numbers of the page's incidents that count against it (its feed's)."""
    maintenance: tuple[str, ...] = ()
    """The ids of the page's maintenance windows that cover it (its feed's)."""


@dataclass(frozen=True)
class Page:
    """Everything the site shows, as of ``generated_at``."""

    team: str
    repository: str
    links: tuple[tuple[str, str], ...]
    generated_at: str
    level: str
    components: tuple[ComponentView, ...]
    open_incidents: tuple[PublicIncident, ...]
    past_incidents: tuple[PublicIncident, ...]
    last_checked_at: str | None
    services: tuple[ServiceSection, ...] = ()
    """A section per service on the page of a playbook of several; () on a page of one."""
    maintenance: tuple[MaintenanceWindow, ...] = ()
    """The windows shown (see :func:`shown_windows`), by start."""

    @property
    def incidents(self) -> tuple[PublicIncident, ...]:
        return self.open_incidents + self.past_incidents

    @property
    def other_incidents(self) -> tuple[PublicIncident, ...]:
        """On a page of several services, the incidents no service label names (in page order)."""
        return tuple(i for i in self.incidents if i.service is None) if self.services else ()


@dataclass(frozen=True)
class ServiceSection:
    """A service on the page of several: its section is a page of its own, built from its view."""

    service: Service
    page: Page


# Whether an incident counts against a component of the page.
Reach = Callable[[PublicIncident, str], bool]
# Whether a maintenance window covers a component of the page.
Covers = Callable[[MaintenanceWindow, str], bool]


def worst_level(levels: Sequence[str]) -> str:
    """The most severe of page levels (``LEVELS`` ranks them); operational when there are none."""
    return max(levels, key=LEVELS.index, default="operational")


def affects(incident: PublicIncident, component: str) -> bool:
    return not incident.components or component in incident.components


def _minutes(spans: Sequence[tuple[datetime, datetime]]) -> int:
    """Minutes covered by the spans, overlaps counted once."""
    total = timedelta()
    reach: datetime | None = None
    for start, end in sorted(spans):
        begin = max(start, reach) if reach is not None else start
        if end > begin:
            total += end - begin
            reach = end
    return int(total.total_seconds() // 60)


def _history(
    playbook: Playbook, incidents: Sequence[PublicIncident], component: str, reaches: Reach, now: datetime
) -> tuple[Day, ...]:
    today = now.date()
    days = []
    for offset in range(HISTORY_DAYS - 1, -1, -1):
        day = today - timedelta(days=offset)
        day_start = datetime.combine(day, time(), tzinfo=now.tzinfo)
        day_end = min(day_start + timedelta(days=1), now)
        spans, levels = [], []
        for incident in incidents:
            if incident.planned or not reaches(incident, component):
                continue  # planned work is no incident in the history
            start = parse_time(incident.started_at)
            end = parse_time(incident.ended_at) if incident.ended_at else now
            if start < day_end and end > day_start:
                spans.append((max(start, day_start), min(end, day_end)))
                levels.append(level_of(playbook, incident.worst_severity))
        days.append(Day(day.isoformat(), worst_level(levels), _minutes(spans)))
    return tuple(days)


def window_start(now: datetime) -> datetime:
    """The first moment the history covers (midnight UTC, HISTORY_DAYS - 1 days ago)."""
    first: date = now.date() - timedelta(days=HISTORY_DAYS - 1)
    return datetime.combine(first, time(), tzinfo=now.tzinfo)


def on_page(incident: PublicIncident, start: datetime) -> bool:
    """Whether the page shows it: open, or ended since the history's first moment ``start``."""
    return incident.open or bool(incident.ended_at and parse_time(incident.ended_at) >= start)


def shown_windows(windows: Sequence[MaintenanceWindow], now: datetime) -> tuple[MaintenanceWindow, ...]:
    """The windows the page shows, by start: upcoming, in progress, or ended within the history."""
    start = window_start(now)
    return tuple(sorted((w for w in windows if w.end >= start), key=lambda w: (w.start, w.id)))


def build_page(
    playbook: Playbook,
    incidents: Sequence[PublicIncident],
    *,
    team: str,
    repository: str,
    now: datetime,
    last_checked_at: str | None,
    windows: Sequence[MaintenanceWindow] = (),
) -> Page:
    """The page as of ``now``; incidents that ended before the history window are left out, and so
    are maintenance windows. The page of the whole playbook of several services is grouped by
    service (see the module's docstring); a service's section has the windows that cover it."""
    start = window_start(now)
    shown = [i for i in incidents if on_page(i, start)]
    planned = shown_windows(windows, now)

    def page(
        view: Playbook,
        chosen: Sequence[PublicIncident],
        names: Sequence[str],
        reaches: Reach,
        chosen_windows: Sequence[MaintenanceWindow],
        covering: Covers = MaintenanceWindow.covers,
    ) -> Page:
        return _page(
            view,
            chosen,
            names,
            reaches,
            chosen_windows,
            covering,
            team=team,
            repository=repository,
            now=now,
            last_checked_at=last_checked_at,
        )

    if not playbook.services or playbook.service is not None:
        return page(playbook, shown, playbook.components, affects, planned)
    scopes = {service.id: playbook.views[service.id].components for service in playbook.services}
    every = tuple(dict.fromkeys(name for names in scopes.values() for name in names))
    sections = []
    for service in playbook.services:
        view, names = playbook.views[service.id], scopes[service.id]
        own = [
            i
            for i in shown
            if i.service == service.id or (i.service is None and any(affects(i, name) for name in names))
        ]
        own_windows = [w for w in planned if w.covers_service(service.id)]
        sections.append(ServiceSection(service, page(view, own, names, affects, own_windows)))

    def reaches(incident: PublicIncident, component: str) -> bool:
        # Named, or not narrowed down: then every component of its service (of all of them, for none).
        scope = scopes.get(incident.service or "", every)
        return component in incident.components or (not incident.components and component in scope)

    def covering(window: MaintenanceWindow, component: str) -> bool:
        # A window of some services covers their components only (all of them, for none named).
        services = window.services or tuple(scopes)
        return window.covers(component) and any(component in scopes[s] for s in services if s in scopes)

    return replace(page(playbook, shown, every, reaches, planned, covering), services=tuple(sections))


def _page(
    playbook: Playbook,
    shown: Sequence[PublicIncident],
    names: Sequence[str],
    reaches: Reach,
    windows: Sequence[MaintenanceWindow],
    covering: Covers,
    *,
    team: str,
    repository: str,
    now: datetime,
    last_checked_at: str | None,
) -> Page:
    """The page of the incidents ``shown`` and the ``windows``, for the components ``names``
    (``reaches`` says whether an incident counts against one, ``covering`` whether a window does)."""
    open_incidents = sorted((i for i in shown if i.open), key=lambda i: i.started_at, reverse=True)
    past = sorted((i for i in shown if not i.open), key=lambda i: i.ended_at or "", reverse=True)
    active = [w for w in windows if w.active_at(now)]

    def level(name: str) -> str:
        levels = [incident_level(playbook, i, i.severity) for i in open_incidents if reaches(i, name)]
        under = any(covering(w, name) for w in active)
        return worst_level([*levels, *([MAINTENANCE_LEVEL] if under else [])])

    components = tuple(
        ComponentView(
            name,
            level(name),
            _history(playbook, shown, name, reaches, now),
            incidents=tuple(i.number for i in shown if reaches(i, name)),
            maintenance=tuple(w.id for w in windows if covering(w, name)),
        )
        for name in names
    )
    settings = playbook.status_page
    return Page(
        team=team,
        repository=repository,
        links=settings.links if settings else (),
        generated_at=iso(now),
        level=worst_level(
            [incident_level(playbook, i, i.severity) for i in open_incidents]
            + [component.level for component in components]
        ),
        components=components,
        open_incidents=tuple(open_incidents),
        past_incidents=tuple(past),
        last_checked_at=last_checked_at,
        maintenance=tuple(windows),
    )


def incident_path(incident: PublicIncident) -> str:
    """Where an incident's own page is, relative to the site's root."""
    return f"incidents/{incident.number}.html"
