"""Text and Markdown views of triage results: the terminal view, and the table and decision that job
summaries and issue bodies show (:mod:`ops_actions.incident.issue_body` puts it in the body)."""

from __future__ import annotations

import json
from typing import Any, Final

from ops_actions.incident.triage_report import FAILURE_TEXT, Reading, TriageReport
from ops_actions.playbook.model import Playbook
from ops_actions.text.markdown import inert

# The rows of a fetched list the issue shows; the others are counted (the report keeps them all).
SHOWN_ROWS: Final = 20
# One cell's characters in the issue, before escaping (the report keeps more of a long value).
CELL_CHARS: Final = 120


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


def reach_text(report: TriageReport) -> str | None:
    """What got no answer at all from the runner, and whether the fired rules rest on that alone:
    the runner's view, told apart from the backend saying it is down (None: every probe answered)."""
    seen = ", ".join(f"{r.probe_id} ({FAILURE_TEXT[r.failure]})" for r in report.unreachable if r.failure)
    if not seen:
        return None
    text = f"Unreachable from the runner (no answer at all): {seen}."
    if report.unanswered_rules:
        fired = ", ".join(report.unanswered_rules)
        text += f" Fired on that alone: {fired}; the backend has not said it is down."
    return text


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
    reach = reach_text(report)
    if reach:
        lines += [reach, ""]
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
        lines += [f"  {line}" for line in mismatches(finding)]
    if report_path:
        lines.append(f"Report: {report_path}")
    return "\n".join(lines) + "\n"


def _finding_text(finding: dict[str, Any]) -> str:
    if "expected" in finding:
        return _settings_text(finding)
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


def _settings_text(finding: dict[str, Any]) -> str:
    """A settings check: each setting as the backend shows it, or the value a person confirms."""
    seen = finding["seen"]
    parts = []
    for name, expected in finding["expected"].items():
        if name not in seen:
            parts.append(f"{name}: not shown, check by hand that it is {expected}")
        elif seen[name] == expected:
            parts.append(f"{name}={seen[name]} as expected")
        else:
            parts.append(f"{name}={seen[name]}, expected {expected}")
    where = f"{finding['probe']} {finding['field']}" if "field" in finding else finding["probe"]
    if "error" in finding:
        where += f" unavailable: {finding['error']}"
    elif finding["unchecked"] and len(finding["unchecked"]) == len(finding["expected"]):
        where += " shows none"
    return "; ".join(parts) + f" ({where})"


def mismatches(finding: dict[str, Any]) -> list[str]:
    """One line per setting the backend shows with another value than the playbook expects."""
    return [
        f"MISMATCH: {name} is {finding['seen'][name]}, expected {finding['expected'][name]}"
        for name in finding.get("mismatched", [])
    ]


def triage_markdown(playbook: Playbook, report: TriageReport) -> str:
    """The triage table and decision as Markdown, for job summaries and issue bodies."""
    lines = ["| Signal | Value | State |", "|---|---|---|"]
    for reading in checked_signals(playbook, report):
        value = f"unknown: {reading.reason}" if reading.reason else f"`{_shown(reading)}`"
        flag = {"!": "🔴 breach", "?": "⚪ unknown", "ok": "🟢 ok"}[_flag(report, playbook, reading)]
        lines.append(f"| `{reading.name}` | {inert(value, cell=True)} | {flag} |")
    reach = reach_text(report)
    if reach:
        lines += ["", f"**{inert(reach)}**"]
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
        lines += [f"  - ⚠️ **{inert(line, cell=True)}**" for line in mismatches(finding)]
    for finding in report.diagnostics:
        lines += fetched_rows(finding)
    return "\n".join(lines) + "\n"


def fetched_rows(finding: dict[str, Any]) -> list[str]:
    """The rows a fetch step got, as a table in a collapsed section: SHOWN_ROWS of them, then how
    many more the report has. Each cell is outside text (already redacted by the engine): cut to
    CELL_CHARS, then made inert and kept inside its cell."""
    columns, rows = finding.get("columns") or [], finding.get("rows") or []
    if not columns or not rows:
        return []
    where = inert(
        f"{finding['probe']}: {len(rows)} row(s) fetched (branch {finding['branch']}, "
        f"step {finding['step']})",
        cell=True,
    )
    lines = ["", f"<details><summary>{where}</summary>", ""]
    lines.append("| " + " | ".join(inert(str(column), cell=True) for column in columns) + " |")
    lines.append("|" + "---|" * len(columns))
    for row in rows[:SHOWN_ROWS]:
        cells = [inert(_cut(str(row.get(column, ""))), cell=True) for column in columns]
        lines.append("| " + " | ".join(cells) + " |")
    if len(rows) > SHOWN_ROWS:
        lines += ["", f"and {len(rows) - SHOWN_ROWS} more (the JSON report has every row)"]
    return [*lines, "", "</details>"]


def _cut(text: str) -> str:
    return text if len(text) <= CELL_CHARS else text[:CELL_CHARS] + "…"
