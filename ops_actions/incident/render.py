"""Text and Markdown views of triage results, for terminals, job summaries and issues."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ops_actions.incident.causes import cause_title
from ops_actions.incident.checklist import checklist_markdown, redraw
from ops_actions.incident.state import IncidentState
from ops_actions.incident.triage_report import Reading, TriageReport
from ops_actions.playbook.model import Playbook
from ops_actions.playbook.runbook import step_list
from ops_actions.text.markdown import inert

# The tool redraws everything above this heading on every save: what is the case now.
SUMMARY_HEADING = "### Summary"


def checked_signals(playbook: Playbook, report: TriageReport) -> list[Reading]:
    """The signals the first-10-minutes checks name (the seed's list), else every scalar signal."""
    named = [name for step in playbook.first_10_minutes for name in step.signals]
    by_name = {reading.name: reading for reading in report.signals}
    if named:
        return [by_name[name] for name in named if name in by_name]
    return [reading for reading in report.signals if not isinstance(reading.value, dict)]


def _shown(reading: Reading) -> str:
    if reading.reason is not None:
        return "unknown"
    return json.dumps(reading.value)


def _flag(report: TriageReport, playbook: Playbook, reading: Reading) -> str:
    """'!' when a fired rule reads the signal, '?' when unknown, else 'ok'."""
    fired = {outcome.id for outcome in report.fired}
    if any(rule.id in fired and reading.name in rule.when.signals for rule in playbook.rules):
        return "!"
    return "?" if reading.reason is not None else "ok"


def triage_text(playbook: Playbook, report: TriageReport, report_path: str | None) -> str:
    """The compact terminal view: the seed's checks, then the decision."""
    rows = checked_signals(playbook, report)
    width = max([len(r.name) for r in rows] + [6])
    lines = [f"Triage of {report.backend_url} ({report.finished_at})", ""]
    lines.append(f"  {'signal':<{width}}  {'value':<12}  state")
    for reading in rows:
        note = f"  ({reading.reason})" if reading.reason else ""
        lines.append(
            f"  {reading.name:<{width}}  {_shown(reading):<12}  {_flag(report, playbook, reading)}{note}"
        )
    lines.append("")
    lines.append(f"Severity: {report.severity or 'none (no rule fired)'}")
    for outcome in report.rules:
        if outcome.outcome in {"fired", "pending", "unknown"}:
            extra = ""
            if outcome.outcome == "pending":
                extra = f" ({outcome.consecutive_breaches}/{outcome.required_breaches} in a row)"
            elif outcome.outcome == "unknown":
                extra = (
                    " (unknown: " + ", ".join(outcome.unknown_signals) + ")"
                    if outcome.unknown_signals
                    else " (a trend needs more triage runs)"
                )
            lines.append(
                f"  {outcome.outcome:<7} {outcome.id} [{outcome.severity}]{extra}: {outcome.summary}"
            )
    if report.branches:
        lines.append("Branches: " + ", ".join(f"{b.id}) {b.title}" for b in report.branches))
    if report.steps:
        lines.append("Next steps:")
        lines += [
            f"  [ ] {step.text}" + ("" if step.kind == "check" else f" [{step.kind}]")
            for _, step in report.steps
        ]
    for finding in report.diagnostics:
        lines.append(f"Diagnostic {finding['branch']}/{finding['step']}: {_finding_text(finding)}")
    if report_path:
        lines.append(f"Report: {report_path}")
    return "\n".join(lines) + "\n"


def _finding_text(finding: dict[str, Any]) -> str:
    if "error" in finding:
        return f"unavailable ({finding['error']})"
    if "field" in finding:
        return f"{finding['field']} = {json.dumps(finding['value'])}"
    text = f"{finding['count']} item(s)"
    groups = finding.get("groups") or []
    if groups:
        top = groups[0]
        key = ", ".join(f"{k}={v}" for k, v in top["key"].items())
        text += f"; most common ({top['count']}): {key}"
    return text


def triage_markdown(playbook: Playbook, report: TriageReport) -> str:
    """The triage table and decision as Markdown, for job summaries and issue bodies."""
    lines = ["| Signal | Value | State |", "|---|---|---|"]
    for reading in checked_signals(playbook, report):
        value = f"unknown: {reading.reason}" if reading.reason else f"`{_shown(reading)}`"
        flag = {"!": "🔴 breach", "?": "⚪ unknown", "ok": "🟢 ok"}[_flag(report, playbook, reading)]
        lines.append(f"| `{reading.name}` | {inert(value, cell=True)} | {flag} |")
    lines += ["", f"**Severity:** {report.severity or 'none'}"]
    fired = report.fired
    if fired:
        lines.append("")
        lines += [f"- `{o.id}` ({o.severity}): {o.summary}" for o in fired]
    if report.branches:
        lines += ["", "**Branches:** " + ", ".join(f"{b.id}) {b.title}" for b in report.branches)]
    pending = [o for o in report.rules if o.outcome == "pending"]
    if pending:
        lines += ["", "**Not fired yet** (breached, waiting for the next triage):"]
        for outcome in pending:
            lines.append(
                f"- `{outcome.id}` ({outcome.severity}): {outcome.consecutive_breaches} of "
                f"{outcome.required_breaches} triages in a row"
            )
    for finding in report.diagnostics:
        found = inert(_finding_text(finding), cell=True)
        lines.append(f"- Diagnostic {finding['branch']}/`{finding['step']}`: {found}")
    return "\n".join(lines) + "\n"


def header(playbook: Playbook, state: IncidentState) -> str:
    """The top of the issue body: severity and status now, the definition, the SEV-1 banner,
    the causes the incident follows and the incidents linked to it."""
    severity = playbook.severity(state.severity)
    lines = [
        f"**Severity:** {state.severity} · **Status:** {state.status} · **Opened:** {state.opened_at}",
        "",
        f"> {severity.id}: {severity.definition}",
        "",
    ]
    if state.status_update_due:
        lines += [
            "> [!IMPORTANT]",
            f"> {severity.id}: post a status update to customers and the internal channel now.",
            "",
        ]
    if state.causes:
        causes = "; ".join(inert(cause_title(playbook, cause)) for cause in state.causes)
        lines += [f"**Causes:** {causes}", ""]
    if state.related:
        lines += ["**Related incidents:** " + ", ".join(f"#{number}" for number in state.related), ""]
    return "\n".join(lines)


def incident_body(
    playbook: Playbook,
    state: IncidentState,
    *,
    report: TriageReport | None,
    links: Sequence[tuple[str, str]],
    now: datetime,
) -> str:
    """The visible issue body: header, summary, impact, triage, steps, checks, checklist, template, links."""
    lines = [header(playbook, state)]
    lines += [SUMMARY_HEADING, "", inert(state.summary) or "_No summary yet._", ""]
    lines += ["### Impact", "", inert(state.impact) or "_Under assessment._", ""]
    if report is not None:
        lines += ["### Triage", "", triage_markdown(playbook, report)]
        for branch in report.branches:
            steps = [step for step in branch.steps if not step.only_for or state.severity in step.only_for]
            lines += [f"### Branch {branch.id}: {branch.title}", "", step_list(tuple(steps))]
    first = tuple(s for s in playbook.first_10_minutes if not s.only_for or state.severity in s.only_for)
    lines += ["### First 10 minutes", "", step_list(first)]
    if playbook.manual_checks:
        lines += ["### Judge by hand (triage cannot measure these)", ""]
        for check in playbook.manual_checks:
            scope = f" ({'/'.join(check.severities)})" if check.severities else ""
            lines.append(f"- **{check.id}**{scope}: {check.text}")
        lines.append("")
    lines += [
        "### Status updates",
        "",
        f"Template: `{playbook.communication_template}`",
        "",
        "Post one with a comment: `/status <" + "|".join(playbook.statuses[:-1]) + "> next <N>m <text>`; "
        "`/resolve` closes the incident once the resolution checklist holds.",
        "",
        "### Resolution checklist",
        "",
        checklist_markdown(playbook, state, now),
    ]
    if links:
        lines += ["### Links", ""] + [f"- {name}: {url}" for name, url in links] + [""]
    return "\n".join(lines)


def refresh_body(body: str, playbook: Playbook, state: IncidentState, now: datetime) -> str:
    """The body with its header and checklist redrawn from the state (the rest is left as it is).

    A body whose summary heading a person removed keeps its top as it is.
    """
    _, found, rest = body.partition("\n" + SUMMARY_HEADING + "\n")
    if found:
        body = header(playbook, state) + "\n" + SUMMARY_HEADING + "\n" + rest
    return redraw(body, playbook, state, now)
