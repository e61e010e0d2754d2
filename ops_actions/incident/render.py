"""Text and Markdown views of triage results, for terminals, job summaries and issues."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ops_actions.incident.causes import cause_title
from ops_actions.incident.clock import parse_time
from ops_actions.incident.resolution_gate import HEADING as CHECKLIST_HEADING
from ops_actions.incident.resolution_gate import line as checklist_line
from ops_actions.incident.state import IncidentState
from ops_actions.incident.state_block import with_state
from ops_actions.incident.triage_report import Reading, TriageReport
from ops_actions.playbook.model import Playbook
from ops_actions.playbook.runbook import step_list
from ops_actions.text.markdown import (
    GENERATED_END,
    GENERATED_START,
    generated,
    inert,
    refresh_generated,
    section_source,
)

_SHA = re.compile(r"[0-9a-f]{40}")


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


def _when(at: str) -> str:
    """An ISO 8601 time as people read it in the header."""
    return parse_time(at).strftime("%Y-%m-%d %H:%M UTC")


def incident_header(playbook: Playbook, state: IncidentState, *, now: datetime) -> str:
    """The generated block at the top of the body: what is the case now, re-rendered from the state on
    every save. Severity (and how it changed, and a lower one triage proposes), status, owner, next
    update due (or the resolution), the SEV-1 banner, the freeze, the causes and related incidents,
    summary, impact, the remediation runs and the resolution checklist: automatic items as the tool
    verifies them, manual ones as people with write access ticked them (the state says who)."""
    final = state.status == playbook.statuses[-1]
    history = [str(entry.get("severity")) for entry in state.severity_history]
    changed = [
        severity for index, severity in enumerate(history) if index == 0 or severity != history[index - 1]
    ]
    shown = " → ".join(changed) if len(changed) > 1 and changed[-1] == state.severity else state.severity
    facts = [f"**Severity:** {shown}", f"**Status:** {state.status}"]
    facts.append(f"**Owner:** {inert('@' + state.owner)}" if state.owner else "**Owner:** none yet")
    facts.append(f"**Opened:** {_when(state.opened_at)}")
    if final and state.resolved_at:
        facts.append(f"**Resolved:** {_when(state.resolved_at)}")
    elif state.next_update_due:
        facts.append(f"**Next update due:** {_when(state.next_update_due)}")
    severity = playbook.severity(state.severity)
    lines = [" · ".join(facts), "", f"> {severity.id}: {severity.definition}", ""]
    proposal = state.proposed or {}
    if proposal.get("severity") and proposal.get("since") and not final:
        lines += [
            f"Triage shows only {proposal['severity']} since {_when(str(proposal['since']))}: "
            "`/sev` lowers it once a person agrees.",
            "",
        ]
    if state.status_update_due and not final:
        lines += [
            "> [!IMPORTANT]",
            f"> {severity.id}: post a status update to customers and the internal channel now.",
            "",
        ]
    if state.freeze:
        since = _when(str(state.freeze.get("since") or state.opened_at))
        reason = inert(str(state.freeze.get("reason") or "see the timeline"))
        lines += ["> [!WARNING]", f"> Deploys are frozen since {since}: {reason}.", ""]
    if state.causes:
        causes = "; ".join(inert(cause_title(playbook, cause)) for cause in state.causes)
        lines += [f"**Causes:** {causes}", ""]
    if state.related:
        lines += ["**Related incidents:** " + ", ".join(f"#{number}" for number in state.related), ""]
    lines += ["### Summary", "", inert(state.summary) or "_No summary yet._", ""]
    lines += ["### Impact", "", inert(state.impact) or "_Under assessment._", ""]
    if state.runs:
        lines += ["### Remediation runs", ""]
        for run in state.runs:
            ref = str(run.get("ref") or "")
            shown = f" `{inert(ref[:12] if _SHA.fullmatch(ref) else ref)}`" if ref else ""
            name = inert(str(run.get("name") or run.get("role")))
            lines.append(f"- {name}{shown}: **{run.get('conclusion') or 'running'}**, {run.get('url')}")
        lines.append("")
    lines += [f"### {CHECKLIST_HEADING}", ""]
    lines += [checklist_line(playbook, item, state, now) for item in playbook.resolution_checklist]
    return generated("\n".join(lines))


def incident_body(
    playbook: Playbook,
    state: IncidentState,
    *,
    report: TriageReport | None,
    links: Sequence[tuple[str, str]],
    now: datetime,
) -> str:
    """A new issue's visible body: the generated header, then the triage at opening, the steps people
    tick, the status template and links (the header alone changes afterwards)."""
    lines = [incident_header(playbook, state, now=now), ""]
    if report is not None:
        lines += ["### Triage at opening", "", triage_markdown(playbook, report)]
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
    ]
    if links:
        lines += ["### Links", ""] + [f"- {name}: {url}" for name, url in links] + [""]
    return "\n".join(lines)


# How a body began before the generated block existed, and the sections after its header.
_FIRST_RELEASE_HEADER = "**Severity:** "
_FIRST_RELEASE_BODY = ("\n### Triage\n", "\n### Branch ", "\n### First 10 minutes\n")


def refreshed_body(playbook: Playbook, state: IncidentState, body: str, now: datetime) -> str:
    """The body with its header re-rendered and its state block replaced; what people wrote outside the
    header stays. A body written before the generated block (its header, summary, impact and checklist
    drawn in place) gets those replaced by the block: the checklist then shows the ticks the state
    records."""
    header = incident_header(playbook, state, now=now)
    if GENERATED_START not in body and body.startswith(_FIRST_RELEASE_HEADER):
        cuts = [found for found in (body.find(mark) for mark in _FIRST_RELEASE_BODY) if found != -1]
        rest = body[min(cuts) + 1 :] if cuts else ""
        old_checklist = section_source(rest, CHECKLIST_HEADING)
        if old_checklist is not None:
            rest = rest.replace(f"### {CHECKLIST_HEADING}\n{old_checklist}", "", 1)
        body = GENERATED_START + GENERATED_END + "\n\n" + rest
    return with_state(refresh_generated(body, header), state)
