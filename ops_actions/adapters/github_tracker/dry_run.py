"""The dry-run tracker: reads for real, and prints every write as the API call it would make: one
line each (method, path and what it does), then, when verbose, the request's fields in full."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from github import Github

from ops_actions.adapters.github_tracker.records import IssueData, RunData
from ops_actions.adapters.github_tracker.tracker import GitHubTracker
from ops_actions.incident.labels import LabelSpec
from ops_actions.incident.new_issue import NewIssue

SHORT_TEXT = 60
"""How much of a title or a comment's first line a summary line quotes."""


def short(text: str) -> str:
    """The first non-empty line of ``text``, quoted, cut to SHORT_TEXT characters with an ellipsis."""
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return repr(line if len(line) <= SHORT_TEXT else line[: SHORT_TEXT - 1] + "…")


def summary_line(method: str, target: str, what: str) -> str:
    """The one line a dry run prints for a write: ``[dry-run] POST /repos/o/r/issues — open '…'``."""
    return f"[dry-run] {method} {target} — {what}"


class DryRunGitHubTracker(GitHubTracker):
    """Reads for real; every write is printed as the API call it would make, and not sent."""

    def __init__(
        self,
        client: Github,
        repository: str,
        *,
        say: Callable[[str], None],
        verbose: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(client, repository, **kwargs)
        self._say = say
        self._verbose = verbose
        self.planned: list[tuple[str, str, dict[str, Any]]] = []

    def _plan(self, method: str, path: str, what: str, payload: dict[str, Any]) -> None:
        self.planned.append((method, path, payload))
        self._say(summary_line(method, f"/repos/{self.repository}{path}", what))
        if not self._verbose:
            return
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
        self._plan("POST", "/issues", f"open {short(new.title)}", payload)
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
        changed = ", ".join(f"state {v}" if k == "state" else k for k, v in changes.items())
        self._plan(
            "PATCH",
            f"/issues/{number}",
            f"update #{number}: {changed}",
            {k: v for k, v in changes.items() if k != "body"} | ({"body": body} if body is not None else {}),
        )
        now = datetime.now(UTC)
        labels, state = tuple(changes.get("labels", ())), changes.get("state", "open")
        return IssueData(number, 0, changes.get("title", ""), body or "", labels, (), state, now, now, "", "")

    def assign(self, number: int, logins: Sequence[str]) -> tuple[str, ...]:
        self._plan(
            "POST",
            f"/issues/{number}/assignees",
            f"assign #{number} to {', '.join(logins)}",
            {"assignees": list(logins)},
        )
        return tuple(logins)

    def comment(self, number: int, body: str, *, marker: str) -> int:
        self._plan(
            "POST", f"/issues/{number}/comments", f"comment on #{number}: {short(body)}", {"body": body}
        )
        return 0

    def delete_comment(self, number: int, comment_id: int) -> None:
        self._plan("DELETE", f"/issues/comments/{comment_id}", f"delete a comment of #{number}", {})

    def update_label(self, spec: LabelSpec) -> None:
        self._plan(
            "PATCH",
            f"/labels/{spec.name}",
            f"set label {spec.name!r} to #{spec.color}",
            {"color": spec.color, "description": spec.description},
        )

    def add_reaction(self, number: int, comment_id: int, content: str) -> None:
        self._plan(
            "POST",
            f"/issues/comments/{comment_id}/reactions",
            f"react {content} to a comment of #{number}",
            {"content": content},
        )

    def dispatch(
        self, workflow: str, *, ref: str, inputs: Mapping[str, str], optional: Sequence[str] = ()
    ) -> RunData | None:
        self._plan(
            "POST",
            f"/actions/workflows/{workflow}/dispatches",
            f"run {workflow} on {ref}",
            {"ref": ref, "inputs": dict(inputs), "return_run_details": True},
        )
        return RunData(0, "completed", "skipped", "(dry run: not dispatched)", "", None, None)

    def create_branch(self, name: str, sha: str) -> str | None:
        self._plan(
            "POST", "/git/refs", f"branch {name} at {sha[:7]}", {"ref": f"refs/heads/{name}", "sha": sha}
        )
        return None

    def add_sub_issue(self, parent: int, child_id: int) -> bool:
        self._plan(
            "POST",
            f"/issues/{parent}/sub_issues",
            f"make a sub-issue of #{parent}",
            {"sub_issue_id": child_id},
        )
        return True

    def repository_dispatch(self, event_type: str, payload: Mapping[str, Any]) -> None:
        self._plan(
            "POST",
            "/dispatches",
            f"dispatch {event_type}",
            {"event_type": event_type, "client_payload": dict(payload)},
        )
