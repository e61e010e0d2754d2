"""The scheduled watch over real HTTP: sandbox backend -> triage -> reconcile -> emulator."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ops_actions.cli import run
from ops_actions.incident import read_state
from ops_actions.sandbox.backend import SandboxBackend
from ops_actions.sandbox.github import GitHubEmulator
from tests.fixtures.backend import ADMIN_TOKEN
from tests.fixtures.github import GITHUB_TOKEN, REPO

START = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


class Watch:
    """Runs `ops-actions watch` as the scheduled workflow would, at simulated times.

    The sandbox backend reads the same simulated clock, so heartbeats stay consistent.
    """

    def __init__(
        self,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        backend: SandboxBackend,
        emulator: GitHubEmulator,
    ) -> None:
        self.tmp_path = tmp_path
        self.monkeypatch = monkeypatch
        self.backend = backend
        self.emulator = emulator
        self.tick = 0
        self.now = START
        for name, value in {
            "GITHUB_API_URL": emulator.url,
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_TOKEN": GITHUB_TOKEN,
            "OPS_BACKEND_URL": backend.url,
            "OPS_BACKEND_ADMIN_TOKEN": ADMIN_TOKEN,
            "OPS_ACTIONS_NOW": START.isoformat(),
        }.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("GITHUB_ACTIONS", raising=False)

    def __call__(self, minutes: float) -> int:
        """One scheduled tick at START + minutes (each tick is its own workflow run)."""
        self.tick += 1
        self.now = START + timedelta(minutes=minutes)
        self.monkeypatch.setenv("GITHUB_RUN_ID", str(5000 + self.tick))
        self.monkeypatch.setenv("OPS_ACTIONS_NOW", self.now.isoformat())
        return run(
            [
                "watch",
                "--state-file",
                str(self.tmp_path / "state.json"),
                "--report-dir",
                str(self.tmp_path / "reports"),
            ]
        )

    def incidents(self, state: str = "open") -> list[dict[str, Any]]:
        return [
            i
            for i in self.emulator.issues(state=state)
            if "incident" in {label["name"] for label in i["labels"]}
        ]

    def bot_comments(self, number: int) -> list[str]:
        return [c["body"] for c in self.emulator.comments(number)]


@pytest.fixture
def watch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, github_emulator: GitHubEmulator
) -> Iterator[Watch]:
    """A watch runner with its own sandbox backend on the simulated clock."""
    holder: list[Watch] = []
    with SandboxBackend(admin_token=ADMIN_TOKEN, clock=lambda: holder[0].now if holder else START) as backend:
        holder.append(Watch(tmp_path, monkeypatch, backend, github_emulator))
        yield holder[0]


def test_healthy_backend_and_no_incident_costs_one_request(watch: Watch) -> None:
    """Nothing fired, nothing open: one GitHub request per tick, plus the hourly postmortem check."""
    watch.emulator.reset_log()
    assert watch(0) == 0
    assert [r.query["labels"] for r in watch.emulator.requests] == ["incident", "postmortem"]
    watch.emulator.reset_log()
    assert watch(10) == 0
    assert [r.query["labels"] for r in watch.emulator.requests] == ["incident"]
    assert not any(r.is_write for r in watch.emulator.requests)
    assert watch.incidents() == []


def test_outage_opens_one_incident_and_recovery_is_noted_once(watch: Watch) -> None:
    """db-down opens [SEV-1] Database down; ticks with no news add nothing; 15 normal minutes noted once."""
    watch.backend.set_scenario("db-down")
    assert watch(0) == 0
    (incident,) = watch.incidents()
    assert incident["title"] == "[SEV-1] Database down"
    assert "### Branch D: Database down" in incident["body"]
    assert "deploy-freeze" in {label["name"] for label in incident["labels"]}
    assert watch(10) == 0
    assert len(watch.incidents()) == 1
    assert watch.bot_comments(incident["number"]) == [], "no news, no comment"
    watch.backend.set_scenario("healthy")
    assert watch(20) == 0
    snapshot = [c for c in watch.bot_comments(incident["number"]) if c.startswith("**Triage snapshot**")]
    assert len(snapshot) == 1
    assert "cleared: backend-not-ready, database-down" in snapshot[0]
    assert watch(30) == 0
    assert watch(36) == 0
    notes = [c for c in watch.bot_comments(incident["number"]) if "Metrics normal for" in c]
    assert len(notes) == 1
    assert "Metrics normal for 16 min" in notes[0]
    assert watch(46) == 0
    assert len([c for c in watch.bot_comments(incident["number"]) if "Metrics normal for" in c]) == 1
    issue = watch.emulator.issue(incident["number"])
    state = read_state(issue["body"])
    assert state is not None
    assert state.clear_since == "2026-11-27T10:20:00Z"
    assert state.freeze is None
    assert "deploy-freeze" not in {label["name"] for label in issue["labels"]}
    assert "- [x] Metrics have been normal for at least 15 minutes." in issue["body"]
    assert "- [ ] Backend Live Smoke passed. _(verified automatically)_" in issue["body"]
    escalations = [c for c in watch.bot_comments(incident["number"]) if "No owner after 15 min" in c]
    assert len(escalations) == 1
    assert "@octo-org/backend-oncall" in escalations[0]


def test_overdue_status_update_reminds_once(watch: Watch) -> None:
    """Past the SEV-1 30-minute update promise the watch reminds once, naming the owner."""
    watch.backend.set_scenario("db-down")
    assert watch(0) == 0
    number = watch.incidents()[0]["number"]
    assert run(["incident", "assign", str(number), "octocat"]) == 0
    assert watch(31) == 0
    assert watch(41) == 0
    reminders = [c for c in watch.bot_comments(number) if "Status update overdue" in c]
    assert len(reminders) == 1
    assert "@octocat" in reminders[0]


def test_flapping_queue_needs_consecutive_breaches(watch: Watch) -> None:
    """The queue-growing rule (2 in a row over 3 points) opens nothing before it has history."""
    watch.backend.set_scenario("worker-stalled")
    assert watch(0) == 0
    (incident,) = watch.incidents()
    assert incident["title"] == "[SEV-2] Queue growing or worker down"
    state = read_state(incident["body"])
    assert state is not None
    assert state.snapshots[0]["fired"] == ["worker-heartbeat-stale"]


def test_watch_follows_a_human_opened_incident_instead_of_duplicating(watch: Watch) -> None:
    """With an incident already open, a failing triage appends to it and opens nothing."""
    assert run(["incident", "open", "--title", "Checkout failing", "--severity", "2"]) == 0
    watch.backend.set_scenario("webhook-failing")
    assert watch(0) == 0
    (incident,) = watch.incidents()
    assert incident["title"] == "[SEV-2] Checkout failing"
    (snapshot,) = watch.bot_comments(incident["number"])
    assert "now firing: webhooks-failing" in snapshot or "first triage snapshot" in snapshot
