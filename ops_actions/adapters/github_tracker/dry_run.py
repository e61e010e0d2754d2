"""The dry-run tracker: reads for real, and prints every write as the API call it would make."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from github import Github

from ops_actions.adapters.github_tracker.records import IssueData, RunData
from ops_actions.adapters.github_tracker.tracker import GitHubTracker
from ops_actions.incident.labels import LabelSpec
from ops_actions.incident.new_issue import NewIssue


class DryRunGitHubTracker(GitHubTracker):
    """Reads for real; every write is printed as the API call it would make, and not sent."""

    def __init__(self, client: Github, repository: str, *, say: Callable[[str], None], **kwargs: Any) -> None:
        super().__init__(client, repository, **kwargs)
        self._say = say
        self.planned: list[tuple[str, str, dict[str, Any]]] = []

    def _plan(self, method: str, path: str, payload: dict[str, Any]) -> None:
        self.planned.append((method, path, payload))
        self._say(f"[dry-run] {method} /repos/{self.repository}{path}")
        for name, value in payload.items():
            if isinstance(value, str) and "\n" in value:
                self._say(f"  {name}:\n" + "\n".join(f"    {line}" for line in value.splitlines()))
            else:
                self._say(f"  {name}: {value!r}")

    def create_issue(self, new: NewIssue) -> IssueData:
        payload = {
            "title": new.title,
            "labels": list(new.labels),
            "assignees": list(new.assignees),
            "body": new.body,
        }
        self._plan("POST", "/issues", payload)
        now = datetime.now(UTC)
        return IssueData(
            0,
            0,
            new.title,
            new.body,
            tuple(new.labels),
            tuple(new.assignees),
            "open",
            now,
            now,
            "(dry run)",
            "",
        )

    def _patch(self, number: int, changes: dict[str, Any]) -> IssueData:
        body = changes.get("body")
        # The body last: it is the long one.
        self._plan(
            "PATCH",
            f"/issues/{number}",
            {k: v for k, v in changes.items() if k != "body"} | ({"body": body} if body is not None else {}),
        )
        now = datetime.now(UTC)
        labels, state = tuple(changes.get("labels", ())), changes.get("state", "open")
        return IssueData(number, 0, changes.get("title", ""), body or "", labels, (), state, now, now, "", "")

    def assign(self, number: int, logins: Sequence[str]) -> tuple[str, ...]:
        self._plan("POST", f"/issues/{number}/assignees", {"assignees": list(logins)})
        return tuple(logins)

    def comment(self, number: int, body: str, *, marker: str) -> int:
        self._plan("POST", f"/issues/{number}/comments", {"body": body})
        return 0

    def delete_comment(self, number: int, comment_id: int) -> None:
        self._plan("DELETE", f"/issues/comments/{comment_id}", {})

    def update_label(self, spec: LabelSpec) -> None:
        self._plan("PATCH", f"/labels/{spec.name}", {"color": spec.color, "description": spec.description})

    def add_reaction(self, number: int, comment_id: int, content: str) -> None:
        self._plan("POST", f"/issues/comments/{comment_id}/reactions", {"content": content})

    def dispatch(
        self, workflow: str, *, ref: str, inputs: Mapping[str, str], optional: Sequence[str] = ()
    ) -> RunData | None:
        self._plan(
            "POST",
            f"/actions/workflows/{workflow}/dispatches",
            {"ref": ref, "inputs": dict(inputs), "return_run_details": True},
        )
        return RunData(0, "completed", "skipped", "(dry run: not dispatched)", "", None, None)

    def create_branch(self, name: str, sha: str) -> str | None:
        self._plan("POST", "/git/refs", {"ref": f"refs/heads/{name}", "sha": sha})
        return None

    def add_sub_issue(self, parent: int, child_id: int) -> bool:
        self._plan("POST", f"/issues/{parent}/sub_issues", {"sub_issue_id": child_id})
        return True

    def repository_dispatch(self, event_type: str, payload: Mapping[str, Any]) -> None:
        self._plan("POST", "/dispatches", {"event_type": event_type, "client_payload": dict(payload)})
