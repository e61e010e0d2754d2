"""Races on one incident, as separate processes against the emulator: no duplicate, no lost update.

Saves of the issue body's state block are not atomic on GitHub (no compare-and-swap on issues),
so two writers can overwrite each other's block. Every update also travels in its timeline
comment's marker (append-only), and reading an incident replays the ones the block lacks.
Slow PATCHes are injected so both writers read before either saves.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ops_actions.adapters.config import GitHubConfig
from ops_actions.adapters.github_tracker import GitHubTracker
from ops_actions.cli import run
from ops_actions.flows.incidents import IncidentService
from ops_actions.incident.state import IncidentState
from ops_actions.incident.state_block import read_state
from ops_actions.playbook import load_playbook
from ops_actions.sandbox.backend import SandboxBackend
from ops_actions.sandbox.github import GitHubEmulator
from tests.support.cli import together
from tests.support.emulator import incidents_on
from tests.support.events import comment_event
from tests.support.fixtures.backend import ADMIN_TOKEN
from tests.support.fixtures.github import GITHUB_TOKEN, REPO


@pytest.fixture
def world(github_emulator: GitHubEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The emulator and a sandbox backend; the environment of workflow runs for in-process calls."""
    with SandboxBackend(admin_token=ADMIN_TOKEN) as backend:
        env = {
            "GITHUB_API_URL": github_emulator.url,
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_TOKEN": GITHUB_TOKEN,
            "OPS_BACKEND_URL": backend.url,
            "OPS_BACKEND_ADMIN_TOKEN": ADMIN_TOKEN,
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
        github_emulator.set_permission("alice", "write")
        github_emulator.set_permission("bob", "write")
        yield github_emulator, backend, tmp_path


def current_state(emulator: GitHubEmulator, number: int) -> IncidentState:
    """The incident's state as the tool reads it (block plus replayed events)."""
    tracker = GitHubTracker.from_config(
        GitHubConfig(api_url=emulator.url, repository=REPO, token=GITHUB_TOKEN, write_interval_s=0)
    )
    try:
        incidents = IncidentService(tracker, load_playbook(None), clock=lambda: datetime.now(UTC))
        return incidents.state_of(tracker.issue(number))
    finally:
        tracker.close()


def test_two_watches_race(world: Any) -> None:
    """Two scheduled runs see one outage at once: one open incident, any other closed as its duplicate."""
    emulator, backend, tmp_path = world
    backend.set_scenario("db-down")
    emulator.inject("slow", times=2, method="POST", path_contains="/issues", delay_s=0.6)
    results = together(
        [
            (
                [
                    "watch",
                    "--history-file",
                    str(tmp_path / f"s{i}.json"),
                    "--report-dir",
                    str(tmp_path / "r"),
                ],
                {"GITHUB_RUN_ID": str(600 + i)},
            )
            for i in range(2)
        ]
    )
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    assert len(incidents_on(emulator)) == 1
    closed = emulator.issues(state="closed")
    assert len(closed) <= 1
    if closed:
        assert closed[0]["state_reason"] == "not_planned"
        assert "incident" not in {lb["name"] for lb in closed[0]["labels"]}


def test_watch_and_command_race(world: Any) -> None:
    """A watch snapshot and a /impact command save at the same time; neither update is lost."""
    emulator, backend, tmp_path = world
    assert run(["incident", "open", "--title", "Checkout failing", "--severity", "2"]) == 0
    number = incidents_on(emulator)[0]["number"]
    backend.set_scenario("webhook-failing")
    event = comment_event(emulator, tmp_path, number, "/impact Half of the EU checkouts", "alice")
    emulator.inject("slow", times=2, method="PATCH", path_contains=f"/issues/{number}", delay_s=0.6)
    results = together(
        [
            (
                ["watch", "--history-file", str(tmp_path / "s.json"), "--report-dir", str(tmp_path / "r")],
                {"GITHUB_RUN_ID": "700"},
            ),
            (["command"], {"GITHUB_RUN_ID": "701", "GITHUB_EVENT_PATH": str(event)}),
        ]
    )
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    state = current_state(emulator, number)
    assert state.impact == "Half of the EU checkouts"
    assert any("webhooks-failing" in s["fired"] for s in state.snapshots)
    emulator.set_permission("carol", "write")
    assert run(["incident", "assign", str(number), "carol"]) == 0
    saved = read_state(emulator.issue(number)["body"])
    assert saved is not None
    assert (saved.impact, saved.owner) == ("Half of the EU checkouts", "carol")
    assert any("webhooks-failing" in s["fired"] for s in saved.snapshots), "the next save persists both"


def test_two_commands_race(world: Any) -> None:
    """/impact and /owner from two people at once: both land in the incident's state."""
    emulator, _, tmp_path = world
    assert run(["incident", "open", "--title", "Queue stuck", "--severity", "2"]) == 0
    number = incidents_on(emulator)[0]["number"]
    first = comment_event(emulator, tmp_path, number, "/impact All job creation", "alice")
    second = comment_event(
        emulator, tmp_path, number, "/owner @bob\n/status mitigating next 20m on it", "bob"
    )
    emulator.inject("slow", times=3, method="PATCH", path_contains=f"/issues/{number}", delay_s=0.6)
    results = together(
        [
            (["command"], {"GITHUB_RUN_ID": "801", "GITHUB_EVENT_PATH": str(first)}),
            (["command"], {"GITHUB_RUN_ID": "802", "GITHUB_EVENT_PATH": str(second)}),
        ]
    )
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    state = current_state(emulator, number)
    assert (state.impact, state.owner, state.status) == ("All job creation", "bob", "mitigating")
    timeline = [c["body"] for c in emulator.comments(number) if "ops-actions:event" in c["body"]]
    assert len(timeline) == 3, "one entry per command, none lost, none doubled"
