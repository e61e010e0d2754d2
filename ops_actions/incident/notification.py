"""What a notification says, pure: the facts a responder needs at a glance (severity, title, impact,
status, how long the incident has lasted, the issue's link and the runbook's next step), as Slack text
and as a JSON object. Routing and sending are :mod:`ops_actions.adapters.notify`'s.

The next step is read from what the incident holds: the steps of its decision-tree branches (for
its severity) after the last one it shows people got past (a dispatched run, the monitoring after
it), but for those the tool did itself (a freeze); then the first item the resolution checklist still
misses; once resolved, the postmortem.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ops_actions.incident.causes import followed
from ops_actions.incident.clock import minutes_text, parse_time, whole_minutes
from ops_actions.incident.labels import issue_title
from ops_actions.incident.resolution_gate import missing_for_resolution
from ops_actions.incident.state import IncidentState, public_held
from ops_actions.incident.transitions import status_line
from ops_actions.playbook.model import Branch, NotifyTarget, Playbook, Step


def slack_escaped(text: str) -> str:
    """Text Slack shows as it is: ``&``, ``<`` and ``>`` escaped, Slack's own rule
    (api.slack.com/reference/surfaces/formatting#escaping), so text from outside can form no
    ``<!channel>``, ``<@U123>`` or ``<https://phish|label>`` control sequence."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _branches(playbook: Playbook, state: IncidentState) -> list[Branch]:
    """The decision-tree branches of the causes the incident follows, in the tree's order."""
    causes = set(followed(playbook, state))
    wanted = {rule.branch for rule in playbook.rules if rule.cause in causes and rule.branch} | causes
    return [branch for branch in playbook.decision_tree if branch.id in wanted]


def tool_did(step: Step, state: IncidentState) -> bool:
    """Whether the incident shows that the tool itself carried out this step: it opened the incident,
    triaged, saw the status update the severity asks for at once posted, dispatched the step's
    workflow, watched the metrics after a successful deploy or rollback to the window's end, froze
    deploys. A person's step (``check``), reading a fetched list and a hotfix branch are never the
    tool's."""
    if step.kind == "open":
        return True
    if step.kind == "triage":
        return bool(state.snapshots)
    if step.kind == "status-update":
        return state.urgent_update_sent_at is not None
    if step.kind == "dispatch":
        return any(run.get("role") == step.workflow for run in state.runs)
    if step.kind == "monitor":
        watched = any(
            run.get("role") in {"deploy", "rollback"} and run.get("conclusion") == "success"
            for run in state.runs
        )
        return watched and state.monitor is None
    return step.kind == "freeze-deploys" and state.freeze is not None


def _passed(step: Step, state: IncidentState) -> bool:
    """Whether the incident shows that people got past this step: a run it dispatched, or the
    monitoring after a deploy or rollback, ended (steps before it are behind them too)."""
    if step.kind == "dispatch":
        return tool_did(step, state)
    if step.kind == "monitor":
        return tool_did(step, state) or state.smoke_passed_at is not None
    return False


def _carried_out(step: Step, state: IncidentState) -> bool:
    """Whether the step is done: passed, or done by the tool on its own (a freeze, set at opening,
    says nothing about the checks before it)."""
    return _passed(step, state) or tool_did(step, state)


def next_step(playbook: Playbook, state: IncidentState, now: datetime) -> str:
    """The runbook's next step for this incident, one line."""
    if state.resolved_at or state.status == playbook.statuses[-1]:
        return f"write the postmortem (due {playbook.postmortem.due_hours} h after resolution)"
    steps = [
        (branch, step)
        for branch in _branches(playbook, state)
        for step in branch.steps
        if not step.only_for or state.severity in step.only_for
    ]
    passed = [index for index, (_, step) in enumerate(steps) if _passed(step, state)]
    after = passed[-1] + 1 if passed else 0
    upcoming = [(branch, step) for branch, step in steps[after:] if not _carried_out(step, state)]
    if upcoming:
        branch, step = upcoming[0]
        return f"{branch.id}) {branch.title}: {step.text}"
    missing = missing_for_resolution(playbook, state, now)
    if missing:
        return f"resolution checklist: {missing[0]}"
    return "resolve it (`/resolve`): the resolution checklist holds"


@dataclass(frozen=True)
class Notice:
    """One update as a responder reads it, its free text already passed through the caller's redaction."""

    event: str
    severity: str
    title: str
    impact: str
    status: str
    lasted_minutes: int
    resolved: bool
    next_step: str
    url: str
    line: str
    """The playbook's communication template, filled."""
    slack_line: str
    """The same, its title and impact escaped by Slack's rules."""
    runner_view: str | None = None
    """What the runner saw, while the incident rests on unreachability alone (internal targets say it)."""
    public_waits: bool = False
    """Whether public targets and the status page wait for a second signal meanwhile."""

    @property
    def lasted(self) -> str:
        """``open for 42 min`` or, once resolved, ``lasted 1 h 05 min``."""
        return f"{'lasted' if self.resolved else 'open for'} {minutes_text(self.lasted_minutes)}"


def notice(
    playbook: Playbook,
    state: IncidentState,
    *,
    event: str,
    url: str,
    now: datetime,
    redact: Callable[[str], str] = str,
) -> Notice:
    """What an update of this incident says; ``redact`` takes known secrets out of its text."""
    next_minutes = None
    if state.next_update_due:
        next_minutes = whole_minutes(now, parse_time(state.next_update_due))
    start = parse_time(state.detected_at or state.opened_at)
    end = parse_time(state.resolved_at) if state.resolved_at else now
    return Notice(
        event=event,
        severity=state.severity,
        title=redact(issue_title(state)),
        impact=redact(state.impact.strip()) or "under assessment",
        status=state.status,
        lasted_minutes=whole_minutes(start, end),
        resolved=state.resolved_at is not None,
        next_step=redact(next_step(playbook, state, now)),
        url=url,
        line=redact(status_line(playbook, state, now=now, next_minutes=next_minutes)),
        slack_line=redact(
            status_line(playbook, state, now=now, next_minutes=next_minutes, escape=slack_escaped)
        ),
        runner_view=redact(state.runner_view) if state.runner_view else None,
        public_waits=public_held(playbook, state),
    )


def runner_view_line(item: Notice) -> str | None:
    """The line an internal update adds while the incident rests on unreachability alone: this is
    the runner's view, and whether customers are told yet."""
    if item.runner_view is None:
        return None
    told = (
        "the status page and public targets wait for a second signal (an alert, a backend answer, `/status`)"
        if item.public_waits
        else "customers are told as usual (the playbook's unreachable.public is at-once)"
    )
    return f"Runner's view: {item.runner_view}; {told}."


def slack_message(item: Notice) -> dict[str, Any]:
    """Slack's incoming-webhook JSON: the template line, the facts, the next step and the issue's link,
    every piece of text from outside escaped by Slack's rules."""
    impact = f"impact: {slack_escaped(item.impact)}"
    facts = " · ".join([f"*{item.severity}*", f"status *{item.status}*", item.lasted, impact])
    reach = runner_view_line(item)
    lines = [
        item.slack_line,
        facts,
        *([slack_escaped(reach)] if reach else []),
        f"Next step: {slack_escaped(item.next_step)}",
        f"<{item.url}|{slack_escaped(item.title)}>",
    ]
    return {"text": "\n".join(lines)}


def webhook_message(item: Notice) -> Mapping[str, Any]:
    """A generic webhook's JSON: each fact in a field of its own, and the template line as ``text``."""
    return {
        "event": item.event,
        "severity": item.severity,
        "title": item.title,
        "impact": item.impact,
        "status": item.status,
        "resolved": item.resolved,
        "duration_minutes": item.lasted_minutes,
        "next_step": item.next_step,
        "text": item.line,
        "incident_url": item.url,
        "runner_view": runner_view_line(item),
    }


def not_notified(severity: str, target: NotifyTarget) -> str:
    """The one line a run says about a target it could not tell, its URL secret not set."""
    kind = "Slack" if target.kind == "slack" else "webhook"
    return f"{severity} notifications: {target.url_env} not set, {target.id} ({kind}) not notified"
