"""The GitHub REST calls the schedule check (``flows/keepalive.py``) makes, over httpx: the
repository's last push, the workflows' states, enabling a workflow, and the one warning issue."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final
from urllib.parse import quote

import httpx

from ops_actions.errors import ExitCode, OpsError
from ops_actions.incident.clock import parse_time

_HEADERS: Final = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}


class GitHubWorkflowSchedules:
    """``WorkflowSchedules`` for ``repository`` at ``api_url``, as the holder of ``token``."""

    def __init__(self, client: httpx.Client, *, api_url: str, repository: str, token: str) -> None:
        self._client = client
        self._base = f"{api_url.rstrip('/')}/repos/{repository}"
        self._headers = {**_HEADERS, "Authorization": f"Bearer {token}"}

    def _send(self, method: str, path: str, *, allow: tuple[int, ...] = (), **options: Any) -> httpx.Response:
        response = self._client.request(method, self._base + path, headers=self._headers, **options)
        if response.is_success or response.status_code in allow:
            return response
        raise OpsError(f"GitHub refused {method} {path or '/'}: HTTP {response.status_code}", ExitCode.GITHUB)

    def last_activity(self) -> datetime:
        return parse_time(str(self._send("GET", "").json()["pushed_at"]))

    def workflow_states(self) -> dict[str, str]:
        listed = self._send("GET", "/actions/workflows", params={"per_page": 100}).json()["workflows"]
        return {str(w["path"]).rsplit("/", 1)[-1]: str(w["state"]) for w in listed}

    def enable(self, workflow: str) -> bool:
        # 403: the job's token lacks actions: write; the check warns instead of failing the run.
        answer = self._send("PUT", f"/actions/workflows/{quote(workflow, safe='')}/enable", allow=(403,))
        return answer.is_success

    def open_warning(self, label: str) -> int | None:
        found = self._send("GET", "/issues", params={"labels": label, "state": "open", "per_page": 1}).json()
        return int(found[0]["number"]) if found else None

    def post_warning(self, title: str, body: str, label: str) -> int:
        created = self._send("POST", "/issues", json={"title": title, "body": body, "labels": [label]})
        return int(created.json()["number"])
