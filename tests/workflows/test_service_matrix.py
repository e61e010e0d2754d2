"""The scheduled triage of a two-service playbook, under act in GitHub in a box: its watch is a matrix
job per service, each with its own GitHub environment (the same secret and variable names, another
backend), one service's database down and the other's healthy; a summary after the matrix lists both.

The workspace is the act workspace with the two-service playbook committed in place of the seed's, as
a team's repository would hold it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ops_actions.incident.service_states import PAGE_MARK_STEP, watch_job_name
from ops_actions.sandbox.backend import SandboxBackend
from tests.support.emulator import labels_of
from tests.support.fixtures.backend import ADMIN_TOKEN
from tests.support.fixtures.github import checked_emulator
from tests.support.github_in_a_box import GitHubInABox
from tests.support.services import API, WORKER, two_services

START = datetime(2026, 11, 27, 9, 55, tzinfo=UTC)
TRIAGE = "incident-triage.yml"


@pytest.fixture(scope="module")
def two_service_workspace(act_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The act workspace, its .venv link kept, with the two-service playbook as its playbook.yaml."""
    workspace = tmp_path_factory.mktemp("two-services") / "workspace"
    shutil.copytree(act_workspace, workspace, symlinks=True)
    shutil.copyfile(two_services(workspace.parent), workspace / "playbook.yaml")
    git = shutil.which("git")
    assert git
    identity = ["-c", "user.name=act-tests", "-c", "user.email=act-tests@example.invalid"]
    subprocess.run([git, *identity, "commit", "-qam", "two services"], cwd=workspace, check=True)
    return workspace


@pytest.fixture
def box(two_service_workspace: Path, tmp_path: Path, outside_a_run: None) -> Iterator[GitHubInABox]:
    """Two backends, one per service's environment: the API's healthy, the worker's database down."""
    with (
        checked_emulator(clock=lambda: START) as emulator,
        SandboxBackend(admin_token=ADMIN_TOKEN, clock=emulator.now) as api,
        SandboxBackend(admin_token=ADMIN_TOKEN, scenario="db-down", clock=emulator.now) as worker,
    ):
        yield GitHubInABox(
            emulator,
            two_service_workspace,
            tmp_path,
            secrets={},
            variables={},
            environments={
                f"ops-{service}": {
                    "secrets": {"OPS_BACKEND_ADMIN_TOKEN": ADMIN_TOKEN},
                    "variables": {"OPS_BACKEND_URL": backend.url},
                }
                for service, backend in ((API, api), (WORKER, worker))
            },
        )


def test_the_matrix_opens_one_incident_for_the_failing_service_and_summarises_both(box: GitHubInABox) -> None:
    """One tick: a watch job per service, each probing its own environment's backend; exactly one
    incident, labelled service:worker and titled with the worker's name; the API's job succeeds with no
    incident; the summary's table names both services with their job results; the worker's change
    publishes the status page once, in the same run."""
    jobs = box.tick(TRIAGE)
    triage = [(job.job, job.name, job.conclusion) for job in jobs if job.workflow == TRIAGE]
    assert triage[:4] == [
        ("services", "List the services", "success"),
        ("watch", watch_job_name(API), "success"),
        ("watch", watch_job_name(WORKER), "success"),
        ("summary", "Services", "success"),
    ], [job.act.tail() for job in jobs if job.conclusion != "success"]
    (incident,) = box.emulator.issues(state="all")
    assert {"incident", "service:worker", "sev-1"} <= labels_of(incident)
    assert "service:api" not in labels_of(incident)
    assert incident["title"].startswith("[SEV-1] Job worker")

    watches = {job.name: job for job in jobs if job.job == "watch"}
    assert not [r for r in watches[watch_job_name(API)].requests if r.is_write], (
        "the healthy API writes nothing"
    )
    assert f"✅  Success - Main {PAGE_MARK_STEP}" in watches[watch_job_name(WORKER)].act.output
    summary = next(job for job in jobs if job.job == "summary")
    assert "| Billing API (api) | - | none open | success |" in summary.act.output
    assert f"| Job worker (worker) | SEV-1 | #{incident['number']} | success |" in summary.act.output
    assert summary.outputs == {"status-page": "true"}
    published = [(job.workflow, job.job, job.conclusion) for job in jobs if job.job == "status-page"]
    assert published == [(TRIAGE, "status-page", "success")], "the page is published once for the run"
    # The page the run published shows both services: the worker down, the API operational.
    with tarfile.open(box.scratch / "artifacts" / "github-pages" / "artifact.tar") as tar:
        status = json.loads(tar.extractfile("./status.json").read())  # type: ignore[union-attr]
        index = tar.extractfile("./index.html").read().decode("utf-8")  # type: ignore[union-attr]
    levels = {service["id"]: service["status"] for service in status["services"]}
    assert levels == {API: "operational", WORKER: status["status"]} and status["status"] != "operational"
    assert "Billing API" in index and "Job worker" in index
