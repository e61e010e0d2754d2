"""Each service's row of the scheduled triage's summary table, and the run's one page decision."""

from __future__ import annotations

from pathlib import Path

from ops_actions.incident.service_states import (
    PAGE_MARK_STEP,
    OpenIncident,
    RunJob,
    page_changed,
    service_states,
    states_table,
    watch_job_name,
)
from ops_actions.playbook.loader import load_playbook
from tests.support.services import two_services


def _job(name: str, conclusion: str | None, *, marked: bool = False) -> RunJob:
    return RunJob(
        name,
        conclusion,
        {"Triage and reconcile with GitHub": conclusion, PAGE_MARK_STEP: "success" if marked else "skipped"},
    )


def test_each_service_has_a_row_with_its_incidents_severity_and_job(tmp_path: Path) -> None:
    """Incidents go to the service their label names, at their most severe level; a service whose job
    GitHub does not list says so; an incident without a service label gets a row of its own."""
    playbook = load_playbook(two_services(tmp_path))
    incidents = [
        OpenIncident(7, ["incident", "sev-2", "service:worker"]),
        OpenIncident(9, ["incident", "sev-1", "service:worker", "status:mitigating"]),
        OpenIncident(3, ["incident", "sev-3"]),
    ]
    jobs = [_job("List the services", "success"), _job(watch_job_name("worker"), "failure")]
    states = service_states(playbook, incidents, jobs)
    assert [(s.service_id, s.severity, s.incidents, s.job) for s in states] == [
        ("api", None, (), "not run"),
        ("worker", "SEV-1", (7, 9), "failure"),
        ("?", "SEV-3", (3,), "-"),
    ]
    table = states_table(states).splitlines()
    assert table[0] == "| service | severity | incident | job result |"
    assert table[2] == "| Billing API (api) | - | none open | not run |"
    assert table[3] == "| Job worker (worker) | SEV-1 | #7, #9 | failure |"


def test_a_playbook_of_one_service_is_one_row_for_the_job_without_an_id(tmp_path: Path) -> None:
    """The one-service entry's job is named without an id; every incident is that service's."""
    playbook = load_playbook(None)
    (state,) = service_states(
        playbook, [OpenIncident(4, ["incident", "sev-2"])], [_job(watch_job_name(""), "success")]
    )
    assert watch_job_name("") == "Triage and watch"
    assert (state.service_id, state.name, state.severity, state.incidents, state.job) == (
        "",
        playbook.name,
        "SEV-2",
        (4,),
        "success",
    )


def test_the_page_is_published_when_any_watch_job_ran_its_mark_step() -> None:
    """A job whose watch changed an incident ran the mark step; GitHub lists it skipped otherwise."""
    quiet = [_job(watch_job_name("api"), "success"), _job(watch_job_name("worker"), "failure")]
    assert not page_changed(quiet)
    assert page_changed([*quiet, _job(watch_job_name("other"), "success", marked=True)])
    assert not page_changed([])
