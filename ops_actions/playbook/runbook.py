"""The playbook as a Markdown runbook: what a responder reads, and what goes into issues."""

from __future__ import annotations

from ops_actions.playbook.manual_triage import manual_triage
from ops_actions.playbook.model import ChecklistItem, Playbook, Step


def render_runbook(playbook: Playbook) -> str:
    """The whole playbook as one Markdown document."""
    parts = [
        f"# {playbook.name}",
        "",
        _scope(playbook),
        "## Severities",
        "",
        severity_table(playbook),
        "## First 10 minutes",
        "",
        step_list(playbook.first_10_minutes),
        "## Triage signals and rules",
        "",
        rule_table(playbook),
        manual_triage(playbook),
        "## Decision tree",
        "",
    ]
    for branch in playbook.decision_tree:
        parts += [f"### {branch.id}) {branch.title}", "", f"When: `{branch.condition.source}`", ""]
        parts += [step_list(branch.steps)]
    parts += [
        "## Communication template",
        "",
        f"`{playbook.communication_template}`",
        "",
        "Statuses: " + ", ".join(f"`{status}`" for status in playbook.statuses),
        "",
        "## Resolution checklist",
        "",
        checklist(playbook.resolution_checklist),
        f"## Postmortem (within {playbook.postmortem.due_hours} h)",
        "",
    ]
    for number, section in enumerate(playbook.postmortem.sections, start=1):
        parts.append(f"{number}. **{section.title}**: {section.prompt}")
    parts.append("")
    return "\n".join(parts)


def _scope(playbook: Playbook) -> str:
    description = f"{playbook.scope_description} " if playbook.scope_description else ""
    components = ", ".join(f"`{component}`" for component in playbook.components)
    return f"{description}Components: {components}.\n"


def severity_table(playbook: Playbook) -> str:
    """Severities with their definitions and policies."""
    rows = ["| Severity | Definition | Status update | Update every |", "|---|---|---|---|"]
    for severity in playbook.severities:
        immediate = "immediately" if severity.policy.immediate_status_update else "with the next update"
        every = severity.policy.update_every_minutes
        rows.append(f"| {severity.id} | {severity.definition} | {immediate} | {every} min |")
    return "\n".join(rows) + "\n"


def rule_table(playbook: Playbook) -> str:
    """Rules: condition, severity, branch."""
    rows = ["| Rule | When | Severity | Branch | Meaning |", "|---|---|---|---|---|"]
    for rule in playbook.rules:
        consecutive = f" ({rule.consecutive}× in a row)" if rule.consecutive > 1 else ""
        rows.append(
            f"| `{rule.id}` | `{rule.when.source}`{consecutive} | {rule.severity} | {rule.branch or '–'} "
            f"| {rule.summary} |"
        )
    return "\n".join(rows) + "\n"


def step_line(step: Step) -> str:
    """One step as the text of a task-list item, naming what the tool automates."""
    details: list[str] = []
    if step.only_for:
        details.append("only " + "/".join(step.only_for))
    if step.only_if:
        details.append(f"if {step.only_if}")
    if step.signals:
        details.append("signals: " + ", ".join(f"`{signal}`" for signal in step.signals))
    if step.expect_env:
        details.append(", ".join(f"`{name}={value}`" for name, value in step.expect_env.items()))
    if step.workflow:
        details.append(f"workflow `{step.workflow}`")
    if step.probe:
        details.append(f"probe `{step.probe}`")
    if step.minutes:
        details.append(f"{step.minutes.min}–{step.minutes.max} min")
    marker = "" if step.kind == "check" else f" _[{step.kind}]_"
    suffix = f" ({'; '.join(details)})" if details else ""
    return f"{step.text}{marker}{suffix}"


def step_list(steps: tuple[Step, ...]) -> str:
    """Steps as a Markdown task list."""
    return "\n".join(f"- [ ] {step_line(step)}" for step in steps) + "\n"


def checklist_line(item: ChecklistItem, *, checked: bool = False) -> str:
    """One resolution-checklist task, marking what is verified automatically."""
    how = " _(verified automatically)_" if item.automatic else ""
    return f"- [{'x' if checked else ' '}] {item.text}{how}"


def checklist(items: tuple[ChecklistItem, ...]) -> str:
    """The resolution checklist as a task list."""
    return "\n".join(checklist_line(item) for item in items) + "\n"
