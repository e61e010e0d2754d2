"""What the tracker hands back: issues, workflow runs and comments as the core needs them, and
their conversion from PyGithub's objects (dates in UTC, absent texts as "")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from github.Issue import Issue
from github.WorkflowRun import WorkflowRun

from ops_actions.incident.labels import LabelSpec


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
    closed_by: str | None = None
    """Who closed it last: GitHub sends ``closed_by`` when one issue is read, never in a listing."""
    is_pull_request: bool = False
    """The issues API answers a pull request's number too; a pull request is never an incident."""


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
    actor: str = ""
    """The login that created the run (``actor``; a re-run keeps it, ``triggering_actor`` changes)."""


def run_data_from(run: WorkflowRun) -> RunData:
    return RunData(
        id=run.id,
        status=run.status,
        conclusion=run.conclusion,
        html_url=run.html_url,
        head_sha=run.head_sha,
        created_at=run.created_at.astimezone(UTC) if run.created_at else None,
        updated_at=run.updated_at.astimezone(UTC) if run.updated_at else None,
        title=run.display_title or "",
        actor=run.actor.login if run.actor else "",
    )


@dataclass(frozen=True)
class RateBudget:
    """What a run has spent of GitHub's primary rate limit, and what is left of it."""

    sent: int | None
    """Requests this run's client sent (None when the client does not count them)."""
    remaining: int | None
    """``x-ratelimit-remaining`` of GitHub's last answer; None before the first."""
    limit: int | None
    """``x-ratelimit-limit``: the budget of the window (1,000 an hour for a job token)."""
    reset: datetime | None
    """``x-ratelimit-reset``: when the window starts again with the whole limit."""


@dataclass(frozen=True)
class CommentData:
    """A comment as the core needs it."""

    id: int
    body: str
    author: str
    created_at: datetime
    updated_at: datetime


def issue_data_from(issue: Issue, *, read_alone: bool = False) -> IssueData:
    """``read_alone``: the issue was read by itself, so its ``closed_by`` is there (on a listed issue,
    PyGithub would read the issue again to find it)."""
    closer = issue.closed_by if read_alone else None
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
        closed_by=closer.login if closer else None,
        is_pull_request=is_pull_request(issue),
    )


def is_pull_request(issue: Issue) -> bool:
    """Whether a listed issue is a PR; reading ``issue.pull_request`` would fetch each issue again."""
    return "/pull/" in issue.html_url
