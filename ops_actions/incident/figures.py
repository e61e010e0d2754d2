"""Incident figures over a period: counts, response times, postmortems, action items. Pure.

Times are in minutes. The median is the middle value (mean of the two middle ones for an even
count); p90 is the nearest-rank 90th percentile (the value at rank ceil(0.9 n)).

By service (:func:`by_service`), the incidents of each service are the ones its ``service:<id>``
label names; those with no label of a service of the playbook are a group of their own, "No
service", rather than left out.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from ops_actions.incident.clock import iso, parse_time, whole_minutes
from ops_actions.incident.postmortem import ActionItem
from ops_actions.incident.state import IncidentState
from ops_actions.incident.timeline import MITIGATED
from ops_actions.playbook.model import Playbook
from ops_actions.text.markdown import inert
from ops_actions.text.mermaid import fenced, pie


@dataclass(frozen=True)
class IncidentRecord:
    """An incident as the report counts it."""

    number: int
    state: IncidentState
    service: str | None = None
    """The service its ``service:<id>`` label names (None without one)."""


# The group of the incidents of no service of the playbook, in the figures by service.
NO_SERVICE_NAME: Final = "No service"


@dataclass(frozen=True)
class PostmortemRecord:
    """A postmortem as the report counts it."""

    number: int
    incident: int
    due: datetime
    closed_at: datetime | None
    items: Sequence[ActionItem]


def minutes_between(start: str | None, end: str | None) -> int | None:
    """Whole minutes, rounded as the postmortem and the timeline round them (``clock.whole_minutes``):
    an incident mitigated after 15 min 59 s counts 15 here too."""
    if not start or not end:
        return None
    return whole_minutes(parse_time(start), parse_time(end))


def summary(values: Sequence[float]) -> dict[str, float | int | None]:
    """Count, median and nearest-rank p90 of some minutes."""
    if not values:
        return {"count": 0, "median": None, "p90": None}
    ordered = sorted(values)
    p90 = ordered[max(math.ceil(0.9 * len(ordered)) - 1, 0)]
    return {"count": len(ordered), "median": round(statistics.median(ordered), 1), "p90": round(p90, 1)}


def minutes_to(records: Sequence[IncidentRecord]) -> dict[str, dict[str, float | int | None]]:
    """Times to acknowledge, mitigate and resolve of the records, from their opening (see :func:`summary`)."""
    times = {
        "acknowledge": [minutes_between(r.state.opened_at, r.state.acknowledged_at) for r in records],
        "mitigate": [minutes_between(r.state.opened_at, r.state.mitigated_at) for r in records],
        "resolve": [minutes_between(r.state.opened_at, r.state.resolved_at) for r in records],
    }
    return {name: summary([v for v in values if v is not None]) for name, values in times.items()}


def _counts(records: Sequence[IncidentRecord]) -> dict[str, Any]:
    """How many incidents, how many still open, and their times."""
    return {
        "incidents": len(records),
        "open": sum(1 for r in records if not r.state.resolved_at),
        "minutes_to": minutes_to(records),
    }


def _group(playbook: Playbook, records: Sequence[IncidentRecord]) -> dict[str, Any]:
    """The counts and times of a group of records, in all and by severity."""
    severities = {
        s.id: _counts([r for r in records if r.state.severity == s.id]) for s in playbook.severities
    }
    return {**_counts(records), "by_severity": severities}


def by_service(playbook: Playbook, records: Sequence[IncidentRecord]) -> list[dict[str, Any]]:
    """The figures of each service (``playbook.service`` alone on a service's view), in the
    playbook's order, then those of the incidents of no service when there are any."""
    services = (playbook.service,) if playbook.service else playbook.services
    known = {service.id for service in services}
    groups = [
        {"service": s.id, "name": s.name, **_group(playbook, [r for r in records if r.service == s.id])}
        for s in services
    ]
    other = [r for r in records if r.service not in known]
    if other:
        groups.append({"service": None, "name": NO_SERVICE_NAME, **_group(playbook, other)})
    return groups


def build_report(
    playbook: Playbook,
    incidents: Iterable[IncidentRecord],
    postmortems: Iterable[PostmortemRecord],
    *,
    since: datetime,
    now: datetime,
    grouped: bool = False,
) -> dict[str, Any]:
    """The figures for incidents opened since ``since``; false alarms (closed as not planned by a
    writer, see incident/closes.py) are only counted, never in the other figures, and incidents a
    writer marked as planned (incident/maintenance.py) are listed as ``maintenance`` instead.
    ``grouped``: also the figures of each service, ``by_service`` (see :func:`by_service`).

    Each input is read once, incidents first (the report hands in generators over GitHub's list
    pages): only the records of the period and their postmortems are kept."""
    period = [r for r in incidents if parse_time(r.state.opened_at) >= since]
    real = [r for r in period if r.state.false_alarm is None]
    planned = [r for r in real if r.state.planned is not None]
    chosen = [r for r in real if r.state.planned is None]
    numbers = {r.number for r in chosen}
    by_severity = Counter(r.state.severity for r in chosen)
    by_component = Counter(c for r in chosen for c in (r.state.components or ["unspecified"]))
    mine = [p for p in postmortems if p.incident in numbers]
    with_postmortem = {p.incident for p in mine}
    resolved = [r for r in chosen if r.state.resolved_at]
    today: date = now.date()
    items = [item for p in mine for item in p.items]
    return {
        "since": iso(since),
        "until": iso(now),
        "incidents": {
            "total": len(chosen),
            "open": sum(1 for r in chosen if not r.state.resolved_at),
            "by_severity": {s.id: by_severity.get(s.id, 0) for s in playbook.severities},
            "by_component": dict(sorted(by_component.items())),
            "false_alarms": len(period) - len(real),
            "planned": len(planned),
        },
        "maintenance": [
            {
                "number": r.number,
                "title": r.state.title,
                "window": (r.state.planned or {}).get("window") or None,
                "minutes": minutes_between(r.state.opened_at, r.state.resolved_at),
            }
            for r in planned
        ],
        "minutes_to": minutes_to(chosen),
        "postmortems": {
            "expected": len(resolved),
            "created": len(mine),
            "missing": sum(1 for r in resolved if r.number not in with_postmortem),
            "completed_on_time": sum(1 for p in mine if p.closed_at and p.closed_at <= p.due),
            "completed_late": sum(1 for p in mine if p.closed_at and p.closed_at > p.due),
            "open": sum(1 for p in mine if not p.closed_at),
        },
        "action_items": {
            "total": len(items),
            "done": sum(1 for item in items if item.task.checked),
            "open": sum(1 for item in items if not item.task.checked),
            "overdue": sum(1 for item in items if not item.task.checked and item.due and item.due < today),
        },
        **({"by_service": by_service(playbook, chosen)} if grouped else {}),
    }


def _shown(value: float | int | None) -> str:
    return "–" if value is None else f"{value:g} min"


def _times(minutes: dict[str, dict[str, Any]]) -> str:
    """The cells of the times to acknowledge, mitigate and resolve: ``median / p90``."""
    return " | ".join(f"{_shown(v['median'])} / {_shown(v['p90'])}" for v in minutes.values())


def _by_service_lines(groups: Sequence[dict[str, Any]]) -> list[str]:
    """The figures by service as a table: a row of each service in all, then one per severity it had."""
    rows = []
    for group in groups:
        name = inert(group["name"], cell=True)
        shown = [("all", group), *((s, f) for s, f in group["by_severity"].items() if f["incidents"])]
        rows += [
            f"| {name} | {severity} | {f['incidents']} | {f['open']} | {_times(f['minutes_to'])} |"
            for severity, f in shown
        ]
    return [
        "| Service | Severity | Incidents | Open | Acknowledge (median / p90) | Mitigate (median / p90) "
        "| Resolve (median / p90) |",
        "|---|---|---|---|---|---|---|",
        *rows,
        "",
    ]


def _maintenance_lines(planned: Sequence[dict[str, Any]]) -> list[str]:
    """The incidents marked as planned, left out of the figures above: one line."""
    if not planned:
        return []
    listed = ", ".join(
        f"#{p['number']} {inert(p['title'])}" + (f" ({inert(p['window'])})" if p["window"] else "")
        for p in planned
    )
    return [f"**Maintenance** (planned, left out of the figures above): {listed}.", ""]


def report_markdown(figures: dict[str, Any]) -> str:
    """The figures as Markdown, job-summary friendly, with a Mermaid pie of severities (and the
    figures by service when they were asked for)."""
    inc, pm, items = figures["incidents"], figures["postmortems"], figures["action_items"]
    shown = _shown

    lines = [
        f"## Incident report {figures['since'][:10]} → {figures['until'][:10]}",
        "",
        f"**{inc['total']}** incidents ({inc['open']} still open; {inc['false_alarms']} false alarms "
        "left out).",
        "",
        fenced(pie("Incidents by severity", inc["by_severity"])) if inc["total"] else "",
        "",
        "| Severity | Incidents |",
        "|---|---|",
        *[f"| {name} | {count} |" for name, count in inc["by_severity"].items()],
        "",
        "| Component | Incidents |",
        "|---|---|",
        *[f"| {name} | {count} |" for name, count in inc["by_component"].items()],
        "",
        "| Time to | Median | p90 | Incidents |",
        "|---|---|---|---|",
        *[
            f"| {name} | {shown(v['median'])} | {shown(v['p90'])} | {v['count']} |"
            for name, v in figures["minutes_to"].items()
        ],
        "",
        *(_by_service_lines(figures["by_service"]) if "by_service" in figures else []),
        *_maintenance_lines(figures["maintenance"]),
        f"Times run from the opening; {MITIGATED}.",
        "",
        f"**Postmortems:** {pm['created']} of {pm['expected']} resolved incidents; "
        f"{pm['completed_on_time']} completed on time, {pm['completed_late']} late, {pm['open']} open, "
        f"{pm['missing']} missing.",
        "",
        f"**Action items:** {items['total']} ({items['done']} done, {items['open']} open, "
        f"{items['overdue']} overdue).",
    ]
    return "\n".join(lines) + "\n"
