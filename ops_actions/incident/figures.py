"""Incident figures over a period: counts, response times, postmortems, action items. Pure.

Times are in minutes. The median is the middle value (mean of the two middle ones for an even
count); p90 is the nearest-rank 90th percentile (the value at rank ceil(0.9 n)).
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ops_actions.incident.clock import iso, parse_time, whole_minutes
from ops_actions.incident.postmortem import ActionItem
from ops_actions.incident.state import IncidentState
from ops_actions.incident.timeline import MITIGATED
from ops_actions.playbook.model import Playbook
from ops_actions.text.mermaid import fenced, pie


@dataclass(frozen=True)
class IncidentRecord:
    """An incident as the report counts it."""

    number: int
    state: IncidentState


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


def build_report(
    playbook: Playbook,
    incidents: Iterable[IncidentRecord],
    postmortems: Iterable[PostmortemRecord],
    *,
    since: datetime,
    now: datetime,
) -> dict[str, Any]:
    """The figures for incidents opened since ``since``; false alarms (closed as not planned by a
    writer, see incident/closes.py) are only counted, never in the other figures.

    Each input is read once, incidents first (the report hands in generators over GitHub's list
    pages): only the records of the period and their postmortems are kept."""
    period = [r for r in incidents if parse_time(r.state.opened_at) >= since]
    chosen = [r for r in period if r.state.false_alarm is None]
    numbers = {r.number for r in chosen}
    by_severity = Counter(r.state.severity for r in chosen)
    by_component = Counter(c for r in chosen for c in (r.state.components or ["unspecified"]))
    times = {
        "acknowledge": [minutes_between(r.state.opened_at, r.state.acknowledged_at) for r in chosen],
        "mitigate": [minutes_between(r.state.opened_at, r.state.mitigated_at) for r in chosen],
        "resolve": [minutes_between(r.state.opened_at, r.state.resolved_at) for r in chosen],
    }
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
            "false_alarms": len(period) - len(chosen),
        },
        "minutes_to": {name: summary([v for v in values if v is not None]) for name, values in times.items()},
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
    }


def report_markdown(figures: dict[str, Any]) -> str:
    """The figures as Markdown, job-summary friendly, with a Mermaid pie of severities."""
    inc, pm, items = figures["incidents"], figures["postmortems"], figures["action_items"]

    def shown(value: float | int | None) -> str:
        return "–" if value is None else f"{value:g} min"

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
