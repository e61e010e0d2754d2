"""Which gated probes run this triage: a probe with ``when:`` or ``every_minutes:`` (a write canary
that creates a production job, say) runs only when the playbook calls for it, so a healthy tick
costs production nothing.

Pure: the engine (:mod:`ops_actions.triage.engine`) asks before each round; when each gated probe
last ran comes from the watch history (:mod:`ops_actions.triage.history`). Every decision has a
reason, one line: a run's for the output, a skip's for the skipped signals (skipped, not failed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from ops_actions.incident.clock import parse_time
from ops_actions.incident.triage_report import Snapshot
from ops_actions.playbook.conditions import Unknown, Value, evaluate
from ops_actions.playbook.model import Playbook, Probe


@dataclass(frozen=True)
class Gate:
    """Whether a gated probe runs, and why."""

    runs: bool
    reason: str


def before_first_round(
    playbook: Playbook,
    probe: Probe,
    *,
    history: Sequence[Snapshot],
    ran_at: Mapping[str, str],
    now: datetime,
) -> Gate | None:
    """A gated probe that runs with the first round (its interval is due, its last run is unknown,
    or a rule on its signals was breached last time, so its recovery is seen); None: its ``when``
    decides after the first round; a Gate that does not run: it has no ``when`` and is not due."""
    previous = history[-1].breaches if history else {}
    names = {spec.name for spec in probe.signals}
    breached = [rule.id for rule in playbook.rules if previous.get(rule.id) and rule.when.signals & names]
    if breached:
        return Gate(True, f"rule {breached[0]} was breached by the previous triage")
    if probe.every_minutes is None:
        return None
    every = f"every {probe.every_minutes} min"
    last = ran_at.get(probe.id)
    if last is None:
        return Gate(True, f"no record of its last run in the watch history ({every}): run on the safe side")
    minutes = (now - parse_time(last)).total_seconds() / 60
    if minutes >= probe.every_minutes:
        return Gate(True, f"last ran {minutes:.0f} min ago ({every})")
    if probe.when is None:
        return Gate(False, f"last ran {minutes:.0f} min ago ({every})")
    return None


def after_first_round(
    probe: Probe,
    *,
    values: Mapping[str, Value | Unknown],
    history: Sequence[Snapshot],
    ran_at: Mapping[str, str],
    now: datetime,
) -> Gate:
    """A probe with ``when`` the first round did not run: it runs unless the condition is false
    (unknown runs it: the safe side)."""
    assert probe.when is not None  # before_first_round decided the others
    truth = evaluate(probe.when, values, [snapshot.signals for snapshot in history])
    if truth is False:
        last = ran_at.get(probe.id)
        since = f"; last ran {(now - parse_time(last)).total_seconds() / 60:.0f} min ago" if last else ""
        every = f" (every {probe.every_minutes} min)" if probe.every_minutes and last else ""
        return Gate(False, f"its when ({probe.when.source}) is false{since}{every}")
    shown = "true" if truth is True else "unknown, run on the safe side"
    return Gate(True, f"its when ({probe.when.source}) is {shown}")
