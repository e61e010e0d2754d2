"""Webhook payloads: recorded ones (tests/data/github-webhooks, from @octokit/webhooks-examples), and
the ``issue_comment`` event of a comment made on the emulator."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.support.paths import ALERTS_DATA, WEBHOOKS

if TYPE_CHECKING:
    from ops_actions.sandbox.github import GitHubEmulator


def recorded_event(name: str, action: str) -> dict[str, Any]:
    """A copy of a recorded webhook payload (@octokit/webhooks-examples) with this action."""
    payloads = json.loads((WEBHOOKS / f"{name}.json").read_text(encoding="utf-8"))
    return copy.deepcopy(next(p for p in payloads if p["action"] == action))


def recorded_alert(name: str) -> dict[str, Any]:
    """A recorded alert payload of tests/data/alerts (Alertmanager, Grafana, ours)."""
    return json.loads((ALERTS_DATA / name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def comment_event(emulator: GitHubEmulator, folder: Path, number: int, body: str, login: str) -> Path:
    """``login`` comments ``body`` on issue #number (a real comment on the emulator); the file of the
    ``issue_comment`` event it starts, as a workflow run reads it from GITHUB_EVENT_PATH."""
    comment_id = emulator.add_comment(number, body=body, user=login)
    payload = {
        "action": "created",
        # The issue's labels as GitHub's payload carries them: its service:<id> names its service.
        "issue": {
            "number": number,
            "labels": [{"name": label["name"]} for label in emulator.issue(number)["labels"]],
        },
        "comment": {"id": comment_id, "body": body, "user": {"login": login, "type": "User"}},
    }
    path = folder / f"comment-{comment_id}.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path
