"""Fault injection over real HTTP that the other test files do not cover, seen as the user sees it.

Each test breaks the sandbox backend or the GitHub emulator in one way, runs the CLI in-process,
and checks what is printed, the exit code, and that what is left on GitHub is consistent.
Back-off sleeps are recorded instead of slept (see ``waits``), so retry budgets cost no time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import urllib3.exceptions

from ops_actions.adapters.github_tracker import GitHubTracker
from ops_actions.adapters.github_tracker.session import connection_failure
from ops_actions.cli import run
from ops_actions.incident.state_block import read_state
from ops_actions.sandbox.backend import SandboxBackend
from ops_actions.sandbox.github import GitHubEmulator
from tests.support.cli import error_lines
from tests.support.emulator import incidents_on, labels_of
from tests.support.fixtures.backend import ADMIN_TOKEN
from tests.support.fixtures.github import REPO
from tests.support.fixtures.world import START
from tests.support.net import free_port
from tests.support.playbooks import fast_playbook


@pytest.fixture
def env(github_env: GitHubEmulator, monkeypatch: pytest.MonkeyPatch) -> GitHubEmulator:
    """The emulator and the CLI's environment, with a wait ceiling the recorded back-off can reach."""
    monkeypatch.setenv("OPS_GITHUB_MAX_WAIT_S", "600")
    return github_env


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every back-off the CLI's tracker decides on, recorded instead of slept."""
    recorded: list[float] = []
    original = GitHubTracker.from_config.__func__  # type: ignore[attr-defined]

    def from_config(cls: type[GitHubTracker], config: Any, **kwargs: Any) -> GitHubTracker:
        kwargs.setdefault("sleep", recorded.append)
        return original(cls, config, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(GitHubTracker, "from_config", classmethod(from_config))
    return recorded


def open_incident(emulator: GitHubEmulator, capsys: pytest.CaptureFixture[str]) -> int:
    """Open '[SEV-2] Queue stuck' and return its number (output swallowed)."""
    assert run(["incident", "open", "--title", "Queue stuck", "--severity", "2"]) == 0
    capsys.readouterr()
    (issue,) = incidents_on(emulator)
    return int(issue["number"])


# --- the backend ------------------------------------------------------------------------------------


def test_slow_drip_body_times_out_into_unknown(
    backend: SandboxBackend,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A body dripped a byte every 0.25 s is cut by the whole-answer timeout: unknown, exit 0."""
    monkeypatch.setenv("OPS_BACKEND_ADMIN_TOKEN", ADMIN_TOKEN)
    backend.add_fault("/api/ops/metrics", "slow-drip", value=0.25)
    reports = tmp_path / "reports"
    code = run(
        [
            *("triage", "--backend-url", backend.url, "--report-dir", str(reports)),
            *("--history-file", str(tmp_path / "s.json"), "--playbook", str(fast_playbook(tmp_path, 1.0))),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    (path,) = reports.glob("*.json")
    report = json.loads(path.read_text(encoding="utf-8"))
    signals = {s["name"]: s for s in report["signals"]}
    assert signals["db_ok"]["status"] == "unknown"
    assert "timed out after 1 s" in signals["db_ok"]["reason"]
    assert signals["ready_ok"]["value"] is True
    metrics = next(p for p in report["probes"] if p["id"] == "metrics")
    assert metrics["attempts"] == 1, "a timeout is not retried"
    unavailable = next(r for r in report["rules"] if r["id"] == "ops-metrics-unavailable")
    assert unavailable["outcome"] == "pending", "one unreadable triage is flap-controlled"
    assert "db_ok" in out
    assert "timed out after 1 s" in out
    assert backend.pending_faults() == []


# --- GitHub -----------------------------------------------------------------------------------------


def test_secondary_rate_limit_on_a_write_waits_and_posts_once(
    env: GitHubEmulator, capsys: pytest.CaptureFixture[str], waits: list[float]
) -> None:
    """A 403 secondary limit (retry-after: 7) on the comment: wait 7 s, look, post once, exit 0."""
    number = open_incident(env, capsys)
    env.inject("secondary-rate-limit", retry_after=7, method="POST", path_contains="/comments")
    env.reset_log()
    assert run(["incident", "update", str(number), "--status", "mitigating", "--next", "30m"]) == 0
    assert waits == [7.0]
    posts = [r.status for r in env.requests if r.method == "POST" and r.path.endswith("/comments")]
    assert posts == [403, 201]
    (comment,) = env.comments(number)
    assert "Current status: mitigating" in comment["body"]
    state = read_state(env.issue(number)["body"])
    assert state is not None
    assert state.status == "mitigating"


def test_primary_limit_far_in_the_future_fails_at_once_in_actions(
    env: GitHubEmulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    waits: list[float],
) -> None:
    """Limit exhausted for an hour, 5 s ceiling: no wait, exit 4, one line, ::error:: and a summary."""
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("OPS_GITHUB_MAX_WAIT_S", "5")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    env.inject("primary-rate-limit", retry_after=3600, times=20)
    code = run(["incident", "open", "--title", "Checkout failing", "--severity", "1"])
    captured = capsys.readouterr()
    assert code == 4
    (line,) = error_lines(captured.err)
    assert line.startswith("ops-actions: error: GitHub: ")
    assert "rate limited (HTTP 403)" in line
    annotations = [out for out in captured.out.splitlines() if out.startswith("::error")]
    assert len(annotations) == 1
    assert "rate limited (HTTP 403)" in annotations[0]
    text = summary.read_text(encoding="utf-8")
    assert "## ops-actions: error" in text
    assert "rate limited (HTTP 403)" in text
    assert waits == [], "a reset an hour away is beyond the ceiling: fail at once"
    assert env.issues() == []


def test_issue_deleted_mid_run_keeps_the_one_comment_that_landed(
    env: GitHubEmulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The comment posts, then the PATCH saving the state gets 404: exit 4 saying so, and one comment only."""
    number = open_incident(env, capsys)
    before = env.issue(number)
    env.inject("404", method="PATCH", path_contains=f"/issues/{number}")
    code = run(["incident", "update", str(number), "--status", "mitigating", "--message", "rolled back"])
    err = capsys.readouterr().err
    assert code == 4
    (line,) = error_lines(err)
    assert (
        f"update issue #{number}: not found (deleted, transferred to another repository, or no access)"
        in line
    )
    (comment,) = env.comments(number)
    assert "rolled back" in comment["body"]
    after = env.issue(number)
    assert (after["body"], labels_of(after)) == (before["body"], labels_of(before))
    monkeypatch.setenv("GITHUB_RUN_ATTEMPT", "2")
    assert run(["incident", "update", str(number), "--status", "mitigating", "--message", "rolled back"]) == 0
    assert len(env.comments(number)) == 1, "the re-run finds the entry by its marker"


def test_rerun_after_a_failed_save_repairs_labels_and_state_block(
    env: GitHubEmulator,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    waits: list[float],
) -> None:
    """After every save attempt got a 502, the workflow re-run brings label and state block up to date."""
    number = open_incident(env, capsys)
    env.inject("5xx", times=4, method="PATCH", path_contains=f"/issues/{number}")
    assert run(["incident", "update", str(number), "--status", "mitigating"]) == 4
    monkeypatch.setenv("GITHUB_RUN_ATTEMPT", "2")
    assert run(["incident", "update", str(number), "--status", "mitigating"]) == 0
    issue = env.issue(number)
    assert "status:mitigating" in labels_of(issue)
    state = read_state(issue["body"])
    assert state is not None
    assert state.status == "mitigating"


def test_validation_failure_on_create_is_one_line_and_creates_nothing(
    env: GitHubEmulator, capsys: pytest.CaptureFixture[str], waits: list[float]
) -> None:
    """A 422 on the create is not retried: exit 4 with GitHub's reason, no issue."""
    env.inject("422", method="POST", path_contains="/issues")
    code = run(["incident", "open", "--title", "Checkout failing", "--severity", "1"])
    err = capsys.readouterr().err
    assert code == 4
    (line,) = error_lines(err)
    assert "create an issue: GitHub rejected the request" in line
    assert waits == []
    assert env.issues() == []


def test_5xx_burst_beyond_the_retry_budget_fails_then_a_rerun_opens_one(
    env: GitHubEmulator,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    waits: list[float],
) -> None:
    """Four 502s on the create: four verified attempts, exit 4, no issue; the re-run opens one."""
    env.inject("5xx", times=4, method="POST", path_contains="/issues")
    code = run(["incident", "open", "--title", "Checkout failing", "--severity", "1"])
    err = capsys.readouterr().err
    assert code == 4
    (line,) = error_lines(err)
    assert "create an issue failed after 4 attempt(s): HTTP 502" in line
    assert len(waits) == 3
    assert env.issues() == []
    monkeypatch.setenv("GITHUB_RUN_ATTEMPT", "2")
    assert run(["incident", "open", "--title", "Checkout failing", "--severity", "1"]) == 0
    assert len(env.issues()) == 1


def test_5xx_burst_on_the_timeline_comment_loses_nothing_and_duplicates_nothing(
    env: GitHubEmulator,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    waits: list[float],
) -> None:
    """The status comment fails four times: exit 4, state untouched; the re-run posts it once."""
    number = open_incident(env, capsys)
    env.inject("5xx", times=4, method="POST", path_contains="/comments")
    assert run(["incident", "update", str(number), "--status", "mitigating"]) == 4
    assert "failed after 4 attempt(s): HTTP 502" in capsys.readouterr().err
    assert env.comments(number) == []
    state = read_state(env.issue(number)["body"])
    assert state is not None
    assert state.status == "investigating"
    monkeypatch.setenv("GITHUB_RUN_ATTEMPT", "2")
    assert run(["incident", "update", str(number), "--status", "mitigating"]) == 0
    assert len(env.comments(number)) == 1
    issue = env.issue(number)
    assert "status:mitigating" in labels_of(issue)


def test_dropped_answers_to_the_state_save_converge_on_rerun(
    env: GitHubEmulator,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    waits: list[float],
) -> None:
    """Every state PATCH lands but its answer is lost: exit 4; the re-run converges without duplicates."""
    number = open_incident(env, capsys)
    env.inject("drop-after-write", times=4, method="PATCH", path_contains=f"/issues/{number}")
    assert run(["incident", "update", str(number), "--status", "mitigating"]) == 4
    assert "connection failed" in capsys.readouterr().err
    patches = [r for r in env.requests if r.method == "PATCH" and r.fault == "drop-after-write"]
    assert len(patches) == 4, "a PATCH is idempotent, so it is simply sent again"
    monkeypatch.setenv("GITHUB_RUN_ATTEMPT", "2")
    assert run(["incident", "update", str(number), "--status", "mitigating"]) == 0
    (comment,) = env.comments(number)
    assert "Current status: mitigating" in comment["body"]
    issue = env.issue(number)
    assert labels_of(issue) == {"incident", "sev-2", "status:mitigating"}
    state = read_state(issue["body"])
    assert state is not None
    assert state.status == "mitigating"


# --- a hand-edited incident -------------------------------------------------------------------------


@pytest.fixture
def watch_env(
    env: GitHubEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SandboxBackend]:
    """A db-down sandbox backend on the simulated clock, with the watch's environment."""
    clock = [START]
    with SandboxBackend(admin_token=ADMIN_TOKEN, clock=lambda: clock[0], scenario="db-down") as backend:
        monkeypatch.setenv("OPS_BACKEND_URL", backend.url)
        monkeypatch.setenv("OPS_BACKEND_ADMIN_TOKEN", ADMIN_TOKEN)
        monkeypatch.setenv("OPS_ACTIONS_NOW", START.isoformat())
        yield backend


def watch_at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, minutes: int) -> int:
    """One scheduled watch run at START + minutes."""
    monkeypatch.setenv("OPS_ACTIONS_NOW", (START + timedelta(minutes=minutes)).isoformat())
    monkeypatch.setenv("GITHUB_RUN_ID", str(6000 + minutes))
    return run(["watch", "--history-file", str(tmp_path / "s.json"), "--report-dir", str(tmp_path / "r")])


def test_hand_edited_state_of_the_wrong_type_does_not_stop_the_watch(
    env: GitHubEmulator, watch_env: SandboxBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gh: Any
) -> None:
    """Someone sets next_update_due to a number in the state block: the next watch still runs (exit 0)."""
    assert watch_at(tmp_path, monkeypatch, 0) == 0
    (incident,) = incidents_on(env)
    issue = gh.get_repo(REPO).get_issue(incident["number"])
    body = issue.body
    due = read_state(body).next_update_due  # type: ignore[union-attr]
    issue.edit(body=body.replace(f'"next_update_due":"{due}"', '"next_update_due":1700000000'))
    assert watch_at(tmp_path, monkeypatch, 10) == 0


def test_an_unreachable_github_is_named_with_the_address_tried(
    env: GitHubEmulator,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    waits: list[float],
) -> None:
    """Nothing listens at the API URL: the one error line names the URL and says refused, so a person
    tells a wrong port from a wrong host name (DNS) or a network that drops everything."""
    api = f"http://127.0.0.1:{free_port()}/api/v3"
    monkeypatch.setenv("GITHUB_API_URL", api)
    assert run(["incident", "open", "--title", "Queue stuck", "--severity", "2"]) == 4
    (line,) = error_lines(capsys.readouterr().err)
    assert "connection failed: refused (nothing listens at that address and port)" in line
    assert f"({api})" in line or f"({api}/)" in line
    assert env.issues() == []


def test_a_host_name_that_does_not_resolve_is_said_to_be_dns() -> None:
    """The chain requests and urllib3 raise for a failed lookup (built, not sent: no test resolves)."""
    lookup = urllib3.exceptions.NameResolutionError("api.github.example", None, OSError(-2, "Name unknown"))
    failed = requests.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/user", lookup))
    assert connection_failure(failed) == "connection failed: the host name does not resolve (DNS)"
    assert connection_failure(requests.ConnectTimeout("x")) == "connection failed: no answer in time"
