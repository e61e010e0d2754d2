"""The incident tracker over PyGithub: issues, sub-issues, assignees, comments, reactions, labels
and permissions in one repository; its Actions operations come from :mod:`.workflows`, and every
call goes through the retry policy of :mod:`.session`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from github import GithubException

from ops_actions.adapters.github_tracker.records import (
    CommentData,
    IssueData,
    is_pull_request,
    issue_data_from,
)
from ops_actions.adapters.github_tracker.refusals import (
    failed_fields,
    refuses_assignees,
    refuses_permission_read,
)
from ops_actions.adapters.github_tracker.workflows import WorkflowOperations
from ops_actions.incident.labels import LabelSpec
from ops_actions.incident.new_issue import NewIssue
from ops_actions.text.markdown import in_tool_form


class GitHubTracker(WorkflowOperations):
    """Incidents as GitHub issues, in one repository; the Actions operations are inherited from
    :class:`.workflows.WorkflowOperations`, the retry policy and the login from
    :class:`.session.GitHubSession`."""

    def open_incidents(self, labels: Sequence[str]) -> list[IssueData]:
        """Open issues with all the labels (one page of 100 is one request; issues, not PRs)."""

        def list_open() -> list[IssueData]:
            issues = self._repo.get_issues(state="open", labels=list(labels), sort="created", direction="asc")
            return [issue_data_from(issue) for issue in issues if not is_pull_request(issue)]

        return self._call("list open incidents", list_open)

    def issues(
        self, labels: Sequence[str], *, state: str = "all", since: datetime | None = None
    ) -> Iterator[IssueData]:
        """Issues with all the labels in any state (for reports), one list page at a time: only the page
        being read is held, so a caller that keeps what it shows stays flat in the history's size."""
        kwargs: dict[str, Any] = {"state": state, "labels": list(labels)}
        if since is not None:
            kwargs["since"] = since
        for page in self._pages("list issues", self._repo.get_issues(**kwargs)):
            yield from (issue_data_from(issue) for issue in page if not is_pull_request(issue))

    def issue(self, number: int) -> IssueData:
        """One issue by number."""

        def get() -> IssueData:
            issue = self._repo.get_issue(number)
            issue.complete()
            return issue_data_from(issue, read_alone=True)

        return self._call(f"read issue #{number}", get)

    def create_issue(self, new: NewIssue) -> IssueData:
        """Create an issue; after an ambiguous failure, an open one with the labels
        ``new.find_labels`` that the token's identity wrote and whose body holds ``new.marker`` is it."""
        labels, assignees = list(new.labels), list(new.assignees)

        def create() -> IssueData:
            sent_title, sent_body = self._redact(new.title), self._redact(new.body)
            try:
                issue = self._repo.create_issue(
                    title=sent_title, body=sent_body, labels=labels, assignees=assignees
                )
            except GithubException as error:
                if not (assignees and refuses_assignees(error)):
                    raise
                # GitHub created nothing: someone cannot be assigned. The issue matters more than
                # its assignee; the caller sees who is missing in the result's assignees.
                self._pace()
                issue = self._repo.create_issue(title=sent_title, body=sent_body, labels=labels)
            return issue_data_from(issue)

        def already_created() -> IssueData | None:
            mine = self.login()
            return next(
                (
                    i
                    for i in self.open_incidents(new.find_labels)
                    if i.author == mine and new.marker in i.body
                ),
                None,
            )

        return self._call("create an issue", create, verify=already_created, write=True)

    def sub_issues(self, number: int) -> list[IssueData] | None:
        """The sub-issues of an (existing) issue; None when this GitHub has no sub-issues API
        (GitHub Enterprise Server before 3.20 answers 404)."""

        def list_sub() -> list[IssueData] | None:
            try:
                return [issue_data_from(sub) for sub in self._repo.get_issue(number).get_sub_issues()]
            except GithubException as error:
                if error.status == 404:
                    return None
                raise

        return self._call(f"list the sub-issues of #{number}", list_sub)

    def add_sub_issue(self, parent: int, child_id: int) -> bool:
        """Attach an issue (by id) as a sub-issue; False when this GitHub has no sub-issues API."""

        def add() -> bool:
            try:
                self._repo.get_issue(parent).add_sub_issue(child_id)
            except GithubException as error:
                if error.status in {404, 410}:
                    return False
                # GitHub's top-level message is "Validation Failed"; the reason is in errors[].
                if error.status == 422 and any("duplicate sub-issues" in why for why in failed_fields(error)):
                    return True
                raise
            return True

        return self._call(f"add a sub-issue to #{parent}", add, write=True)

    def edit_issue(
        self,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        labels: Sequence[str] | None = None,
        state: str | None = None,
        state_reason: str | None = None,
    ) -> IssueData:
        """PATCH an issue; the same PATCH twice has the same effect, so it is safe to retry."""
        changes: dict[str, Any] = {}
        if title is not None:
            changes["title"] = self._redact(title)
        if body is not None:
            changes["body"] = self._redact(body)
        if labels is not None:
            changes["labels"] = list(labels)
        if state is not None:
            changes["state"] = state
        if state_reason is not None:
            changes["state_reason"] = state_reason

        return self._patch(number, changes)

    def _patch(self, number: int, changes: dict[str, Any]) -> IssueData:
        """Send one PATCH of the issue (what the dry run prints instead)."""

        def patch() -> IssueData:
            issue = self._repo.get_issue(number)
            issue.edit(**changes)
            return issue_data_from(issue)

        return self._call(f"update issue #{number}", patch, write=True)

    def assign(self, number: int, logins: Sequence[str]) -> tuple[str, ...]:
        """Add assignees (idempotent on GitHub's side); returns who is assigned now.

        GitHub answers 201 and silently leaves out a login that cannot be assigned, so the caller
        compares what it asked for with what it got.
        """

        def add() -> tuple[str, ...]:
            issue = self._repo.get_issue(number)
            issue.add_to_assignees(*logins)  # PyGithub updates the issue from GitHub's answer
            return tuple(user.login for user in issue.assignees)

        return self._call(f"assign issue #{number}", add, write=True)

    def comments(self, number: int, *, since: datetime | None = None) -> list[CommentData]:
        """The comments of an issue, oldest first; with ``since``, those updated at or after it
        (GitHub's ``since``: a comment edited later is listed again)."""

        def list_comments() -> list[CommentData]:
            issue = self._repo.get_issue(number)
            # PyGithub writes the time as it is, with a Z: it must be in UTC.
            listed = issue.get_comments(**({} if since is None else {"since": since.astimezone(UTC)}))
            return [
                CommentData(
                    c.id,
                    c.body or "",
                    c.user.login if c.user else "",
                    c.created_at.astimezone(UTC),
                    c.updated_at.astimezone(UTC),
                )
                for c in listed
            ]

        return self._call(f"read the comments of #{number}", list_comments)

    def comment(self, number: int, body: str, *, marker: str) -> int:
        """Post a comment; after an ambiguous failure a comment of the token's identity holding ``marker``
        counts as posted (anyone's could hold it)."""

        def post() -> int:
            return int(self._repo.get_issue(number).create_comment(self._redact(body)).id)

        def already_posted() -> int | None:
            mine = self.login()
            return next(
                (
                    c.id
                    for c in self.comments(number)
                    if c.author == mine and marker in c.body and in_tool_form(c.body)
                ),
                None,
            )

        return self._call(f"comment on #{number}", post, verify=already_posted, write=True)

    def delete_comment(self, number: int, comment_id: int) -> None:
        """Delete a comment of issue #number (a duplicate a late write left); one already gone is fine."""

        def delete() -> None:
            try:
                self._repo.get_issue(number).get_comment(comment_id).delete()
            except GithubException as error:
                if error.status != 404:
                    raise

        self._call(f"delete a duplicate comment on #{number}", delete, write=True)

    def update_label(self, spec: LabelSpec) -> None:
        """Give a label its colour and description (PATCH: safe to retry)."""

        def patch() -> None:
            self._repo.get_label(spec.name).edit(spec.name, spec.color, spec.description)

        self._call(f"update label {spec.name}", patch, write=True)

    def add_reaction(self, number: int, comment_id: int, content: str) -> None:
        """React to an issue comment (GitHub answers 200 for an existing reaction)."""

        def react() -> None:
            self._repo.get_issue(number).get_comment(comment_id).create_reaction(content)

        self._call("react to the comment", react, write=True)

    def permission(self, login: str) -> str | None:
        """A user's permission on the repository: admin, write, read or none (maintain counts as write);
        None when GitHub will not tell this token (403: it needs push access to the repository)."""

        def get() -> str | None:
            try:
                return str(self._repo.get_collaborator_permission(login))
            except GithubException as error:
                if error.status == 404:
                    return "none"
                if refuses_permission_read(error):
                    return None
                raise

        return self._call(f"read the permission of {login}", get)
