"""An incident's recorded inputs: the signal values of each triage tick that changed a decision.

The watch keeps them in the incident's state block (``IncidentState.inputs``), so that
``ops-actions replay`` can re-run the incident's decisions through another playbook years later,
without the backend. Each entry is one tick: its time, the plain signal values the triage read
(unknown ones left out, as the watch history keeps them) and why it was kept (``why``):

- ``lead``: the watch history's ticks before the opening (at most LEAD_TICKS), so consecutive
  breaches, flap control, ``rose()`` and ``rising()`` count as they did;
- ``opened``: the tick that opened the incident;
- then each tick that changed what the incident's rules decided (:func:`decision_changes`).

Bounded: at most MAX_INPUTS entries. Beyond that, and when the state block's budget trims, the
oldest entry after the opening goes first: the lead and the opening tick always stay.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from ops_actions.incident.state import IncidentState
from ops_actions.incident.triage_report import Snapshot

MAX_INPUTS: Final = 40
# The ticks before the opening kept with it: the first is the history the replay starts from, the
# others are re-run (a rule needing up to LEAD_TICKS breaches in a row can still fire at the opening).
LEAD_TICKS: Final = 6
LEAD: Final = "lead"
OPENED: Final = "opened"


def input_entry(
    at: str, signals: Mapping[str, Any], why: Sequence[str], others: Sequence[str] = ()
) -> dict[str, Any]:
    """One recorded tick; ``others``: the causes other open incidents held then (what fired for
    them was theirs, not this incident's)."""
    entry: dict[str, Any] = {"at": at, "signals": dict(signals), "why": list(why)}
    if others:
        entry["others"] = sorted(set(others))
    return entry


def opening_inputs(
    history: Sequence[Snapshot], *, at: str, signals: Mapping[str, Any], others: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """What an incident the watch opens records: the history's last ticks, then the opening tick
    (``others``: the causes the open incidents held, which the lead ticks are taken to share)."""
    lead = [input_entry(snapshot.at, snapshot.signals, [LEAD]) for snapshot in history[-LEAD_TICKS:]]
    return [*lead, input_entry(at, signals, [OPENED], others)]


def _kept(inputs: Sequence[Mapping[str, Any]]) -> int:
    """How many entries always stay: the lead and the opening tick (none when it was not recorded)."""
    return next((index + 1 for index, entry in enumerate(inputs) if OPENED in entry.get("why", [])), 0)


def without_oldest(inputs: Sequence[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """The inputs with their oldest entry after the opening gone (None when only those that stay are left)."""
    kept = _kept(inputs)
    if len(inputs) <= max(kept, 1):
        return None
    return [*inputs[:kept], *inputs[kept + 1 :]]


def with_input(inputs: Sequence[dict[str, Any]], entry: dict[str, Any]) -> list[dict[str, Any]]:
    """The inputs with one tick more, bounded by MAX_INPUTS."""
    recorded = [*inputs, entry]
    while len(recorded) > MAX_INPUTS:
        shorter = without_oldest(recorded)
        if shorter is None:
            break
        recorded = shorter
    return recorded


def decision_changes(
    before: IncidentState,
    after: IncidentState,
    *,
    previous: Mapping[str, Any] | None,
    snapshot: Mapping[str, Any],
) -> list[str]:
    """What one watch tick changed in the incident's decisions (nothing: the tick is not recorded).

    ``previous``: the incident's last triage snapshot before this tick; ``snapshot``: this tick's.
    A rule fired or cleared (``fired``); one breached without firing yet or could not say, or
    stopped (``unsure``: consecutive breaches and flap control count these); the severity moved
    or a lower one was proposed (``severity``); a branch joined (``branch``); the metrics turned
    normal, which starts the resolution clock (``clear``).
    """
    why = []
    if previous is None or sorted(previous.get("fired", [])) != sorted(snapshot.get("fired", [])):
        why.append("fired")
    if previous is None or sorted(previous.get("unsure", [])) != sorted(snapshot.get("unsure", [])):
        why.append("unsure")
    if after.severity != before.severity or (after.proposed and after.proposed != before.proposed):
        why.append("severity")
    if set(after.branches) - set(before.branches):
        why.append("branch")
    if after.clear_since and after.clear_since != before.clear_since:
        why.append("clear")
    return why
