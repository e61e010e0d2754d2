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
# The columns of a diagnostic list's rows when its probe names none (``show``): those of the seed's
# evidence (failed webhook events, dead letters) that its items have.
DEFAULT_COLUMNS: Final = ("id", "type", "reason", "provider", "input", "created_at")
# The column of a list whose items are no objects (the lines of a text answer, plain values).
ITEM_COLUMN: Final = "item"
# One value of a row as the report keeps it: a backend's 10 kB field is cut there, its length said.
ROW_VALUE_CHARS: Final = 1_000
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
    playbook: Playbook,
    branches: Sequence[Branch],
    results: Mapping[str, ProbeResult],
    redact: Callable[[str], str] = str,
) -> list[dict[str, Any]]:
    """What each matched branch's fetch steps found: lists (grouped, their rows passed through
    ``redact``) or a field of a probe's answer; and its checks of settings the backend shows."""
    found: list[dict[str, Any]] = []
    for branch in branches:
        for step in branch.steps:
            if step.kind == "check" and step.expect_env and step.probe:
                found.append(_settings_check(branch, step, results.get(step.probe), redact))
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
                entry.update(_list_finding(probe, result.body, redact))
            found.append(entry)
    return found


def _settings_check(
    branch: Branch, step: Step, result: ProbeResult | None, redact: Callable[[str], str]
) -> dict[str, Any]:
    """A check's expected settings (``expect_env``) against those the backend shows at the step's
    ``field`` of its probe's answer (an object of name → value; the whole answer without a field):
    each value seen (as text, redacted), the names whose value differs, and the names it does not
    show, which stay a person's to check. A backend that shows none is no error of the triage."""
    entry: dict[str, Any] = {"branch": branch.id, "step": step.id, "probe": step.probe}
    if step.field:
        entry["field"] = step.field.source
    entry["expected"] = dict(step.expect_env)
    if result is None or not result.ok:
        entry["error"] = result.error if result else "probe did not run"
        shown: Any = None
    else:
        shown = _search(step.field, result.body) if step.field else result.body
    settings = shown if isinstance(shown, dict) else {}
    seen = {name: _row_value(settings[name], redact) for name in step.expect_env if name in settings}
    entry["seen"] = seen
    entry["mismatched"] = [
        name for name, value in step.expect_env.items() if name in seen and seen[name] != value
    ]
    entry["unchecked"] = [name for name in step.expect_env if name not in seen]
    return entry


def _list_finding(probe: Probe, body: Any, redact: Callable[[str], str]) -> dict[str, Any]:
    """Count and group the items of a diagnostic list (a text answer's items are its lines), keep
    the rows people read (:func:`_rows`), and sample them: the first items as they are when the
    probe asks for samples (``samples: true``), else their SHA-256 hashes only, so a report kept as
    an artifact for weeks holds of the backend's data only the columns the playbook shows (matching
    a hash against the backend's own log still finds the item)."""
    if probe.answer_format.body_kind == "text":
        items: Any = str(body or "").splitlines()
    else:
        items = _search(probe.list_field, body) if probe.list_field else body
    if not isinstance(items, list):
        return {"error": f"no list at {probe.list_field or 'the top level'}"}
    result: dict[str, Any] = {"count": len(items), **_rows(probe, items, redact)}
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


def _rows(probe: Probe, items: list[Any], redact: Callable[[str], str]) -> dict[str, Any]:
    """Every item as a row of text: the probe's ``show`` columns (by default those of
    DEFAULT_COLUMNS its items have; items that are no objects are one ITEM_COLUMN), each value
    redacted, then cut to ROW_VALUE_CHARS. Redacted first: a cut must not halve a secret the
    redaction would have found. Nothing when the probe shows no column (``show: []``)."""
    columns: dict[str, Query | str | None]  # a query, an object's key, or None: the item itself
    objects = [item for item in items if isinstance(item, dict)]
    if probe.show is not None:
        columns = {query.source: query for query in probe.show}
    elif objects or not items:
        columns = {name: name for name in DEFAULT_COLUMNS if any(name in item for item in objects)}
    else:
        columns = {ITEM_COLUMN: None}
    if not columns:
        return {}
    rows = [
        {name: _row_value(_column_value(item, column), redact) for name, column in columns.items()}
        for item in items
    ]
    return {"columns": list(columns), "rows": rows}


def _column_value(item: Any, column: Query | str | None) -> Any:
    """One column of an item: a query's value, an object's key (None for anything else), the item."""
    if column is None:
        return item
    if isinstance(column, str):
        return item.get(column) if isinstance(item, dict) else None
    return _search(column, item)


def _row_value(value: Any, redact: Callable[[str], str]) -> str:
    """A value as a row's text (nothing for a missing one, JSON for what is no string), redacted, cut."""
    if value is None:
        return ""
    text = redact(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
    if len(text) > ROW_VALUE_CHARS:
        return f"{text[:ROW_VALUE_CHARS]}… (cut, {len(text):,} characters)"
    return text


def _search(query: Query, document: Any) -> Any:
    """A query's value, None when it finds nothing or meets a value of the wrong type."""
    try:
        return query.search(document)
    except QueryError:
        return None


def unanswered_rules(
    playbook: Playbook, outcomes: Sequence[RuleOutcome], results: Mapping[str, ProbeResult]
) -> tuple[str, ...]:
    """The fired rules that rest on unreachability alone: every probe they read got no HTTP answer,
    and at least one got none at all (DNS, refused, TLS, timeout, reset). A 5xx or ``db_ok=false`` is
    an answer: the backend itself says it is down."""
    probe_of = {spec.name: probe.id for probe in playbook.probes for spec in probe.signals}
    fired = {outcome.id for outcome in outcomes if outcome.outcome == "fired"}
    found = []
    for rule in playbook.rules:
        read = [results.get(probe_of.get(name, "")) for name in rule.when.signals]
        if (
            rule.id in fired
            and read
            and all(result is not None and not result.answered for result in read)
            and any(result is not None and result.failure for result in read)
        ):
            found.append(rule.id)
    return tuple(found)


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
    redact: Callable[[str], str] = str,
    ran_at: Mapping[str, str] | None = None,
) -> TriageReport:
    """Run the probes through ``send``, read signals, evaluate rules, then the branches' diagnostics
    (the rows of their lists pass ``redact``: known secrets out before a long value is cut).

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
        diagnostics=findings(playbook, branches, results, redact),
        unanswered_rules=unanswered_rules(playbook, outcomes, results),
        gates={probe_id: gate.reason for probe_id, gate in decided.items()},
    )
