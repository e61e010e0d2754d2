"""An open incident's severity follows what triage and alerts show: up at once, down by a person.

The playbook's ``severity_policy`` decides: a worse severity among the incident's fired rules (or
a firing alert it holds) raises it, with the reason on the timeline; a less severe one held for
``propose_lower_after_minutes`` earns one comment proposing ``/sev N``, and nothing else. At
opening, a person's severity and an attached triage's meet the same way (``opening_severity``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from ops_actions.incident.clock import iso, parse_time
from ops_actions.incident.state import IncidentState
from ops_actions.incident.timeline import TimelineEvent
from ops_actions.incident.transitions import DETECTION, change_severity
from ops_actions.playbook.model import Playbook


def follow_severity(
    playbook: Playbook,
    state: IncidentState,
    *,
    evidence: str | None,
    reasons: Sequence[str],
    hold: bool,
    now: datetime,
    key: str,
) -> tuple[IncidentState, list[TimelineEvent]]:
    """The incident after comparing its severity with the ``evidence`` (the worst it shows now).

    ``hold``: something the triage cannot see (a firing alert) still speaks for the current
    severity, so no lower one is proposed.
    """
    policy = playbook.severity_policy
    if evidence and playbook.severities.more_severe(evidence, state.severity):
        if not policy.raise_with_triage:
            return state, []
        reason = "triage shows " + "; ".join(reasons) if reasons else "triage shows a worse severity"
        new, event = change_severity(
            playbook, state, severity=evidence, reason=reason, now=now, by=None, key=f"{key}:raise"
        )
        new.lower_since, new.proposed = None, None
        return new, [event]
    if not evidence or hold or not playbook.severities.more_severe(state.severity, evidence):
        if state.lower_since is None:
            return state, []
        return replace(state, lower_since=None), []
    new = replace(state, lower_since=state.lower_since or iso(now))
    since = new.lower_since or iso(now)
    waited = (now - parse_time(since)).total_seconds() / 60
    proposal = {"severity": evidence, "since": since}
    if waited < policy.propose_lower_after_minutes or state.proposed == proposal:
        return new, []
    new.proposed = proposal
    number = re.search(r"(\d+)$", evidence)
    command = f"/sev {number.group(1) if number else evidence} <reason>"
    shown = "; ".join(reasons)
    body = (
        f"**Severity proposal**: since {since} triage shows only {evidence} for this incident"
        + (f" ({shown})" if shown else "")
        + f", against its {state.severity}. If the impact agrees, lower it with `{command}`; "
        "nothing changes until a person does."
    )
    summary = f"proposed {state.severity} → {evidence}"
    return new, [TimelineEvent(f"{key}:propose", "proposal", iso(now), summary, body, state.key)]


def opening_severity(
    playbook: Playbook,
    *,
    person: str | None,
    triage: str | None,
    fired: Sequence[str],
    how: str,
    by: str | None,
) -> tuple[str, str | None]:
    """The severity a new incident opens with, and the timeline note when a person's choice and the
    attached triage's differ (None when they agree or one is missing).

    A person's severity is a floor: a worse one in the triage wins, a less severe one leaves the
    person's (a person judges impact triage cannot measure; ``/sev`` changes it later).
    """
    chosen = playbook.severities.most_severe([person, triage]) or playbook.severities[-1].id
    if person is None or triage is None or person == triage:
        return chosen, None
    who = f"@{by}" if by else "a person"
    rules = f" (`{'`, `'.join(fired)}`)" if fired else ""
    if chosen == triage:
        why = "a worse severity in the triage wins over a person's, which is a floor"
    else:
        why = "a person's severity is a floor, which a less severe triage does not lower"
    note = (
        f"**Severity at opening: {chosen}.** {who} chose {person} through {DETECTION.get(how, how)}; "
        f"the attached triage shows "
        f"{triage}{rules}. {why.capitalize()}. Change it with `/sev <N> <reason>`."
    )
    return chosen, note
