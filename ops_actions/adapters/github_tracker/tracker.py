"""The incident tracker over PyGithub.

A narrow interface over issues, labels, comments and workflows. Reads are retried; writes are
never blindly retried: after an ambiguous failure (5xx, dropped connection) the tracker first
looks for the write's idempotency marker and only sends again when it is not there. Rate limits
are waited out per ``retry-after``, then ``x-ratelimit-reset``, then an exponential back-off,
up to a ceiling, after which the caller gets a one-line OpsError.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, TypeVar

import requests
from github import Auth, Github, GithubException
from github.Issue import Issue
from github.WorkflowRun import WorkflowRun

from ops_actions.adapters.config import DEFAULT_WRITE_INTERVAL_S, GitHubConfig
from ops_actions.errors import ExitCode, OpsError
from ops_actions.incident.labels import LabelSpec

T = TypeVar("T")

MAX_ATTEMPTS: Final = 4
BACKOFF_FROM_S: Final = 60.0
PAGE_SIZE: Final = 100
# The login of the job token, GITHUB_TOKEN: the GitHub Actions app's bot.
ACTIONS_BOT: Final = "github-actions[bot]"


@dataclass(frozen=True)
class IssueData:
    """An issue as the core needs it."""

    number: int
    id: int
    title: str
    body: str
    labels: tuple[str, ...]
    assignees: tuple[str, ...]
    state: str
    created_at: datetime
    updated_at: datetime
    html_url: str
    author: str
    label_details: tuple[LabelSpec, ...] = ()
    closed_at: datetime | None = None
    comments: int = 0
    state_reason: str | None = None


@dataclass(frozen=True)
class RunData:
    """A workflow run as remediation needs it."""

    id: int
    status: str
    conclusion: str | None
    html_url: str
    head_sha: str
    created_at: datetime | None
    updated_at: datetime | None
    title: str = ""
    """The run's ``display_title``: its workflow's ``run-name`` with the inputs filled in."""


def _run_data(run: WorkflowRun) -> RunData:
    return RunData(
        id=run.id,
        status=run.status,
        conclusion=run.conclusion,
        html_url=run.html_url,
        head_sha=run.head_sha,
        created_at=run.created_at.astimezone(UTC) if run.created_at else None,
        updated_at=run.updated_at.astimezone(UTC) if run.updated_at else None,
        title=run.display_title or "",
    )


@dataclass(frozen=True)
class CommentData:
    """A comment as the core needs it."""

    id: int
    body: str
    author: str
    created_at: datetime


def _issue_data(issue: Issue) -> IssueData:
    return IssueData(
        number=issue.number,
        id=issue.id,
        title=issue.title,
        body=issue.body or "",
        labels=tuple(label.name for label in issue.labels),
        assignees=tuple(user.login for user in issue.assignees),
        state=issue.state,
        created_at=issue.created_at.astimezone(UTC),
        updated_at=issue.updated_at.astimezone(UTC),
        html_url=issue.html_url,
        author=issue.user.login if issue.user else "",
        label_details=tuple(LabelSpec(lb.name, lb.color or "", lb.description or "") for lb in issue.labels),
        closed_at=issue.closed_at.astimezone(UTC) if issue.closed_at else None,
        comments=issue.comments,
        state_reason=issue.state_reason,
    )


def _is_pull_request(issue: Issue) -> bool:
    """Whether a listed issue is a PR; reading ``issue.pull_request`` would fetch each issue again."""
    return "/pull/" in issue.html_url


def _header(headers: Any, name: str) -> str | None:
    if not headers:
        return None
    for key, value in dict(headers).items():
        if key.lower() == name:
            return str(value)
    return None


def _message(error: GithubException) -> str:
    data = error.data
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return str(data["message"])
    return str(data or "") or f"HTTP {error.status}"


def _failed_fields(error: GithubException) -> list[str]:
    """What a 422's ``errors[]`` say failed: ``assignees invalid ('nobody')``, or a message."""
    data = error.data
    entries = data.get("errors") if isinstance(data, dict) else None
    found = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, str):
            found.append(entry)
        elif isinstance(entry, dict):
            words = [str(entry[key]) for key in ("field", "code") if entry.get(key)]
            if isinstance(entry.get("value"), str | int):
                words.append(f"({entry['value']!r})")
            if isinstance(entry.get("message"), str):
                words.append(f"- {entry['message']}")
            found.append(" ".join(words))
    return [text for text in found if text]


def _refuses_assignees(error: GithubException) -> bool:
    """A 422 whose errors name the assignees (GitHub: a login that cannot be assigned)."""
    data = error.data
    entries = data.get("errors") if isinstance(data, dict) else None
    return error.status == 422 and any(
        isinstance(entry, dict) and entry.get("field") == "assignees"
        for entry in (entries if isinstance(entries, list) else [])
    )


def rate_limit_delay(error: GithubException, attempt: int, now: float) -> float | None:
    """Seconds to wait when the error is a rate limit, else None."""
    headers = error.headers
    retry_after = _header(headers, "retry-after")
    remaining = _header(headers, "x-ratelimit-remaining")
    limited = error.status == 429 or (
        error.status == 403
        and (retry_after is not None or remaining == "0" or "rate limit" in _message(error).lower())
    )
    if not limited:
        return None
    if retry_after and retry_after.strip().isdigit():
        return float(retry_after)
    reset = _header(headers, "x-ratelimit-reset")
    if remaining == "0" and reset and reset.isdigit():
        return max(float(reset) - now, 0.0) + 1.0
    return BACKOFF_FROM_S * 2.0 ** (attempt - 1)


class Tracker:
    """Incidents as GitHub issues, in one repository."""

    def __init__(
        self,
        client: Github,
        repository: str,
        *,
        max_wait_s: float = 300.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        redact: Callable[[str], str] = str,
        login: str | None = None,
        write_interval_s: float = DEFAULT_WRITE_INTERVAL_S,
    ) -> None:
        self._client = client
        self._repo = client.get_repo(repository)
        self.repository = repository
        self._max_wait_s = max_wait_s
        self._sleep = sleep
        self._clock = clock
        self._redact = redact
        self._login = login
        self._write_interval_s = write_interval_s
        self._last_write: float | None = None
        self.waited_s = 0.0

    @classmethod
    def from_config(cls, config: GitHubConfig, **kwargs: Any) -> Tracker:
        """A tracker with PyGithub set up deliberately: our own retries, no built-in throttling."""
        # PyGithub logs at INFO to stderr out of the box (e.g. each redirect it follows, on a
        # transferred issue): the CLI's output is its own, so only PyGithub's warnings get through.
        logging.getLogger("github").setLevel(logging.WARNING)
        client = Github(
            base_url=config.api_url,
            auth=Auth.Token(config.token),
            retry=None,  # PyGithub would retry POSTs on 5xx and could duplicate an issue
            seconds_between_requests=None,
            seconds_between_writes=None,
            per_page=PAGE_SIZE,
            timeout=30,
            lazy=True,
        )
        return cls(
            client,
            config.repository,
            max_wait_s=config.max_wait_s,
            login=config.login,
            write_interval_s=config.write_interval_s,
            **kwargs,
        )

    def close(self) -> None:
        self._client.close()

    # -- the retry policy ---------------------------------------------------------------------

    def _pace(self) -> None:
        """Hold a write until ``write_interval_s`` has passed since the last one (GitHub's secondary
        limits); never longer than the interval, even if the clock went back."""
        if self._last_write is not None:
            wait = min(self._last_write + self._write_interval_s - self._clock(), self._write_interval_s)
            if wait > 0:
                self._sleep(wait)
        self._last_write = self._clock()

    def _call(
        self,
        what: str,
        action: Callable[[], T],
        *,
        verify: Callable[[], T | None] | None = None,
        write: bool = False,
    ) -> T:
        """Run ``action``; retry reads; pace writes (``write``), and look for one (``verify``) before
        sending it again."""
        attempt = 0
        while True:
            attempt += 1
            if write:
                self._pace()
            try:
                return action()
            except GithubException as error:
                delay = rate_limit_delay(error, attempt, self._clock())
                if delay is None and error.status < 500:
                    raise OpsError(self._explain(what, error), ExitCode.GITHUB) from None
                reason = (
                    f"rate limited (HTTP {error.status})" if delay is not None else f"HTTP {error.status}"
                )
                if delay is None:
                    delay = min(2.0**attempt, 30.0) * random.uniform(0.5, 1.0)
            except (requests.ConnectionError, requests.Timeout) as error:
                reason = f"connection failed ({type(error).__name__})"
                delay = min(2.0**attempt, 30.0) * random.uniform(0.5, 1.0)
            if verify is not None:
                found = verify()
                if found is not None:
                    return found
            if attempt >= MAX_ATTEMPTS or self.waited_s + delay > self._max_wait_s:
                raise OpsError(f"GitHub: {what} failed after {attempt} attempt(s): {reason}", ExitCode.GITHUB)
            self._sleep(delay)
            self.waited_s += delay

    @staticmethod
    def _explain(what: str, error: GithubException) -> str:
        message = " ".join(_message(error).split())[:200]
        hints = {
            400: "GitHub did not understand the request",
            401: "the token was rejected",
            403: "the token lacks a permission",
            404: "not found (deleted, transferred to another repository, or no access)",
            410: "the issue was deleted, or issues are disabled in this repository",
            422: "GitHub rejected the request",
        }
        hint = hints.get(error.status, f"HTTP {error.status}")
        if error.status == 403 and "locked" in message.lower():
            hint = "the issue is locked, and GitHub refuses the workflow token's comments and edits there"
        accepted = _header(error.headers, "x-accepted-github-permissions")
        if error.status == 403 and accepted:
            hint += f" (GitHub accepts {accepted}: add it to the job's permissions:)"
        fields = _failed_fields(error) if error.status == 422 else []
        if fields:
            message += " [" + "; ".join(fields)[:200] + "]"
        return f"GitHub: {what}: {hint}: {message}"

    # -- identity -----------------------------------------------------------------------------

    def login(self) -> str:
        """The login the token acts as: the only author whose markers and state blocks count.

        A configured login (``OPS_GITHUB_LOGIN``, a GitHub App's ``<slug>[bot]``) is taken as it is.
        Else ``GET /user`` names it for a user's token; an installation token gets 403 "Resource
        not accessible by integration" there, and is taken for the Actions job token, which acts
        as ``github-actions[bot]``. Read once, and only when a command needs it.
        """
        if self._login is None:

            def get() -> str:
                try:
                    return str(self._client.get_user().login)
                except GithubException as error:
                    if error.status == 403 and "not accessible by integration" in _message(error).lower():
                        return ACTIONS_BOT
                    raise

            self._login = self._call("read who the token acts as", get)
        return self._login

    # -- issues -------------------------------------------------------------------------------

    def open_incidents(self, label: str) -> list[IssueData]:
        """Open issues with the label (one page of 100 is one request; issues, not PRs)."""

        def list_open() -> list[IssueData]:
            issues = self._repo.get_issues(state="open", labels=[label], sort="created", direction="asc")
            return [_issue_data(issue) for issue in issues if not _is_pull_request(issue)]

        return self._call("list open incidents", list_open)

    def issues(self, label: str, *, state: str = "all", since: datetime | None = None) -> list[IssueData]:
        """Issues with the label in any state (for reports)."""

        def list_all() -> list[IssueData]:
            kwargs: dict[str, Any] = {"state": state, "labels": [label]}
            if since is not None:
                kwargs["since"] = since
            listed = self._repo.get_issues(**kwargs)
            return [_issue_data(issue) for issue in listed if not _is_pull_request(issue)]

        return self._call("list issues", list_all)

    def issue(self, number: int) -> IssueData:
        """One issue by number."""

        def get() -> IssueData:
            issue = self._repo.get_issue(number)
            issue.complete()
            return _issue_data(issue)

        return self._call(f"read issue #{number}", get)

    def create_issue(
        self,
        *,
        title: str,
        body: str,
        labels: Sequence[str],
        marker: str,
        find_label: str,
        assignees: Sequence[str] = (),
    ) -> IssueData:
        """Create an issue; after an ambiguous failure, an open one labelled ``find_label`` that the token's
        identity wrote and whose body holds ``marker`` is it."""

        def create() -> IssueData:
            sent_title, sent_body = self._redact(title), self._redact(body)
            try:
                issue = self._repo.create_issue(
                    title=sent_title, body=sent_body, labels=list(labels), assignees=list(assignees)
                )
            except GithubException as error:
                if not (assignees and _refuses_assignees(error)):
                    raise
                # GitHub created nothing: someone cannot be assigned. The issue matters more than
                # its assignee; the caller sees who is missing in the result's assignees.
                self._pace()
                issue = self._repo.create_issue(title=sent_title, body=sent_body, labels=list(labels))
            return _issue_data(issue)

        def already_created() -> IssueData | None:
            mine = self.login()
            return next(
                (i for i in self.open_incidents(find_label) if i.author == mine and marker in i.body), None
            )

        return self._call("create an issue", create, verify=already_created, write=True)

    def sub_issues(self, number: int) -> list[IssueData] | None:
        """The sub-issues of an (existing) issue; None when this GitHub has no sub-issues API
        (GitHub Enterprise Server before 3.20 answers 404)."""

        def list_sub() -> list[IssueData] | None:
            try:
                return [_issue_data(sub) for sub in self._repo.get_issue(number).get_sub_issues()]
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
                if error.status == 422 and "already" in _message(error).lower():
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

        def patch() -> IssueData:
            issue = self._repo.get_issue(number)
            issue.edit(**changes)
            return _issue_data(issue)

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

    def comments(self, number: int) -> list[CommentData]:
        """All comments of an issue, oldest first."""

        def list_comments() -> list[CommentData]:
            return [
                CommentData(c.id, c.body or "", c.user.login if c.user else "", c.created_at.astimezone(UTC))
                for c in self._repo.get_issue(number).get_comments()
            ]

        return self._call(f"read the comments of #{number}", list_comments)

    def comment(self, number: int, body: str, *, marker: str) -> int:
        """Post a comment; after an ambiguous failure a comment of the token's identity holding ``marker``
        counts as posted (anyone's could hold it)."""

        def post() -> int:
            return int(self._repo.get_issue(number).create_comment(self._redact(body)).id)

        def already_posted() -> int | None:
            mine = self.login()
            return next((c.id for c in self.comments(number) if c.author == mine and marker in c.body), None)

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

    def permission(self, login: str) -> str:
        """A user's permission on the repository: admin, write, read or none (maintain counts as write)."""

        def get() -> str:
            try:
                return str(self._repo.get_collaborator_permission(login))
            except GithubException as error:
                if error.status == 404:
                    return "none"
                raise

        return self._call(f"read the permission of {login}", get)

    # -- workflows ----------------------------------------------------------------------------

    def default_branch(self) -> str:
        """The repository's default branch (what workflows are dispatched on unless told)."""
        return self._call("read the repository", lambda: str(self._repo.default_branch))

    def dispatch(
        self, workflow: str, *, ref: str, inputs: Mapping[str, str], optional: Sequence[str] = ()
    ) -> RunData | None:
        """Dispatch a workflow; the run when the server returns its details (200), else None (204).

        A dispatch is not idempotent, so it is sent once: after an ambiguous failure the caller
        looks for the run instead (:meth:`runs`, :meth:`find_run`). ``optional`` names inputs a
        workflow may not declare: GitHub refuses those with 422 "Unexpected inputs provided" and
        creates no run, so the dispatch is sent once more without them.
        """

        def send(fields: Mapping[str, str]) -> RunData | None:
            sent = {name: self._redact(value) for name, value in fields.items()}
            target = self._repo.get_workflow(workflow)
            self._pace()
            try:
                result = target.create_dispatch(ref, sent, throw=True, return_run_details=True)
            except GithubException as error:
                if error.status != 400:
                    raise
                # GitHub Enterprise Server up to 3.20 refuses the unknown field (400) and dispatched
                # nothing: send the plain dispatch (204), and the caller finds the run by time.
                self._pace()
                target.create_dispatch(ref, sent, throw=True)
                return None
            if isinstance(result, WorkflowRun):
                return RunData(
                    id=result.id,
                    status="queued",
                    conclusion=None,
                    html_url=result.html_url,
                    head_sha="",
                    created_at=None,
                    updated_at=None,
                )
            return None

        try:
            try:
                return send(inputs)
            except GithubException as error:
                dropped = [name for name in optional if name in inputs and name in _message(error)]
                if error.status != 422 or "Unexpected inputs" not in _message(error) or not dropped:
                    raise
                return send({name: value for name, value in inputs.items() if name not in dropped})
        except GithubException as error:
            if error.status >= 500:
                return None  # ambiguous: the run may exist; the caller looks for it
            raise OpsError(self._explain(f"dispatch {workflow}", error), ExitCode.GITHUB) from None
        except (requests.ConnectionError, requests.Timeout):
            return None

    def find_run(self, workflow: str, *, since: datetime, event: str = "workflow_dispatch") -> RunData | None:
        """The newest run of a workflow created at or after ``since`` by ``event``."""

        def find() -> RunData | None:
            created = since.astimezone(UTC).strftime(">=%Y-%m-%dT%H:%M:%SZ")
            for run in self._repo.get_workflow(workflow).get_runs(event=event, created=created):
                return _run_data(run)
            return None

        return self._call(f"find the run of {workflow}", find)

    def runs(
        self,
        workflow: str,
        *,
        status: str | None = None,
        branch: str | None = None,
        event: str | None = None,
    ) -> list[RunData]:
        """Recent runs of a workflow, newest first (one page)."""

        def list_runs() -> list[RunData]:
            kwargs: dict[str, Any] = {}
            if status:
                kwargs["status"] = status
            if branch:
                kwargs["branch"] = branch
            if event:
                kwargs["event"] = event
            return [
                _run_data(run) for run in self._repo.get_workflow(workflow).get_runs(**kwargs).get_page(0)
            ]

        return self._call(f"list the runs of {workflow}", list_runs)

    def watch_run(self, run_id: int) -> RunPoller:
        """A poller that reads a run with conditional requests (a 304 costs no rate limit)."""
        return RunPoller(self, self._repo.get_workflow_run(run_id))

    def create_branch(self, name: str, sha: str) -> bool:
        """Create ``refs/heads/<name>`` at ``sha``; False when it already exists."""

        def create() -> bool:
            try:
                self._repo.create_git_ref(f"refs/heads/{name}", sha)
            except GithubException as error:
                if error.status == 422 and "already exists" in _message(error):
                    return False
                raise
            return True

        return self._call(f"create branch {name}", create, write=True)

    def repository_dispatch(self, event_type: str, payload: Mapping[str, Any]) -> None:
        """Send a repository_dispatch event (what monitors use to raise an alert)."""
        self._call(
            "send the repository dispatch", lambda: self._send_dispatch(event_type, payload), write=True
        )

    def _send_dispatch(self, event_type: str, payload: Mapping[str, Any]) -> None:
        if not self._repo.create_repository_dispatch(event_type, dict(payload)):
            raise OpsError("GitHub did not accept the repository dispatch", ExitCode.GITHUB)


class RunPoller:
    """Follows one workflow run; ``poll`` returns None while nothing changed (HTTP 304)."""

    def __init__(self, tracker: Tracker, run: WorkflowRun) -> None:
        self._tracker = tracker
        self._run = run

    def poll(self) -> RunData | None:
        def read() -> bool:
            return bool(self._run.update())

        changed = self._tracker._call(f"read run {self._run.id}", read)
        if not changed:
            return None
        return _run_data(self._run)


class DryRunTracker(Tracker):
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

    def create_issue(
        self,
        *,
        title: str,
        body: str,
        labels: Sequence[str],
        marker: str,
        find_label: str,
        assignees: Sequence[str] = (),
    ) -> IssueData:
        payload = {"title": title, "labels": list(labels), "assignees": list(assignees), "body": body}
        self._plan("POST", "/issues", payload)
        now = datetime.now(UTC)
        return IssueData(
            0, 0, title, body, tuple(labels), tuple(assignees), "open", now, now, "(dry run)", ""
        )

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
        payload = {
            "title": title,
            "labels": list(labels) if labels is not None else None,
            "state": state,
            "state_reason": state_reason,
            "body": body,
        }
        self._plan("PATCH", f"/issues/{number}", {k: v for k, v in payload.items() if v is not None})
        now = datetime.now(UTC)
        return IssueData(
            number, 0, title or "", body or "", tuple(labels or ()), (), state or "open", now, now, "", ""
        )

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

    def create_branch(self, name: str, sha: str) -> bool:
        self._plan("POST", "/git/refs", {"ref": f"refs/heads/{name}", "sha": sha})
        return True

    def add_sub_issue(self, parent: int, child_id: int) -> bool:
        self._plan("POST", f"/issues/{parent}/sub_issues", {"sub_issue_id": child_id})
        return True

    def repository_dispatch(self, event_type: str, payload: Mapping[str, Any]) -> None:
        self._plan("POST", "/dispatches", {"event_type": event_type, "client_payload": dict(payload)})
