"""The triage report's data types, pure: what the probes got, the readings, rule outcomes, snapshots.

The engine (:mod:`ops_actions.triage.engine`) builds a :class:`TriageReport`; the incident core
renders it and keeps its snapshots. Reports serialise to versioned JSON (``ops_actions/triage/
triage-report.schema.json`` describes it); writing and reading report files is
:mod:`ops_actions.triage.report_file`'s.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

from ops_actions.playbook.conditions import UNKNOWN, Unknown, Value
from ops_actions.playbook.model import Branch, Step

REPORT_SCHEMA_ID: Final = "ops-actions/triage-report"
REPORT_VERSION: Final = 1
# Why a probe got no answer at all from the runner, by kind (``triage/probes.py`` tells them apart
# by what lies under httpx's error). This is the runner's view: the backend said nothing, so it has
# not said it is down.
FAILURE_TEXT: Final = {
    "dns": "DNS lookup failed",
    "refused": "connection refused",
    "tls": "TLS handshake failed",
    "timeout": "timed out",
    "reset": "connection reset",
    "cut-off": "connection closed without a complete answer",
    "connect": "host unreachable",
    "transport": "transport error",
}


@dataclass(frozen=True)
class ProbeResult:
    """What one probe got: a status and a body (JSON, or text for a text probe), or the reason it got none."""

    probe_id: str
    status_code: int | None
    latency_ms: float
    attempts: int
    body: Any = None
    error: str | None = None
    failure: str | None = None
    """A key of ``FAILURE_TEXT`` when the runner got no answer at all (None: an answer, or no request)."""

    @property
    def answered(self) -> bool:
        """The backend sent an HTTP answer (of any status)."""
        return self.status_code is not None

    @property
    def ok(self) -> bool:
        """An answer whose body, if any, was read: a 2xx, or a failing answer its format reads."""
        return self.status_code is not None and self.error is None


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
    held: bool = False
    """Fired only because its ``holds_while`` held it: it keeps an open incident firing, never opens one."""


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
    unanswered_rules: tuple[str, ...] = ()
    """The fired rules whose probes got no answer at all: they rest on the runner's view alone."""
    gates: dict[str, str] = field(default_factory=dict)
    """Each gated probe's decision this triage, by id: why it ran or was skipped (a skipped
    probe's signals carry the reason in the report; the output names both)."""

    @property
    def backend_reachable(self) -> bool:
        """At least one probe got an HTTP answer."""
        return any(result.answered for result in self.probes)

    @property
    def fired(self) -> list[RuleOutcome]:
        """The rules that fired."""
        return [rule for rule in self.rules if rule.outcome == "fired"]

    @property
    def unreachable(self) -> list[ProbeResult]:
        """The probes the runner got no answer from at all (DNS, refused, TLS, timeout, reset)."""
        return [result for result in self.probes if result.failure is not None]

    def runner_view(self, rule_ids: Sequence[str]) -> str | None:
        """One line saying that these fired rules rest on unreachability alone, naming what the
        runner saw; None when any of them has a backend answer behind it (or none fired)."""
        fired = [rule_id for rule_id in rule_ids if rule_id in {rule.id for rule in self.fired}]
        if not fired or not set(fired) <= set(self.unanswered_rules):
            return None
        seen = ", ".join(f"{r.probe_id} ({FAILURE_TEXT[r.failure]})" for r in self.unreachable if r.failure)
        return f"unreachable from the runner: {seen or 'no answer'}; the backend has not said it is down"

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (see ``triage/triage-report.schema.json``): its structured
        parts, and beside them every signal by its name, as the seed's artifact has them
        (``"ready_ok": true``, ``"queue_depth.queued": 3``; null when unknown). The loader keeps
        signals off the report's own keys (``REPORT_KEYS``)."""
        flat = {reading.name: None if reading.value is UNKNOWN else reading.value for reading in self.signals}
        return {
            **flat,
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
            "reach": {
                "unreachable": [
                    {"probe": r.probe_id, "failure": r.failure, "reason": r.error} for r in self.unreachable
                ],
                "fired_without_answer": list(self.unanswered_rules),
            },
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


def history_value(reading: Reading) -> Any:
    """What a snapshot keeps of a reading: scalars only, UNKNOWN left out."""
    if reading.value is UNKNOWN or isinstance(reading.value, dict):
        return None
    return reading.value


def snapshot_of(report: TriageReport) -> Snapshot:
    """The snapshot a triage leaves for the next one."""
    signals = {r.name: history_value(r) for r in report.signals if history_value(r) is not None}
    breaches = {rule.id: rule.consecutive_breaches for rule in report.rules if rule.consecutive_breaches}
    return Snapshot(at=report.finished_at, signals=signals, breaches=breaches)
