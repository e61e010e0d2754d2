"""Replay: an incident's recorded ticks re-run through a playbook, and two such runs compared.

Pure (no network, no Click, no PyGithub): ``ops-actions replay`` reads the recordings from GitHub
and hands them here. The recorded ticks (see :mod:`ops_actions.incident.recorded_inputs`) are
taken as successive triage runs: each is evaluated with the rules' consecutive-breach counts, flap
control, ``holds_while``, ``rose()`` and ``rising()`` over the ticks before it, as the watch does
(the first lead tick is only the history the others start from: its own ``rose()`` would count from
nothing). Causes are matched as the watch matches them, as if no other incident were open: the
causes that fire first open the incident, and a cause that fires later and none of them holds
opens another one. A signal the recording does not hold is unknown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from ops_actions.incident.causes import firing_causes, view_of
from ops_actions.incident.recorded_inputs import LEAD
from ops_actions.incident.triage_report import Reading, RuleOutcome, Snapshot
from ops_actions.playbook.conditions import UNKNOWN
from ops_actions.playbook.model import Playbook
from ops_actions.triage.engine import evaluate_rules

NO_RECORDING: Final = "no recorded inputs"
_ORDINALS: Final = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")


@dataclass(frozen=True)
class Tick:
    """One recorded triage: when, and the plain signal values it read."""

    at: str
    signals: Mapping[str, Any]
    lead: bool = False
    others: frozenset[str] = frozenset()
    """The causes other open incidents held: what fires for them opens nothing here."""


def recorded_ticks(inputs: Sequence[Mapping[str, Any]]) -> list[Tick]:
    """The ticks of an incident's recorded inputs, in order; the lead ticks share the opening's
    ``others`` (the history does not say who held what then)."""
    opening = next((entry for entry in inputs if LEAD not in entry.get("why", [])), {})
    return [
        Tick(
            entry["at"],
            entry["signals"],
            lead := LEAD in entry.get("why", []),
            frozenset((opening if lead else entry).get("others", [])),
        )
        for entry in inputs
    ]


@dataclass(frozen=True)
class Moment:
    """A severity the incident reached, when, and the rules that gave it."""

    severity: str
    at: str
    rules: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"severity": self.severity, "at": self.at, "rules": list(self.rules)}


@dataclass(frozen=True)
class Verdict:
    """What one playbook makes of an incident's ticks."""

    opened: Moment | None
    """The opening: its severity, when, which rules (None: it would not open)."""
    highest: Moment | None
    branches: tuple[str, ...] = ()
    """The decision-tree branches it follows, in the order they joined."""
    incidents: tuple[tuple[str, ...], ...] = ()
    """The causes of each incident the ticks open, in order: the first is this incident."""
    held_back: str | None = None
    """Why it would not open: ``flap control``, ``consecutive breaches`` or ``no rule fires``."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "opens": self.opened is not None,
            "opened": self.opened.to_dict() if self.opened else None,
            "highest": self.highest.to_dict() if self.highest else None,
            "branches": list(self.branches),
            "incidents": [list(causes) for causes in self.incidents],
            "held_back": self.held_back,
        }


@dataclass
class _Replay:
    """What the run has seen so far."""

    playbook: Playbook
    history: list[Snapshot] = field(default_factory=list)
    incidents: list[list[str]] = field(default_factory=list)
    opened: Moment | None = None
    highest: Moment | None = None
    branches: list[str] = field(default_factory=list)
    pending: dict[str, bool] = field(default_factory=dict)

    def tick(self, tick: Tick) -> None:
        playbook = self.playbook
        names = [spec.name for probe in playbook.probes for spec in probe.signals]
        readings = [Reading(name, tick.signals.get(name, UNKNOWN)) for name in names]
        outcomes = evaluate_rules(playbook, readings, self.history)
        self.history.append(_snapshot(tick, outcomes))
        held = tick.others.union(*self.incidents)
        fresh = [o for o in outcomes if o.outcome == "fired" and not o.held]
        new = [cause for cause in firing_causes(playbook, fresh) if cause not in held]
        if new:
            self.incidents.append(new)
        if not self.incidents:
            self.pending.update(
                {o.id: playbook.rule(o.id).alert_confirms for o in outcomes if o.outcome == "pending"}
            )
            return
        view = view_of(playbook, outcomes, self.incidents[0])
        if view.severity is None:
            return
        moment = Moment(
            view.severity, tick.at, tuple(o.id for o in view.fired if o.severity == view.severity)
        )
        self.opened = self.opened or moment
        if self.highest is None or playbook.severities.more_severe(view.severity, self.highest.severity):
            self.highest = moment
        self.branches += [branch for branch in view.branches if branch not in self.branches]

    def verdict(self) -> Verdict:
        held_back = None
        if self.opened is None:
            held_back = (
                "flap control"
                if any(self.pending.values())
                else "consecutive breaches"
                if self.pending
                else "no rule fires"
            )
        return Verdict(
            opened=self.opened,
            highest=self.highest,
            branches=tuple(self.branches),
            incidents=tuple(tuple(causes) for causes in self.incidents),
            held_back=held_back,
        )


def _snapshot(tick: Tick, outcomes: Sequence[RuleOutcome]) -> Snapshot:
    """What the next tick counts from, as the watch history keeps it."""
    breaches = {o.id: o.consecutive_breaches for o in outcomes if o.consecutive_breaches}
    return Snapshot(at=tick.at, signals=dict(tick.signals), breaches=breaches)


def replay_ticks(playbook: Playbook, ticks: Sequence[Tick]) -> Verdict:
    """The incident as this playbook would have made it from these ticks."""
    run = _Replay(playbook)
    for index, tick in enumerate(ticks):
        if index == 0 and tick.lead and len(ticks) > 1:
            run.history.append(Snapshot(at=tick.at, signals=dict(tick.signals), breaches={}))
        else:
            run.tick(tick)
    return run.verdict()


def _clock(at: str) -> str:
    """A recorded time as the lines show it: HH:MM (UTC)."""
    return at[11:16]


def _moment(moment: Moment) -> str:
    return f"{moment.severity} at {_clock(moment.at)}"


def differences(before: Verdict, after: Verdict) -> list[str]:
    """What changes from ``before`` to ``after``, one clause each (none: unchanged)."""
    if before.opened and not after.opened:
        return [f"would not have opened ({after.held_back})"]
    if after.opened and not before.opened:
        return [f"would have opened: {_moment(after.opened)} ({', '.join(after.opened.rules)})"]
    found = []
    if before.opened and after.opened and before.opened != after.opened:
        found.append(f"{_moment(before.opened)} → {_moment(after.opened)} ({', '.join(after.opened.rules)})")
    highest = (before.highest, after.highest)
    if (
        before.highest
        and after.highest
        and before.highest != after.highest
        and highest != (before.opened, after.opened)
    ):
        found.append(
            f"highest {_moment(before.highest)} → {_moment(after.highest)} ({', '.join(after.highest.rules)})"
        )
    if before.branches != after.branches:
        found.append(
            f"branches {', '.join(before.branches) or 'none'} → {', '.join(after.branches) or 'none'}"
        )
    for index, causes in enumerate(after.incidents[len(before.incidents) :], start=len(before.incidents)):
        which = _ORDINALS[index] if index < len(_ORDINALS) else f"{index + 1}th"
        found.append(f"a {which} incident for cause {', '.join(causes)}")
    if len(after.incidents) < len(before.incidents):
        found.append(f"{len(after.incidents)} incident(s) instead of {len(before.incidents)}")
    return found


@dataclass(frozen=True)
class Replayed:
    """One incident replayed through the base playbook (``before``) and the new one (``after``)."""

    number: int
    opened_at: str
    before: Verdict | None
    after: Verdict | None

    @property
    def changes(self) -> list[str]:
        return differences(self.before, self.after) if self.before and self.after else []

    @property
    def outcome(self) -> str:
        """What replay says of it: its changes, ``unchanged``, or ``no recorded inputs``."""
        if self.before is None:
            return NO_RECORDING
        return "; ".join(self.changes) or "unchanged"

    @property
    def line(self) -> str:
        """``#42: SEV-2 at 10:11 → SEV-1 at 10:03 (database-down)``, ``#57: unchanged``, ``#60:
        would not have opened (flap control)``, ``#12: no recorded inputs``."""
        return f"#{self.number}: {self.outcome}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "opened_at": self.opened_at,
            "before": self.before.to_dict() if self.before else None,
            "after": self.after.to_dict() if self.after else None,
            "changed": bool(self.changes),
            "outcome": self.outcome,
        }


def replay_incident(
    number: int, opened_at: str, inputs: Sequence[Mapping[str, Any]], *, base: Playbook, new: Playbook
) -> Replayed:
    """An incident's recorded inputs through both playbooks (an incident without any: no verdicts)."""
    if not inputs:
        return Replayed(number, opened_at, None, None)
    ticks = recorded_ticks(inputs)
    return Replayed(number, opened_at, replay_ticks(base, ticks), replay_ticks(new, ticks))
