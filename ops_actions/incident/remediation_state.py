"""Remediation in an incident's state: dispatched runs, their conclusions, deploy freezes, monitoring.

A dispatched deploy, rollback or smoke run is recorded in ``IncidentState.runs`` until it
concludes; a successful smoke run counts for the resolution checklist, and a successful deploy or
rollback starts a monitoring window whose end the watch summarises. Pure, like the rest of
:mod:`ops_actions.incident`: :mod:`ops_actions.flows.remediation` dispatches and follows the runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from ops_actions.incident.clock import iso, parse_time
from ops_actions.incident.snapshots import snapshot_changes
from ops_actions.incident.state import IncidentState
from ops_actions.incident.timeline import TimelineEvent
from ops_actions.incident.transitions import acknowledge, by_suffix
from ops_actions.playbook.model import Playbook
from ops_actions.text.markdown import inert


def freezing_branches(playbook: Playbook, branch_ids: Sequence[str]) -> list[str]:
    """The branches among these whose steps freeze deploys (the seed's branch D)."""
    return [b for b in branch_ids if any(step.kind == "freeze-deploys" for step in playbook.branch(b).steps)]


def freeze_reason(playbook: Playbook, freezing: Sequence[str]) -> str:
    """Why deploys are frozen: the freezing branches, by id and title."""
    return "branch " + ", ".join(f"{b}) {playbook.branch(b).title}" for b in freezing)


def start_freeze(
    state: IncidentState, *, reason: str, now: datetime, key: str
) -> tuple[IncidentState, TimelineEvent]:
    """Deploys are held until the incident is stable."""
    new = replace(state)
    new.freeze = {"since": iso(now), "reason": reason}
    body = f"**Deploy freeze** from now on: {reason}. `ops-actions guard` fails deploys until it is lifted."
    return new, TimelineEvent(key, "freeze", iso(now), "deploy freeze started", body, state.key)


def lift_freeze(
    state: IncidentState, *, why: str, now: datetime, key: str
) -> tuple[IncidentState, TimelineEvent]:
    new = replace(state)
    new.freeze = None
    return new, TimelineEvent(
        key, "unfreeze", iso(now), "deploy freeze lifted", f"**Deploy freeze lifted**: {why}.", state.key
    )


def record_dispatch(
    state: IncidentState,
    *,
    role: str,
    name: str,
    run_id: int,
    url: str,
    ref: str,
    now: datetime,
    by: str | None,
    key: str,
) -> tuple[IncidentState, TimelineEvent]:
    """A remediation workflow was dispatched (for the operation ``key``, which the run entry keeps so a
    repeat of the command finds it); the watch or ``--wait`` follows it to its end."""
    new = replace(state)
    new.runs = [
        *state.runs,
        {
            "id": run_id,
            "role": role,
            "name": name,
            "url": url,
            "ref": ref,
            "key": key,
            "dispatched_at": iso(now),
            "conclusion": None,
            "concluded_at": None,
        },
    ]
    if by:
        acknowledge(new, iso(now))
    body = f"**{name}** dispatched{by_suffix(by)} on `{inert(ref)}`: {url}"
    return new, TimelineEvent(key, "dispatch", iso(now), f"{name} dispatched", body, state.key)


def record_conclusion(
    playbook: Playbook,
    state: IncidentState,
    *,
    run_id: int,
    conclusion: str,
    head_sha: str,
    now: datetime,
    key: str,
) -> tuple[IncidentState, TimelineEvent]:
    """A followed run ended: smoke success counts for resolution; deploys and rollbacks start monitoring."""
    new = replace(state)
    at = iso(now)
    run: dict[str, Any] = next((entry for entry in state.runs if entry.get("id") == run_id), {})
    run = {**run, "conclusion": conclusion, "concluded_at": at, "head_sha": head_sha}
    new.runs = [run if entry.get("id") == run_id else entry for entry in state.runs]
    name = run.get("name", f"run {run_id}")
    role = run.get("role")
    lines = [f"**{name}** concluded: **{conclusion}** ({run.get('url', '')})"]
    if role == "smoke" and conclusion == "success":
        new.smoke_passed_at = at
    if role in {"deploy", "rollback"} and conclusion == "success":
        window = monitor_minutes(playbook)
        new.monitor = {
            "role": role,
            "name": name,
            "url": run.get("url", ""),
            "since": at,
            "until": iso(now + timedelta(minutes=window)),
            "baseline": state.snapshots[-1] if state.snapshots else None,
        }
        lines.append(f"Watching the metrics for {window} min; the watch reports when the window ends.")
    return new, TimelineEvent(key, "run", at, f"{name}: {conclusion}", "\n\n".join(lines), state.key)


def monitor_minutes(playbook: Playbook) -> int:
    """How long to watch after a deploy or rollback: the playbook's monitor step, longest window."""
    windows = [step.minutes.max for b in playbook.decision_tree for step in b.steps if step.minutes]
    return max(windows, default=15)


def monitor_summary(
    state: IncidentState,
    *,
    snapshot: dict[str, Any],
    now: datetime,
    key: str,
    volatile_signals: frozenset[str],
) -> tuple[IncidentState, TimelineEvent] | None:
    """When the post-deploy window has ended: one summary, recovered or still failing."""
    monitor = state.monitor
    if not monitor or now < parse_time(monitor["until"]):
        return None
    new = replace(state)
    new.monitor = None
    recovered = not snapshot["fired"]
    verdict = "recovered" if recovered else "still failing: " + ", ".join(snapshot["fired"])
    changes = snapshot_changes(monitor.get("baseline"), snapshot, volatile_signals)
    window = f"{monitor['name']}, {monitor['since']} → {iso(now)}"
    body = f"**Post-{monitor['role']} monitoring** ({window}): {verdict}\n\n" + "\n".join(
        f"- {line}" for line in changes
    )
    return new, TimelineEvent(
        key, "monitor", iso(now), f"after {monitor['name']}: {verdict}"[:200], body, state.key
    )
