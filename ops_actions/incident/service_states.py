"""Each service's state at the end of a scheduled triage run: its open incidents, their most severe
level and its watch job's result, for the one table the matrix's job summary shows; and whether any
service's job changed an incident, so the status page is published once for the whole run.

The matrix jobs cannot hand this over as job outputs (a matrix job's outputs are one value, the last
job's to finish), so it is read back from GitHub after the matrix: the open incidents in one listing,
and the run's jobs in another. Each watch job is found by its name (``watch_job_name``), and a job
that changed an incident ran its ``PAGE_MARK_STEP`` (GitHub lists a step whose ``if:`` was false as
``skipped``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ops_actions.playbook.model import SERVICE_LABEL_PREFIX, Playbook
from ops_actions.text.markdown import inert

WATCH_JOB_NAME = "Triage and watch"
"""The matrix job's name before the service's id (incident-triage.yml: ``Triage and watch <id>``)."""
PAGE_MARK_STEP = "Mark the status page for publishing"
"""The watch job's step that runs only when its watch changed an incident the page shows."""
NO_JOB = "not run"


@dataclass(frozen=True)
class RunJob:
    """One job of a workflow run as GitHub lists it: its name, result and its steps' results."""

    name: str
    conclusion: str | None
    """success, failure, cancelled, skipped; None while it runs."""
    steps: Mapping[str, str | None]
    """Each step's conclusion by the step's name."""


@dataclass(frozen=True)
class OpenIncident:
    """An open incident issue as the table needs it: its number and labels."""

    number: int
    labels: Sequence[str]


@dataclass(frozen=True)
class ServiceState:
    """One row of the table: a service, its open incidents and its watch job's result."""

    service_id: str
    name: str
    severity: str | None
    incidents: tuple[int, ...]
    job: str


def watch_job_name(service_id: str) -> str:
    """The name GitHub gives the watch job of ``service_id`` (``""``: a playbook of one service)."""
    return f"{WATCH_JOB_NAME} {service_id}".strip()


def service_states(
    playbook: Playbook, incidents: Iterable[OpenIncident], jobs: Sequence[RunJob]
) -> list[ServiceState]:
    """One state per service of the playbook (one for a playbook without services), in its order."""
    severity_by_label = {level.label: level.id for level in playbook.severities}
    ids = [service.id for service in playbook.services] or [""]
    names = {service.id: service.name for service in playbook.services} or {"": playbook.name}
    found: dict[str, list[tuple[int, str | None]]] = {service_id: [] for service_id in ids}
    for incident in incidents:
        service_id = _service_of(incident.labels) if playbook.services else ""
        severity = next((severity_by_label[x] for x in incident.labels if x in severity_by_label), None)
        found.setdefault(service_id, []).append((incident.number, severity))
    results = {job.name.strip(): job.conclusion or "in progress" for job in jobs}
    states = []
    for service_id, opened in found.items():
        states.append(
            ServiceState(
                service_id,
                names.get(service_id, "(no service label)"),
                playbook.severities.most_severe(severity for _, severity in opened),
                tuple(number for number, _ in opened),
                results.get(watch_job_name(service_id), NO_JOB) if service_id in names else "-",
            )
        )
    return states


def _service_of(labels: Sequence[str]) -> str:
    """The service id of an incident's ``service:<id>`` label; ``"?"`` for none (a legacy issue)."""
    for label in labels:
        if label.startswith(SERVICE_LABEL_PREFIX):
            return label.removeprefix(SERVICE_LABEL_PREFIX)
    return "?"


def page_changed(jobs: Iterable[RunJob]) -> bool:
    """Whether any watch job of the run changed an incident the status page shows."""
    return any(job.steps.get(PAGE_MARK_STEP) == "success" for job in jobs)


def states_table(states: Sequence[ServiceState]) -> str:
    """The job summary's table: service | severity | incident | job result, every cell made inert."""
    rows = ["| service | severity | incident | job result |", "|---|---|---|---|"]
    for state in states:
        shown = f"{state.name} ({state.service_id})" if state.service_id else state.name
        incidents = ", ".join(f"#{number}" for number in state.incidents) or "none open"
        cells = (inert(shown, cell=True), state.severity or "-", incidents, inert(state.job, cell=True))
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)
