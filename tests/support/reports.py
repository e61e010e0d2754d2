"""Reading a triage report (the JSON `ops-actions triage --json` prints): rules, signals, probes."""

from __future__ import annotations

from typing import Any, NamedTuple


class Verdict(NamedTuple):
    """What one triage decided: its severity, the decision-tree branches it took, the rules that fired."""

    severity: str | None
    branches: list[str]
    rules: list[str]


def verdict(report: dict[str, Any]) -> Verdict:
    """A report's verdict."""
    return Verdict(report["severity"], [branch["id"] for branch in report["branches"]], fired(report))


def fired(report: dict[str, Any]) -> list[str]:
    """The ids of the rules that fired, in playbook order."""
    return [rule["id"] for rule in report["rules"] if rule["outcome"] == "fired"]


def readings(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A report's signal entries by name."""
    return {s["name"]: s for s in report["signals"]}


def signal(report: dict[str, Any], name: str) -> dict[str, Any]:
    """One signal entry of a report."""
    return next(s for s in report["signals"] if s["name"] == name)


def probe(report: dict[str, Any], probe_id: str) -> dict[str, Any]:
    """One probe entry of a report."""
    return next(p for p in report["probes"] if p["id"] == probe_id)


def outcome(report: dict[str, Any], rule_id: str) -> str:
    """One rule's outcome."""
    return str(next(rule["outcome"] for rule in report["rules"] if rule["id"] == rule_id))
