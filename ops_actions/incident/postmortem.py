"""The postmortem, pure: its body from the playbook's template, and its action items.

The tool owns only the block between the ``generated`` markers and the hidden postmortem state;
everything people write (root cause, escalation, preventive actions) is left as they wrote it,
so creating the postmortem again only refreshes the facts.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Final

from ops_actions.incident.clock import duration, iso, parse_time
from ops_actions.incident.labels import issue_title
from ops_actions.incident.state import IncidentState
from ops_actions.incident.state_block import fit_body
from ops_actions.incident.timeline import TimelineEntry, durations, timeline_table
from ops_actions.incident.transitions import detection_text
from ops_actions.playbook.model import Playbook
from ops_actions.text.markdown import (
    Task,
    encode_marker,
    find_markers,
    generated,
    inert,
    section_tasks,
    unmarked,
)
from ops_actions.text.mermaid import fenced, line_chart, timeline

POSTMORTEM_LABEL: Final = "postmortem"
ACTION_LABEL: Final = "action-item"
# An action item as people write it: the action, an owner and a deadline, separated by a dash with
# spaces around it (an em or en dash, -- or -), the deadline after "due" or "by" (a colon allowed).
_DUE = re.compile(r"^(?:due|by)\s*:?\s*(\S+)$", re.IGNORECASE)
_OWNER = re.compile(r"^(?:owner\s*:?\s*)?@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))$", re.IGNORECASE)
_SEPARATOR = re.compile(r"\s+(?:—|–|--|-)\s+")
ACTION_FORM: Final = "- [ ] action — @owner — due YYYY-MM-DD"
ACTION_EXAMPLE: Final = "- [ ] Alert on the worker heartbeat age — @bob — due 2026-12-12"
# Where an event belongs in the timeline diagram: its phases follow each other in time.
_PHASES: Final = ("Detection", "Response", "Recovery")
_RECOVERY_KINDS: Final = frozenset({"normal", "monitor", "unfreeze", "resolved"})


@dataclass
class PostmortemState:
    """What the postmortem issue remembers: its incident, due date, and the synced action items."""

    incident: int
    due: str
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    reminders: dict[str, str] = field(default_factory=dict)
    reported: str = ""

    def marker(self) -> str:
        return encode_marker(
            "postmortem",
            {
                "incident": self.incident,
                "due": self.due,
                "items": self.items,
                "reminders": self.reminders,
                "reported": self.reported,
            },
        )


def read_postmortem_state(body: str) -> PostmortemState | None:
    """The last readable postmortem block of a body."""
    for payload in reversed(find_markers(body, "postmortem")):
        try:
            return PostmortemState(
                incident=int(payload["incident"]),
                due=str(payload["due"]),
                items={str(k): dict(v) for k, v in dict(payload.get("items") or {}).items()},
                reminders={str(k): str(v) for k, v in dict(payload.get("reminders") or {}).items()},
                reported=str(payload.get("reported") or ""),
            )
        except (KeyError, TypeError, ValueError):
            continue
    return None


def with_postmortem_state(body: str, state: PostmortemState) -> str:
    """The body with its postmortem block replaced (or appended), within GitHub's size limit."""
    kept = [line for line in body.split("\n") if not line.startswith("<!-- ops-actions:postmortem ")]
    return fit_body("\n".join(kept).rstrip("\n"), "\n\n" + state.marker() + "\n")


@dataclass(frozen=True)
class ActionItem:
    """A preventive action: ``action — @owner — due YYYY-MM-DD``."""

    task: Task
    action: str
    owner: str | None
    due: date | None
    problems: tuple[str, ...]

    @property
    def key(self) -> str:
        """A stable identity: the action text, case and spacing folded."""
        folded = " ".join(self.action.lower().split())
        return hashlib.sha256(folded.encode("utf-8")).hexdigest()[:16]


def parse_action(task: Task) -> ActionItem:
    """Split a task into action, owner and deadline; what is missing or malformed is a problem."""
    parts = [part.strip() for part in _SEPARATOR.split(task.text) if part.strip()]
    action = parts[0] if parts else ""
    owner: str | None = None
    due: date | None = None
    problems = []
    for part in parts[1:]:
        owner_match, due_match = _OWNER.match(part), _DUE.match(part)
        if owner_match:
            owner = owner_match.group(1)
        elif due_match:
            try:
                due = date.fromisoformat(due_match.group(1))
            except ValueError:
                problems.append(f"'{due_match.group(1)}' is not a date (YYYY-MM-DD)")
        else:
            problems.append(f"cannot read '{part[:40]}'")
    if not action:
        problems.append("no action")
    if owner is None:
        problems.append("no owner (@login)")
    if due is None and not any("not a date" in p for p in problems):
        problems.append("no deadline (due YYYY-MM-DD)")
    return ActionItem(task, action, owner, due, tuple(problems))


def actions_section(playbook: Playbook) -> str:
    """The title of the template section that holds action items."""
    return next((s.title for s in playbook.postmortem.sections if s.action_items), "Preventive actions")


def action_items(body: str, playbook: Playbook) -> tuple[list[ActionItem], list[str]]:
    """The action items of a postmortem body and the problems found (never raises)."""
    title = actions_section(playbook)
    tasks = section_tasks(body, title)
    if tasks is None:
        return [], [f"the section '{title}' is missing"]
    items = [item for item in map(parse_action, tasks) if not is_placeholder(item)]
    problems = [
        f"line {item.task.line + 1} '{inert(item.task.text[:60])}': {', '.join(item.problems)}"
        for item in items
        if item.problems
    ]
    return items, problems


def due_at(playbook: Playbook, state: IncidentState, now: datetime) -> datetime:
    """When the postmortem is due: the playbook's hours after resolution."""
    resolved = parse_time(state.resolved_at) if state.resolved_at else now
    return resolved + timedelta(hours=playbook.postmortem.due_hours)


def _time_label(at: str) -> str:
    return parse_time(at).strftime("%Hh%M")


def timeline_diagram(number: int, state: IncidentState, entries: Sequence[TimelineEntry]) -> str:
    """The incident's timeline as a Mermaid ``timeline``, in time order: detection up to the opening,
    then the response, then the recovery from the moment it was mitigated (metrics normal again) or
    the first recovery event, whichever comes first; a phase never goes back."""
    mitigated = parse_time(state.mitigated_at) if state.mitigated_at else None
    opened = parse_time(state.opened_at)
    sections: list[tuple[str, list[tuple[str, list[str]]]]] = [(phase, []) for phase in _PHASES]
    phase = 0
    for entry in sorted(entries, key=lambda item: parse_time(item.at)):
        at = parse_time(entry.at)
        if entry.kind in _RECOVERY_KINDS or (mitigated is not None and at >= mitigated):
            wanted = 2
        elif entry.kind in {"detected", "opened"} or at < opened:
            wanted = 0
        else:
            wanted = 1
        phase = max(phase, wanted)
        # A summary's parts ("; ") are events of their own: each keeps its values (40 → 3).
        events = [part for part in unmarked(entry.summary).split("; ") if part.strip()]
        sections[phase][1].append((_time_label(entry.at), events or [entry.kind]))
    return timeline(f"Incident {number} {state.title}", sections)


# At most this many signals get a chart in the postmortem: the first rules' first.
MAX_CHARTED: Final = 4
_UNITS: Final = {"boolean": "state (1 true, 0 false)", "age_seconds": "seconds", "latency_ms": "ms"}


def fired_rules(state: IncidentState) -> list[str]:
    """The rules that fired in the incident's triage snapshots, in the order they first fired."""
    return list(dict.fromkeys(rule for snapshot in state.snapshots for rule in snapshot.get("fired", [])))


def charted_signals(playbook: Playbook, state: IncidentState) -> list[str]:
    """The signals the fired rules read (what detected the incident), in rule order, at most four."""
    known = {rule.id: rule for rule in playbook.rules}
    names = [
        name
        for rule_id in fired_rules(state)
        if rule_id in known
        for name in sorted(known[rule_id].when.signals)
    ]
    return list(dict.fromkeys(names))[:MAX_CHARTED]


def _chart_value(value: object) -> float | None:
    """A snapshot's value as a point: a number, a state as 1 or 0; None when it was not read."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    return None


def signals_charts(playbook: Playbook, state: IncidentState) -> list[str]:
    """One chart per signal of the rules that fired, over the triage snapshots that read it (a state
    such as ``db_ok`` as 1/0, an age in seconds); none with fewer than two snapshots."""
    if len(state.snapshots) < 2:
        return []
    kinds = {spec.name: spec.type for probe in playbook.probes for spec in probe.signals}
    charts = []
    for name in charted_signals(playbook, state):
        points = [
            (parse_time(snapshot["at"]).strftime("%Hh%M"), value)
            for snapshot in state.snapshots
            if (value := _chart_value(snapshot.get("signals", {}).get(name))) is not None
        ]
        if points:
            unit = _UNITS.get(kinds.get(name, ""), "ms" if name.endswith("_ms") else "count")
            labels = [label for label, _ in points]
            charts.append(line_chart(name, labels, {name: [value for _, value in points]}, unit=unit))
    return charts


def detection_facts(state: IncidentState, author: str, *, by_tool: bool) -> list[str]:
    """What the record says about detection: how the incident was opened (recorded then), and how long
    from the first failing signal to the issue, or that no failing signal came before it."""
    facts = [f"Detected by: {detection_text(state, author, by_tool=by_tool)}."]
    if state.detected_at:
        facts.append(
            f"First failing signal {state.detected_at}; incident opened {state.opened_at} "
            f"({duration(state.detected_at, state.opened_at)} later)."
        )
    else:
        facts.append(
            f"No failing signal was recorded before the incident was opened ({state.opened_at}): "
            "no triage saw its rules fail first."
        )
    return facts


def generated_block(
    playbook: Playbook,
    *,
    number: int,
    state: IncidentState,
    entries: Sequence[TimelineEntry],
    due: datetime,
    author: str,
    by_tool: bool,
) -> str:
    """The facts the tool writes and refreshes: summary, impact, severities, timeline, charts, detection."""
    history = " → ".join(h["severity"] for h in state.severity_history) or state.severity
    lines = [
        f"**Incident:** #{number} ({inert(issue_title(state))}) · **Severity:** {history} · "
        f"**Due:** {iso(due)} ({playbook.postmortem.due_hours} h after resolution)",
        "",
        "### Summary",
        "",
        inert(state.summary) or "_No summary was recorded._",
        "",
        "### Impact",
        "",
        inert(state.impact) or "_No impact was recorded._",
        "",
        "### Timeline",
        "",
        fenced(timeline_diagram(number, state, entries)),
        "",
        timeline_table(entries),
        "",
        durations(state),
        "",
    ]
    charts = signals_charts(playbook, state)
    if charts:
        rules = ", ".join(f"`{rule}`" for rule in fired_rules(state))
        lines += ["### Key signals", "", f"What the rules that fired read ({rules}):", ""]
        lines += [line for chart in charts for line in (fenced(chart), "")]
    facts = detection_facts(state, author, by_tool=by_tool)
    lines += ["#### Detection facts", ""] + [f"- {fact}" for fact in facts]
    return generated("\n".join(lines))


def postmortem_body(playbook: Playbook, generated: str, state: PostmortemState) -> str:
    """A new postmortem: the generated facts, then the template's sections for people to write."""
    lines = [generated, ""]
    for section in playbook.postmortem.sections:
        lines += [f"### {section.title}", "", f"_{section.prompt}_", ""]
        if section.action_items:
            lines += [ACTION_FORM, ""]
    return with_postmortem_state("\n".join(lines), state)


def is_placeholder(item: ActionItem) -> bool:
    """The template's example line, not a real action."""
    return item.action == "action" and item.owner == "owner"


def empty_sections(body: str, playbook: Playbook) -> list[str]:
    """Template sections people have not written yet (only the prompt, or the example task)."""
    empty = []
    for section in playbook.postmortem.sections:
        heading = f"\n### {section.title}\n"
        position = body.find(heading)
        if position == -1:
            empty.append(section.title)
            continue
        rest = body[position + len(heading) - 1 :]
        following = rest.find("\n### ")
        content = rest[: following if following != -1 else len(rest)]
        content = content.replace(f"_{section.prompt}_", "").replace(ACTION_FORM, "")
        content = "\n".join(line for line in content.split("\n") if not line.startswith("<!-- ops-actions:"))
        if not content.strip():
            empty.append(section.title)
    return empty


def sync_plan(
    items: Sequence[ActionItem], known: Mapping[str, Mapping[str, Any]], issue_closed: Mapping[int, bool]
) -> list[tuple[str, ActionItem, dict[str, Any]]]:
    """Per item: ``create``, ``close``/``reopen`` the issue, ``tick``/``untick`` the task, or ``keep``.

    ``known`` holds each item's issue number and the checked state seen at the last sync, so the
    side that changed since wins; when both changed, done wins. Items with one key (the same
    action written twice) are one action: the first line stands for them, so one issue is created
    and none is left outside the postmortem's record.
    """
    plan: list[tuple[str, ActionItem, dict[str, Any]]] = []
    planned: set[str] = set()
    for item in items:
        if item.problems or item.key in planned:
            continue
        planned.add(item.key)
        entry = known.get(item.key)
        if entry is None or not isinstance(entry.get("number"), int):
            plan.append(("create", item, {}))
            continue
        number = entry["number"]
        last = bool(entry.get("checked"))
        closed = issue_closed.get(number, last)
        task_changed, issue_changed = item.task.checked != last, closed != last
        if not task_changed and not issue_changed:
            plan.append(("keep", item, dict(entry)))
        elif task_changed and not issue_changed:
            plan.append(("close" if item.task.checked else "reopen", item, dict(entry)))
        elif issue_changed and not task_changed:
            plan.append(("tick" if closed else "untick", item, dict(entry)))
        else:  # both moved the same way since the last sync: they agree
            plan.append(("keep", item, dict(entry)))
    return plan
