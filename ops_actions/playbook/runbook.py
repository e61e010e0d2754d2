"""The playbook as a Markdown runbook: what a responder reads, and what goes into issues."""

from __future__ import annotations

from ops_actions.playbook.manual_triage import manual_triage
from ops_actions.playbook.model import ChecklistItem, Playbook, Step


def render_runbook(playbook: Playbook) -> str:
    """The whole playbook as one Markdown document (on a service's view: the service's runbook)."""
    parts = [
        f"# {playbook.name}" + (f": {playbook.service.name}" if playbook.service else ""),
        "",
        _scope(playbook),
        *(["## Services", "", service_table(playbook)] if playbook.services and not playbook.service else []),
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
        "## How an open incident follows triage",
        "",
        following(playbook),
        *(
            ["## Judge by hand (triage cannot measure these)", "", manual_checks(playbook)]
            if playbook.manual_checks
            else []
        ),
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


def service_table(playbook: Playbook) -> str:
    """The services, who owns each, and what each sets for itself (the rest it inherits)."""
    rows = ["| Service | Name | Owners | Sets its own |", "|---|---|---|---|"]
    for service in playbook.services:
        view = playbook.for_service(service.id)
        own = [
            name
            for name, differs in (
                (
                    "backend",
                    view.url_env != playbook.url_env or view.admin_token_env != playbook.admin_token_env,
                ),
                ("components", view.components != playbook.components),
                ("probes", [p.id for p in view.probes] != [p.id for p in playbook.probes]),
                ("rules", [r.id for r in view.rules] != [r.id for r in playbook.rules]),
                (
                    "decision tree",
                    [b.id for b in view.decision_tree] != [b.id for b in playbook.decision_tree],
                ),
                ("workflows", view.workflows != playbook.workflows),
            )
            if differs
        ]
        owners = service.team or "-"
        rows.append(f"| `{service.id}` | {service.name} | {owners} | {', '.join(own) or 'nothing'} |")
    return "\n".join(rows) + "\n"


def severity_table(playbook: Playbook) -> str:
    """Severities with their definitions, what decides them (rules, people) and their policies."""
    rows = [
        "| Severity | Definition | Decided by | Status update | Update every |",
        "|---|---|---|---|---|",
    ]
    for severity in playbook.severities:
        immediate = "immediately" if severity.policy.immediate_status_update else "with the next update"
        every = severity.policy.update_every_minutes
        rules = [f"`{rule.id}`" for rule in playbook.rules if rule.severity == severity.id]
        judged = [f"_{c.id}_" for c in playbook.manual_checks if severity.id in c.severities]
        decided = ", ".join(rules) if rules else "a person (the Open incident button, `/sev`)"
        if judged:
            decided += "; judge: " + ", ".join(judged)
        rows.append(f"| {severity.id} | {severity.definition} | {decided} | {immediate} | {every} min |")
    return "\n".join(rows) + "\n"


def rule_table(playbook: Playbook) -> str:
    """Rules: condition, severity, branch, cause."""
    rows = ["| Rule | When | Severity | Branch | Cause | Meaning |", "|---|---|---|---|---|---|"]
    for rule in playbook.rules:
        consecutive = f" ({rule.consecutive}× in a row)" if rule.consecutive > 1 else ""
        if rule.alert_confirms:
            consecutive = f" ({rule.consecutive}× in a row, or once with a firing alert)"
        rows.append(
            f"| `{rule.id}` | `{rule.when.source}`{consecutive} | {rule.severity} | {rule.branch or '–'} "
            f"| `{rule.cause}` | {rule.summary} |"
        )
    return "\n".join(rows) + "\n"


_GROUPINGS = {
    "cause": "one incident per cause (the Cause column above)",
    "rule": "one incident per rule",
    "one": "one incident for everything triage and alerts report",
}


def following(playbook: Playbook) -> str:
    """The severity policy, how causes group into incidents, and flap control, as people read them."""
    policy = playbook.severity_policy
    raise_line = (
        "- **Severity up**: when an open incident's rules (or a firing alert it follows) show a worse "
        "severity, the watch raises it at once: title, label, a timeline entry with the reason, the "
        "notifications and the status-update banner. A person's severity is the floor, not the ceiling."
        if policy.raise_with_triage
        else "- **Severity up**: triage never changes an open incident's severity; people do, with `/sev`."
    )
    lines = [
        raise_line,
        f"- **Severity down**: only a person lowers it. When its rules have shown a less severe level for "
        f"{policy.propose_lower_after_minutes} min, the watch proposes `/sev N` once; nothing changes until "
        "someone runs it.",
        f"- **Several incidents**: {_GROUPINGS[playbook.group_by]}. What fires for a cause an open incident "
        "follows updates that incident; a new cause opens its own, linked to the open ones. "
        "`/merge #N` folds incident N into this one; `/split <cause>` moves a cause out. A deploy freeze "
        "any open incident holds stops every deploy until that incident's metrics are normal.",
    ]
    flap = playbook.flap_control
    if flap.rules:
        names = ", ".join(f"`{rule}`" for rule in flap.rules)
        lines.append(
            f"- **Flap control**: {names} open an incident only after {flap.failed_ticks} failed "
            "triages in a row, or at once when a firing alert confirms them; the first failed triage "
            "is reported in the job summary."
        )
    lines.append(
        "- **Resolution**: `/resolve` refuses until every checklist item holds: the automatic ones, and "
        "the manual ones ticked by a person with write access (in the issue, or `/check <item>`); "
        "`/status resolved` points to `/resolve`. Only a closed incident is announced as resolved."
    )
    return "\n".join(lines) + "\n"


def manual_checks(playbook: Playbook) -> str:
    """What people judge because triage cannot measure it."""
    lines = []
    for check in playbook.manual_checks:
        scope = f" ({'/'.join(check.severities)})" if check.severities else ""
        lines.append(f"- **{check.id}**{scope}: {check.text}")
    return "\n".join(lines) + "\n"


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
