"""The incident issue's body: the generated header re-rendered from the state on every save, a new
issue's whole body (the triage at opening, the steps, the status template, links), an old body
brought up to date with people's writing outside the header kept, and what the tool adds to that
writing once (``merged_body``: a joining branch's steps, the boxes of steps it did itself)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from ops_actions.incident.causes import cause_title
from ops_actions.incident.clock import parse_time
from ops_actions.incident.notification import tool_did
from ops_actions.incident.resolution_gate import HEADING as CHECKLIST_HEADING
from ops_actions.incident.resolution_gate import line as checklist_line
from ops_actions.incident.state import IncidentState, public_held
from ops_actions.incident.state_block import with_state
from ops_actions.incident.triage_report import TriageReport
from ops_actions.incident.triage_text import triage_markdown
from ops_actions.playbook.model import Branch, Playbook, Step
from ops_actions.playbook.runbook import step_list
from ops_actions.text.markdown import (
    GENERATED_END,
    GENERATED_START,
    generated,
    inert,
    refresh_generated,
    section_source,
    section_tasks,
    set_task,
)

_SHA = re.compile(r"[0-9a-f]{40}")


def _when(at: str) -> str:
    """An ISO 8601 time as people read it in the header."""
    return parse_time(at).strftime("%Y-%m-%d %H:%M UTC")


def incident_header(playbook: Playbook, state: IncidentState, *, now: datetime) -> str:
    """The generated block at the top of the body: what is the case now, re-rendered from the state on
    every save. Severity (and how it changed, and a lower one triage proposes), status, owner, next
    update due (or the resolution), the SEV-1 banner, whether it rests on the runner's view alone,
    the freeze, the causes and related incidents, summary, impact, the remediation runs and the
    resolution checklist: automatic items as the tool verifies them, manual ones as people with
    write access ticked them (the state says who). A service's incident names its service first."""
    final = state.status == playbook.statuses[-1]
    history = [str(entry.get("severity")) for entry in state.severity_history]
    changed = [
        severity for index, severity in enumerate(history) if index == 0 or severity != history[index - 1]
    ]
    shown = " → ".join(changed) if len(changed) > 1 and changed[-1] == state.severity else state.severity
    facts = [f"**Severity:** {shown}", f"**Status:** {state.status}"]
    if playbook.service is not None:
        facts.insert(0, f"**Service:** {inert(playbook.service.name)} (`{playbook.service.id}`)")
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
    if state.runner_view and not final:
        waits = (
            "customers are not told yet: the status page and public notify targets wait for a second "
            "signal (a firing alert, a backend answer that says down, a person's `/status`)"
            if public_held(playbook, state)
            else "customers are told as usual (`unreachable.public: at-once`)"
        )
        lines += ["> [!NOTE]", f"> Only the runner's view: {inert(state.runner_view)}; {waits}.", ""]
    if state.freeze:
        since = _when(str(state.freeze.get("since") or state.opened_at))
        reason = inert(str(state.freeze.get("reason") or "see the timeline"))
        lines += ["> [!WARNING]", f"> Deploys are frozen since {since}: {reason}.", ""]
    if state.causes:
        causes = "; ".join(inert(cause_title(playbook, cause)) for cause in state.causes)
        lines += [f"**Causes:** {causes}", ""]
    if state.related:
        lines += ["**Related incidents:** " + ", ".join(f"#{number}" for number in state.related), ""]
    known = {rule.id: rule for rule in playbook.rules}
    # Rules that fired after the opening join the summary, each once (the watch's summary at
    # opening names its rules as "(`id`)").
    later = [
        f"- {inert(known[rule].summary)} (`{rule}`)"
        for rule in state.fired_rules
        if rule in known and f"(`{rule}`)" not in state.summary
    ]
    summary = "\n".join([inert(state.summary), *later] if state.summary else later)
    lines += ["### Summary", "", summary or "_No summary yet._", ""]
    # A resolved incident nobody assessed says so: "under assessment" would no longer be true.
    unstated = "_Never assessed: nobody stated it before the resolution._" if state.resolved_at else None
    lines += ["### Impact", "", inert(state.impact) or unstated or "_Under assessment._", ""]
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
        lines += [branch_section(branch, state.severity) for branch in report.branches]
    first = tuple(s for s in playbook.first_10_minutes if not s.only_for or state.severity in s.only_for)
    lines += [f"### {FIRST_10_HEADING}", "", step_list(first)]
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


FIRST_10_HEADING = "First 10 minutes"


def _branch_heading(branch: Branch) -> str:
    return f"Branch {branch.id}: {branch.title}"


def branch_section(branch: Branch, severity: str) -> str:
    """A branch's steps for this severity, under its heading, as people tick them in the body."""
    steps = tuple(step for step in branch.steps if not step.only_for or severity in step.only_for)
    return f"### {_branch_heading(branch)}\n\n{step_list(steps)}"


def merged_body(playbook: Playbook, state: IncidentState, body: str) -> tuple[str, list[str]]:
    """The body with what the state says written into the part people edit, each thing once: the
    steps of a branch the incident follows and the body lacks (inserted before the first 10
    minutes, or at the end), and the box of each step the tool did itself (see
    :func:`~ops_actions.incident.notification.tool_did`) ticked. Returns the body and the entries
    now written (``IncidentState.body_written``): what was written once is never written again, so
    a section a person deleted or a box they cleared stays as they left it."""
    written = list(state.body_written)
    known = {branch.id: branch for branch in playbook.decision_tree}
    for branch_id in state.branches:
        entry = f"branch:{branch_id}"
        if entry in written or branch_id not in known:
            continue
        branch = known[branch_id]
        if section_source(body, _branch_heading(branch)) is None:
            body = _inserted(body, branch_section(branch, state.severity))
        written.append(entry)
    sections: list[tuple[str, str, tuple[Step, ...]]] = [
        ("first-10", FIRST_10_HEADING, playbook.first_10_minutes),
        *((branch.id, _branch_heading(branch), branch.steps) for branch in playbook.decision_tree),
    ]
    for section, heading, steps in sections:
        due = [s for s in steps if f"tick:{section}/{s.id}" not in written and tool_did(s, state)]
        tasks = section_tasks(body, heading) if due else None
        for step in due:
            task = next((t for t in tasks or () if t.text.startswith(step.text)), None)
            if task is None:
                continue  # not in this body (yet): a branch that joins later brings it
            if not task.checked:
                body = set_task(body, task, checked=True)
            written.append(f"tick:{section}/{step.id}")
    return body, written


def _inserted(body: str, section: str) -> str:
    """The body with a section inserted before its first 10 minutes (after the branches opened with
    it), or at the end of what people see."""
    end = body.find(GENERATED_END)
    at = body.find(f"\n### {FIRST_10_HEADING}\n", end if end != -1 else 0)
    if at == -1:
        return body.rstrip("\n") + "\n\n" + section
    return body[: at + 1] + section + "\n" + body[at + 1 :]


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
