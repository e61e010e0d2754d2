"""Which open incident a fired rule or an alert belongs to: causes, pure.

Each open incident holds causes (``IncidentState.causes``). A fired rule names its cause (the
loader resolves ``rules[].cause`` under ``causes.group_by``); an alert's cause is its dedupe key.
What fires for a held cause goes to the incident that holds it. Causes nobody holds open one new
incident together: what starts on the same triage is taken as one thing until a person splits it.
An incident a person opened takes what its first triage sees firing unheld (it was opened for
it); an alert whose component is an open incident's joins that incident.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from ops_actions.incident.clock import iso
from ops_actions.incident.state import IncidentState
from ops_actions.incident.timeline import TimelineEvent
from ops_actions.incident.transitions import change_severity
from ops_actions.incident.triage_report import RuleOutcome
from ops_actions.playbook.model import ONE_CAUSE, Playbook
from ops_actions.text.markdown import inert

ALERT_PREFIX = "alert:"


def alert_cause(playbook: Playbook, key: str) -> str:
    """The cause an alert with this dedupe key reports."""
    return ONE_CAUSE if playbook.group_by == "one" else ALERT_PREFIX + key


def _alert_key(cause: str) -> str:
    """An alert's dedupe key (text from a monitor) as one line that cannot close a code span."""
    return " ".join(cause.removeprefix(ALERT_PREFIX).split()).replace("`", "'")[:120]


def cause_title(playbook: Playbook, cause: str) -> str:
    """A cause as people read it: its branch, its rules, the alert, or everything."""
    if cause == ONE_CAUSE:
        return "everything triage and alerts report"
    if cause.startswith(ALERT_PREFIX):
        return f"alert `{_alert_key(cause)}`"
    rules = [rule.id for rule in playbook.rules if rule.cause == cause]
    branch = next((b for b in playbook.decision_tree if b.id == cause), None)
    name = f"{branch.id}) {branch.title}" if branch else f"`{cause}`"
    return f"{name} (rules {', '.join(f'`{r}`' for r in rules)})" if rules else name


def firing_causes(playbook: Playbook, fired: Sequence[RuleOutcome]) -> list[str]:
    """The causes of the fired rules, each once, in rule order."""
    return list(dict.fromkeys(playbook.rule(outcome.id).cause for outcome in fired))


def followed(playbook: Playbook, state: IncidentState) -> list[str]:
    """The causes an incident follows: those it holds, else (it holds none: opened by a person, or
    before incidents had causes) those of the rules its last triage snapshot saw firing."""
    if state.causes:
        return list(state.causes)
    fired = state.snapshots[-1].get("fired", []) if state.snapshots else []
    names = {rule.id for rule in playbook.rules}
    return list(dict.fromkeys(playbook.rule(r).cause for r in fired if r in names))


def rule_components(playbook: Playbook, rule_id: str) -> tuple[str, ...]:
    """A rule's components: its branch's (none for a rule of no branch)."""
    branch = playbook.rule(rule_id).branch
    return playbook.branch(branch).components if branch else ()


def cause_components(playbook: Playbook, causes: Sequence[str]) -> list[str]:
    """The components of the branches the causes' rules point to."""
    return sorted(
        {c for rule in playbook.rules if rule.cause in causes for c in rule_components(playbook, rule.id)}
    )


@dataclass(frozen=True)
class Held:
    """What matching needs of one open incident."""

    number: int
    causes: tuple[str, ...]
    components: tuple[str, ...] = ()
    alerts: tuple[str, ...] = ()
    triaged: bool = True


@dataclass(frozen=True)
class AlertSeen:
    """The alert a run was started by: its cause, component and whether it fires."""

    cause: str
    key: str
    component: str | None
    firing: bool


@dataclass
class Assignment:
    """Where this run's causes go: taken up by open incidents, or a new incident."""

    adopted: dict[int, list[str]] = field(default_factory=dict)
    new: list[str] = field(default_factory=list)
    alert_to: int | None = None

    def causes_of(self, held: Held) -> list[str]:
        """The incident's causes once this run's adoptions are made."""
        return [*held.causes, *self.adopted.get(held.number, [])]


def assign_causes(
    playbook: Playbook, incidents: Sequence[Held], firing: Sequence[str], alert: AlertSeen | None
) -> Assignment:
    """Match what fires now (and the alert) to the open incidents; the oldest holder wins."""
    ordered = sorted(incidents, key=lambda held: held.number)
    holder: dict[str, int] = {}
    for held in ordered:
        for cause in held.causes:
            holder.setdefault(cause, held.number)
    plan = Assignment()
    unheld = [cause for cause in dict.fromkeys(firing) if cause not in holder]
    if alert is not None:
        owner = holder.get(alert.cause) or next((h.number for h in ordered if alert.key in h.alerts), None)
        if owner is None and alert.component:
            owner = next((h.number for h in ordered if alert.component in h.components), None)
        if owner is not None:
            plan.alert_to = owner
            if alert.cause not in holder:
                plan.adopted.setdefault(owner, []).append(alert.cause)
        elif alert.firing:
            unheld.append(alert.cause)
    if unheld:
        fresh = next((h for h in ordered if not h.causes and not h.triaged), None)
        if fresh is not None:
            plan.adopted.setdefault(fresh.number, []).extend(
                c for c in unheld if c not in plan.adopted.get(fresh.number, [])
            )
            if alert is not None and alert.cause in unheld:
                plan.alert_to = fresh.number
        else:
            plan.new = unheld
    return plan


@dataclass(frozen=True)
class IncidentView:
    """What one triage says about one incident: its rules that fired, and those that could not say."""

    fired: tuple[RuleOutcome, ...]
    unsure: tuple[str, ...]
    severity: str | None
    branches: tuple[str, ...]


def view_of(playbook: Playbook, outcomes: Sequence[RuleOutcome], causes: Sequence[str]) -> IncidentView:
    """The triage as one incident with these causes sees it."""
    held = set(causes)
    mine = [o for o in outcomes if playbook.rule(o.id).cause in held]
    fired = tuple(o for o in mine if o.outcome == "fired")
    unsure = tuple(o.id for o in mine if o.outcome in {"pending", "unknown"})
    severity = playbook.severities.most_severe(o.severity for o in fired)
    wanted = {o.branch for o in fired if o.branch}
    branches = tuple(b.id for b in playbook.decision_tree if b.id in wanted)
    return IncidentView(fired, unsure, severity, branches)


def signals_of(playbook: Playbook, causes: Sequence[str]) -> frozenset[str]:
    """The signals the rules of these causes read."""
    return frozenset(name for rule in playbook.rules if rule.cause in causes for name in rule.when.signals)


def others_signals(owned: Sequence[frozenset[str]]) -> list[frozenset[str]]:
    """For each incident (the signals its rules read, in order): the signals only the others' rules
    read. A change in those is the other incidents' news; signals nobody's rules read are everyone's."""
    return [
        frozenset().union(*(other for index, other in enumerate(owned) if index != mine)) - own
        for mine, own in enumerate(owned)
    ]


def held_alerts_firing(alerts: Mapping[str, str]) -> bool:
    """Whether any alert an incident follows is still firing."""
    return any(status == "firing" for status in alerts.values())


def cause_name(playbook: Playbook, cause: str, fired: Sequence[str] = ()) -> str:
    """A cause as an issue title: the branch of its rules (those that ``fired`` first), else the
    first such rule's summary, else the alert."""
    if cause == ONE_CAUSE:
        return "Backend incident"
    if cause.startswith(ALERT_PREFIX):
        return f"Alert {_alert_key(cause)}"
    if any(b.id == cause for b in playbook.decision_tree):
        return playbook.branch(cause).title
    rules = [rule for rule in playbook.rules if rule.cause == cause]
    rules = [rule for rule in rules if rule.id in fired] or rules
    branch = next((rule.branch for rule in rules if rule.branch), None)
    if branch is not None:
        return playbook.branch(branch).title
    return rules[0].summary.rstrip(".")[:120] if rules else cause


def absorb(
    playbook: Playbook,
    state: IncidentState,
    other: IncidentState,
    *,
    number: int,
    this: int,
    now: datetime,
    by: str | None,
    key: str,
) -> tuple[IncidentState, TimelineEvent]:
    """Incident #number folded into this one: its causes, components, alerts and links, its
    freeze, its branches (their steps enter this body at the save) and fired rules, and its
    severity when that is worse."""
    new = replace(state)
    new.causes = list(dict.fromkeys([*state.causes, *other.causes]))
    new.branches = list(dict.fromkeys([*state.branches, *other.branches]))
    new.fired_rules = list(dict.fromkeys([*state.fired_rules, *other.fired_rules]))
    new.components = sorted({*state.components, *other.components})
    new.alerts = {**other.alerts, **state.alerts}
    new.related = [n for n in dict.fromkeys([*state.related, *other.related]) if n not in {number, this}]
    new.freeze = state.freeze or other.freeze
    lines = [f"**Merged** #{number} into this incident{f' by @{by}' if by else ''}."]
    if other.causes:
        lines.append("Causes taken over: " + "; ".join(inert(cause_title(playbook, c)) for c in other.causes))
    kind = "merge"
    if playbook.severities.more_severe(other.severity, state.severity):
        new, _ = change_severity(
            playbook, new, severity=other.severity, reason=f"merged #{number}", now=now, by=by, key=key
        )
        lines.append(f"Severity {state.severity} → {other.severity} (#{number}'s).")
        kind = "severity"  # announced like any raised severity
    return new, TimelineEvent(key, kind, iso(now), f"merged #{number}", "\n\n".join(lines), state.key)


def release(
    playbook: Playbook, state: IncidentState, *, cause: str, to: int, now: datetime, by: str | None, key: str
) -> tuple[IncidentState, TimelineEvent]:
    """A cause moved out of this incident into incident #to."""
    new = replace(state)
    new.causes = [c for c in state.causes if c != cause]
    if cause.startswith(ALERT_PREFIX):
        new.alerts = {k: v for k, v in state.alerts.items() if k != cause.removeprefix(ALERT_PREFIX)}
    new.related = [*state.related, to] if to not in state.related else list(state.related)
    body = (
        f"**Split**{f' by @{by}' if by else ''}: {inert(cause_title(playbook, cause))} "
        f"is followed in #{to} from now on."
    )
    return new, TimelineEvent(key, "split", iso(now), f"split {cause} into #{to}", body, state.key)


def last_severity_of(playbook: Playbook, state: IncidentState, cause: str) -> str:
    """The worst severity the incident's last triage saw for one cause (else the incident's)."""
    fired = state.snapshots[-1].get("fired", []) if state.snapshots else []
    names = {rule.id for rule in playbook.rules}
    seen = [playbook.rule(r).severity for r in fired if r in names and playbook.rule(r).cause == cause]
    return playbook.severities.most_severe(seen) or state.severity
