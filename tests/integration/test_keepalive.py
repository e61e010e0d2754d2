"""A quiet repository keeps its schedules: the check on GitHub's emulator, day after simulated day.

The emulator plays GitHub's rule (a public repository's scheduled workflows are disabled after 60
days without activity) on its own clock; the tests count requests, workflows and issues."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from ops_actions.adapters.config import GitHubConfig
from ops_actions.adapters.github_tracker import GitHubTracker
from ops_actions.flows.keepalive import WARN_AFTER_DAYS, WARNING_LABEL, ScheduleCheck, keep_schedules_alive
from ops_actions.sandbox.github import GitHubEmulator
from tests.support.fixtures.github import REPO, checked_emulator

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SCHEDULED = ("incident-triage.yml", "incident-status-page.yml")
DAY_S = 86_400.0


@pytest.fixture
def emulator() -> Iterator[GitHubEmulator]:
    """The repository at START with the tool's two scheduled workflows and one run by hand."""
    with checked_emulator(clock=lambda: START) as started:
        started.add_workflow("incident-triage.yml", "Incident triage", scheduled=True)
        started.add_workflow("incident-status-page.yml", "Incident status page", scheduled=True)
        started.add_workflow("incident-commands.yml", "Incident commands", dispatchable=False)
        yield started


def check(emulator: GitHubEmulator, permissions: dict[str, str]) -> ScheduleCheck:
    token = emulator.mint_job_token(permissions)
    config = GitHubConfig(api_url=emulator.url, repository=REPO, token=token, write_interval_s=0)
    tracker = GitHubTracker.from_config(config)
    try:
        return keep_schedules_alive(tracker, workflows=SCHEDULED, now=emulator.now())
    finally:
        tracker.close()


def requests(emulator: GitHubEmulator, method: str, suffix: str) -> int:
    return sum(1 for r in emulator.requests if r.method == method and r.path.endswith(suffix))


def warning_issues(emulator: GitHubEmulator) -> list[dict[str, Any]]:
    return [i for i in emulator.issues() if WARNING_LABEL in {x["name"] for x in i["labels"]}]


def test_without_the_check_github_disables_the_schedules_after_60_days(emulator: GitHubEmulator) -> None:
    emulator.advance(59 * DAY_S)
    assert set(emulator.workflow_states().values()) == {"active"}
    emulator.advance(DAY_S)
    assert emulator.workflow_states() == {
        "incident-triage.yml": "disabled_inactivity",
        "incident-status-page.yml": "disabled_inactivity",
        "incident-commands.yml": "active",  # no schedule: GitHub leaves it alone
    }


def test_a_daily_check_keeps_the_schedules_through_months_of_quiet(emulator: GitHubEmulator) -> None:
    checks = []
    for _ in range(150):
        emulator.advance(DAY_S)
        checks.append(check(emulator, {"issues": "write", "actions": "write"}))
        assert set(emulator.workflow_states().values()) == {"active"}
    quiet = WARN_AFTER_DAYS - 1  # days 1..44 are safe: two reads each, nothing written
    assert [c.lines() for c in checks[:quiet]] == [[]] * quiet
    assert requests(emulator, "GET", "/actions/workflows") == 150
    assert requests(emulator, "PUT", "/enable") == 2 * (150 - quiet)
    assert requests(emulator, "POST", "/issues") == 1  # one warning, not one a day
    (issue,) = warning_issues(emulator)
    assert "disables the scheduled workflows" in issue["body"] and "`incident-triage.yml`" in issue["body"]
    assert checks[-1].lines()[0].startswith("warning: no repository activity for 150 days")
    assert checks[-1].warning_issue == issue["number"]


def test_a_push_restarts_the_count_and_the_check_goes_quiet(emulator: GitHubEmulator) -> None:
    emulator.advance(50 * DAY_S)
    assert check(emulator, {"issues": "write", "actions": "write"}).enabled == SCHEDULED
    emulator.push()
    emulator.advance(DAY_S)
    calm = check(emulator, {"issues": "write", "actions": "write"})
    assert (calm.quiet_days, calm.lines()) == (1, [])
    assert requests(emulator, "PUT", "/enable") == 2


def test_a_schedule_github_already_disabled_is_enabled_again(emulator: GitHubEmulator) -> None:
    """From a workflow GitHub did not disable (a slash command, an alert) after 70 quiet days."""
    emulator.advance(70 * DAY_S)
    found = check(emulator, {"issues": "write", "actions": "write"})
    assert found.disabled == SCHEDULED and found.enabled == SCHEDULED
    assert set(emulator.workflow_states().values()) == {"active"}
    assert (
        "warning: GitHub had disabled incident-triage.yml, incident-status-page.yml for inactivity"
        in found.lines()
    )


def test_a_token_without_actions_write_warns_the_team_in_an_issue(emulator: GitHubEmulator) -> None:
    emulator.advance(46 * DAY_S)
    found = check(emulator, {"issues": "write", "actions": "read"})
    assert found.enabled == () and found.refused == SCHEDULED
    assert requests(emulator, "PUT", "/enable") == 2  # both tried, both 403
    assert len(warning_issues(emulator)) == 1
    refused = "could not enable incident-triage.yml, incident-status-page.yml: the job needs `actions: write`"
    assert f"warning: {refused}" in found.lines()


def test_a_workflow_disabled_by_hand_stays_off(emulator: GitHubEmulator) -> None:
    emulator.advance(50 * DAY_S)
    emulator.disable_workflow("incident-status-page.yml")
    found = check(emulator, {"issues": "write", "actions": "write"})
    assert found.enabled == ("incident-triage.yml",)
    assert emulator.workflow_states()["incident-status-page.yml"] == "disabled_manually"


def test_the_schedules_command_runs_the_check_and_says_what_it_did(
    emulator: GitHubEmulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``ops-actions schedules``, as the scheduled workflow runs it, with the job's token."""
    from ops_actions.cli import run

    emulator.advance(50 * DAY_S)
    monkeypatch.setenv("OPS_ACTIONS_NOW", emulator.now().isoformat())
    token = emulator.mint_job_token({"issues": "write", "actions": "write"})
    args = ["schedules", "--repo", REPO, "--github-token", token, "--github-api-url", emulator.url]
    assert run(args) == 0
    printed = capsys.readouterr().out
    assert "warning: no repository activity for 50 days" in printed
    assert "enabled again: incident-triage.yml, incident-status-page.yml" in printed
    assert requests(emulator, "PUT", "/enable") == 2
    assert len(warning_issues(emulator)) == 1
    assert run(args) == 0  # the next run finds the open warning: no second issue
    assert len(warning_issues(emulator)) == 1
