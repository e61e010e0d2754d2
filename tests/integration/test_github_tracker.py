"""The GitHub tracker (ops_actions/adapters/github_tracker.py) on the emulator: retries, rate limits, writes
verified, no duplicate after a dropped connection."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from ops_actions.adapters.config import GitHubConfig
from ops_actions.adapters.github_tracker import GitHubTracker
from ops_actions.errors import OpsError
from ops_actions.flows.incidents import IncidentService
from ops_actions.playbook import load_playbook
from ops_actions.sandbox.github import GitHubEmulator
from tests.support.emulator import incidents_on
from tests.support.fixtures.github import GITHUB_TOKEN, REPO


@pytest.fixture
def tracker_factory(env: GitHubEmulator) -> Iterator[Any]:
    """Builds trackers on the emulator that record their back-off instead of sleeping."""
    made: list[GitHubTracker] = []

    def make() -> tuple[GitHubTracker, list[float]]:
        waits: list[float] = []
        config = GitHubConfig(
            api_url=env.url, repository=REPO, token=GITHUB_TOKEN, max_wait_s=600, write_interval_s=0
        )
        tracker = GitHubTracker.from_config(config, sleep=waits.append)
        made.append(tracker)
        return tracker, waits

    yield make
    for tracker in made:
        tracker.close()


def incidents(tracker: GitHubTracker) -> IncidentService:
    return IncidentService(tracker, load_playbook(None), clock=lambda: datetime.now(UTC))


def open_with(tracker: GitHubTracker, operation: str = "run-1:open") -> Any:
    return incidents(tracker).open(
        key="checkout",
        title="Checkout failing",
        severity="SEV-1",
        impact="all",
        summary="",
        operation=operation,
    )


@pytest.fixture
def env(github_env: GitHubEmulator) -> GitHubEmulator:
    """The emulator, with the CLI's environment pointing at it."""
    return github_env


def test_5xx_burst_is_retried_and_writes_are_verified(env: GitHubEmulator, tracker_factory: Any) -> None:
    """Two 502s on the create: the tracker looks for its marker before sending again; one issue results."""
    tracker, waits = tracker_factory()
    env.inject("5xx", times=2, method="POST", path_contains="/issues")
    outcome = open_with(tracker)
    assert outcome.action == "opened"
    assert len(incidents_on(env)) == 1
    assert len(waits) == 2


def test_secondary_rate_limit_waits_retry_after(env: GitHubEmulator, tracker_factory: Any) -> None:
    """A 403 secondary limit with retry-after: 7 waits 7 s, then succeeds."""
    tracker, waits = tracker_factory()
    env.inject("secondary-rate-limit", retry_after=7, method="GET")
    open_with(tracker)
    assert waits[0] == 7
    assert len(incidents_on(env)) == 1


def test_secondary_rate_limit_without_retry_after_backs_off_from_60s(
    env: GitHubEmulator, tracker_factory: Any
) -> None:
    """Without retry-after or a reset header the back-off starts at 60 s and doubles."""
    tracker, waits = tracker_factory()
    env.inject("secondary-rate-limit", times=2, method="GET")
    open_with(tracker)
    assert waits[:2] == [60.0, 120.0]


def test_429_is_waited_out(env: GitHubEmulator, tracker_factory: Any) -> None:
    """A 429 with retry-after is a rate limit too."""
    tracker, waits = tracker_factory()
    env.inject("429", retry_after=3)
    open_with(tracker)
    assert waits == [3.0]


def test_primary_limit_beyond_the_ceiling_fails_clearly(env: GitHubEmulator, tracker_factory: Any) -> None:
    """An exhausted primary limit resetting past the wait ceiling ends with a GitHub error, no issue made."""
    tracker, waits = tracker_factory()
    tracker._max_wait_s = 30
    env.inject("primary-rate-limit", times=5)
    with pytest.raises(OpsError) as caught:
        open_with(tracker)
    assert caught.value.exit_code == 4
    assert "rate limited" in caught.value.message
    assert waits == []
    assert incidents_on(env) == []


def test_dropped_connection_after_create_does_not_duplicate(
    env: GitHubEmulator, tracker_factory: Any
) -> None:
    """The create was applied but the answer lost: the marker is found, nothing is sent twice."""
    tracker, _ = tracker_factory()
    env.inject("drop-after-write", method="POST", path_contains="/issues")
    outcome = open_with(tracker)
    assert len(incidents_on(env)) == 1
    assert outcome.number == incidents_on(env)[0]["number"]
    creates = [r for r in env.requests if r.method == "POST" and r.path.endswith("/issues")]
    assert len(creates) == 1


def test_dropped_connection_after_comment_does_not_duplicate(
    env: GitHubEmulator, tracker_factory: Any
) -> None:
    """A timeline comment whose answer was lost is found by its marker, not posted again."""
    tracker, _ = tracker_factory()
    outcome = open_with(tracker)
    env.inject("drop-after-write", method="POST", path_contains="/comments")
    open_with(tracker, operation="run-2:open")
    assert len(env.comments(outcome.number)) == 1


def test_racing_opens_end_with_one_open_incident(env: GitHubEmulator, tracker_factory: Any) -> None:
    """Two runs open the same key at once: one issue stays open, the other is closed as its duplicate."""
    env.inject("slow", times=2, method="POST", path_contains="/issues", delay_s=0.5)
    trackers = [tracker_factory()[0] for _ in range(2)]
    results: list[Any] = []
    threads = [
        threading.Thread(target=lambda t=t, i=i: results.append(open_with(t, f"run-{i}:open")))
        for i, t in enumerate(trackers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    (survivor,) = incidents_on(env)
    assert {r.number for r in results} == {survivor["number"]}
    closed = env.issues(state="closed")
    assert len(closed) == 1
    assert closed[0]["state_reason"] == "not_planned"
    assert f"Duplicate of #{survivor['number']}" in env.comments(closed[0]["number"])[0]["body"]


def test_a_sub_issue_attached_twice_is_done_and_one_of_another_parent_is_refused(
    env: GitHubEmulator, tracker_factory: Any, api: Any
) -> None:
    """GitHub answers a second attach with 422 "Validation Failed" and the reason only in `errors[]`
    ("Issue may not contain duplicate sub-issues"): the tracker reads `errors[]` and takes it as done
    (a POST retried after a 5xx lands here); a child of another parent stays a refusal (exit 4)."""
    tracker, _ = tracker_factory()
    parent, child, other = (env.add_issue(title=title) for title in ("parent", "child", "other"))
    child_id = env.issue(child)["id"]
    assert tracker.add_sub_issue(parent, child_id) is True
    again = api.post(f"/repos/{REPO}/issues/{parent}/sub_issues", json={"sub_issue_id": child_id})
    assert again.status_code == 422 and again.json()["message"] == "Validation Failed"
    reasons = [entry["message"] for entry in again.json()["errors"]]
    assert "Issue may not contain duplicate sub-issues" in reasons
    assert tracker.add_sub_issue(parent, child_id) is True
    assert env.state()["sub_issues"] == {str(parent): [child]}
    with pytest.raises(OpsError) as refused:
        tracker.add_sub_issue(other, child_id)
    assert "Sub issue may only have one parent" in refused.value.message
