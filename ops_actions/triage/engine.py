"""Probe results -> signals -> rule outcomes -> severity, branches and steps: the triage report.

Pure: the probes' I/O lives in :mod:`ops_actions.triage.probes`, the history in
:mod:`ops_actions.triage.history`, the report's types in :mod:`ops_actions.incident.triage_report`.
This is the seed's ``incident-triage.ps1``, driven by the playbook.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from regex import Pattern

from ops_actions.incident.clock import iso
from ops_actions.incident.triage_report import (
    ProbeResult,
    Reading,
    RuleOutcome,
    Snapshot,
    TriageReport,
    public_url,
)
from ops_actions.playbook.conditions import UNKNOWN, Unknown, Value, evaluate
from ops_actions.playbook.model import BODY_SOURCES, Branch, Playbook, Probe, SignalSpec, Step
from ops_actions.playbook.queries import Query, QueryError
from ops_actions.triage.gates import Gate, after_first_round, before_first_round

SAMPLE_ITEMS: Final = 10
# How long one text signal's regex may run over an answer: a pattern such as (a|a)+$ backtracks for
# years on a line of a's. The regex library checks the timeout as it matches, on any OS and thread.
# The probe's own timeout ended when the body was read.
REGEX_BUDGET_S: Final = 1.0
# Heartbeats a little in the future (clock skew between hosts) count as fresh, not negative.
_MAX_SKEW_S: Final = 300


def _typed(spec: SignalSpec, raw: Any, now: datetime, what: str) -> Reading:
    """Check a value against the signal's type; a mismatch is UNKNOWN, never a guess."""
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
            return Reading(name, UNKNOWN, f"{what} is not an ISO 8601 timestamp")
        if stamp.tzinfo is None:
            return Reading(name, UNKNOWN, f"{what} has no time zone")
        age = (now - stamp).total_seconds()
        if age < -_MAX_SKEW_S:
            return Reading(name, UNKNOWN, f"{what} is {-age:.0f} s in the future")
        return Reading(name, max(round(age), 0))
    shown = json.dumps(raw)[:40]
    return Reading(name, UNKNOWN, f"{what} is {shown}, expected {kind.replace('_', ' ')}")


def read_signals(
    playbook: Playbook,
    results: Mapping[str, ProbeResult],
    now: datetime,
    skipped: Mapping[str, str] | None = None,
) -> list[Reading]:
    """Every signal of every non-diagnostic probe, known or UNKNOWN with a reason (``skipped``: the
    gated probes this triage did not run, and why)."""
    readings = []
    for probe in playbook.probes:
        why = (skipped or {}).get(probe.id)
        if why is not None and probe.id not in results:
            reason = f"probe {probe.id} skipped, not failed: {why}"
            readings += [Reading(spec.name, UNKNOWN, reason) for spec in probe.signals]
        else:
            readings += read_probe(probe, results.get(probe.id), now)
    return readings


def read_probe(probe: Probe, result: ProbeResult | None, now: datetime) -> list[Reading]:
    """The signals of one probe from its result (None: it did not run)."""
    return [_read(spec, probe, result, now) for spec in probe.signals]


def _read(spec: SignalSpec, probe: Probe, result: ProbeResult | None, now: datetime) -> Reading:
    if result is None:
        return Reading(spec.name, UNKNOWN, f"probe {probe.id} did not run")
    if spec.source not in BODY_SOURCES:
        return _fact(spec, probe, result)
    if not result.ok:
        return Reading(spec.name, UNKNOWN, f"probe {probe.id}: {result.error or 'no answer'}")
    if spec.regex is not None:
        return _from_text(spec, probe, str(result.body or ""), now)
    return _from_json(spec, probe, result.body, now)


def _fact(spec: SignalSpec, probe: Probe, result: ProbeResult) -> Reading:
    """A fact of the answer itself: whether it was 2xx, its status code, how long it took (a 2xx
    answer only: a failure's speed says nothing about delays, so rules on latency read successes)."""
    if result.status_code is None:
        return Reading(spec.name, UNKNOWN, f"probe {probe.id}: {result.error}")
    if spec.source == "status_ok":
        return Reading(spec.name, 200 <= result.status_code < 300)
    if spec.source == "status_code":
        return Reading(spec.name, result.status_code)
    if not 200 <= result.status_code < 300:
        reason = f"probe {probe.id} answered HTTP {result.status_code}: a failed answer has no latency"
        return Reading(spec.name, UNKNOWN, reason)
    return Reading(spec.name, result.latency_ms)


def _from_json(spec: SignalSpec, probe: Probe, body: Any, now: datetime) -> Reading:
    assert spec.field is not None  # the loader gives every json signal its compiled query
    try:
        raw = spec.field.search(body)
    except QueryError as error:
        return Reading(spec.name, UNKNOWN, f"probe {probe.id}: query {spec.field}: {error.message}")
    if raw is None:
        return Reading(spec.name, UNKNOWN, f"probe {probe.id}: field {spec.field} finds nothing")
    return _typed(spec, raw, now, f"field {spec.field}")


def _from_text(spec: SignalSpec, probe: Probe, body: str, now: datetime) -> Reading:
    """The text signal's value, or UNKNOWN when its regex runs past REGEX_BUDGET_S."""
    pattern = spec.regex
    assert pattern is not None  # the loader gives every text signal its compiled regex
    try:
        return _matched(spec, probe, pattern, body, now)
    except TimeoutError:
        return Reading(
            spec.name,
            UNKNOWN,
            f"probe {probe.id}: regex {pattern.pattern} ran past its {REGEX_BUDGET_S:g} s budget",
        )


def _matched(spec: SignalSpec, probe: Probe, pattern: Pattern[str], body: str, now: datetime) -> Reading:
    """boolean: the regex matches; count: how often; else the first match's first group (or all of it).
    Each match runs within REGEX_BUDGET_S (TimeoutError past it)."""
    if spec.type == "boolean":
        return Reading(spec.name, pattern.search(body, timeout=REGEX_BUDGET_S) is not None)
    if spec.type == "count":
        return Reading(spec.name, sum(1 for _ in pattern.finditer(body, timeout=REGEX_BUDGET_S)))
    what = f"regex {pattern.pattern}"
    match = pattern.search(body, timeout=REGEX_BUDGET_S)
    text = (match.group(1) if pattern.groups else match.group(0)) if match else None
    if text is None:
        return Reading(spec.name, UNKNOWN, f"probe {probe.id}: {what} matches nothing")
    return _typed(spec, _number(text) if spec.type == "number" else text, now, what)


def _number(text: str) -> int | float | str:
    """A number written in text, or the text itself when it is none (then the type check says so)."""
    for kind in (int, float):
        try:
            number = kind(text)
        except ValueError:
            continue
        return number if math.isfinite(number) else text
    return text


def evaluate_rules(
    playbook: Playbook,
    readings: Sequence[Reading],
    history: Sequence[Snapshot],
    *,
    alert_firing: bool = False,
) -> list[RuleOutcome]:
    """Each rule's outcome, with consecutive-breach counting against the previous snapshot.

    A firing alert confirms the rules under flap control: breached once, they fire at once. A rule
    the previous triage breached stays breached while its ``holds_while`` is true; while that is
    unknown (the metrics did not answer this once) the rule is unknown and keeps its breach count,
    so one lost answer does not end a hold.
    """
    values: dict[str, Value | Unknown] = {reading.name: reading.value for reading in readings}
    past = [snapshot.signals for snapshot in history]
    previous = history[-1].breaches if history else {}
    outcomes = []
    for rule in playbook.rules:
        truth = evaluate(rule.when, values, past)
        fresh = truth is True
        kept = 0
        if truth is not True and rule.holds_while is not None and previous.get(rule.id, 0):
            hold = evaluate(rule.holds_while, values, past)
            truth = True if hold is True else (UNKNOWN if hold is UNKNOWN else truth)
            kept = previous[rule.id] if hold is UNKNOWN else 0
        breaches = previous.get(rule.id, 0) + 1 if truth is True else kept
        if truth is True:
            confirmed = alert_firing and rule.alert_confirms
            outcome = "fired" if breaches >= rule.consecutive or confirmed else "pending"
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
                held=outcome == "fired" and not fresh,
            )
        )
    return outcomes


def decide(playbook: Playbook, outcomes: Sequence[RuleOutcome]) -> tuple[str | None, list[Branch]]:
    """The most severe severity among fired rules, and their branches in decision-tree order."""
    fired = [outcome for outcome in outcomes if outcome.outcome == "fired"]
    if not fired:
        return None, []
    severity = playbook.severities.most_severe(outcome.severity for outcome in fired)
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
                entry["field"] = step.field.source
                try:
                    entry["value"] = step.field.search(result.body)
                except QueryError as error:
                    entry["value"] = None
                    entry["error"] = f"query {step.field}: {error.message}"
                else:
                    if entry["value"] is None:
                        entry["error"] = f"field {step.field} finds nothing"
            else:
                entry.update(_list_finding(probe, result.body))
            found.append(entry)
    return found


def _list_finding(probe: Probe, body: Any) -> dict[str, Any]:
    """Count and group the items of a diagnostic list (a text answer's items are its lines), and
    sample them: the first items as they are when the probe asks for samples (``samples: true``),
    else their SHA-256 hashes only, so a report kept as an artifact for weeks holds no raw backend
    data (matching a hash against the backend's own log still finds the item)."""
    if probe.answer_format.body_kind == "text":
        items: Any = str(body or "").splitlines()
    else:
        items = _search(probe.list_field, body) if probe.list_field else body
    if not isinstance(items, list):
        return {"error": f"no list at {probe.list_field or 'the top level'}"}
    result: dict[str, Any] = {"count": len(items)}
    if probe.samples:
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
            tuple(str(_search(query, item)) if isinstance(item, dict) else "?" for query in probe.group_by)
            for item in items
        )
        names = [query.source for query in probe.group_by]
        result["groups"] = [
            {"key": dict(zip(names, key, strict=True)), "count": number}
            for key, number in counter.most_common()
        ]
    return result


def _search(query: Query, document: Any) -> Any:
    """A query's value, None when it finds nothing or meets a value of the wrong type."""
    try:
        return query.search(document)
    except QueryError:
        return None


def _runs(probe: Probe, gates: Mapping[str, Gate | None]) -> bool:
    """Whether a probe runs: an ungated one always, a gated one once its gate says so."""
    gate = gates.get(probe.id)
    return not probe.gated or (gate is not None and gate.runs)


def triage(
    playbook: Playbook,
    *,
    send: Callable[[Sequence[Probe]], list[ProbeResult]],
    clock: Callable[[], datetime],
    history: Sequence[Snapshot],
    backend_url: str,
    playbook_path: str,
    playbook_sha256: str,
    alert_firing: bool = False,
    ran_at: Mapping[str, str] | None = None,
) -> TriageReport:
    """Run the probes through ``send``, read signals, evaluate rules, then the branches' diagnostics.

    Prefetched diagnostics and the gated probes that are due go with the first round; the gated
    probes whose ``when`` calls for them in a second (``ran_at``: when each last ran, from the watch
    history); the diagnostics a matched branch needs and did not have, in the last.
    """
    started = clock()
    gates: dict[str, Gate | None] = {
        probe.id: before_first_round(playbook, probe, history=history, ran_at=ran_at or {}, now=started)
        for probe in playbook.probes
        if probe.gated
    }
    # Prefetched diagnostics ride along in the first round, so a matched branch that needs them
    # costs no second round trip; the ones no branch needs are dropped from the report.
    first = [p for p in playbook.probes if (p.prefetch or not p.diagnostic) and _runs(p, gates)]
    results = {result.probe_id: result for result in send(first)}
    waiting = [probe for probe in playbook.probes if probe.gated and gates[probe.id] is None]
    if waiting:
        values = {reading.name: reading.value for reading in read_signals(playbook, results, started)}
        for probe in waiting:
            gates[probe.id] = after_first_round(
                probe, values=values, history=history, ran_at=ran_at or {}, now=started
            )
        called = [probe for probe in waiting if _runs(probe, gates)]
        if called:
            results.update({result.probe_id: result for result in send(called)})
    decided = {probe_id: gate for probe_id, gate in gates.items() if gate is not None}
    skipped = {probe_id: gate.reason for probe_id, gate in decided.items() if not gate.runs}
    readings = read_signals(playbook, results, started, skipped)
    outcomes = evaluate_rules(playbook, readings, history, alert_firing=alert_firing)
    severity, branches = decide(playbook, outcomes)
    needed = diagnostic_probes(playbook, branches)
    missing = [probe for probe in needed if probe.id not in results]
    if missing:
        results.update({result.probe_id: result for result in send(missing)})
    shown = {probe.id for probe in playbook.probes if not probe.diagnostic} | {probe.id for probe in needed}
    return TriageReport(
        started_at=iso(started),
        finished_at=iso(clock()),
        backend_url=public_url(backend_url),
        playbook_path=playbook_path,
        playbook_sha256=playbook_sha256,
        probes=[results[probe.id] for probe in playbook.probes if probe.id in results and probe.id in shown],
        signals=readings,
        rules=outcomes,
        severity=severity,
        branches=branches,
        steps=recommended_steps(playbook, severity, branches),
        diagnostics=findings(playbook, branches, results),
        gates={probe_id: gate.reason for probe_id, gate in decided.items()},
    )
