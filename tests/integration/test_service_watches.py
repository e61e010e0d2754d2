"""Two services in one repository, each watched as the triage matrix job does (``watch --service ID``
with its own history file and report folder, both jobs of a tick in one workflow run), over the
GitHub emulator and two sandbox backends: incidents and their dedupe per service, one service's
backend unreachable while the other's incident is followed to its resolution, and a hand close
settled by its own service's watch only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ops_actions.cli import run
from ops_actions.sandbox.backend import SandboxBackend
from tests.support.cli import together
from tests.support.fixtures.backend import ADMIN_TOKEN
from tests.support.fixtures.world import World
from tests.support.net import free_port
from tests.support.services import WORKER_TOKEN_ENV, WORKER_URL_ENV, two_service_playbook


class Services:
    """The world with the two-service playbook: the API on the world's backend, the worker on a
    second sandbox backend; the CLI runs in ``tmp_path`` so the default history files land there."""

    def __init__(self, world: World, worker: SandboxBackend) -> None:
        self.world, self.worker = world, worker
        world.monkeypatch.setenv("OPS_PLAYBOOK", str(two_service_playbook(world.tmp_path)))
        world.monkeypatch.setenv(WORKER_URL_ENV, worker.url)
        world.monkeypatch.setenv(WORKER_TOKEN_ENV, ADMIN_TOKEN)
        world.monkeypatch.chdir(world.tmp_path)

    def tick(self, minutes: float, *services: str, rerun: bool = False) -> None:
        """One scheduled run at START + minutes: a matrix job per service, in one workflow run (one
        GITHUB_RUN_ID); ``rerun``: the same run again (GitHub's re-run keeps its id)."""
        if not rerun:
            self.world.at(minutes)
        for service in services or ("api", "worker"):
            assert run(["watch", "--service", service]) == 0, service

    def tick_at_once(self, minutes: float) -> None:
        """One scheduled run whose two matrix jobs run at the same time, as separate processes."""
        self.world.at(minutes)
        ran = together([(["watch", "--service", service], {}) for service in ("api", "worker")])
        assert [job.returncode for job in ran] == [0, 0], [job.stderr for job in ran]

    def incidents(self, state: str = "all") -> dict[str, dict[str, Any]]:
        """The incidents on the emulator by the service their label names (one each at most)."""
        found: dict[str, dict[str, Any]] = {}
        for issue in self.world.issues(state=state):
            names = [label["name"] for label in issue["labels"]]
            (service,) = [name.removeprefix("service:") for name in names if name.startswith("service:")]
            assert service not in found, f"two incidents of {service}"
            found[service] = issue
        return found

    def comment_count(self) -> int:
        return sum(len(self.world.emulator.comments(issue["number"])) for issue in self.world.issues())


@pytest.fixture
def services(world: World) -> Iterator[Services]:
    with SandboxBackend(admin_token=ADMIN_TOKEN, clock=lambda: world.clock[0]) as worker:
        yield Services(world, worker)


def test_the_same_rule_in_two_services_opens_two_incidents_each_kept_one(services: Services) -> None:
    """database-down in both backends, the two jobs at once with no label made yet: one incident
    each, labelled and titled with its service; the next tick follows each (no third); a re-run of
    that tick's jobs writes nothing."""
    services.world.backend.set_scenario("db-down")
    services.worker.set_scenario("db-down")
    services.tick_at_once(0)
    opened = services.incidents()
    assert sorted(opened) == ["api", "worker"]
    assert opened["api"]["title"] == "[SEV-1] Billing API: Database down"
    assert opened["worker"]["title"] == "[SEV-1] Job worker: Database down"
    for issue in opened.values():
        assert "### Branch D: Database down" in issue["body"]
    for service in ("api", "worker"):  # each service's history and reports its own
        assert Path(f".ops-actions-state.{service}.json").exists()
        assert len(list(Path("backend/reports", service).glob("*.json"))) == 1
    services.tick(10)
    followed = services.incidents()
    assert {s: i["number"] for s, i in followed.items()} == {s: i["number"] for s, i in opened.items()}
    for issue in followed.values():
        timeline = services.world.timeline(issue["number"])
        (second,) = [comment for comment in timeline if "now firing" in comment]
        assert "now firing: backend-not-ready" in second, "each service's own flap control passed"
    issues, comments = len(services.world.emulator.issues()), services.comment_count()
    services.world.emulator.reset_log()
    services.tick(10, rerun=True)
    assert (len(services.world.emulator.issues()), services.comment_count()) == (issues, comments)
    assert not any(r.is_write for r in services.world.emulator.requests), "a re-run writes nothing"


def test_one_service_unreachable_the_others_incident_is_followed_and_resolved(services: Services) -> None:
    """The worker's backend behind a closed port while the API's database is down: the API's watch
    opens and follows its incident (its snapshot when the database is back), notes its metrics
    normal for the checklist's 15 minutes, and the incident is resolved; the worker's watch, as for
    one service, opens its own incident on the second unreachable tick, the runner's view."""
    world = services.world
    world.monkeypatch.setenv(WORKER_URL_ENV, f"http://127.0.0.1:{free_port()}")
    world.emulator.add_workflow(
        "backend-live-smoke.yml", "Backend Live Smoke", inputs=("incident",), in_progress_s=0.1
    )
    world.emulator.set_permission("alice", "write")
    world.backend.set_scenario("db-down")
    services.tick(0)
    assert list(services.incidents()) == ["api"], "the first unreachable tick opens nothing (flap control)"
    api = services.incidents()["api"]["number"]
    services.tick(10)
    worker = services.incidents()["worker"]
    assert worker["title"].startswith("[SEV-1] Job worker: ")
    assert "Unreachable from the runner (no answer at all): ready (connection refused)" in worker["body"]
    world.backend.set_scenario("healthy")
    for minutes in (20, 30, 36):
        services.tick(minutes)
    snapshots = [c for c in world.timeline(api) if c.startswith("**Triage snapshot**")]
    assert "cleared: backend-not-ready, database-down" in snapshots[-1]
    assert len([c for c in world.timeline(api) if "Metrics normal for 16 min" in c]) == 1
    body = world.emulator.issue(api)["body"]
    assert "- [x] Metrics have been normal for at least 15 minutes." in body
    (escalation,) = [c for c in world.timeline(api) if "No owner after 15 min" in c]
    assert "@octo-org/payments" in escalation, "escalated to the API's own team"
    assert not [c for c in world.timeline(worker["number"]) if "@octo-org/payments" in c]
    assert (
        world.cli(37, "remediate", "smoke", "--incident", str(api), "--wait", "--poll-seconds", "0.05") == 0
    )
    checks = "/check manual-signup-login\n/check manual-checkout-webhook\n/check manual-job-succeeded"
    assert world.comment(38, api, checks, "alice") == 0
    assert world.comment(38, api, "/impact Card payments failed for 20 minutes", "alice") == 0
    assert world.comment(39, api, "/resolve", "alice") == 0
    resolved = world.emulator.issue(api)
    assert (resolved["state"], resolved["state_reason"]) == ("closed", "completed"), world.timeline(api)[-1]
    services.tick(46)
    assert world.emulator.issue(api)["state"] == "closed", "resolved through the gate: no reopen"
    assert services.incidents("open") == {"worker": services.incidents()["worker"]}
    (escalation,) = [c for c in world.timeline(worker["number"]) if "No owner after 15 min" in c]
    assert "@octo-org/jobs" in escalation, "the worker's to its own team"


def test_a_hand_closed_incident_is_reopened_by_its_own_services_watch_only(services: Services) -> None:
    """The worker's incident closed by a triage-role user without the resolution gate: the API's job
    of the next tick leaves it closed and lists none of the worker's; the worker's job reopens it,
    with one note; the tick after, both jobs leave it be."""
    world = services.world
    services.worker.set_scenario("db-down")
    services.tick(0)
    number = services.incidents()["worker"]["number"]
    world.emulator.set_permission("tina", "triage")
    world.close_as("tina", number)
    world.at(10)
    world.emulator.reset_log()
    services.tick(10, "api", rerun=True)
    assert world.emulator.issue(number)["state"] == "closed", "not the API's incident"
    closed = {
        r.query["labels"]
        for r in world.emulator.requests
        if r.path.endswith("/issues") and r.query.get("state") == "closed"
    }
    assert closed == {"incident,service:api"}, "the API's job settles the API's closes only"
    services.tick(10, "worker", rerun=True)
    issue = world.emulator.issue(number)
    assert issue["state"] == "open" and issue["state_reason"] == "reopened"
    services.tick(20)
    reopened = [body for body in world.timeline(number) if body.startswith("**Reopened**")]
    assert len(reopened) == 1 and "@tina closed this incident as completed" in reopened[0]
    assert list(services.incidents()) == ["worker"]
