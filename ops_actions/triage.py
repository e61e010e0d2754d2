"""Probe results -> signals -> rule outcomes -> severity, branches and steps: the triage report.

Pure: the probes' I/O lives in :mod:`ops_actions.probes`, the history in :mod:`ops_actions.state`.
This is the seed's ``incident-triage.ps1``, driven by the playbook.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

import jsonschema

from ops_actions.errors import ExitCode, OpsError
from ops_actions.incident.state import iso
from ops_actions.playbook.conditions import UNKNOWN, Unknown, Value, evaluate
from ops_actions.playbook.model import Branch, Playbook, Probe, SignalSpec, Step
from ops_actions.probes import ProbeResult

REPORT_SCHEMA_ID: Final = "ops-actions/triage-report"
REPORT_VERSION: Final = 1
SAMPLE_ITEMS: Final = 10
# Heartbeats a little in the future (clock skew between hosts) count as fresh, not negative.
_MAX_SKEW_S: Final = 300


@dataclass(frozen=True)
class Reading:
    """A signal's value, or UNKNOWN with the reason."""

    name: str
    value: Value | Unknown
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        if self.value is UNKNOWN:
            return {"name": self.name, "status": "unknown", "value": None, "reason": self.reason}
        return {"name": self.name, "status": "ok", "value": self.value, "reason": None}


@dataclass(frozen=True)
class RuleOutcome:
    """How a rule came out this time: fired, pending (breached, not yet often enough), clear, unknown."""

    id: str
    outcome: str
    severity: str
    branch: str | None
    consecutive_breaches: int
    required_breaches: int
    summary: str
    unknown_signals: tuple[str, ...] = ()


@dataclass(frozen=True)
class Snapshot:
    """What one triage saw, kept in the local state for trends and flap control."""

    at: str
    signals: dict[str, Any]
    breaches: dict[str, int]


@dataclass
class TriageReport:
    """Everything one triage found; serialises to the versioned JSON report."""

    started_at: str
    finished_at: str
    backend_url: str
    playbook_path: str
    playbook_sha256: str
    probes: list[ProbeResult]
    signals: list[Reading]
    rules: list[RuleOutcome]
    severity: str | None
    branches: list[Branch]
    steps: list[tuple[str, Step]]
    diagnostics: list[dict[str, Any]] = field(default_factory=list)

    @property
    def backend_reachable(self) -> bool:
        """At least one probe got an HTTP answer."""
        return any(result.answered for result in self.probes)

    @property
    def fired(self) -> list[RuleOutcome]:
        """The rules that fired."""
        return [rule for rule in self.rules if rule.outcome == "fired"]

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (see triage-report.schema.json)."""
        return {
            "schema": REPORT_SCHEMA_ID,
            "version": REPORT_VERSION,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "inputs": {
                "backend_url": self.backend_url,
                "playbook": {"path": self.playbook_path, "sha256": self.playbook_sha256},
            },
            "backend_reachable": self.backend_reachable,
            "probes": [
                {
                    "id": r.probe_id,
                    "status_code": r.status_code,
                    "latency_ms": r.latency_ms,
                    "attempts": r.attempts,
                    "error": r.error,
                }
                for r in self.probes
            ],
            "signals": [reading.to_dict() for reading in self.signals],
            "rules": [{**asdict(rule), "unknown_signals": list(rule.unknown_signals)} for rule in self.rules],
            "severity": self.severity,
            "branches": [{"id": branch.id, "title": branch.title} for branch in self.branches],
            "steps": [
                {
                    "source": source,
                    "id": step.id,
                    "kind": step.kind,
                    "text": step.text,
                    "automated": step.automated,
                }
                for source, step in self.steps
            ],
            "diagnostics": self.diagnostics,
        }


def public_url(url: str) -> str:
    """The URL without credentials, query or fragment, safe for reports."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def content_hash(data: bytes) -> str:
    """SHA-256 of the playbook bytes, so a report names exactly which playbook decided."""
    return hashlib.sha256(data).hexdigest()


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


def history_value(reading: Reading) -> Any:
    """What a snapshot keeps of a reading: scalars only, UNKNOWN left out."""
    if reading.value is UNKNOWN or isinstance(reading.value, dict):
        return None
    return reading.value


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
                entry.update(_list_finding(probe, result.body))
            found.append(entry)
    return found


def _list_finding(probe: Probe, body: Any) -> dict[str, Any]:
    """Count, group and sample the items of a diagnostic list."""
    present, items = _lookup(body, probe.list_field) if probe.list_field else (True, body)
    if not present or not isinstance(items, list):
        return {"error": f"no list at {probe.list_field or 'the top level'}"}
    result: dict[str, Any] = {"count": len(items), "sample": items[:SAMPLE_ITEMS]}
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


def snapshot_of(report: TriageReport) -> Snapshot:
    """The snapshot a triage leaves for the next one."""
    signals = {r.name: history_value(r) for r in report.signals if history_value(r) is not None}
    breaches = {rule.id: rule.consecutive_breaches for rule in report.rules if rule.consecutive_breaches}
    return Snapshot(at=report.finished_at, signals=signals, breaches=breaches)


@cache
def report_schema() -> dict[str, Any]:
    """The JSON Schema of the triage report, shipped in the package."""
    text = resources.files("ops_actions").joinpath("triage-report.schema.json").read_text(encoding="utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def write_report(report: TriageReport, directory: Path, *, now: datetime) -> Path:
    """Write ``incident-triage-<UTC timestamp>.json``; a second report in the same second gets a suffix."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"incident-triage-{now.strftime('%Y%m%dT%H%M%SZ')}"
    path = directory / f"{stem}.json"
    counter = 1
    while path.exists():
        counter += 1
        path = directory / f"{stem}-{counter}.json"
    path.write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


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


def load_report(path: Path, playbook: Playbook) -> TriageReport:
    """Read a triage JSON report back (validated against its schema) for an issue body."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.validate(data, report_schema())
    except (OSError, UnicodeDecodeError, ValueError, jsonschema.ValidationError) as error:
        reason = error.message if isinstance(error, jsonschema.ValidationError) else type(error).__name__
        raise OpsError(f"{path} is not a triage report: {reason}", ExitCode.USAGE) from None
    try:
        branches = [playbook.branch(item["id"]) for item in data["branches"]]
        steps_by_source = {"first_10_minutes": playbook.first_10_minutes}
        steps_by_source.update({f"branch {b.id}": b.steps for b in playbook.decision_tree})
        steps = [
            (item["source"], next(s for s in steps_by_source[item["source"]] if s.id == item["id"]))
            for item in data["steps"]
        ]
    except (KeyError, StopIteration):
        raise OpsError(
            f"{path} was written with another playbook (unknown branch or step)", ExitCode.USAGE
        ) from None
    return TriageReport(
        started_at=data["started_at"],
        finished_at=data["finished_at"],
        backend_url=data["inputs"]["backend_url"],
        playbook_path=data["inputs"]["playbook"]["path"],
        playbook_sha256=data["inputs"]["playbook"]["sha256"],
        probes=[
            ProbeResult(p["id"], p["status_code"], p["latency_ms"], p["attempts"], error=p["error"])
            for p in data["probes"]
        ],
        signals=[
            Reading(s["name"], UNKNOWN if s["status"] == "unknown" else s["value"], s["reason"])
            for s in data["signals"]
        ],
        rules=[RuleOutcome(**{**r, "unknown_signals": tuple(r["unknown_signals"])}) for r in data["rules"]],
        severity=data["severity"],
        branches=branches,
        steps=steps,
        diagnostics=data["diagnostics"],
    )
