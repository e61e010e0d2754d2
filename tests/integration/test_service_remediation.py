"""Remediation, owners and postmortems per service, over the emulator and the sandbox backend: a
playbook of two services (tests/data/two-services.yaml: api "Billing API", worker "Job worker")."""

from __future__ import annotations

import pytest

from ops_actions.sandbox.github import GitHubEmulator
from tests.support.fixtures.backend import ADMIN_TOKEN
from tests.support.fixtures.world import World
from tests.support.paths import TESTS_DATA

TWO_SERVICES = TESTS_DATA / "two-services.yaml"


@pytest.fixture
def services(world: World, github_emulator: GitHubEmulator) -> World:
    """The world on the two-service playbook, both services' backends the one sandbox backend, and
    the deploy workflow declared on the emulator."""
    world.monkeypatch.setenv("OPS_PLAYBOOK", str(TWO_SERVICES))
    world.monkeypatch.setenv("WORKER_BACKEND_URL", world.backend.url)
    world.monkeypatch.setenv("WORKER_BACKEND_ADMIN_TOKEN", ADMIN_TOKEN)
    github_emulator.add_workflow("backend-deploy.yml", "Backend Deploy", inputs=("ref", "incident"))
    return world


def watch(world: World, minutes: float, service: str) -> int:
    """One scheduled tick of a service's watch (its own history file, as the matrix job keeps)."""
    return world.cli(
        minutes,
        "watch",
        "--service",
        service,
        "--history-file",
        str(world.tmp_path / "s.json"),
        "--report-dir",
        str(world.tmp_path / "r"),
    )


def test_a_freeze_in_one_service_holds_only_that_service_s_deploys(
    services: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """api's database is down: api's incident freezes api's deploys; worker deploys and guards freely."""
    services.backend.set_scenario("db-down")
    assert watch(services, 0, "api") == 0
    (incident,) = services.issues()
    assert "service:api" in {label["name"] for label in incident["labels"]}
    assert "deploy-freeze" in {label["name"] for label in incident["labels"]}
    capsys.readouterr()
    assert services.cli(1, "remediate", "deploy", "--service", "api") == 6
    assert f"deploys are frozen by incident #{incident['number']}" in capsys.readouterr().err
    assert services.cli(2, "guard", "--service", "api") == 6
    assert services.emulator.workflow_dispatches() == []
    assert services.cli(3, "guard", "--service", "worker") == 0
    assert "no deploy freeze" in capsys.readouterr().out
    assert services.cli(4, "remediate", "deploy", "--service", "worker") == 0
    (dispatch,) = services.emulator.workflow_dispatches()
    assert dispatch["workflow"] == "backend-deploy.yml"
