"""An incident's state as `incident open` makes it, for the pure tests of what follows from it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ops_actions.incident.state import IncidentState
from ops_actions.incident.transitions import new_incident
from ops_actions.playbook.model import Playbook
from tests.support.fixtures.world import START


def opened(
    playbook: Playbook,
    *,
    title: str = "Queue stuck",
    severity: str = "SEV-2",
    impact: str = "",
    now: datetime = START,
    **more: Any,
) -> IncidentState:
    """A freshly opened incident (key "k", no summary); ``more`` as ``new_incident`` takes it."""
    return new_incident(
        playbook, key="k", title=title, severity=severity, impact=impact, summary="", now=now, **more
    )
