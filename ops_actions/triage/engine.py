"""Probe results -> signals -> rule outcomes -> severity, branches and steps: the triage report.

Pure: the probes' I/O lives in :mod:`ops_actions.triage.probes`, the history in
:mod:`ops_actions.triage.history`, the report's types in :mod:`ops_actions.incident.triage_report`.
This is the seed's ``incident-triage.ps1``, driven by the playbook.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from ops_actions.incident.state import iso
from ops_actions.incident.triage_report import (
    ProbeResult,
    Reading,
    RuleOutcome,
    Snapshot,
    TriageReport,
    public_url,
)
from ops_actions.playbook.conditions import UNKNOWN, Unknown, Value, evaluate
from ops_actions.playbook.model import Branch, Playbook, Probe, SignalSpec, Step

SAMPLE_ITEMS: Final = 10
# Heartbeats a little in the future (clock skew between hosts) count as fresh, not negative.
_MAX_SKEW_S: Final = 300


def _lookup(body: Any, dotted: str) -> tuple[bool, Any]:
    """Follow a dotted path into JSON; (found, value)."""
    current = body
    for part in dotted.split("."):
        if not isinstance(current, dict) or part not in current:
            return False, None
        current = current[part]
    return True, current


def _typed(spec: SignalSpec, raw: Any, now: datetime) -> Reading:
    """Check a JSON value against the signal's type; a mismatch is UNKNOWN, never a guess."""
    name, kind = spec.name, spec.type
    if kind == "boolean" and isinstance(raw, bool):
        return Reading(name, raw)
    if kind == "count" and type(raw) is int and raw >= 0:
        return Reading(name, raw)
    if kind == "number" and isinstance(raw, int | float) and not isinstance(raw, bool):
        return Reading(name, raw)
    if kind == "object" and isinstance(raw, dict):
        return Reading(name, raw)
    if kind == "text" and isinstance(raw, str):
        return Reading(name, raw)
    if kind == "age_seconds" and isinstance(raw, str):
        try:
            stamp = datetime.fromisoformat(raw)
        except ValueError:
            return Reading(name, UNKNOWN, f"field {spec.field} is not an ISO 8601 timestamp")
        if stamp.tzinfo is None:
            return Reading(name, UNKNOWN, f"field {spec.field} has no time zone")
        age = (now - stamp).total_seconds()
        if age < -_MAX_SKEW_S:
            return Reading(name, UNKNOWN, f"field {spec.field} is {-age:.0f} s in the future")
        return Reading(name, max(round(age), 0))
    shown = json.dumps(raw)[:40]
    return Reading(name, UNKNOWN, f"field {spec.field} is {shown}, expected {kind.replace('_', ' ')}")


def read_signals(playbook: Playbook, results: Mapping[str, ProbeResult], now: datetime) -> list[Reading]:
    """Every signal of every non-diagnostic probe, known or UNKNOWN with a reason."""
    readings: list[Reading] = []
    for probe in playbook.probes:
        result = results.get(probe.id)
        for spec in probe.signals:
            readings.append(_read(spec, probe, result, now))
    return readings


def _read(spec: SignalSpec, probe: Probe, result: ProbeResult | None, now: datetime) -> Reading:
    if result is None:
        return Reading(spec.name, UNKNOWN, f"probe {probe.id} did not run")
    if spec.source == "status_ok":
        if not result.answered:
            return Reading(spec.name, UNKNOWN, f"probe {probe.id}: {result.error}")
        return Reading(spec.name, result.status_code is not None and 200 <= result.status_code < 300)
    if not result.ok:
        return Reading(spec.name, UNKNOWN, f"probe {probe.id}: {result.error or 'no answer'}")
    found, raw = _lookup(result.body, spec.field or "")
    if not found:
        return Reading(spec.name, UNKNOWN, f"probe {probe.id}: field {spec.field} is missing")
    return _typed(spec, raw, now)


def evaluate_rules(
    playbook: Playbook, readings: Sequence[Reading], history: Sequence[Snapshot]
) -> list[RuleOutcome]:
    """Each rule's outcome, with consecutive-breach counting against the previous snapshot."""
    values: dict[str, Value | Unknown] = {reading.name: reading.value for reading in readings}
    past = [snapshot.signals for snapshot in history]
    previous = history[-1].breaches if history else {}
    outcomes = []
    for rule in playbook.rules:
        truth = evaluate(rule.when, values, past)
        breaches = previous.get(rule.id, 0) + 1 if truth is True else 0
        if truth is True:
            outcome = "fired" if breaches >= rule.consecutive else "pending"
        else:
            outcome = "clear" if truth is False else "unknown"
        unknown = tuple(sorted(name for name in rule.when.signals if values.get(name, UNKNOWN) is UNKNOWN))
        outcomes.append(
            RuleOutcome(
                id=rule.id,
                outcome=outcome,
                severity=rule.severity,
                branch=rule.branch,
                consecutive_breaches=breaches,
                required_breaches=rule.consecutive,
                summary=rule.summary,
                unknown_signals=unknown if outcome == "unknown" else (),
            )
        )
    return outcomes


def decide(playbook: Playbook, outcomes: Sequence[RuleOutcome]) -> tuple[str | None, list[Branch]]:
    """The most severe severity among fired rules, and their branches in decision-tree order."""
    fired = [outcome for outcome in outcomes if outcome.outcome == "fired"]
    if not fired:
        return None, []
    severity = min((playbook.severity(outcome.severity) for outcome in fired), key=lambda s: s.rank).id
    wanted = {outcome.branch for outcome in fired if outcome.branch}
    return severity, [branch for branch in playbook.decision_tree if branch.id in wanted]


def recommended_steps(
    playbook: Playbook, severity: str | None, branches: Sequence[Branch]
) -> list[tuple[str, Step]]:
    """The first-10-minutes steps, then each matched branch's steps, for this severity."""
    if severity is None:
        return []

    def applies(step: Step) -> bool:
        return not step.only_for or severity in step.only_for

    steps = [("first_10_minutes", step) for step in playbook.first_10_minutes if applies(step)]
    for branch in branches:
        steps += [(f"branch {branch.id}", step) for step in branch.steps if applies(step)]
    return steps


def diagnostic_probes(playbook: Playbook, branches: Sequence[Branch]) -> list[Probe]:
    """The diagnostic probes the matched branches fetch, each once."""
    ids: list[str] = []
    for branch in branches:
        for step in branch.steps:
            if (
                step.kind == "fetch"
                and step.probe
                and playbook.probe(step.probe).diagnostic
                and step.probe not in ids
            ):
                ids.append(step.probe)
    return [playbook.probe(probe_id) for probe_id in ids]


def findings(
    playbook: Playbook, branches: Sequence[Branch], results: Mapping[str, ProbeResult]
) -> list[dict[str, Any]]:
    """What each matched branch's fetch steps found: lists (grouped) or a field of a probe's answer."""
    found: list[dict[str, Any]] = []
    for branch in branches:
        for step in branch.steps:
            if step.kind != "fetch" or not step.probe:
                continue
            probe = playbook.probe(step.probe)
            result = results.get(probe.id)
            entry: dict[str, Any] = {"branch": branch.id, "step": step.id, "probe": probe.id}
            if result is None or not result.ok:
                entry["error"] = result.error if result else "probe did not run"
            elif step.field:
                present, value = _lookup(result.body, step.field)
                entry["field"] = step.field
                entry["value"] = value if present else None
                if not present:
                    entry["error"] = f"field {step.field} is missing"
            else:
                entry.update(_list_finding(probe, result.body, samples=playbook.report_samples))
            found.append(entry)
    return found


def _list_finding(probe: Probe, body: Any, *, samples: bool) -> dict[str, Any]:
    """Count and group the items of a diagnostic list, and sample them: the first items as they are
    when the playbook asks for samples (``reports.samples``), else their SHA-256 hashes only, so a
    report kept as an artifact for weeks holds no raw backend data (matching a hash against the
    backend's own log still finds the item)."""
    present, items = _lookup(body, probe.list_field) if probe.list_field else (True, body)
    if not present or not isinstance(items, list):
        return {"error": f"no list at {probe.list_field or 'the top level'}"}
    result: dict[str, Any] = {"count": len(items)}
    if samples:
        result["sample"] = items[:SAMPLE_ITEMS]
    else:
        result["sample_sha256"] = [
            hashlib.sha256(
                json.dumps(item, sort_keys=True, separators=(",", ":")).encode("utf-8")
            ).hexdigest()
            for item in items[:SAMPLE_ITEMS]
        ]
    if probe.group_by:
        counter: Counter[tuple[str, ...]] = Counter(
            tuple(str(item.get(key)) if isinstance(item, dict) else "?" for key in probe.group_by)
            for item in items
        )
        result["groups"] = [
            {"key": dict(zip(probe.group_by, key, strict=True)), "count": count}
            for key, count in counter.most_common()
        ]
    return result


def triage(
    playbook: Playbook,
    *,
    send: Callable[[Sequence[Probe]], list[ProbeResult]],
    clock: Callable[[], datetime],
    history: Sequence[Snapshot],
    backend_url: str,
    playbook_path: str,
    playbook_sha256: str,
) -> TriageReport:
    """Run the probes through ``send``, read signals, evaluate rules, then fetch the branches' diagnostics."""
    started = clock()
    results = {result.probe_id: result for result in send([p for p in playbook.probes if not p.diagnostic])}
    readings = read_signals(playbook, results, started)
    outcomes = evaluate_rules(playbook, readings, history)
    severity, branches = decide(playbook, outcomes)
    extra = diagnostic_probes(playbook, branches)
    if extra:
        results.update({result.probe_id: result for result in send(extra)})
    return TriageReport(
        started_at=iso(started),
        finished_at=iso(clock()),
        backend_url=public_url(backend_url),
        playbook_path=playbook_path,
        playbook_sha256=playbook_sha256,
        probes=[results[probe.id] for probe in playbook.probes if probe.id in results],
        signals=readings,
        rules=outcomes,
        severity=severity,
        branches=branches,
        steps=recommended_steps(playbook, severity, branches),
        diagnostics=findings(playbook, branches, results),
    )
