"""The triage report as a file: write ``incident-triage-<UTC timestamp>.json``, read one back.

The report's types and its JSON form (:meth:`TriageReport.to_dict`) are the pure core's, in
:mod:`ops_actions.incident.triage_report`; this module is what touches the filesystem. A report is
read back checked against ``triage-report.schema.json``, shipped beside this module because this is
where it is read; jsonschema loads only then.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from ops_actions.errors import ExitCode, OpsError
from ops_actions.incident.triage_report import ProbeResult, Reading, RuleOutcome, TriageReport
from ops_actions.playbook.conditions import UNKNOWN
from ops_actions.playbook.model import Playbook


@cache
def report_schema() -> dict[str, Any]:
    """The JSON Schema of the triage report, shipped in the package."""
    text = (
        resources.files("ops_actions")
        .joinpath("triage/triage-report.schema.json")
        .read_text(encoding="utf-8")
    )
    return json.loads(text)  # type: ignore[no-any-return]


def write_report(
    report: TriageReport, directory: Path, *, now: datetime, redact: Callable[[str], str] = str
) -> Path:
    """Write ``incident-triage-<UTC timestamp>.json``; a second report in the same second gets a suffix.

    The text passes ``redact`` (known secrets out: a report is kept as an artifact)."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"incident-triage-{now.strftime('%Y%m%dT%H%M%SZ')}"
    path = directory / f"{stem}.json"
    counter = 1
    while path.exists():
        counter += 1
        path = directory / f"{stem}-{counter}.json"
    path.write_text(
        redact(json.dumps(report.to_dict(), indent=2, ensure_ascii=False)) + "\n", encoding="utf-8"
    )
    return path


def load_report(path: Path, playbook: Playbook) -> TriageReport:
    """Read a triage JSON report back (validated against its schema) for an issue body."""
    import jsonschema

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
    reach = data.get("reach", {"unreachable": [], "fired_without_answer": []})
    failures = {item["probe"]: item["failure"] for item in reach["unreachable"]}
    return TriageReport(
        started_at=data["started_at"],
        finished_at=data["finished_at"],
        backend_url=data["inputs"]["backend_url"],
        playbook_path=data["inputs"]["playbook"]["path"],
        playbook_sha256=data["inputs"]["playbook"]["sha256"],
        probes=[
            ProbeResult(
                p["id"],
                p["status_code"],
                p["latency_ms"],
                p["attempts"],
                error=p["error"],
                failure=failures.get(p["id"]),
            )
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
        unanswered_rules=tuple(reach["fired_without_answer"]),
    )
