"""The workflows really run, offline, under act: each test asserts on what the GitHub emulator holds.

act runs the steps on this machine (self-hosted mode), so the CLI inside a workflow talks to the
sandbox backend and the GitHub emulator on 127.0.0.1. See ``tests/support/act_harness.py`` for the flags
and stubs act needs. The scheduled-triage test alone needs three ticks; the quiet-repository test runs
incident-schedules.yml on the 50th and the 61st simulated day without a push, in GitHub in a box.
Slash commands by a writer and by a reader, and the runs they start, are part of a whole incident
driven by GitHub's events in ``tests/workflows/test_day_in_the_life.py``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import tarfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ops_actions.cli import run
from ops_actions.incident.clock import iso
from ops_actions.sandbox.backend import SandboxBackend
from ops_actions.sandbox.github import GitHubEmulator
from tests.support.act_harness import PYTHON, ActRun, run_act
from tests.support.emulator import labels_of
from tests.support.events import recorded_event
from tests.support.fixtures.backend import ADMIN_TOKEN
from tests.support.fixtures.github import GITHUB_TOKEN, REPO, checked_emulator
from tests.support.fixtures.receiver import Receiver
from tests.support.github_in_a_box import GitHubInABox, JobRun
from tests.support.paths import PROJECT_WORKFLOWS

SECRETS = {"GITHUB_TOKEN": GITHUB_TOKEN, "OPS_BACKEND_ADMIN_TOKEN": ADMIN_TOKEN}
WATCH = "watch"
"""The scheduled triage's matrix job: run alone, act runs it after the services job it needs (the
summary after it reads the run's jobs from GitHub: tests/workflows/test_service_matrix.py runs it)."""


def act(
    workspace: Path,
    scratch: Path,
    emulator: GitHubEmulator,
    event: str,
    workflow: str,
    payload: dict[str, Any],
    *,
    backend_url: str | None = None,
    env: dict[str, str] | None = None,
    actor: str = "octocat",
    reuse_venv: bool = True,
    verbose: bool = False,
    secrets: dict[str, str] | None = None,
    job: str | None = None,
) -> ActRun:
    """Run one workflow (``job`` and the jobs it needs, if given) against the emulator (and the
    backend), with ``secrets`` besides the tokens; it must succeed and leak no secret."""
    given = {**SECRETS, **(secrets or {})}
    done = run_act(
        workspace,
        scratch,
        event=event,
        workflow=workflow,
        payload=payload,
        env={"GITHUB_API_URL": emulator.url, "GITHUB_REPOSITORY": REPO, **(env or {})},
        secrets=given,
        variables={"OPS_BACKEND_URL": backend_url} if backend_url else {},
        actor=actor,
        reuse_venv=reuse_venv,
        verbose=verbose,
        job=job,
    )
    assert done.returncode == 0, f"act failed ({done.returncode}):\n{done.tail()}"
    for name, secret in given.items():
        assert secret not in done.output, f"{name} reached the log unmasked"
    return done


# --- the Open incident button ---------------------------------------------------------------


def test_open_incident_button_opens_the_issue(
    act_workspace: Path, tmp_path: Path, github_emulator: GitHubEmulator, backend: SandboxBackend
) -> None:
    """Dispatch with triage: a fresh install, the triage report attached, the issue labelled, and the
    status page published by a job of the same run.

    The fresh runner installs with uv and saves the environment to the Actions cache; the next
    fresh runner restores it under the same key and installs nothing.
    """
    backend.set_scenario("db-down")
    cache = tmp_path / "cache"
    inputs = {
        "title": "Checkout failing",
        "severity": "1",
        "impact": "All card payments",
        "summary": "Stripe webhooks return 400",
        "run_triage": "true",
    }
    done = act(
        act_workspace,
        tmp_path,
        github_emulator,
        "workflow_dispatch",
        "incident-open.yml",
        {"inputs": inputs, "ref": "refs/heads/main"},
        backend_url=backend.url,
        env={"ACT_STUB_CACHE_DIR": str(cache)},
        reuse_venv=False,
    )
    # The triage step installs the package (fresh runner) and caches it; the open step and the status
    # page's build job reuse it.
    assert "setup-uv stub: uv " in done.output, done.tail()
    assert "cache stub: saved" in done.output and (cache / ".venv" / "bin" / "ops-actions").is_file()
    assert done.output.count("Reusing ") == 2, done.tail()
    assert done.output.index("Open the incident issue") < done.output.rindex("deploy-pages stub: deployed")
    issues = github_emulator.issues(state="open")
    assert [issue["title"] for issue in issues] == ["[SEV-1] Checkout failing"]
    assert {"incident", "sev-1", "status:investigating"} <= labels_of(issues[0])
    body = issues[0]["body"]
    assert "All card payments" in body
    assert "db_ok" in body, "the triage report should be attached to the issue"

    again = act(
        act_workspace,
        tmp_path,
        github_emulator,
        "workflow_dispatch",
        "incident-open.yml",
        {"inputs": {**inputs, "title": "Search is down", "run_triage": "false"}, "ref": "refs/heads/main"},
        env={"ACT_STUB_CACHE_DIR": str(cache)},
        reuse_venv=False,
    )
    assert "(hit: true)" in again.output, again.tail()
    assert "setup-uv stub" not in again.output and "cache stub: saved" not in again.output
    assert again.output.count("Reusing ") == 2, again.tail()
    assert len(github_emulator.issues(state="open")) == 2


# --- scheduled triage -----------------------------------------------------------------------


def test_scheduled_ticks_open_then_note_recovery(
    act_workspace: Path, tmp_path: Path, github_emulator: GitHubEmulator
) -> None:
    """db-down opens an incident; once healthy, two ticks 16 min apart note 'normal for 15 min'.

    One simulated clock drives all three: the emulator's (moved with ``advance``), which the
    sandbox backend reads and the CLI gets as OPS_ACTIONS_NOW. The state file travels between
    ticks through the cache stub's directory, as the Actions cache carries it on GitHub.
    """
    cache, artifacts = tmp_path / "cache", tmp_path / "artifacts"
    schedule = {"schedule": "*/10 * * * *"}
    with SandboxBackend(admin_token=ADMIN_TOKEN, scenario="db-down", clock=github_emulator.now) as backend:

        def tick() -> ActRun:
            env = {
                "OPS_ACTIONS_NOW": iso(github_emulator.now()),
                "ACT_STUB_CACHE_DIR": str(cache),
                "ACT_STUB_ARTIFACT_DIR": str(artifacts),
            }
            return act(
                act_workspace,
                tmp_path,
                github_emulator,
                "schedule",
                "incident-triage.yml",
                schedule,
                backend_url=backend.url,
                env=env,
                job=WATCH,
            )

        tick()
        opened = github_emulator.issues(state="open")
        assert len(opened) == 1, [issue["title"] for issue in opened]
        assert "incident" in labels_of(opened[0])
        assert (cache / ".ops-actions-state.json").is_file(), "the tick should save its state file"
        assert list(artifacts.glob("*/incident-triage-*.json")), "the tick should upload its triage report"

        number = opened[0]["number"]

        def normal_notes() -> list[str]:
            return [c["body"] for c in github_emulator.comments(number) if "normal for" in c["body"]]

        backend.set_scenario("healthy")
        github_emulator.advance(10 * 60)
        assert "cache stub: restored .ops-actions-state.json" in tick().output
        before = normal_notes()  # healthy for 0 min: not yet "normal for 15 min"
        github_emulator.advance(16 * 60)
        assert "cache stub: restored .ops-actions-state.json" in tick().output
        added = normal_notes()[len(before) :]
        assert added, [c["body"][:120] for c in github_emulator.comments(number)]

    assert github_emulator.issue(number)["state"] == "open", "the watch never closes an incident"


# --- slash commands in comments -------------------------------------------------------------


@pytest.fixture
def incident(github_emulator: GitHubEmulator, outside_a_run: None) -> Iterator[int]:
    """An incident opened beforehand with `ops-actions incident open`, in process."""
    argv = ["incident", "open", "--title", "Queue stuck", "--severity", "2", "--impact", "Jobs delayed"]
    target = ["--repo", REPO, "--github-token", GITHUB_TOKEN, "--github-api-url", github_emulator.url]
    assert run([*argv, *target]) == 0
    (issue,) = github_emulator.issues(state="open")
    yield issue["number"]


def comment_event(
    emulator: GitHubEmulator, number: int, *, body: str, login: str, pull_request: bool = False
) -> dict[str, Any]:
    """An issue_comment 'created' payload from the webhook example, pointed at our issue and comment.

    The comment is first added to the emulator, so its id is real (the CLI reacts to it).
    """
    payload = recorded_event("issue_comment", "created")
    issue = emulator.issue(number)
    comment_id = emulator.add_comment(number, body=body, user=login)
    payload["issue"].update(number=number, title=issue["title"], labels=issue["labels"], state="open")
    payload["issue"].pop("pull_request", None)
    if pull_request:
        payload["issue"]["pull_request"] = {"url": f"{emulator.url}/repos/{REPO}/pulls/{number}"}
    payload["comment"].update(id=comment_id, body=body)
    for user in (payload["comment"]["user"], payload["sender"]):
        user.update(login=login, type="User")
    owner, name = REPO.split("/")
    payload["repository"].update(name=name, full_name=REPO)
    payload["repository"]["owner"].update(login=owner, type="Organization")
    return payload


def test_comment_on_pull_request_is_ignored(
    act_workspace: Path, tmp_path: Path, github_emulator: GitHubEmulator
) -> None:
    """The job's `if:` skips comments on pull requests: act says so, and the emulator sees no request."""
    github_emulator.set_permission("mona", "write")
    number = github_emulator.add_issue(title="Fix the queue", labels=["incident"], pull_request=True)
    payload = comment_event(
        github_emulator, number, body="/sev 1 payments down", login="mona", pull_request=True
    )
    github_emulator.reset_log()
    done = act(
        act_workspace,
        tmp_path,
        github_emulator,
        "issue_comment",
        "incident-commands.yml",
        payload,
        actor="mona",
        verbose=True,
    )
    assert "Skipping job 'Run the slash command'" in done.output, done.tail()
    assert github_emulator.requests == [], [r.path for r in github_emulator.requests]
    assert labels_of(github_emulator.issue(number)) == {"incident"}


def test_the_maintenance_form_starts_a_writers_window_through_the_commands_workflow(
    act_workspace: Path, tmp_path: Path, github_emulator: GitHubEmulator
) -> None:
    """An issue opened from the "Maintenance window" form runs incident-commands.yml on its issues
    'opened' event: a writer's request becomes the window's issue, and the request is closed."""
    github_emulator.set_permission("mona", "write")
    body = "### Duration\n\n2h\n\n### Components\n\nbilling\n\n### Reason\n\nStripe upgrade\n"
    number = github_emulator.add_issue(
        title="[maintenance request] billing", body=body, labels=["maintenance-request"], user="mona"
    )
    payload = recorded_event("issues", "opened")
    payload["issue"].update(number=number, labels=github_emulator.issue(number)["labels"], body=body)
    payload["sender"].update(login="mona", type="User")
    owner, name = REPO.split("/")
    payload["repository"].update(name=name, full_name=REPO)
    payload["repository"]["owner"].update(login=owner, type="Organization")
    act(act_workspace, tmp_path, github_emulator, "issues", "incident-commands.yml", payload, actor="mona")
    windows = [i for i in github_emulator.issues(state="open") if "maintenance" in labels_of(i)]
    assert len(windows) == 1
    assert "- Covers: billing" in windows[0]["body"]
    assert github_emulator.issue(number)["state"] == "closed"


# --- alert intake ---------------------------------------------------------------------------


def test_repository_dispatch_alert_opens_the_incident(
    act_workspace: Path, tmp_path: Path, github_emulator: GitHubEmulator
) -> None:
    """A monitor's ops-alert repository_dispatch runs incident-alert.yml, which opens the incident."""
    payload = {
        "action": "ops-alert",
        "client_payload": {
            "source": "uptime-check",
            "title": "Checkout returns 502",
            "severity": "critical",
            "dedupe_key": "checkout-502",
            "status": "firing",
        },
        "repository": {"full_name": REPO, "name": REPO.split("/")[1], "owner": {"login": REPO.split("/")[0]}},
    }
    with SandboxBackend(admin_token=ADMIN_TOKEN, scenario="healthy") as backend:
        env = {
            "ACT_STUB_CACHE_DIR": str(tmp_path / "cache"),
            "ACT_STUB_ARTIFACT_DIR": str(tmp_path / "artifacts"),
        }
        act(
            act_workspace,
            tmp_path,
            github_emulator,
            "repository_dispatch",
            "incident-alert.yml",
            payload,
            backend_url=backend.url,
            env=env,
        )
    (issue,) = github_emulator.issues(state="open")
    assert issue["title"] == "[SEV-1] Checkout returns 502"
    assert labels_of(issue) >= {"incident", "sev-1", "status:investigating"}


# --- the status page ------------------------------------------------------------------------


def test_status_page_workflow_builds_and_deploys_the_site(
    act_workspace: Path, tmp_path: Path, github_emulator: GitHubEmulator, incident: int
) -> None:
    """Dispatched: the build job reads the incidents and uploads the site as GitHub Pages wants it
    (a tar of the folder); the deploy job, after it, deploys that artifact; the remember job saves
    the timeline memory it read."""
    artifacts, cache = tmp_path / "artifacts", tmp_path / "cache"
    done = act(
        act_workspace,
        tmp_path,
        github_emulator,
        "workflow_dispatch",
        "incident-status-page.yml",
        {"inputs": {}, "ref": "refs/heads/main"},
        env={"ACT_STUB_ARTIFACT_DIR": str(artifacts), "ACT_STUB_CACHE_DIR": str(cache)},
    )
    remembered = json.loads((cache / ".ops-actions-timelines.json").read_text(encoding="utf-8"))
    assert set(remembered["issues"]) == {str(incident)}, done.tail()
    with tarfile.open(artifacts / "github-pages" / "artifact.tar") as tar:
        names = set(tar.getnames())
        index = tar.extractfile("./index.html").read().decode("utf-8")  # type: ignore[union-attr]
        status = json.loads(tar.extractfile("./status.json").read())  # type: ignore[union-attr]
    assert {
        "./index.html",
        "./feed.xml",
        "./status.json",
        "./style.css",
        "./maintenance.ics",
        "./feeds/auth.atom",
        f"./incidents/{incident}.html",
    } <= names
    assert "Queue stuck" not in index and "Degraded performance" in index, "the derived public title"
    assert status["status"] == "degraded"
    assert [i["id"] for i in status["incidents"]] == [incident]
    assert (artifacts / "github-pages" / "deployed").is_file(), done.tail()
    assert done.output.index("Build the status page") < done.output.rindex("deploy-pages stub: deployed")


# --- notifications --------------------------------------------------------------------------


def scheduled_watch_on_a_down_database(
    workspace: Path, scratch: Path, emulator: GitHubEmulator, secrets: dict[str, str]
) -> None:
    """One scheduled tick of incident-triage.yml's watch with the database down (it opens a SEV-1)."""
    env = {
        "OPS_ACTIONS_NOW": iso(emulator.now()),
        "ACT_STUB_CACHE_DIR": str(scratch / "cache"),
        "ACT_STUB_ARTIFACT_DIR": str(scratch / "artifacts"),
    }
    with SandboxBackend(admin_token=ADMIN_TOKEN, scenario="db-down", clock=emulator.now) as backend:
        act(
            workspace,
            scratch,
            emulator,
            "schedule",
            "incident-triage.yml",
            {"schedule": "*/10 * * * *"},
            backend_url=backend.url,
            env=env,
            secrets=secrets,
            job=WATCH,
        )


def test_a_sev1_and_its_status_update_reach_both_webhooks(
    act_workspace: Path, tmp_path: Path, github_emulator: GitHubEmulator, receiver: Receiver
) -> None:
    """With both webhook secrets set, the scheduled triage's SEV-1 and a writer's `/status` each post to
    Slack and to the status webhook: severity and the issue's link in each; neither URL in the log.

    The receiver listens on 127.0.0.1 like the emulator, which the job's steps (processes on this
    machine) reach the same way. Without the workflows and the action passing the secrets, no post
    arrives at all.
    """
    hooks = {
        "OPS_SLACK_WEBHOOK_URL": f"{receiver.url}/slack/T0001/B0001/slack-hook-credential",
        "OPS_STATUS_WEBHOOK_URL": f"{receiver.url}/status/status-hook-credential",
    }
    scheduled_watch_on_a_down_database(act_workspace, tmp_path, github_emulator, hooks)
    (issue,) = github_emulator.issues(state="open")
    assert issue["title"] == "[SEV-1] Database down"
    opened = list(receiver.received)
    assert sorted(path.split("/")[1] for path, _ in opened) == ["slack", "status"], opened
    slack = next(body for path, body in opened if path.startswith("/slack/"))
    status = next(body for path, body in opened if path.startswith("/status/"))
    assert slack["text"].startswith("[SEV-1] ") and f"<{issue['html_url']}|" in slack["text"]
    assert "\nNext step: D) Database down: " in slack["text"] and status["next_step"].startswith("D) ")
    assert (status["event"], status["severity"], status["incident_url"]) == (
        "opened",
        "SEV-1",
        issue["html_url"],
    )

    receiver.received.clear()
    github_emulator.set_permission("mona", "write")
    body = "/status mitigating next 30m failing over the database"
    act(
        act_workspace,
        tmp_path,
        github_emulator,
        "issue_comment",
        "incident-commands.yml",
        comment_event(github_emulator, issue["number"], body=body, login="mona"),
        env={"ACT_STUB_ARTIFACT_DIR": str(tmp_path / "artifacts")},
        actor="mona",
        secrets=hooks,
    )
    assert "status:mitigating" in labels_of(github_emulator.issue(issue["number"]))
    updated = list(receiver.received)
    assert sorted(path.split("/")[1] for path, _ in updated) == ["slack", "status"], updated
    status = next(body for path, body in updated if path.startswith("/status/"))
    assert (status["event"], status["severity"], status["incident_url"]) == (
        "status",
        "SEV-1",
        issue["html_url"],
    )
    slack = next(body for path, body in updated if path.startswith("/slack/"))
    assert "Current status: mitigating" in slack["text"] and f"<{issue['html_url']}|" in slack["text"]


def test_the_scheduled_triage_hands_the_subscribers_secrets_to_the_cli_and_they_get_signed_payloads(
    act_workspace: Path, tmp_path: Path, github_emulator: GitHubEmulator, receiver: Receiver
) -> None:
    """With the seed's subscriber secrets set, the watch's SEV-1 reaches the subscriber in
    Statuspage's webhook shape, each payload signed under its key (the workflow passes both by
    env:); neither the URL nor the key reaches the log."""
    key = "subscriber-signing-key-of-some-length"
    secrets = {
        "OPS_SUBSCRIBER_WEBHOOK_URL": f"{receiver.url}/subscriber/subscriber-hook-credential",
        "OPS_SUBSCRIBER_WEBHOOK_SECRET": key,
    }
    scheduled_watch_on_a_down_database(act_workspace, tmp_path, github_emulator, secrets)
    (issue,) = github_emulator.issues(state="open")
    assert receiver.requests, "the subscriber was told"
    for path, headers, raw in receiver.requests:
        assert path == "/subscriber/subscriber-hook-credential"
        expected = "sha256=" + hmac.new(key.encode(), raw, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(headers["x-ops-actions-signature-256"], expected)
    incident = json.loads(receiver.requests[0][2])
    assert incident["page"]["status_indicator"] == "critical"
    assert incident["incident"]["shortlink"].endswith(f"/incidents/{issue['number']}.html")


# --- the schedules of a quiet repository ------------------------------------------------------

QUIET_START = datetime(2026, 3, 2, 5, 40, 30, tzinfo=UTC)
"""Half a minute before incident-schedules.yml's daily cron (05:41), between two triage ticks."""
KEPT = ("incident-triage.yml", "incident-status-page.yml", "incident-schedules.yml")


def test_the_daily_schedules_workflow_keeps_a_quiet_repository_watching(
    act_workspace: Path, tmp_path: Path, outside_a_run: None
) -> None:
    """No push for 50 days: incident-schedules.yml's cron runs it with exactly its permissions:, and it
    enables the triage, the status page and itself (GitHub's 60-day count starts again) and opens one
    warning issue. On day 61, when GitHub would have disabled all three, its cron still fires, and
    the second run enables them again without a second issue."""
    with checked_emulator(clock=lambda: QUIET_START) as emulator:
        box = GitHubInABox(emulator, act_workspace, tmp_path, secrets={}, variables={})
        # The project's own Scorecard runs on a schedule too; init never installs it.
        scheduled = {w.file for w in box.workflows if w.crons()} - PROJECT_WORKFLOWS
        assert scheduled == set(KEPT), "every scheduled workflow is among the ones kept enabled"

        def run_schedules() -> JobRun:
            (job,) = box.tick("incident-schedules.yml")
            assert (job.workflow, job.conclusion, job.refused) == ("incident-schedules.yml", "success", []), (
                job.act.tail()
            )
            enabled = [r.path.split("/")[-2] for r in job.requests if r.method == "PUT"]
            assert enabled == list(KEPT) and {r.status for r in job.requests if r.method == "PUT"} == {204}
            return job

        def day(quiet_days: int) -> None:
            """Half a minute before the cron, ``quiet_days`` after the last push (at QUIET_START)."""
            moment = QUIET_START + timedelta(days=quiet_days)
            emulator.advance((moment - emulator.now()).total_seconds())

        day(50)
        first = run_schedules()
        assert "enabled again: incident-triage.yml, incident-status-page.yml, incident-schedules.yml" in (
            first.act.output
        )
        (warning,) = emulator.issues(state="open")
        assert "ops-actions:schedules" in labels_of(warning)
        assert "`incident-schedules.yml`" in warning["body"]

        day(61)
        assert {emulator.workflow_states()[name] for name in KEPT} == {"active"}
        second = run_schedules()
        assert "warning: no repository activity for 61 days" in second.act.output
        assert [issue["number"] for issue in emulator.issues(state="open")] == [warning["number"]]


# --- the action's Python ----------------------------------------------------------------------


def old_python(folder: Path) -> Path:
    """A ``python3`` that is Python 3.9 as far as anyone asks (a runner's own, older interpreter), and
    notes in ``folder/ran`` each time it is run."""
    folder.mkdir()
    shim = folder / "python3"
    shim.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> "{folder}/ran"\n'
        'case "$*" in *platform*) echo 3.9.18 ;; *) echo 3.9 ;; esac\n',
        encoding="utf-8",
    )
    shim.chmod(0o755)
    return shim


def test_a_fresh_runner_whose_python3_is_older_than_3_11_installs_on_setup_pythons(
    act_workspace: Path, tmp_path: Path, github_emulator: GitHubEmulator
) -> None:
    """The runner's python3 (first on PATH) is 3.9: the action installs and runs on the Python
    setup-python hands over, and never runs the runner's own."""
    shim = old_python(tmp_path / "old")
    done = act(
        act_workspace,
        tmp_path,
        github_emulator,
        "workflow_dispatch",
        "incident-schedules.yml",
        {"inputs": {}, "ref": "refs/heads/main"},
        env={
            "PATH": f"{shim.parent}{os.pathsep}{os.environ['PATH']}",
            "ACT_STUB_PYTHON": str(PYTHON),
            "ACT_STUB_CACHE_DIR": str(tmp_path / "cache"),
        },
        reuse_venv=False,
    )
    assert "setup-uv stub: uv " in done.output, "a fresh runner installs"
    assert f"setup-python stub: requested 3.12, using {PYTHON}" in done.output
    assert "schedules safe: 0 days since the last push" in done.output, done.tail()
    assert not (shim.parent / "ran").exists(), "the runner's python3 was run"


def test_setup_python_handing_over_an_older_python_is_said_in_one_line(
    act_workspace: Path, tmp_path: Path, github_emulator: GitHubEmulator
) -> None:
    """A Python older than 3.11 from setup-python (a runner image without 3.12, a self-hosted tool
    cache): one error annotation before anything is installed, the run fails, GitHub sees no request."""
    done = run_act(
        act_workspace,
        tmp_path,
        event="workflow_dispatch",
        workflow="incident-schedules.yml",
        payload={"inputs": {}, "ref": "refs/heads/main"},
        env={
            "GITHUB_API_URL": github_emulator.url,
            "GITHUB_REPOSITORY": REPO,
            "ACT_STUB_PYTHON": str(old_python(tmp_path / "old")),
        },
        secrets=SECRETS,
        reuse_venv=False,
    )
    assert done.returncode != 0, done.tail()
    said = "::error::ops-actions needs Python 3.11 or newer; setup-python gave 3.9 ("
    assert len([line for line in done.output.splitlines() if said in line]) == 1, done.tail()
    assert "setup-uv stub" not in done.output and "Run Main Run ops-actions" not in done.output
    assert github_emulator.requests == []
