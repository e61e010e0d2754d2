"""GitHub's own refusals: for each rule the emulator enforces, the refusal as GitHub sends it (status,
body, headers) and how the tool reacts (one line, a documented exit code, nothing written twice).

The rules and their sources are in ``ops_actions/sandbox/github/`` (``permissions.py``, ``ghes.py``
and the route handlers); ``docs/reliability.md`` ("GitHub's own refusals") links each test here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ops_actions.cli import run
from ops_actions.incident.new_issue import NewIssue
from ops_actions.incident.state_block import read_state
from ops_actions.playbook import bundled_playbook_text
from ops_actions.sandbox.github import GitHubEmulator
from tests.support.cli import error_line
from tests.support.fixtures.github import GITHUB_TOKEN, REPO, REPO_PATH, checked_emulator
from tests.support.fixtures.world import World
from tests.support.slash_comments import comment

JOB = {"contents": "read", "issues": "write"}
"""What incident-triage.yml's job held before it asked for actions: read."""


def call(
    emulator: GitHubEmulator, method: str, path: str, token: str = GITHUB_TOKEN, body: Any = None
) -> httpx.Response:
    """One request to the emulator with a token, as any client sends it."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json"}
    content = None if body is None else json.dumps(body).encode()
    return httpx.request(method, emulator.url + path, headers=headers, content=content, timeout=10)


def open_incident(capsys: pytest.CaptureFixture[str]) -> int:
    assert run(["incident", "open", "--title", "Queue stuck", "--severity", "2"]) == 0
    capsys.readouterr()
    return 1


def smoke_workflow(emulator: GitHubEmulator) -> None:
    emulator.add_workflow(
        "backend-live-smoke.yml", "Backend Live Smoke", inputs=("incident",), queued_s=0, in_progress_s=3600
    )


# --- per-token permissions --------------------------------------------------------------------


def test_a_job_token_holds_only_its_permissions(github_emulator: GitHubEmulator) -> None:
    """Reading a run needs actions: read, a comment issues: write; metadata comes with every token."""
    smoke_workflow(github_emulator)
    run_id = github_emulator.add_run(
        "backend-live-smoke.yml", head_sha="a" * 40, conclusion="success", created_at=github_emulator.now()
    )
    number = github_emulator.add_issue(title="Queue stuck")
    token = github_emulator.mint_job_token(JOB)
    refused = call(github_emulator, "GET", f"{REPO_PATH}/actions/runs/{run_id}", token)
    assert refused.status_code == 403
    assert refused.json()["message"] == "Resource not accessible by integration"
    assert refused.json()["documentation_url"].endswith("/actions/workflow-runs#get-a-workflow-run")
    assert refused.headers["x-accepted-github-permissions"] == "actions=read"
    assert call(github_emulator, "GET", REPO_PATH, token).status_code == 200, (
        "metadata: read is always granted"
    )
    reader = github_emulator.mint_job_token({"issues": "read"})
    assert call(github_emulator, "GET", f"{REPO_PATH}/issues/{number}", reader).status_code == 200
    write = call(github_emulator, "POST", f"{REPO_PATH}/issues/{number}/comments", reader, {"body": "hi"})
    assert (write.status_code, write.headers["x-accepted-github-permissions"]) == (403, "issues=write")
    allowed = github_emulator.mint_job_token({**JOB, "actions": "read"})
    assert call(github_emulator, "GET", f"{REPO_PATH}/actions/runs/{run_id}", allowed).status_code == 200
    assert github_emulator.comments(number) == []


def test_the_watch_names_the_permission_its_job_lacks(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """A watch following a run with a job token lacking actions: read exits 4 naming actions=read and
    the job's permissions:; the same watch with actions: read follows the run."""
    smoke_workflow(world.emulator)
    world.backend.set_scenario("db-down")
    assert world.watch(0) == 0
    number = world.incident()["number"]
    assert world.cli(1, "remediate", "smoke", "--incident", str(number)) == 0
    capsys.readouterr()
    world.monkeypatch.setenv("GITHUB_TOKEN", world.emulator.mint_job_token(JOB))
    assert world.watch(10) == 4
    line = error_line(capsys)
    assert (
        "the token lacks a permission (GitHub accepts actions=read: add it to the job's permissions:)" in line
    )
    world.monkeypatch.setenv("GITHUB_TOKEN", world.emulator.mint_job_token({**JOB, "actions": "read"}))
    assert world.watch(20) == 0


PERMISSION_PATH = f"{REPO_PATH}/collaborators/mona/permission"


def test_reading_a_permission_needs_push_access(github_emulator: GitHubEmulator) -> None:
    """GitHub: "The authenticated user must have push access to the repository to use this endpoint":
    a reader's own token and a read-only job token get 403; a writer's token and a job token holding
    a write get the role."""
    github_emulator.set_permission("mona", "write")
    github_emulator.set_permission("rita", "read")
    for token in (github_emulator.user_token("rita"), github_emulator.mint_job_token({"contents": "read"})):
        refused = call(github_emulator, "GET", PERMISSION_PATH, token)
        assert refused.status_code == 403
        assert refused.json()["message"] == "Must have push access to view collaborator permission."
        assert refused.json()["documentation_url"].endswith(
            "/collaborators/collaborators#get-repository-permissions-for-a-user"
        )
    for token in (github_emulator.user_token("mona"), github_emulator.mint_job_token(JOB)):
        answer = call(github_emulator, "GET", PERMISSION_PATH, token)
        assert (answer.status_code, answer.json()["permission"]) == (200, "write")


def test_a_command_whose_author_permission_github_withholds_is_not_obeyed(
    github_env: GitHubEmulator,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A writer's `/sev 1` handled with a token that may not read permissions (a reader's own token,
    which could still write here): nothing changes, no reaction, no reply, exit 0 and one line saying why."""
    number = open_incident(capsys)
    github_env.set_permission("mona", "write")
    github_env.set_permission("rita", "read")
    before = github_env.issue(number)
    github_env.reset_log()
    monkeypatch.setenv("GITHUB_TOKEN", github_env.user_token("rita"))
    code, _ = comment(tmp_path, monkeypatch, github_env, number, "/sev 1 payments down", login="mona")
    assert code == 0
    out = capsys.readouterr().out
    assert "refused: GitHub would not tell mona's permission to this token (403" in out
    assert "Traceback" not in out
    assert [r.status for r in github_env.requests if r.path == PERMISSION_PATH] == [403]
    assert [r for r in github_env.requests if r.is_write] == []
    after = github_env.issue(number)
    assert (after["title"], after["labels"], after["body"]) == (
        before["title"],
        before["labels"],
        before["body"],
    )


# --- assignability ----------------------------------------------------------------------------


def test_only_collaborators_and_participants_can_be_assigned(github_emulator: GitHubEmulator) -> None:
    """Creating with an unassignable login is 422 naming the field (nothing created); adding one
    answers 201 and silently leaves them out; a commenter can be assigned."""
    github_emulator.set_permission("mona", "write")
    refused = call(
        github_emulator, "POST", f"{REPO_PATH}/issues", body={"title": "x", "assignees": ["nobody"]}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"value": "nobody", "resource": "Issue", "field": "assignees", "code": "invalid"}
    ]
    assert github_emulator.issues() == []
    number = call(github_emulator, "POST", f"{REPO_PATH}/issues", body={"title": "x"}).json()["number"]
    github_emulator.add_comment(number, body="I can help", user="carol")
    added = call(
        github_emulator,
        "POST",
        f"{REPO_PATH}/issues/{number}/assignees",
        body={"assignees": ["nobody", "mona", "carol"]},
    )
    assert added.status_code == 201
    assert [user["login"] for user in added.json()["assignees"]] == ["mona", "carol"]


def test_an_owner_github_does_not_assign_is_never_recorded(
    github_env: GitHubEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """`incident assign` to someone GitHub leaves out: exit 4 saying so; no owner, no timeline entry."""
    number = open_incident(capsys)
    assert run(["incident", "assign", str(number), "@nobody"]) == 4
    assert "GitHub did not assign @nobody to #1: only collaborators" in error_line(capsys)
    issue = github_env.issue(number)
    assert issue["assignees"] == []
    state = read_state(issue["body"])
    assert state is not None
    assert state.owner is None
    assert github_env.comments(number) == []


# --- locks ------------------------------------------------------------------------------------


def test_app_tokens_cannot_comment_on_or_edit_a_locked_issue(github_emulator: GitHubEmulator) -> None:
    """github-actions[bot] (the default token, or a job's) gets 403; a person with access may comment."""
    number = github_emulator.add_issue(title="Queue stuck")
    assert (
        call(
            github_emulator, "PUT", f"{REPO_PATH}/issues/{number}/lock", body={"lock_reason": "resolved"}
        ).status_code
        == 204
    )
    for token in (GITHUB_TOKEN, github_emulator.mint_job_token({"issues": "write"})):
        refused = call(
            github_emulator, "POST", f"{REPO_PATH}/issues/{number}/comments", token, {"body": "hi"}
        )
        assert refused.status_code == 403
        assert refused.json()["message"] == "Unable to create comment because issue is locked."
        assert (
            call(github_emulator, "PATCH", f"{REPO_PATH}/issues/{number}", token, {"body": "x"}).status_code
            == 403
        )
    person = github_emulator.user_token("mona")
    assert (
        call(
            github_emulator, "POST", f"{REPO_PATH}/issues/{number}/comments", person, {"body": "hi"}
        ).status_code
        == 201
    )


def test_an_update_on_a_locked_incident_says_it_is_locked(
    github_env: GitHubEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 4 with one line saying the issue is locked; nothing written."""
    number = open_incident(capsys)
    assert call(github_env, "PUT", f"{REPO_PATH}/issues/{number}/lock", body={}).status_code == 204
    before = github_env.issue(number)
    assert run(["incident", "update", str(number), "--status", "mitigating"]) == 4
    assert "the issue is locked, and GitHub refuses the workflow token's comments and edits" in error_line(
        capsys
    )
    assert github_env.comments(number) == []
    assert github_env.issue(number)["body"] == before["body"]


# --- the GITHUB_TOKEN budget ------------------------------------------------------------------


def test_job_tokens_share_1000_requests_an_hour(github_emulator: GitHubEmulator) -> None:
    """Every job token of the repository draws on one 1,000/h bucket; the long-lived token keeps its own."""
    first = github_emulator.mint_job_token({"issues": "read"})
    second = github_emulator.mint_job_token({"issues": "read"})
    headers = {"Authorization": f"Bearer {first}"}
    with httpx.Client(base_url=github_emulator.url, headers=headers, timeout=10) as client:
        answers = [client.get(f"{REPO_PATH}/labels/bug") for _ in range(999)]
    assert {a.headers["x-ratelimit-limit"] for a in answers} == {"1000"}
    last = call(github_emulator, "GET", f"{REPO_PATH}/labels/bug", second)
    assert (last.status_code, last.headers["x-ratelimit-remaining"]) == (200, "0")
    refused = call(github_emulator, "GET", f"{REPO_PATH}/labels/bug", first)
    assert refused.status_code == 403
    assert refused.json()["message"].startswith("API rate limit exceeded for user ID")
    kept = call(github_emulator, "GET", f"{REPO_PATH}/labels/bug")
    assert (kept.status_code, kept.headers["x-ratelimit-limit"]) == (200, "5000")


def test_an_exhausted_budget_ends_in_one_line(
    github_env: GitHubEmulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reset is an hour away, beyond OPS_GITHUB_MAX_WAIT_S: exit 4 at once, saying rate limited."""
    number = open_incident(capsys)
    token = github_env.mint_job_token({"issues": "write"})
    with httpx.Client(base_url=github_env.url, headers={"Authorization": f"Bearer {token}"}) as client:
        for _ in range(1000):
            client.get(f"{REPO_PATH}/labels/bug")
    monkeypatch.setenv("GITHUB_TOKEN", token)
    assert run(["incident", "update", str(number), "--status", "mitigating"]) == 4
    assert "rate limited (HTTP 403)" in error_line(capsys)
    assert github_env.comments(number) == []


# --- label limits -----------------------------------------------------------------------------


def test_label_names_and_descriptions_have_limits(github_emulator: GitHubEmulator) -> None:
    """A name over 50 characters (also one created by labelling an issue) and an emoji in a
    description are 422 naming the field."""
    long_name = "status:" + "m" * 44
    created = call(
        github_emulator, "POST", f"{REPO_PATH}/labels", body={"name": long_name, "color": "ededed"}
    )
    assert created.status_code == 422
    assert created.json()["errors"] == [
        {
            "resource": "Label",
            "code": "custom",
            "field": "name",
            "message": "name is too long (maximum is 50 characters)",
        }
    ]
    number = github_emulator.add_issue(title="Queue stuck")
    labelled = call(
        github_emulator, "POST", f"{REPO_PATH}/issues/{number}/labels", body={"labels": [long_name]}
    )
    assert labelled.status_code == 422
    emoji = call(
        github_emulator,
        "POST",
        f"{REPO_PATH}/labels",
        body={"name": "sev-1", "description": "Down \U0001f525"},
    )
    assert emoji.status_code == 422
    assert emoji.json()["errors"] == [{"resource": "Label", "code": "invalid", "field": "description"}]
    assert long_name not in github_emulator.label_names()


def test_labels_the_tool_makes_are_ones_github_takes(
    github_env: GitHubEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An emoji in a severity's definition is left out of the label's description (the incident
    opens); a label the tool is made to send too long fails with the field named."""
    text = bundled_playbook_text().replace(
        "Production does not accept payments", "\U0001f525 Production is down", 1
    )
    playbook = tmp_path / "playbook.yaml"
    playbook.write_text(text, encoding="utf-8")
    assert run(["incident", "open", "--title", "Down", "--severity", "1", "--playbook", str(playbook)]) == 0
    label = call(github_env, "GET", f"{REPO_PATH}/labels/sev-1").json()
    assert label["description"].startswith("SEV-1: Production is down")
    from ops_actions.adapters.config import GitHubConfig
    from ops_actions.adapters.github_tracker import GitHubTracker
    from ops_actions.errors import OpsError

    tracker = GitHubTracker.from_config(
        GitHubConfig(api_url=github_env.url, repository=REPO, token=GITHUB_TOKEN, write_interval_s=0)
    )
    with pytest.raises(OpsError) as raised:
        tracker.create_issue(NewIssue("x", "", ["l" * 51], marker="m", find_labels=["incident"]))
    tracker.close()
    assert "[name custom - name is too long (maximum is 50 characters)]" in raised.value.message


# --- dispatch checks --------------------------------------------------------------------------


def test_a_dispatch_needs_the_trigger_and_the_required_inputs(github_emulator: GitHubEmulator) -> None:
    """422 for a workflow without workflow_dispatch and for a missing required input; no run."""
    github_emulator.add_workflow("ci.yml", "CI", dispatchable=False)
    github_emulator.add_workflow(
        "backend-rollback.yml", "Backend Rollback", inputs=("sha", "incident"), required_inputs=("sha",)
    )
    no_trigger = call(
        github_emulator, "POST", f"{REPO_PATH}/actions/workflows/ci.yml/dispatches", body={"ref": "main"}
    )
    assert (no_trigger.status_code, no_trigger.json()["message"]) == (
        422,
        "Workflow does not have 'workflow_dispatch' trigger",
    )
    missing = call(
        github_emulator,
        "POST",
        f"{REPO_PATH}/actions/workflows/backend-rollback.yml/dispatches",
        body={"ref": "main", "inputs": {"incident": "1"}},
    )
    assert (missing.status_code, missing.json()["message"]) == (422, "Required input 'sha' not provided")
    assert github_emulator.runs() == []


def test_a_refused_dispatch_is_one_line_and_a_timeline_note(
    github_env: GitHubEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """`remediate deploy` to a workflow wanting an input the tool does not send: exit 4 quoting
    GitHub, and the incident's timeline says the dispatch failed."""
    number = open_incident(capsys)
    github_env.add_workflow(
        "backend-deploy.yml",
        "Backend Deploy",
        inputs=("ref", "incident", "override_freeze_reason", "environment"),
        required_inputs=("ref", "environment"),
    )
    assert run(["remediate", "deploy", "--incident", str(number)]) == 4
    assert "Required input 'environment' not provided" in error_line(capsys)
    (note,) = github_env.comments(number)
    assert note["body"].startswith("**Backend Deploy** could not be dispatched")
    assert github_env.runs() == []


# --- deleted and transferred issues -----------------------------------------------------------


def test_deleted_and_transferred_issues(github_emulator: GitHubEmulator) -> None:
    """A deleted issue answers 410; a transferred one 301 to its new place (404 where the description
    declares no 301); neither is listed any more."""
    deleted = github_emulator.add_issue(title="Gone", labels=["incident"])
    moved = github_emulator.add_issue(title="Moved", labels=["incident"])
    github_emulator.delete_issue(deleted)
    github_emulator.transfer_issue(moved, "octo-org/frontend", 7)
    gone = call(github_emulator, "GET", f"{REPO_PATH}/issues/{deleted}")
    assert (gone.status_code, gone.json()["message"]) == (410, "This issue was deleted")
    headers = {"Authorization": f"Bearer {GITHUB_TOKEN}"}
    redirect = httpx.get(
        f"{github_emulator.url}{REPO_PATH}/issues/{moved}", headers=headers, follow_redirects=False
    )
    assert redirect.status_code == 301
    assert redirect.headers["location"] == f"{github_emulator.url}/repos/octo-org/frontend/issues/7"
    assert redirect.json()["message"] == "Moved Permanently"
    assert call(github_emulator, "GET", f"{REPO_PATH}/issues/{moved}/comments").status_code == 404
    assert call(github_emulator, "GET", f"{REPO_PATH}/issues?labels=incident").json() == []


def test_updating_a_deleted_or_transferred_incident_says_why(
    github_env: GitHubEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 4 with the hint that fits: deleted (or issues disabled), or transferred (or no access)."""
    number = open_incident(capsys)
    github_env.delete_issue(number)
    assert run(["incident", "update", str(number), "--status", "mitigating"]) == 4
    assert "the issue was deleted, or issues are disabled in this repository" in error_line(capsys)
    assert run(["incident", "open", "--title", "Queue stuck again", "--severity", "2"]) == 0
    capsys.readouterr()
    github_env.transfer_issue(2, "octo-org/frontend", 7)
    assert run(["incident", "update", "2", "--status", "mitigating"]) == 4
    assert "not found (deleted, transferred to another repository, or no access)" in error_line(capsys)


# --- GitHub Enterprise Server 3.19 ------------------------------------------------------------


@pytest.fixture
def ghes(monkeypatch: pytest.MonkeyPatch) -> Iterator[GitHubEmulator]:
    """An emulator playing GHES 3.19 (contract-checked), the CLI pointed at it."""
    with checked_emulator(ghes="3.19") as emulator:
        for name, value in {
            "GITHUB_API_URL": emulator.url,
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_TOKEN": GITHUB_TOKEN,
            "GITHUB_RUN_ID": "9001",
            "OPS_GITHUB_MAX_WAIT_S": "5",
        }.items():
            monkeypatch.setenv(name, value)
        for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT", "GITHUB_RUN_ATTEMPT"):
            monkeypatch.delenv(name, raising=False)
        yield emulator


def test_ghes_refuses_unknown_dispatch_fields_and_has_no_sub_issues(ghes: GitHubEmulator) -> None:
    """400 for return_run_details (GHES's docs linked), 204 without it; no sub-issues routes or summary."""
    smoke_workflow(ghes)
    path = f"{REPO_PATH}/actions/workflows/backend-live-smoke.yml/dispatches"
    refused = call(ghes, "POST", path, body={"ref": "main", "return_run_details": True})
    assert refused.status_code == 400
    assert refused.json()["message"] == 'Invalid request.\n\n"return_run_details" is not a permitted key.'
    assert refused.json()["documentation_url"].startswith(
        "https://docs.github.com/enterprise-server@3.19/rest/"
    )
    assert ghes.runs() == []
    assert call(ghes, "POST", path, body={"ref": "main"}).status_code == 204
    number = ghes.add_issue(title="Postmortem")
    assert call(ghes, "GET", f"{REPO_PATH}/issues/{number}/sub_issues").status_code == 404
    assert "sub_issues_summary" not in call(ghes, "GET", f"{REPO_PATH}/issues/{number}").json()


def test_on_ghes_dispatch_finds_its_run_and_sync_keeps_checkboxes(
    ghes: GitHubEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """The dispatch is sent again without return_run_details and its run found by time; action items
    become linked issues, with no sub-issue request."""
    smoke_workflow(ghes)
    ghes.set_permission("mona", "write")
    number = open_incident(capsys)
    assert run(["remediate", "smoke", "--incident", str(number)]) == 0
    (dispatched,) = ghes.runs()
    state = read_state(ghes.issue(number)["body"])
    assert state is not None
    assert [entry["id"] for entry in state.runs] == [dispatched["id"]]
    assert run(["incident", "resolve", str(number), "--force", "--reason", "checked by hand"]) == 0
    capsys.readouterr()
    (postmortem,) = [i for i in ghes.issues() if i["title"].startswith("Postmortem")]
    body = postmortem["body"].replace(
        "<!-- ops-actions:postmortem ",
        "- [ ] Alert on queue age — @mona — due 2026-12-05\n\n<!-- ops-actions:postmortem ",
        1,
    )
    assert (
        call(ghes, "PATCH", f"{REPO_PATH}/issues/{postmortem['number']}", body={"body": body}).status_code
        == 200
    )
    assert run(["postmortem", "sync", str(postmortem["number"])]) == 0
    out = capsys.readouterr().out
    assert "no sub-issues API on this GitHub: the action items are linked issues" in out
    (item,) = [i for i in ghes.issues() if i["title"].startswith("Action:")]
    assert [user["login"] for user in item["assignees"]] == ["mona"]
    assert not [r for r in ghes.requests if r.method == "POST" and r.path.endswith("/sub_issues")]
