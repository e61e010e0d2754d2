"""What a rehearsal's expectations met, and how it is shown: text for the terminal, Markdown for a job
summary or a report file. Everything from the runs' output passes the one escaping function before
it enters Markdown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ops_actions.playbook.model import Playbook
from ops_actions.rehearsal.play import IncidentView, Played
from ops_actions.rehearsal.scenario import Expectation, Scenario
from ops_actions.text.markdown import inert


@dataclass(frozen=True)
class Check:
    """One expectation and what the rehearsal showed."""

    name: str
    passed: bool
    seen: str
    """What was seen instead, or what was seen when it passed."""


@dataclass(frozen=True)
class Verdict:
    """A scenario played: its timeline and its checks."""

    scenario: Scenario
    played: Played
    checks: tuple[Check, ...]

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)


def judged(scenario: Scenario, played: Played, playbook: Playbook) -> Verdict:
    """Check each expectation of ``scenario`` against what was ``played``."""
    view = playbook.for_service(scenario.service)
    return Verdict(
        scenario, played, tuple(_check(expectation, played, view) for expectation in scenario.expect)
    )


def _incident(played: Played, expectation: Expectation) -> IncidentView | None:
    found = played.at(expectation.at)
    return found[expectation.incident - 1] if len(found) >= expectation.incident else None


def _check(expectation: Expectation, played: Played, playbook: Playbook) -> Check:
    kind, wanted = expectation.kind, expectation.value

    def result(passed: bool, seen: str) -> Check:
        return Check(expectation.name, passed, seen)

    if kind == "incidents":
        count = len(played.at(expectation.at))
        return result(count == wanted, f"{count} opened")
    if kind == "dispatches":
        count = played.dispatches.get(wanted["workflow"], 0)
        return result(count == wanted["count"], f"{count} dispatched")
    if kind == "notifications":
        count = played.notifications.get(wanted["target"], 0)
        return result(count == wanted["count"], f"{count} received")
    if kind == "says":
        line = next((line for line in played.output if wanted in line), None)
        return result(line is not None, line or "no line says it")
    incident = _incident(played, expectation)
    if incident is None:
        return result(False, f"no incident {expectation.incident}")
    if kind == "severity":
        severity = playbook.severities.parse(str(wanted))
        return result(incident.severity == severity, incident.severity or "no severity")
    if kind == "branches":
        return result(set(incident.branches) == set(wanted), ", ".join(incident.branches) or "no branch")
    if kind == "resolution":
        met = played.resolutions.get(incident.number, [])
        return result(met == list(wanted), " then ".join(met) or "no /resolve")
    if kind == "postmortem":
        filed = incident.postmortem is not None
        return result(
            filed == (wanted == "filed"), f"#{incident.postmortem} filed" if filed else "none filed"
        )
    state = "open" if incident.open else "closed"
    return result(incident.open == wanted, state)


def verdict_lines(verdict: Verdict) -> list[str]:
    """The terminal's view: the timeline (minute, what happened), then PASS or FAIL per expectation."""
    lines = [f"== {verdict.scenario.name} ({verdict.scenario.source})"]
    lines += [f"  {minute:>4} min  {line}" for minute, line in verdict.played.timeline]
    for check in verdict.checks:
        lines.append(f"  {'PASS' if check.passed else 'FAIL'}  {check.name}: {check.seen}")
    failed = sum(not check.passed for check in verdict.checks)
    lines.append(
        f"  {len(verdict.checks) - failed} of {len(verdict.checks)} expectations passed"
        + (f"; {failed} failed" if failed else "")
    )
    return lines


def verdicts_markdown(verdicts: Sequence[Verdict]) -> str:
    """The report: a table of scenarios, then each one's expectations and timeline (job-summary ready)."""
    passed = sum(verdict.passed for verdict in verdicts)
    parts = [
        "## Rehearsals",
        "",
        f"{passed} of {len(verdicts)} scenarios passed.",
        "",
        "| Scenario | File | Result |",
        "|---|---|---|",
    ]
    for verdict in verdicts:
        failed = sum(not check.passed for check in verdict.checks)
        outcome = (
            "passed" if verdict.passed else f"**failed** ({failed} of {len(verdict.checks)} expectations)"
        )
        parts.append(
            f"| {inert(verdict.scenario.name, cell=True)} "
            f"| `{inert(verdict.scenario.source, cell=True)}` | {outcome} |"
        )
    for verdict in verdicts:
        parts += [
            "",
            f"### {inert(verdict.scenario.name)}",
            "",
            "| Expectation | Result | Seen |",
            "|---|---|---|",
        ]
        for check in verdict.checks:
            mark = "pass" if check.passed else "**FAIL**"
            parts.append(f"| {inert(check.name, cell=True)} | {mark} | {inert(check.seen, cell=True)} |")
        parts += ["", "<details><summary>Timeline</summary>", "", "| Minute | What happened |", "|---:|---|"]
        parts += [f"| {minute} | {inert(line, cell=True)} |" for minute, line in verdict.played.timeline]
        parts += ["", "</details>"]
    return "\n".join(parts) + "\n"
