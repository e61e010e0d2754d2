"""The resolution gate: what is missing before an incident may be resolved, and the checklist behind it.

``missing_for_resolution`` is the gate ``/resolve`` (``ops-actions incident resolve``) passes
through: every item of the playbook's resolution checklist must hold. Automatic items the tool
verifies itself (``checklist_item_done``); a manual item counts once a person with write access
ticked it, either with ``/check <id>`` or by ticking its box in the issue body (the ``issues``
``edited`` event says who and what the body was before); the state records who, when and how. The
body's boxes are redrawn from the state on every save, so a box nobody may tick does not stay ticked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Final

from ops_actions.errors import ExitCode, OpsError
from ops_actions.incident.clock import iso, parse_time
from ops_actions.incident.state import IncidentState
from ops_actions.incident.timeline import TimelineEvent
from ops_actions.playbook.model import ChecklistItem, Playbook
from ops_actions.playbook.runbook import checklist_line
from ops_actions.text.markdown import Task, normalized, section_tasks

# The heading the incident body's checklist stands under (the tasks elsewhere are not read).
HEADING: Final = "Resolution checklist"


def manual_items(playbook: Playbook) -> tuple[ChecklistItem, ...]:
    """The checklist items a person ticks."""
    return tuple(item for item in playbook.resolution_checklist if item.verify == "manual")


def manual_item(playbook: Playbook, item_id: str) -> ChecklistItem:
    """The manual item with this id; OpsError naming the ids there are."""
    items = manual_items(playbook)
    for item in items:
        if item.id == item_id.strip():
            return item
    known = ", ".join(item.id for item in items) or "none"
    raise OpsError(
        f"no manual checklist item {item_id!r}; the playbook's manual items: {known}", ExitCode.USAGE
    )


def missing_for_resolution(playbook: Playbook, state: IncidentState, now: datetime) -> list[str]:
    """The checklist items that do not hold yet, as reasons: automatic ones, and manual ones no
    person with write access has ticked; and the impact, for an incident that was ever of the most
    severe level (SEV-1) and has none stated: such an incident is never closed without one, or
    without an override that says why (a less severe one records at resolving that the impact was
    never assessed)."""
    missing = []
    top = playbook.severities[0].id
    if not state.impact.strip() and top in {state.severity, *(e["severity"] for e in state.severity_history)}:
        missing.append(f"the impact ({top}): none stated (say who is affected, and how many, with `/impact`)")
    for item in playbook.resolution_checklist:
        if item.verify == "manual" and item.id not in state.checks:
            missing.append(f"{item.text.rstrip('.')}: not ticked (tick its box, or `/check {item.id}`)")
        elif not checklist_item_done(playbook, item.verify, item.minutes, item.workflow, state, now):
            if item.verify == "metrics-normal":
                since = (
                    f" (normal since {state.clear_since})" if state.clear_since else " (rules still firing)"
                )
                missing.append(f"metrics normal for {item.minutes} min{since}")
            elif item.verify == "workflow-success":
                missing.append(f"a successful {playbook.workflows[item.workflow or ''].name} run")
    return missing


def checklist_item_done(
    playbook: Playbook,
    verify: str,
    minutes: int | None,
    workflow: str | None,
    state: IncidentState,
    now: datetime,
) -> bool:
    """Whether an automatically verified item holds (manual ones never tick themselves); an on-close
    item holds once the incident is resolved (closing it records the timeline)."""
    if verify == "on-close":
        return state.resolved_at is not None
    if verify == "metrics-normal":
        return bool(state.clear_since) and now - parse_time(state.clear_since or "") >= timedelta(
            minutes=minutes or 0
        )
    if verify == "workflow-success":
        role = workflow or ""
        if role == "smoke":
            return state.smoke_passed_at is not None
        return any(r.get("role") == role and r.get("conclusion") == "success" for r in state.runs)
    return False


def line(playbook: Playbook, item: ChecklistItem, state: IncidentState, now: datetime) -> str:
    """One checklist task as the issue shows it: automatic items as verified, manual ones with who."""
    if item.verify != "manual":
        done = checklist_item_done(playbook, item.verify, item.minutes, item.workflow, state, now)
        return checklist_line(item, checked=done)
    check = state.checks.get(item.id)
    if check is None:
        return f"- [ ] {item.text} _(tick it, or comment `/check {item.id}`)_"
    return f"- [x] {item.text} _(ticked by {check.get('by', '?')}, {check.get('at', '?')})_"


def checklist_markdown(playbook: Playbook, state: IncidentState, now: datetime) -> str:
    """The resolution checklist as the issue body shows it."""
    return "\n".join(line(playbook, item, state, now) for item in playbook.resolution_checklist) + "\n"


def _item_of(playbook: Playbook, text: str) -> ChecklistItem | None:
    """The checklist item a task's text is about (the longest item text it starts with)."""
    matches = [item for item in playbook.resolution_checklist if text.startswith(item.text)]
    return max(matches, key=lambda item: len(item.text), default=None)


def _tasks(playbook: Playbook, body: str) -> list[tuple[Task, ChecklistItem]]:
    """The checklist's tasks in a body (under its heading, top level only) with their items."""
    found = []
    for task in section_tasks(body, HEADING) or []:
        item = _item_of(playbook, task.text)
        if item is not None:
            found.append((task, item))
    return found


def redraw(body: str, playbook: Playbook, state: IncidentState, now: datetime) -> str:
    """The body (line breaks as LF) with every checklist task redrawn from the state."""
    tasks = _tasks(playbook, body)
    if not tasks:
        return body
    lines = normalized(body).split("\n")
    for task, item in tasks:
        lines[task.line] = line(playbook, item, state, now)
    return "\n".join(lines)


def ticked(playbook: Playbook, body: str) -> dict[str, bool]:
    """Each manual item's box in a body: ticked or not (items without a box are left out)."""
    return {item.id: task.checked for task, item in _tasks(playbook, body) if item.verify == "manual"}


def box_changes(playbook: Playbook, before: str, after: str) -> dict[str, bool]:
    """The manual items whose box an edit changed: id -> ticked now."""
    old, new = ticked(playbook, before), ticked(playbook, after)
    return {item_id: value for item_id, value in new.items() if old.get(item_id, False) != value}


def set_check(
    playbook: Playbook,
    state: IncidentState,
    *,
    item_id: str,
    checked: bool,
    by: str,
    via: str,
    now: datetime,
    key: str,
) -> tuple[IncidentState, TimelineEvent]:
    """A person ticks (or unticks) a manual item; recorded with who, when and how."""
    item = manual_item(playbook, item_id)
    at = iso(now)
    new = replace(state)
    checks: Mapping[str, dict[str, str]] = state.checks
    if checked:
        new.checks = {**checks, item.id: {"by": by, "at": at, "via": via}}
        body = f"**Checked** by @{by} ({via}): {item.text}"
        summary = f"checked: {item.id}"
    else:
        new.checks = {name: value for name, value in checks.items() if name != item.id}
        body = f"**Unchecked** by @{by} ({via}): {item.text}"
        summary = f"unchecked: {item.id}"
    return new, TimelineEvent(key, "check", at, summary, body, state.key)


def refuse_ticks(
    state: IncidentState, *, changed: Mapping[str, bool], by: str, permission: str, now: datetime, key: str
) -> tuple[IncidentState, TimelineEvent]:
    """Boxes changed by someone without write access: nothing counts, the note says so."""
    items = ", ".join(f"`{item_id}`" for item_id in changed)
    body = (
        f"**Checklist change not counted**: @{by} changed {items}, but ticking the resolution "
        f"checklist needs write access (theirs: {permission}). The boxes show what was recorded."
    )
    return replace(state), TimelineEvent(
        key, "check-refused", iso(now), "checklist change not counted", body, state.key
    )
