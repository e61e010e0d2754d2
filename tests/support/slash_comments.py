"""Slash commands as a person sends them: an open incident, a real comment on it, the webhook
payload of that comment run through `ops-actions command`, and the reactions the tool left."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ops_actions.cli import run
from ops_actions.sandbox.github import GitHubEmulator
from tests.support.events import recorded_event
from tests.support.fixtures.github import REPO, point_cli_at


@pytest.fixture
def incident(github_emulator: GitHubEmulator, monkeypatch: pytest.MonkeyPatch) -> int:
    """An open SEV-2 incident on the emulator; the environment of a workflow run points at it."""
    point_cli_at(github_emulator, monkeypatch, GITHUB_RUN_ID="7001")
    assert (
        run(["incident", "open", "--title", "Queue stuck", "--severity", "2", "--impact", "Job creation"])
        == 0
    )
    github_emulator.set_permission("alice", "write")
    github_emulator.set_permission("rita", "read")
    return int(github_emulator.issues(state="open")[0]["number"])


def comment(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    emulator: GitHubEmulator,
    number: int,
    body: str,
    *,
    login: str = "alice",
    pull_request: bool = False,
    labels: tuple[str, ...] = ("incident", "sev-2"),
) -> tuple[int, str]:
    """Post `body` as a real comment on the emulator, build the webhook payload from the recorded
    example, run `ops-actions command`, and return the exit code and output."""
    comment_id = emulator.add_comment(number, body=body, user=login)
    payload: dict[str, Any] = recorded_event("issue_comment", "created")
    payload["issue"]["number"] = number
    payload["issue"]["labels"] = [{"name": name} for name in labels]
    if pull_request:
        payload["issue"]["pull_request"] = {"url": f"{emulator.url}/repos/{REPO}/pulls/{number}"}
    payload["comment"]["id"] = comment_id
    payload["comment"]["body"] = body
    payload["comment"]["user"]["login"] = login
    payload["repository"]["full_name"] = REPO
    event = tmp_path / f"event-{comment_id}.json"
    event.write_text(json.dumps(payload), encoding="utf-8")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    code = run(["command"])
    return code, str(comment_id)


def reactions(emulator: GitHubEmulator, comment_id: str) -> list[str]:
    """The reactions the tool left on a comment, in order."""
    return [
        r.body["content"]
        for r in emulator.requests
        if r.method == "POST" and r.path.endswith(f"/comments/{comment_id}/reactions")
    ]
