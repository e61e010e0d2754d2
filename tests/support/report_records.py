"""A hand-made set of incidents and postmortems, the input of the response-time figures' tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ops_actions.incident.clock import iso
from ops_actions.incident.figures import IncidentRecord, PostmortemRecord
from ops_actions.incident.postmortem import action_items
from ops_actions.incident.state import IncidentState
from ops_actions.playbook import Playbook

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


# number: (severity, components, minutes to acknowledge, mitigate, resolve, postmortem)
# postmortem: "on time" (closed 20 h after resolution), "late" (30 h), "open", or None.
INCIDENTS: dict[int, tuple[str, list[str], int | None, int | None, int | None, str | None]] = {
    1: ("SEV-1", ["billing"], 5, 20, 60, "on time"),
    2: ("SEV-1", ["billing", "stripe webhook"], 2, 10, 30, "late"),
    3: ("SEV-2", ["worker", "jobs"], 10, 30, 90, "on time"),
    4: ("SEV-2", ["jobs"], 15, 45, 120, "open"),
    5: ("SEV-2", ["jobs"], 8, 25, 80, "on time"),
    6: ("SEV-3", [], 30, 60, 240, None),
    7: ("SEV-3", ["auth"], 20, 40, 200, None),
    8: ("SEV-2", ["worker"], 12, 35, 100, "on time"),
    9: ("SEV-1", ["auth"], 3, 15, 45, "on time"),
    10: ("SEV-2", ["stripe webhook"], 6, 22, 70, "late"),
    11: ("SEV-3", ["billing"], 25, 50, 300, None),
    12: ("SEV-2", ["jobs"], 9, 28, 85, "on time"),
    13: ("SEV-2", ["worker", "jobs"], 11, 33, 95, "open"),
    14: ("SEV-1", ["billing"], 4, 12, 40, "on time"),
    15: ("SEV-3", ["jobs"], 40, 80, 400, None),
    16: ("SEV-2", ["auth"], 7, 20, 75, "on time"),
    17: ("SEV-2", [], 14, None, None, None),
    18: ("SEV-1", ["billing"], None, None, None, None),
    19: ("SEV-3", ["jobs"], 18, None, None, None),
    20: ("SEV-2", ["worker"], 1, 5, 15, "on time"),
    21: ("SEV-1", ["billing"], 1, 2, 3, "on time"),  # opened 100 days ago: outside --since 90d
}


ACTIONS = {
    1: "- [x] a — @alice — due 2026-11-01\n- [ ] b — @bob — due 2026-12-10",
    2: "- [ ] c — @carol — due 2026-11-20",
    3: "- [x] d — @dave — due 2026-10-01",
    4: "- [ ] e — @erin — due 2026-11-26\n- [ ] action — @owner — due YYYY-MM-DD",
    13: "- [ ] f — @frank — due 2026-11-27",
    20: "- [ ] g",
    21: "- [ ] old — @zed — due 2026-01-01",
}


def fixture_records(playbook: Playbook) -> tuple[list[IncidentRecord], list[PostmortemRecord]]:
    """The table above as the report reads it."""
    incidents, postmortems = [], []
    for number, (severity, components, tta, ttm, ttr, pm) in INCIDENTS.items():
        opened = NOW - timedelta(days=100 if number == 21 else number, hours=3)

        def at(minutes: int | None, opened: datetime = opened) -> str | None:
            return iso(opened + timedelta(minutes=minutes)) if minutes is not None else None

        state = IncidentState(
            key=f"incident-{number}",
            title=f"Incident {number}",
            severity=severity,
            status="resolved" if ttr else "investigating",
            opened_at=iso(opened),
            acknowledged_at=at(tta),
            mitigated_at=at(ttm),
            resolved_at=at(ttr),
            components=components,
        )
        incidents.append(IncidentRecord(number, state))
        if pm is not None and ttr is not None:
            resolved = opened + timedelta(minutes=ttr)
            closed = {"on time": resolved + timedelta(hours=20), "late": resolved + timedelta(hours=30)}.get(
                pm
            )
            body = "### Preventive actions\n\n" + ACTIONS.get(number, "") + "\n"
            items, _ = action_items(body, playbook)
            postmortems.append(
                PostmortemRecord(100 + number, number, resolved + timedelta(hours=24), closed, items)
            )
    return incidents, postmortems
