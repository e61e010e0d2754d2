"""A rehearsal scenario: the file, its JSON Schema (``scenario.schema.json``), and the model it reads as.

A scenario is YAML checked against the schema shipped beside this module, then against the
playbook it rehearses (the workflow roles, checklist items, notification targets, severities and
signals it names must be the playbook's), before anything is started: a problem is one line,
``FILE:LINE:COL: message (at key.path)``, exit 2. The folders and files a command names are
expanded here too (a folder: its ``*.yaml`` and ``*.yml``, sorted).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final

from ops_actions.errors import ExitCode, OpsError
from ops_actions.playbook.model import Playbook
from ops_actions.playbook.positions import PositionedDocument
from ops_actions.playbook.problems import KeyPath, PlaybookError
from ops_actions.playbook.schema_check import schema_problems

# A signal the backend can be told to answer: one read from a JSON field by a plain dotted path.
_DOTTED_FIELD: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*$")


@cache
def scenario_schema() -> dict[str, Any]:
    """The scenario JSON Schema shipped in the package."""
    text = (
        resources.files("ops_actions.rehearsal").joinpath("scenario.schema.json").read_text(encoding="utf-8")
    )
    return json.loads(text)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Step:
    """One change at a minute: of the backend, of a workflow's runs, or what a person does."""

    at: int
    kind: str
    """``backend``, ``signals``, ``fault``, ``workflow``, ``comment`` or ``tick``."""
    value: Any
    by: str | None = None
    incident: int | None = None
    outcome: str | None = None


@dataclass(frozen=True)
class Expectation:
    """One thing the playbook must do, reported pass or fail under its name."""

    name: str
    kind: str
    value: Any
    incident: int = 1
    at: int | None = None


@dataclass(frozen=True)
class Scenario:
    """A whole rehearsal, as read from its file."""

    source: str
    name: str
    minutes: int
    watch_every: int | None
    service: str | None
    people: Mapping[str, str]
    timeline: tuple[Step, ...]
    expect: tuple[Expectation, ...]
    description: str = ""

    def played(self) -> list[Step]:
        """The steps by minute (those of one minute in the file's order)."""
        return sorted(self.timeline, key=lambda step: step.at)


_STEP_KINDS: Final = ("backend", "signals", "fault", "workflow", "comment", "tick")
_EXPECTATION_KINDS: Final = (
    "incidents",
    "severity",
    "branches",
    "dispatches",
    "resolution",
    "postmortem",
    "notifications",
    "open",
    "says",
)


def scenario_files(paths: Sequence[Path]) -> list[Path]:
    """The scenario files named, a folder's YAML files sorted in its place; exit 2 for a path that is
    not there or a folder without any."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
            if not found:
                raise OpsError(f"{path}: no scenario files (*.yaml) in this folder", ExitCode.USAGE)
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise OpsError(f"{path}: no such scenario file or folder", ExitCode.USAGE)
    return files


def read_scenario(path: Path, playbook: Playbook) -> Scenario:
    """The scenario in ``path``, checked against the schema and ``playbook``; OpsError (exit 2) with
    the first problem, placed at its line."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise OpsError(
            f"{source}: cannot read the scenario ({type(error).__name__})", ExitCode.USAGE
        ) from None
    try:
        document = PositionedDocument.compose(text, source)
    except PlaybookError as error:
        raise OpsError(error.lines()[0], ExitCode.USAGE) from None
    problem = next(schema_problems(document, scenario_schema()), None)
    if problem is not None:
        raise OpsError(problem.format(source), ExitCode.USAGE)

    def refuse(where: KeyPath, message: str) -> OpsError:
        return OpsError(document.problem(where, message).format(source), ExitCode.USAGE)

    service = document.value.get("service")
    ids = [item.id for item in playbook.services]
    if service is not None and service not in ids:
        raise refuse(("service",), f"the playbook has no service {service!r}")
    if service is None and ids:
        raise refuse(
            (), f"the playbook has several services ({', '.join(ids)}): give the scenario service: ID"
        )
    view = playbook.for_service(service)
    scenario = _model(source, document.value, view)
    _check_against(scenario, view, refuse)
    return scenario


def _model(source: str, data: Mapping[str, Any], playbook: Playbook) -> Scenario:
    """The scenario of a document that passed the schema; a severity is read as the playbook's id."""
    steps = []
    for entry in data["timeline"]:
        kind = next(name for name in _STEP_KINDS if name in entry)
        steps.append(
            Step(entry["at"], kind, entry[kind], entry.get("by"), entry.get("incident"), entry.get("outcome"))
        )
    expectations = []
    for entry in data["expect"]:
        kind = next(name for name in _EXPECTATION_KINDS if name in entry)
        value = entry[kind]
        if kind == "severity":
            value = playbook.severities.find(str(value)) or str(value)
        expectation = Expectation("", kind, value, entry.get("incident", 1), entry.get("at"))
        expectations.append(replace(expectation, name=entry.get("name") or default_name(expectation)))
    return Scenario(
        source=source,
        name=data["name"],
        description=data.get("description", ""),
        minutes=data["minutes"],
        watch_every=data.get("watch_every"),
        service=data.get("service"),
        people=dict(data.get("people", {})),
        timeline=tuple(steps),
        expect=tuple(expectations),
    )


def default_name(expectation: Expectation) -> str:
    """What the report calls an expectation that has no name of its own."""
    value, which = expectation.value, f"incident {expectation.incident}"
    at = f" at minute {expectation.at}" if expectation.at is not None else ""
    match expectation.kind:
        case "incidents":
            by = f" by minute {expectation.at}" if expectation.at is not None else ""
            return f"{value} incident{'s' if value != 1 else ''} opened{by}"
        case "severity":
            return f"{which} is {value}{at}"
        case "branches":
            return f"{which} followed branches {', '.join(value) or 'none'}"
        case "dispatches":
            return f"{value['count']} {value['workflow']} dispatch(es)"
        case "resolution":
            return f"/resolve on {which}: {' then '.join(value)}"
        case "postmortem":
            return f"postmortem of {which} {'filed' if value == 'filed' else 'not filed'}"
        case "notifications":
            return f"{value['count']} notification(s) to {value['target']}"
        case "open":
            return f"{which} {'open' if value else 'closed'}{at or ' at the end'}"
        case _:
            return f"the tool says {value!r}"


def signal_field(playbook: Playbook, name: str) -> tuple[str, str, str] | None:
    """Where the backend answers signal ``name``: (probe path without its query, dotted field, type);
    None for a signal that is not read from a JSON field by a plain dotted path."""
    for probe in playbook.probes:
        for signal in probe.signals:
            if signal.name == name and signal.field is not None and _DOTTED_FIELD.match(str(signal.field)):
                return probe.path.partition("?")[0], str(signal.field), signal.type
    return None


def _check_against(scenario: Scenario, view: Playbook, refuse: Callable[[KeyPath, str], OpsError]) -> None:
    """What the scenario names must be ``view``'s, the playbook of its service (checked before anything
    starts)."""
    manual = {item.id for item in view.resolution_checklist if item.verify == "manual"}
    for index, step in enumerate(scenario.timeline):
        if step.at > scenario.minutes:
            raise refuse(
                ("timeline", index, "at"), f"minute {step.at} is after the end (minutes: {scenario.minutes})"
            )
        if step.kind == "workflow" and step.value not in view.workflows:
            raise refuse(("timeline", index, "workflow"), f"the playbook has no workflow {step.value!r}")
        if step.kind == "tick" and step.value not in manual:
            raise refuse(
                ("timeline", index, "tick"),
                f"{step.value!r} is not a manual item of the resolution checklist "
                f"({', '.join(sorted(manual))})",
            )
        if step.kind == "signals":
            for name in step.value:
                if signal_field(view, name) is None:
                    raise refuse(
                        ("timeline", index, "signals", name),
                        f"{name!r} is not a signal the playbook reads from a JSON field",
                    )
    targets = {target.id for target in view.notify}
    for index, expectation in enumerate(scenario.expect):
        value = expectation.value
        if expectation.at is not None and expectation.at > scenario.minutes:
            raise refuse(
                ("expect", index, "at"),
                f"minute {expectation.at} is after the end (minutes: {scenario.minutes})",
            )
        if expectation.kind == "severity":
            try:
                view.severities.parse(str(value))
            except OpsError as error:
                raise refuse(("expect", index, "severity"), error.message) from None
        if expectation.kind == "dispatches" and value["workflow"] not in view.workflows:
            raise refuse(
                ("expect", index, "dispatches", "workflow"),
                f"the playbook has no workflow {value['workflow']!r}",
            )
        if expectation.kind == "notifications" and value["target"] not in targets:
            raise refuse(
                ("expect", index, "notifications", "target"),
                f"the playbook has no notification target {value['target']!r}",
            )
        if expectation.kind == "branches":
            known = {branch.id for branch in view.decision_tree}
            for unknown in sorted(set(value) - known):
                raise refuse(("expect", index, "branches"), f"the playbook has no branch {unknown!r}")
