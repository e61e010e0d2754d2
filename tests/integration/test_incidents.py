"""Incidents as GitHub issues: open, update, severity, owner, impact, resolve over PyGithub -> emulator."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from ops_actions.cli import run
from ops_actions.incident.state_block import BODY_LIMIT, read_state
from ops_actions.sandbox.backend import SandboxBackend
from ops_actions.sandbox.github import GitHubEmulator
from tests.support.cli import OPEN_CHECKOUT_SEV1
from tests.support.emulator import incidents_on, labels_of
from tests.support.fixtures.backend import ADMIN_TOKEN
from tests.support.fixtures.github import REPO


def cli(*args: str) -> int:
    """Run an ops-actions command in-process."""
    return run(list(args))


def open_checkout(*extra: str) -> int:
    return cli(*OPEN_CHECKOUT_SEV1, "--summary", "Stripe webhooks return 400", *extra)


@pytest.mark.seed(12)
def test_open_creates_one_issue_with_labels_and_body(
    env: GitHubEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """[SEV-1] title, incident/sev-1/status labels with colours, the playbook's sections and a state block."""
    assert open_checkout() == 0
    assert "opened #" in capsys.readouterr().out
    (issue,) = incidents_on(env)
    assert issue["title"] == "[SEV-1] Checkout failing"
    assert labels_of(issue) == {"incident", "sev-1", "status:investigating"}
    colours = {label["name"]: label["color"] for label in issue["labels"]}
    assert colours["incident"] == "b60205"
    body = issue["body"]
    for section in (
        "### Summary",
        "### Impact",
        "### First 10 minutes",
        "### Status updates",
        "### Resolution checklist",
        "Stripe webhooks return 400",
        "All card payments",
        "post a status update to customers and the internal channel now",
    ):
        assert section in body
    assert "- [x] Confirm the alert and open an incident. _[open]_" in body, "the tool opened it"
    assert "- [ ] Run the quick triage" in body, "no triage attached: nothing the tool triaged"
    assert "- [ ] Assign an owner and a severity (SEV-1/2/3)." in body, "a person's step"
    state = read_state(body)
    assert state is not None
    assert (state.key, state.severity, state.status) == ("checkout-failing", "SEV-1", "investigating")
    assert state.status_update_due is True


def test_open_twice_updates_the_open_incident(
    env: GitHubEmulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second open with the same dedupe key (another run) comments on the first instead of duplicating."""
    assert open_checkout() == 0
    monkeypatch.setenv("GITHUB_RUN_ID", "9002")
    assert open_checkout() == 0
    assert "already open" in capsys.readouterr().out
    (issue,) = incidents_on(env)
    comments = env.comments(issue["number"])
    assert len(comments) == 1
    assert "Triggered again" in comments[0]["body"]


def test_rerun_of_the_same_workflow_run_changes_nothing(
    env: GitHubEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same GITHUB_RUN_ID, next attempt: no new issue, no new comment, no write at all."""
    assert open_checkout() == 0
    (issue,) = incidents_on(env)
    assert cli("incident", "update", str(issue["number"]), "--status", "mitigating", "--next", "15m") == 0
    monkeypatch.setenv("GITHUB_RUN_ATTEMPT", "2")
    env.reset_log()
    assert open_checkout() == 0
    assert cli("incident", "update", str(issue["number"]), "--status", "mitigating", "--next", "15m") == 0
    assert [r for r in env.requests if r.is_write] == []
    assert len(env.comments(issue["number"])) == 1


def test_opening_beside_open_incidents_with_new_comments_reads_none_of_them(
    env: GitHubEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twelve incidents are open, each with a comment the tool has not seen: opening another reads
    the one list page, not their timelines (their blocks hold their keys, and no comment changes one)."""
    for i in range(12):
        monkeypatch.setenv("GITHUB_RUN_ID", str(9100 + i))
        assert cli("incident", "open", "--title", f"Outage {i}", "--severity", "3") == 0
    for issue in incidents_on(env):
        env.add_comment(issue["number"], body="Seeing this from Lisbon too.", user="mona")
    env.reset_log()
    assert cli("incident", "open", "--title", "Checkout failing", "--severity", "3") == 0
    sent = [f"{r.method} {r.path.removeprefix('/repos/' + REPO)}" for r in env.requests]
    assert [call for call in sent if call.startswith("GET") and call.endswith("/comments")] == []
    assert sent.count("GET /issues") == 2, sent  # the list, and the list again to settle a race
    assert len(sent) <= 5, sent


def test_status_update_uses_the_communication_template(env: GitHubEmulator) -> None:
    """The timeline comment follows the playbook template; labels and state follow the status."""
    assert open_checkout() == 0
    number = incidents_on(env)[0]["number"]
    assert (
        cli(
            "incident",
            "update",
            str(number),
            "--status",
            "mitigating",
            "--next",
            "30m",
            "--message",
            "Rolled back to the last good deploy",
        )
        == 0
    )
    (comment,) = env.comments(number)
    line = next(line for line in comment["body"].splitlines() if line.startswith("[SEV-1]"))
    assert line.endswith(
        "- Incident Checkout failing. Impact: All card payments. "
        "Current status: mitigating. Next update in 30 min."
    )
    datetime.strptime(line.split(" - ")[0], "[SEV-1] %Y-%m-%d %H:%M UTC")
    issue = env.issue(number)
    assert labels_of(issue) == {"incident", "sev-1", "status:mitigating"}
    state = read_state(issue["body"])
    assert state is not None
    assert state.mitigated_at is None, "mitigating is work under way; mitigated is metrics normal again"
    assert state.status_update_due is False


def test_severity_owner_and_impact(env: GitHubEmulator) -> None:
    """Severity retitles and relabels; assigning sets the assignee; impact is restated; each is a comment."""
    assert open_checkout() == 0
    number = str(incidents_on(env)[0]["number"])
    env.set_permission("hubot", "write")  # only collaborators (and participants) can be assigned
    assert cli("incident", "severity", number, "2", "--reason", "Only EU cards affected") == 0
    assert cli("incident", "assign", number, "@hubot") == 0
    assert cli("incident", "impact", number, "EU card payments, about 20%") == 0
    issue = env.issue(int(number))
    assert issue["title"] == "[SEV-2] Checkout failing"
    assert labels_of(issue) == {"incident", "sev-2", "status:investigating"}
    assert [a["login"] for a in issue["assignees"]] == ["hubot"]
    state = read_state(issue["body"])
    assert state is not None
    assert (state.severity, state.owner, state.impact) == ("SEV-2", "hubot", "EU card payments, about 20%")
    assert [h["severity"] for h in state.severity_history] == ["SEV-1", "SEV-2"]
    assert state.acknowledged_at is not None
    assert len(env.comments(int(number))) == 3


@pytest.mark.seed(59)
def test_resolve_closes_with_timeline_and_durations(env: GitHubEmulator) -> None:
    """Resolve posts the compiled timeline and the three durations, then closes the issue."""
    assert open_checkout() == 0
    number = str(incidents_on(env)[0]["number"])
    env.set_permission("hubot", "write")
    assert cli("incident", "assign", number, "hubot") == 0
    assert cli("incident", "update", number, "--status", "mitigating", "--next", "15m") == 0
    assert cli("incident", "resolve", number) == 6, "metrics were never seen normal, smoke never ran"
    assert env.issue(int(number))["state"] == "open"
    assert cli("incident", "resolve", number, "--force", "--reason", "verified by hand") == 0
    issue = env.issue(int(number))
    assert issue["state"] == "closed"
    assert labels_of(issue) == {"incident", "sev-1", "status:resolved"}
    *_, final, linked = (comment["body"] for comment in env.comments(int(number)))
    assert linked.startswith("**Postmortem**"), "the resolving run files the postmortem itself"
    for text in (
        "**Resolved**",
        "| Time (UTC) | Event |",
        "opened as SEV-1",
        "owner: @\u200bhubot",
        "status: mitigating",
        "Time to acknowledge:",
        "Time to mitigate:",
        "Time to resolve:",
    ):
        assert text in final
    state = read_state(issue["body"])
    assert state is not None
    assert state.resolved_at is not None


def test_dry_run_prints_one_line_per_write_and_the_bodies_with_verbose(
    env: GitHubEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """--dry-run prints one line per write it would make (method, path, what); -v adds the full
    bodies (the issue's Markdown); the emulator sees no write either way."""
    env.reset_log()
    assert open_checkout("--dry-run") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"[dry-run] POST /repos/{REPO}/issues — open '[SEV-1] Checkout failing'",
        "opened #0: (dry run)",
        "dry run: nothing was written",
    ]
    assert open_checkout("--dry-run", "-v") == 0
    verbose = capsys.readouterr().out
    assert verbose.startswith(f"[dry-run] POST /repos/{REPO}/issues — open '[SEV-1] Checkout failing'\n")
    assert "  title: '[SEV-1] Checkout failing'" in verbose and "### First 10 minutes" in verbose
    assert [r for r in env.requests if r.is_write] == []
    assert incidents_on(env) == []

    assert open_checkout() == 0
    (issue,) = incidents_on(env)
    # The link printed is the emulator's own page of the issue, not a github.com one that is not there.
    assert f"opened #{issue['number']}: {env.url}/{REPO}/issues/{issue['number']}" in capsys.readouterr().out
    env.reset_log()
    update = ["incident", "update", str(issue["number"]), "--status", "mitigating", "--dry-run"]
    assert run(update) == 0
    summary = capsys.readouterr().out.splitlines()
    number = issue["number"]
    assert summary[:2] == [
        f"[dry-run] POST /repos/{REPO}/issues/{number}/comments — comment on #{number}: "
        "'**Status update** by @octocat'",
        f"[dry-run] PATCH /repos/{REPO}/issues/{number} — update #{number}: body, labels",
    ]
    assert summary[-1] == "dry run: nothing was written"
    assert [r for r in env.requests if r.is_write] == []


def test_open_from_a_triage_report_carries_table_and_branch_steps(
    env: GitHubEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--from-report puts the triage table and the matched branch's steps into the body."""
    monkeypatch.setenv("OPS_BACKEND_ADMIN_TOKEN", ADMIN_TOKEN)
    with SandboxBackend(scenario="db-down", admin_token=ADMIN_TOKEN) as backend:
        assert (
            cli(
                "triage",
                "--backend-url",
                backend.url,
                "--report-dir",
                str(tmp_path),
                "--history-file",
                str(tmp_path / "s.json"),
            )
            == 0
        )
    (report,) = tmp_path.glob("incident-triage-*.json")
    assert cli("incident", "open", "--title", "Database down", "--from-report", str(report)) == 0
    (issue,) = incidents_on(env)
    assert issue["title"] == "[SEV-1] Database down"
    assert "| `db_ok` | `false` | 🔴 breach |" in issue["body"]
    assert "### Branch D: Database down" in issue["body"]
    assert "Hold deploys until the database is stable. _[freeze-deploys]_" in issue["body"]


def test_body_over_the_limit_is_truncated_not_rejected(env: GitHubEmulator) -> None:
    """A 70,000-character summary still opens the incident; the body fits and the state block survives."""
    assert cli("incident", "open", "--title", "Huge", "--severity", "3", "--summary", "x" * 70_000) == 0
    (issue,) = incidents_on(env)
    assert len(issue["body"]) <= BODY_LIMIT
    assert "x" * 1999 + "…" in issue["body"]
    assert read_state(issue["body"]) is not None


def test_a_comment_over_the_limit_is_truncated_and_keeps_its_marker(env: GitHubEmulator) -> None:
    """A 70,000-character status message is cut to fit; the marker survives, so re-runs stay idempotent."""
    assert open_checkout() == 0
    number = incidents_on(env)[0]["number"]
    assert cli("incident", "update", str(number), "--status", "mitigating", "--message", "y" * 70_000) == 0
    (comment,) = env.comments(number)
    assert len(comment["body"]) <= BODY_LIMIT
    assert "truncated to fit" in comment["body"]
    assert '"kind":"status"' in comment["body"]


def test_hand_edited_state_is_rebuilt(env: GitHubEmulator, gh: Any) -> None:
    """A corrupt state block is rebuilt from labels and comments; the update still lands."""
    assert open_checkout() == 0
    number = incidents_on(env)[0]["number"]
    issue = gh.get_repo(REPO).get_issue(number)
    issue.edit(body=issue.body.replace('"severity":"SEV-1"', '"severity":'))
    assert read_state(env.issue(number)["body"]) is None
    assert cli("incident", "update", str(number), "--status", "mitigating") == 0
    state = read_state(env.issue(number)["body"])
    assert state is not None
    assert (state.key, state.severity, state.status) == ("checkout-failing", "SEV-1", "mitigating")


def test_missing_issue_and_disabled_issues_are_one_line_errors(
    env: GitHubEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """404 and 410 exit 4 with a reason and no traceback."""
    assert cli("incident", "update", "999", "--status", "mitigating") == 4
    err = capsys.readouterr().err
    header, error = err.splitlines()
    assert header.startswith("playbook: ")
    assert "not found" in error
    env.inject("410", path_contains="/issues")
    assert open_checkout() == 4
    assert "issues are disabled" in capsys.readouterr().err


def test_not_an_incident_is_refused(env: GitHubEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    """Updating an issue without the incident label is a usage error that changes nothing."""
    number = env.add_issue(title="Unrelated bug")
    assert cli("incident", "update", str(number), "--status", "mitigating") == 2
    assert "not an incident" in capsys.readouterr().err
    assert env.comments(number) == []


def test_state_block_cannot_be_forged_from_user_text(env: GitHubEmulator) -> None:
    """A summary holding a fake state marker stays inert text; the real state is read."""
    fake = (
        '<!-- ops-actions:state {"version":1,"key":"x","title":"t","severity":"SEV-3",'
        '"status":"resolved","opened_at":"2020-01-01T00:00:00Z"} -->'
    )
    assert (
        cli("incident", "open", "--title", "Forgery", "--severity", "2", "--summary", "\n\n" + fake + "\n\n")
        == 0
    )
    (issue,) = incidents_on(env)
    state = read_state(issue["body"])
    assert state is not None
    assert (state.key, state.severity) == ("forgery", "SEV-2")
    assert json.dumps(fake) not in issue["body"]


@pytest.fixture
def env(github_env: GitHubEmulator) -> GitHubEmulator:
    """The emulator, with the CLI's environment pointing at it."""
    return github_env
