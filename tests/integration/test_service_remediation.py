"""Remediation, owners and postmortems per service, over the emulator and the sandbox backend: a
playbook of two services (tests/support/services.py: api "Billing API", worker "Job worker")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from ops_actions.cli import run
from ops_actions.sandbox.github import GitHubEmulator
from tests.support.fixtures.backend import ADMIN_TOKEN
from tests.support.fixtures.github import GITHUB_TOKEN
from tests.support.fixtures.receiver import Receiver
from tests.support.fixtures.world import World
from tests.support.services import two_service_playbook


@pytest.fixture
def services(world: World, github_emulator: GitHubEmulator) -> World:
    """The world on the two-service playbook, both services' backends the one sandbox backend, and
    the deploy workflow declared on the emulator."""
    world.monkeypatch.setenv("OPS_PLAYBOOK", str(two_service_playbook(world.tmp_path)))
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
        str(world.tmp_path / f"s.{service}.json"),
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


def labels_of(issue: dict[str, Any]) -> set[str]:
    return {label["name"] for label in issue["labels"]}


def test_a_postmortem_is_its_service_s_and_only_that_service_s_watch_reminds_it(
    services: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """The api incident's postmortem and its action item carry service:api; a day after the item was
    due the matrix's two watches remind it once, in api's watch, and worker's reminds nothing."""
    services.backend.set_scenario("worker-stalled")
    assert watch(services, 0, "api") == 0
    (incident,) = services.issues()
    number = str(incident["number"])
    assert services.cli(1, "incident", "resolve", number, "--force", "--reason", "smoke runner offline") == 0
    assert services.cli(2, "postmortem", "create", number) == 0
    (postmortem,) = services.issues("postmortem")
    assert labels_of(postmortem) == {"postmortem", "service:api"}
    body = postmortem["body"].replace(
        "\n- [ ] action — @owner — due YYYY-MM-DD\n", "\n- [ ] Fix the lock — @alice — due 2026-11-28\n"
    )
    services.edit_body(postmortem["number"], body)
    assert services.cli(3, "postmortem", "sync", str(postmortem["number"])) == 0
    (item,) = services.issues("action-item")
    assert labels_of(item) == {"action-item", "service:api"}

    services.backend.set_scenario("healthy")
    day = 60 * 24
    capsys.readouterr()
    assert watch(services, 2 * day, "worker") == 0
    assert "reminded" not in capsys.readouterr().out, "worker's watch leaves api's postmortem alone"
    assert watch(services, 2 * day, "api") == 0
    assert f"postmortem #{postmortem['number']}: reminded (2 item(s))" in capsys.readouterr().out
    reminders = [
        c["body"]
        for c in services.emulator.comments(postmortem["number"])
        if c["body"].startswith("**Reminder**")
    ]
    assert len(reminders) == 1
    assert "@alice: 'Fix the lock' was due 2026-11-28" in reminders[0]


def test_each_service_s_incident_goes_to_its_team_and_links_the_other_opened_with_it(
    services: World, receiver: Receiver
) -> None:
    """The worker stalls and both services' rules fire: two incidents, each linking the other in its
    body's Related section; worker's internal notifications go to its team's channel
    (JOBS_SLACK_WEBHOOK_URL), api's to the playbook's; unowned, each escalates to its own team."""
    services.monkeypatch.setenv("OPS_SLACK_WEBHOOK_URL", f"{receiver.url}/slack")
    services.monkeypatch.setenv("JOBS_SLACK_WEBHOOK_URL", f"{receiver.url}/jobs")
    services.backend.set_scenario("worker-stalled")
    assert watch(services, 0, "api") == 0
    assert watch(services, 1, "worker") == 0
    api, worker = sorted(services.issues(), key=lambda issue: issue["number"])
    assert "service:api" in labels_of(api) and "service:worker" in labels_of(worker)
    assert [path for path, _ in receiver.received] == ["/slack", "/jobs"]
    assert receiver.received[1][1]["text"].startswith("[SEV-2]")
    assert "Job worker" in receiver.received[1][1]["text"]

    assert f"**Related incidents:** #{api['number']}" in services.emulator.issue(worker["number"])["body"]
    assert watch(services, 10, "api") == 0
    assert f"**Related incidents:** #{worker['number']}" in services.emulator.issue(api["number"])["body"]
    assert any(
        f"**Related incident** #{worker['number']} of Job worker opened at the same time" in c
        for c in services.timeline(api["number"])
    )
    assert watch(services, 11, "worker") == 0
    assert watch(services, 20, "api") == 0
    assert services.emulator.issue(api["number"])["body"].count(f"#{worker['number']}") == 1

    assert watch(services, 21, "worker") == 0
    escalations = {
        issue["number"]: [c for c in services.timeline(issue["number"]) if "No owner after 15 min" in c]
        for issue in (api, worker)
    }
    assert ["@octo-org/payments" in c for c in escalations[api["number"]]] == [True]
    assert ["@octo-org/jobs" in c for c in escalations[worker["number"]]] == [True]


WORKER_REPO = "octo-org/worker"
APP_TOKEN = "ghs_appinstallationtoken0123456789abcdefghij"
APP_LOGIN = "ops-remediation[bot]"


def worker_workflows_in(tmp_path: Path, repository: str) -> Path:
    """The two-service playbook with worker's three workflows in ``repository``."""
    text = two_service_playbook(tmp_path).read_text(encoding="utf-8")
    worker = '    owners: {team: "@octo-org/jobs", channel_env: JOBS_SLACK_WEBHOOK_URL}\n'
    assert worker in text
    own = "".join(
        f"      {role}: {{file: worker-{role}.yml, name: Worker {role.title()}, repository: {repository}}}\n"
        for role in ("deploy", "rollback", "smoke")
    )
    path = tmp_path / "worker-elsewhere.yaml"
    path.write_text(text.replace(worker, worker + "    workflows:\n" + own), encoding="utf-8")
    return path


@pytest.fixture
def elsewhere(services: World) -> GitHubEmulator:
    """worker's workflows live in octo-org/worker, which only the GitHub App's token reaches."""
    services.monkeypatch.setenv("OPS_PLAYBOOK", str(worker_workflows_in(services.tmp_path, WORKER_REPO)))
    other = services.emulator.add_repository(WORKER_REPO, token=APP_TOKEN, login=APP_LOGIN)
    for role in ("deploy", "rollback", "smoke"):
        other.add_workflow(
            f"worker-{role}.yml",
            f"Worker {role.title()}",
            inputs=("ref", "incident", "operation"),
            run_name=f"Worker {role} ${{{{ inputs.operation }}}}",
            queued_s=0.1,
            in_progress_s=0.2,
        )
    return other


def test_a_workflow_in_another_repository_is_dispatched_and_followed_there_with_the_app_token(
    services: World, elsewhere: GitHubEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """remediate smoke --service worker dispatches in octo-org/worker with the app token, follows
    the run there, and records it on the incident in the incidents' repository; the token is masked."""
    services.backend.set_scenario("worker-stalled")
    assert watch(services, 0, "worker") == 0
    (incident,) = services.issues()
    number = str(incident["number"])
    services.monkeypatch.setenv("OPS_REMEDIATION_TOKEN", APP_TOKEN)
    services.monkeypatch.setenv("OPS_REMEDIATION_LOGIN", APP_LOGIN)
    capsys.readouterr()
    args = ("remediate", "smoke", "--incident", number, "--wait", "--poll-seconds", "0.05", "--timeout", "1m")
    assert services.cli(1, *args) == 0
    output = capsys.readouterr()
    assert APP_TOKEN not in output.out + output.err
    assert services.emulator.workflow_dispatches() == []
    (dispatch,) = elsewhere.workflow_dispatches()
    assert dispatch["workflow"] == "worker-smoke.yml"
    assert dispatch["inputs"]["incident"] == number
    (smoke,) = elsewhere.runs()
    assert smoke["actor"]["login"] == APP_LOGIN
    assert any(
        "**Worker Smoke** dispatched" in c and f"{elsewhere.url}/{WORKER_REPO}/actions/runs/" in c
        for c in services.timeline()
    )
    assert any("**Worker Smoke** concluded: **success**" in c for c in services.timeline())
    # The same command again in the same run (a re-run) finds the run the app dispatched by the key
    # in its title, the app's login its actor: not sent again.
    services.at(2)
    assert run(["remediate", "smoke", "--service", "worker"]) == 0
    assert run(["remediate", "smoke", "--service", "worker"]) == 0
    assert len(elsewhere.workflow_dispatches()) == 2
    assert f"already dispatched: {elsewhere.url}/octo-org/worker/actions/runs/" in capsys.readouterr().out


def test_without_the_app_token_a_workflow_elsewhere_is_refused_before_any_write(
    services: World, elsewhere: GitHubEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """No OPS_REMEDIATION_TOKEN: one line, exit 2, nothing sent anywhere; the job token itself
    cannot see the other repository (GitHub's 404 for a private repository)."""
    capsys.readouterr()
    assert services.cli(0, "remediate", "deploy", "--service", "worker") == 2
    (line,) = capsys.readouterr().err.strip().splitlines()[1:]
    assert f"the workflow in {WORKER_REPO} needs OPS_REMEDIATION_TOKEN" in line
    assert elsewhere.requests == []
    assert not [r for r in services.emulator.requests if r.write]
    seen = httpx.get(
        f"{services.emulator.url}/repos/{WORKER_REPO}/actions/workflows/worker-deploy.yml",
        headers={"authorization": f"token {GITHUB_TOKEN}"},
    )
    assert (seen.status_code, seen.json()["message"]) == (404, "Not Found")


def test_a_workflow_repository_of_another_owner_is_refused(
    services: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """Remediation stays within the incidents' owner: another owner's repository, exit 2 before any write."""
    services.monkeypatch.setenv(
        "OPS_PLAYBOOK", str(worker_workflows_in(services.tmp_path, "evil-org/worker"))
    )
    services.monkeypatch.setenv("OPS_REMEDIATION_TOKEN", APP_TOKEN)
    services.monkeypatch.setenv("OPS_REMEDIATION_LOGIN", APP_LOGIN)
    capsys.readouterr()
    assert services.cli(0, "remediate", "deploy", "--service", "worker") == 2
    assert "evil-org/worker is not of the owner of octo-org/backend" in capsys.readouterr().err
    assert not [r for r in services.emulator.requests if r.write]


def test_a_watch_without_the_app_token_says_it_cannot_follow_a_run_elsewhere_and_goes_on(
    services: World, elsewhere: GitHubEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """/smoke dispatched in octo-org/worker; the next watch has no token for it: one line per run
    and the watch goes on (exit 0); given the token, it records the conclusion."""
    services.backend.set_scenario("worker-stalled")
    assert watch(services, 0, "worker") == 0
    number = str(services.incident()["number"])
    services.monkeypatch.setenv("OPS_REMEDIATION_TOKEN", APP_TOKEN)
    services.monkeypatch.setenv("OPS_REMEDIATION_LOGIN", APP_LOGIN)
    assert services.cli(1, "remediate", "smoke", "--incident", number) == 0
    services.monkeypatch.delenv("OPS_REMEDIATION_TOKEN")
    elsewhere.advance(5)
    capsys.readouterr()
    assert watch(services, 10, "worker") == 0
    assert (
        f"#{number}: Worker Smoke not followed: the workflow in {WORKER_REPO} needs"
        in capsys.readouterr().out
    )
    services.monkeypatch.setenv("OPS_REMEDIATION_TOKEN", APP_TOKEN)
    assert watch(services, 20, "worker") == 0
    assert any("**Worker Smoke** concluded: **success**" in c for c in services.timeline())
