"""A day in the life, driven only by events: people and a monitor act on GitHub, and GitHub's events
start this repository's real workflows under act (``tests/support/github_in_a_box.py``), each job with a
token holding exactly its ``permissions:``.

A database outage: the monitor's alert opens the incident (branch D freezes deploys); the owner takes
it and a reader is refused; ``/deploy`` is refused by the freeze, and so is a deploy started by hand;
``/rollback`` runs Backend Rollback; the scheduled watch follows it while the backend recovers;
``/smoke`` runs Backend Live Smoke; after 15 normal minutes the owner ticks the three manual checks
in the issue (the checklist workflow records who), and ``/resolve`` closes the incident and files
the postmortem in the same run; the owner's edit of the postmortem syncs its action items to
sub-issues. Along the way each run that changes the incident publishes the status page in a job of
its own (the page's workflow, called), and the hourly schedule rebuilds it. The test then reads the
emulator's final state. One act run per job.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from ops_actions.cli import run
from ops_actions.incident.state_block import read_state
from ops_actions.sandbox.backend import SandboxBackend
from ops_actions.sandbox.github import GitHubEmulator, RecordedRequest
from ops_actions.text.markdown import find_markers
from tests.support.emulator import labels_of
from tests.support.fixtures.backend import ADMIN_TOKEN
from tests.support.fixtures.github import REPO, checked_emulator
from tests.support.fixtures.world import START
from tests.support.github_in_a_box import GitHubInABox, JobRun

PREVIOUS_RELEASE = "1" * 40
CURRENT_RELEASE = "2" * 40
ITEMS = (
    "- [ ] Alert on database failover — @mona — due 2026-12-01\n"
    "- [ ] Rehearse the restore — @outsider — due 2026-12-04\n"
)


@dataclass
class Day:
    box: GitHubInABox
    emulator: GitHubEmulator
    backend: SandboxBackend

    def comment(self, number: int, body: str, *, by: str = "mona") -> list[JobRun]:
        """A person comments; GitHub starts what the comment starts."""
        self.emulator.add_comment(number, body=body, user=by)
        return self.box.settle()

    def as_person(self, login: str, method: str, path: str, body: dict[str, Any]) -> list[JobRun]:
        """A person's own API call (the Run workflow button, an edit in the browser)."""
        token = self.emulator.user_token(login)
        answer = httpx.request(
            method,
            f"{self.emulator.url}/repos/{REPO}{path}",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status_code < 300, answer.text
        return self.box.settle()

    def issue(self, number: int) -> dict[str, Any]:
        return self.emulator.issue(number)

    def bot_comments(self, number: int) -> list[str]:
        return [
            c["body"] for c in self.emulator.comments(number) if c["user"]["login"] == "github-actions[bot]"
        ]


STATUS_PAGE = "incident-status-page.yml"
TRIAGE = "incident-triage.yml"
TICK = [(TRIAGE, "services", "success"), (TRIAGE, "watch", "success"), (TRIAGE, "summary", "success")]
"""A scheduled triage run of a one-service playbook: the list, its one watch job, the summary."""


PUBLISH = "status-page"
"""The job of the changing workflows that calls the status page's workflow."""


def ran(runs: list[JobRun]) -> list[tuple[str, str, str]]:
    """(workflow, job, conclusion) of each job run, in order, but for publishing the status page (the
    call and the called jobs), which is checked on its own."""
    return [
        (job.workflow, job.job, job.conclusion)
        for job in runs
        if job.workflow != STATUS_PAGE and job.job != PUBLISH
    ]


def published(runs: list[JobRun]) -> list[tuple[int, str, str]]:
    """(run id, job, conclusion) of the status page's jobs among ``runs``."""
    return [(job.run_id, job.job, job.conclusion) for job in runs if job.workflow == STATUS_PAGE]


@pytest.fixture
def day(act_workspace: Path, tmp_path: Path, outside_a_run: None) -> Iterator[Day]:
    """The box at START: a database outage, two earlier releases, mona (write) and rita (read)."""
    with (
        checked_emulator(clock=lambda: START) as emulator,
        SandboxBackend(admin_token=ADMIN_TOKEN, scenario="db-down", clock=emulator.now) as backend,
    ):
        box = GitHubInABox(
            emulator,
            act_workspace,
            tmp_path,
            secrets={"OPS_BACKEND_ADMIN_TOKEN": ADMIN_TOKEN},
            variables={"OPS_BACKEND_URL": backend.url},
        )
        emulator.set_permission("mona", "write")
        emulator.set_permission("rita", "read")
        for sha, hours in ((PREVIOUS_RELEASE, 26), (CURRENT_RELEASE, 2)):
            emulator.add_run(
                "backend-deploy.yml",
                head_sha=sha,
                conclusion="success",
                created_at=START - timedelta(hours=hours),
            )
        yield Day(box, emulator, backend)


def is_ref_creation(request: RecordedRequest) -> bool:
    """GitHub's create-a-reference (a branch)."""
    return (request.method, request.path) == ("POST", f"/repos/{REPO}/git/refs")


def monitor_alert(day: Day) -> int:
    """10:00 The uptime monitor raises an alert (a repository_dispatch with its own token, not a job's),
    and the alert workflow opens the incident; returns its number."""
    emulator, box = day.emulator, day.box
    monitor = emulator.user_token("uptime-bot")
    alert = [
        "send-alert",
        "--title",
        "Checkout returns 502",
        "--severity",
        "critical",
        "--source",
        "uptime",
    ]
    target = ["--repo", REPO, "--github-token", monitor, "--github-api-url", emulator.url]
    assert run([*alert, *target]) == 0
    # The route job finds the alert's service (the one service here), then the alert job takes it.
    assert ran(box.settle()) == [
        ("incident-alert.yml", "route", "success"),
        ("incident-alert.yml", "alert", "success"),
    ]
    (incident,) = emulator.issues(state="open")
    return int(incident["number"])


def test_a_day_in_the_life(day: Day) -> None:
    emulator, box = day.emulator, day.box

    number = monitor_alert(day)
    incident = day.issue(number)
    assert incident["title"] == "[SEV-1] Database down"
    assert labels_of(incident) == {"incident", "sev-1", "status:investigating", "deploy-freeze"}

    # The owner takes it; a reader's command changes nothing.
    body = (
        "/owner @mona\n/status mitigating next 30m failing over the database\n/sev 1 checkout and jobs down"
        "\n/impact every checkout and every new job fails"  # a SEV-1 is not resolved without one
    )
    taken = day.comment(number, body)
    assert ran(taken) == [("incident-commands.yml", "command", "success")]
    # The status and the severity change are news for customers: the same run publishes the page, in
    # the called workflow's build and deploy jobs (events made with the job's token would start none).
    (command_run,) = {job.run_id for job in taken if job.job == "command"}
    # Its remember job is skipped in a call: only the page's own schedule writes the timeline memory.
    assert published(taken) == [
        (command_run, "build", "success"),
        (command_run, "remember", "skipped"),
        (command_run, "deploy", "success"),
    ]
    owned = day.issue(number)
    assert [user["login"] for user in owned["assignees"]] == ["mona"]
    assert labels_of(owned) == {"incident", "sev-1", "status:mitigating", "deploy-freeze"}
    assert ran(day.comment(number, "/sev 2 looks fine from here", by="rita")) == [
        ("incident-commands.yml", "command", "success")
    ]
    after_reader = day.issue(number)
    assert (after_reader["title"], after_reader["body"], labels_of(after_reader)) == (
        owned["title"],
        owned["body"],
        labels_of(owned),
    )
    assert "need write access" in day.bot_comments(number)[-1]

    # /deploy is refused by the freeze; so is a deploy started with the Run workflow button.
    assert ran(day.comment(number, "/deploy")) == [("incident-commands.yml", "command", "success")]
    assert "deploys are frozen by incident #1" in day.bot_comments(number)[-1]
    by_hand = day.as_person(
        "mona",
        "POST",
        "/actions/workflows/backend-deploy.yml/dispatches",
        {"ref": "main", "inputs": {"ref": "main"}},
    )
    assert ran(by_hand) == [("backend-deploy.yml", "deploy", "failure")]
    assert "deploys are frozen by incident #1" in by_hand[0].act.output

    # /rollback dispatches Backend Rollback to the release before the current one; it runs.
    assert ran(day.comment(number, "/rollback")) == [
        ("incident-commands.yml", "command", "success"),
        ("backend-rollback.yml", "rollback", "success"),
        ("backend-rollback.yml", "hotfix-branch", "skipped"),  # not asked for (/rollback --hotfix)
    ]
    (rollback,) = [r for r in emulator.runs() if r["path"].endswith("backend-rollback.yml")]
    assert (rollback["inputs"]["sha"], rollback["inputs"]["incident"]) == (PREVIOUS_RELEASE, str(number))
    # The run's title (the workflow's run-name) carries the command's operation key.
    assert (
        rollback["display_title"]
        == f"Backend rollback to {PREVIOUS_RELEASE} {rollback['inputs']['operation']}"
    )

    # The database is back; the scheduled watch follows the rollback and sees metrics normal.
    day.backend.set_scenario("healthy")
    assert ran(box.tick(TRIAGE)) == TICK
    state = read_state(day.issue(number)["body"])
    assert state is not None
    assert [(r["role"], r["conclusion"]) for r in state.runs] == [("rollback", "success")]

    # /smoke runs Backend Live Smoke; two more ticks see 15 normal minutes and lift the freeze.
    assert ran(day.comment(number, "/smoke")) == [
        ("incident-commands.yml", "command", "success"),
        ("backend-live-smoke.yml", "smoke", "success"),
    ]
    assert ran(box.tick(TRIAGE) + box.tick(TRIAGE)) == TICK * 2
    assert "deploy-freeze" not in labels_of(day.issue(number))

    # The owner does the three manual checks and ticks their boxes in the issue, in the browser: the
    # edit starts the checklist workflow, which records who ticked them.
    incident_body = day.issue(number)["body"]
    ticked = incident_body.replace("- [ ] Manual check:", "- [x] Manual check:")
    assert ticked.count("- [x] Manual check:") == 3
    checked = day.as_person("mona", "PATCH", f"/issues/{number}", {"body": ticked})
    assert ran(checked) == [
        ("incident-checklist.yml", "checklist", "success"),
        ("incident-postmortem.yml", "postmortem", "skipped"),
        ("incident-postmortem.yml", "sync", "skipped"),
    ]
    state = read_state(day.issue(number)["body"])
    assert state is not None and sorted(check["by"] for check in state.checks.values()) == ["mona"] * 3
    assert "- [x] Manual check: signup and login work. _(ticked by mona, " in day.issue(number)["body"]

    # /resolve closes the incident and files the postmortem in the same run: the close, made with
    # the job's GITHUB_TOKEN, starts no workflow.
    assert ran(day.comment(number, "/resolve")) == [("incident-commands.yml", "command", "success")]
    resolved = day.issue(number)
    assert resolved["state"] == "closed"
    assert labels_of(resolved) == {"incident", "sev-1", "status:resolved"}
    (postmortem,) = [i for i in emulator.issues() if "postmortem" in labels_of(i)]
    assert [user["login"] for user in postmortem["assignees"]] == ["mona"]

    # The owner writes the preventive actions into the postmortem; the edit syncs them.
    edited = postmortem["body"].replace("\n- [ ] action — @owner — due YYYY-MM-DD\n", "\n" + ITEMS, 1)
    assert edited != postmortem["body"]
    synced = day.as_person("mona", "PATCH", f"/issues/{postmortem['number']}", {"body": edited})
    assert ran(synced) == [
        ("incident-checklist.yml", "checklist", "skipped"),
        ("incident-postmortem.yml", "postmortem", "skipped"),
        ("incident-postmortem.yml", "sync", "success"),
    ]

    # --- the emulator's final state ---------------------------------------------------------------
    items = [i for i in emulator.issues() if "action-item" in labels_of(i)]
    assert [(i["title"], [u["login"] for u in i["assignees"]]) for i in items] == [
        ("Action: Alert on database failover", ["mona"]),
        ("Action: Rehearse the restore", []),
    ]
    assert emulator.state()["sub_issues"] == {str(postmortem["number"]): [i["number"] for i in items]}
    (sync,) = [job for job in synced if job.job == "sync"]
    assert "(GitHub could not assign @outsider)" in sync.act.output
    timeline = [
        (c["user"]["login"], next((m["kind"] for m in find_markers(c["body"], "event")), c["body"][:12]))
        for c in emulator.comments(number)
    ]
    bot = "github-actions[bot]"
    assert timeline == [
        ("mona", "/owner @mona"),
        (bot, "owner"),
        (bot, "status"),
        (bot, "severity"),
        (bot, "impact"),
        ("rita", "/sev 2 looks"),
        (bot, "Sorry, incid"),
        ("mona", "/deploy"),
        (bot, "Some command"),
        ("mona", "/rollback"),
        (bot, "dispatch"),
        (bot, "run"),  # the watch saw the rollback conclude ...
        (bot, "snapshot"),  # ... and the rules clear
        ("mona", "/smoke"),
        (bot, "dispatch"),
        (bot, "run"),
        (bot, "monitor"),  # post-rollback monitoring: recovered
        (bot, "normal"),
        (bot, "unfreeze"),
        (bot, "check"),  # the three manual checks ticked in the issue
        (bot, "check"),
        (bot, "check"),
        ("mona", "/resolve"),
        (bot, "resolved"),
        (bot, "postmortem"),
    ]
    runs = [(r["path"].rsplit("/", 1)[-1], r["event"], r["conclusion"]) for r in reversed(emulator.runs())]
    rebuilds = [run for run in runs if run[0] == STATUS_PAGE]  # the hourly schedule's own runs
    assert rebuilds and {(event, conclusion) for _, event, conclusion in rebuilds} == {
        ("schedule", "success")
    }
    assert [d for d in emulator.workflow_dispatches() if d["workflow"] == STATUS_PAGE] == []
    # Every page job ran in a run that changed the incident (its call job ran) or in a scheduled one.
    scheduled = {r["id"] for r in emulator.runs() if r["path"].endswith(STATUS_PAGE)}
    changing = {job.run_id for job in box.runs if job.job == PUBLISH and job.conclusion == "success"}
    pages = published(box.runs)
    assert {conclusion for _, job, conclusion in pages if job != "remember"} == {"success"}
    remembered = {(run_id in scheduled, conclusion) for run_id, job, conclusion in pages if job == "remember"}
    assert remembered == {(True, "success"), (False, "skipped")}
    assert {run_id for run_id, *_ in pages} <= changing | scheduled
    assert changing and scheduled
    assert [run for run in runs if run[0] != STATUS_PAGE] == [
        ("backend-deploy.yml", "workflow_dispatch", "success"),
        ("backend-deploy.yml", "workflow_dispatch", "success"),
        ("incident-alert.yml", "repository_dispatch", "success"),
        ("incident-commands.yml", "issue_comment", "success"),
        ("incident-commands.yml", "issue_comment", "success"),
        ("incident-commands.yml", "issue_comment", "success"),
        ("backend-deploy.yml", "workflow_dispatch", "failure"),
        ("incident-commands.yml", "issue_comment", "success"),
        ("backend-rollback.yml", "workflow_dispatch", "success"),
        ("incident-triage.yml", "schedule", "success"),
        ("incident-commands.yml", "issue_comment", "success"),
        ("backend-live-smoke.yml", "workflow_dispatch", "success"),
        ("incident-triage.yml", "schedule", "success"),
        ("incident-triage.yml", "schedule", "success"),
        ("incident-checklist.yml", "issues", "success"),
        ("incident-postmortem.yml", "issues", "skipped"),
        ("incident-commands.yml", "issue_comment", "success"),
        ("incident-checklist.yml", "issues", "skipped"),
        ("incident-postmortem.yml", "issues", "success"),
    ]
    # No job got a 403, but for the one every job token gets by design: GET /user, which GitHub
    # refuses an installation token, tells the tool it acts as github-actions[bot].
    refused = {(request.method, request.path) for job in box.runs for request in job.refused}
    assert refused <= {("GET", "/user")}, refused


@pytest.mark.seed(42)
def test_rollback_hotfix_opens_the_branch_in_the_rollback_runs_own_job(day: Day) -> None:
    """`/rollback --hotfix`: the commands job (no contents: write) dispatches Backend Rollback with
    hotfix_branch; after the rollback, its hotfix-branch job, the one job holding contents: write,
    creates hotfix/incident-N at the SHA rolled back to (GitHub's 201) and says so on the incident. A
    second `/rollback --hotfix` meets GitHub's 422 "Reference already exists" at the same SHA and
    succeeds, saying so; the incident gets one note."""
    emulator = day.emulator
    number = monitor_alert(day)
    branch = f"refs/heads/hotfix/incident-{number}"

    first = day.comment(number, "/rollback --hotfix")
    assert ran(first) == [
        ("incident-commands.yml", "command", "success"),
        ("backend-rollback.yml", "rollback", "success"),
        ("backend-rollback.yml", "hotfix-branch", "success"),
    ], day.bot_comments(number)[-1]
    assert emulator.state()["refs"][branch] == PREVIOUS_RELEASE
    jobs = {job.job: job for job in first}
    creates = [(job.job, r.status) for job in first for r in job.requests if is_ref_creation(r)]
    assert creates == [("hotfix-branch", 201)], "only the hotfix-branch job writes a ref"
    assert f"hotfix/incident-{number} created at {PREVIOUS_RELEASE[:12]}" in jobs["hotfix-branch"].act.output

    second = day.comment(number, "/rollback --hotfix")
    assert [conclusion for *_, conclusion in ran(second)] == ["success"] * 3
    (retry,) = [job for job in second if job.job == "hotfix-branch"]
    assert [r.status for r in retry.requests if is_ref_creation(r)] == [422]
    assert f"already exists at {PREVIOUS_RELEASE[:12]}." in retry.act.output
    assert emulator.state()["refs"][branch] == PREVIOUS_RELEASE
    notes = [body for body in day.bot_comments(number) if body.startswith("**Hotfix branch**")]
    assert len(notes) == 1
    refused = {(request.method, request.path) for job in first + second for request in job.refused}
    assert refused <= {("GET", "/user")}, refused
