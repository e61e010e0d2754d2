"""The events each write records, and which of this repository's workflows GitHub starts for them."""

from __future__ import annotations

import httpx

from ops_actions.sandbox.github import GitHubEmulator
from tests.support.fixtures.github import GITHUB_TOKEN, REPO_PATH


def call(emulator: GitHubEmulator, method: str, path: str, token: str, body: object) -> httpx.Response:
    return httpx.request(
        method,
        emulator.url + REPO_PATH + path,
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def test_writes_record_the_events_github_delivers(github_emulator: GitHubEmulator) -> None:
    """opened and labeled for a new issue, closed, issue_comment, workflow_dispatch with its run; each
    says whether a GITHUB_TOKEN made it (the default token acts as github-actions[bot])."""
    github_emulator.add_workflow("backend-live-smoke.yml", "Backend Live Smoke", inputs=("incident",))
    person = github_emulator.user_token("mona")
    job = github_emulator.mint_job_token({"issues": "write", "actions": "write"})
    number = call(
        github_emulator, "POST", "/issues", GITHUB_TOKEN, {"title": "x", "labels": ["incident"]}
    ).json()["number"]
    call(github_emulator, "POST", f"/issues/{number}/comments", person, {"body": "/sev 1"})
    call(github_emulator, "POST", f"/issues/{number}/comments", job, {"body": "noted"})
    call(github_emulator, "PATCH", f"/issues/{number}", person, {"state": "closed"})
    call(
        github_emulator, "POST", "/actions/workflows/backend-live-smoke.yml/dispatches", job, {"ref": "main"}
    )
    events = github_emulator.events()
    assert [(e["event"], e["action"], e["sender"], e["github_token"]) for e in events] == [
        ("issues", "opened", "github-actions[bot]", True),
        ("issues", "labeled", "github-actions[bot]", True),
        ("issue_comment", "created", "mona", False),
        ("issue_comment", "created", "github-actions[bot]", True),
        ("issues", "closed", "mona", False),
        ("workflow_dispatch", None, "github-actions[bot]", True),
    ]
    assert events[1]["payload"]["label"]["name"] == "incident"
    assert events[2]["payload"]["comment"]["body"] == "/sev 1"
    assert events[4]["payload"]["issue"]["state"] == "closed"
    (run,) = github_emulator.runs()
    assert (events[5]["workflow"], events[5]["run_id"]) == ("backend-live-smoke.yml", run["id"])
    assert github_emulator.events(since=5) == events[5:]
