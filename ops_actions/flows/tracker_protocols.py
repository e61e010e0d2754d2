"""What the flows need of the tracker, as protocols: the issues, labels, comments and workflow runs
they read, and the operations each use case calls.

``IncidentTracker`` is what the incident commands need; remediation, slash commands, postmortems
and the status page each widen or narrow it (``RemediationTracker``, ``CommandTracker``,
``PostmortemTracker``, ``StatusPageTracker``). ``adapters.github_tracker.GitHubTracker`` provides them
all over PyGithub, and tests hand in the same class pointed at the GitHub emulator; the protocols
live here, in ``flows``, because only the flows name them (adapters may not import ``flows``, and
the tracker satisfies them structurally without naming them). ``Delivered`` is how one
notification target fared, as the announcers hand it back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from ops_actions.incident.labels import LabelSpec


class IssueView(Protocol):
    """What lifecycle reads of an issue."""

    @property
    def number(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def body(self) -> str: ...
    @property
    def labels(self) -> tuple[str, ...]: ...
    @property
    def assignees(self) -> tuple[str, ...]: ...
    @property
    def state(self) -> str: ...
    @property
    def state_reason(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def html_url(self) -> str: ...
    @property
    def label_details(self) -> Sequence[LabelView]: ...
    @property
    def comments(self) -> int: ...
    @property
    def author(self) -> str: ...
    @property
    def closed_at(self) -> datetime | None: ...
    @property
    def closed_by(self) -> str | None:
        """Who closed it: only an issue read by itself says (a listing never does)."""
        ...

    @property
    def is_pull_request(self) -> bool: ...


class LabelView(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def color(self) -> str: ...
    @property
    def description(self) -> str: ...


class CommentView(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def body(self) -> str: ...
    @property
    def author(self) -> str: ...


class ListedIssue(IssueView, Protocol):
    @property
    def closed_at(self) -> datetime | None: ...


class IssueWithId(IssueView, Protocol):
    @property
    def id(self) -> int: ...
    @property
    def author(self) -> str: ...
    @property
    def closed_at(self) -> datetime | None: ...


class IssueOpener(Protocol):
    """Listing the open issues with a label, and opening one idempotently (by its marker)."""

    def open_incidents(self, label: str) -> Sequence[IssueView]: ...
    def create_issue(
        self,
        *,
        title: str,
        body: str,
        labels: Sequence[str],
        marker: str,
        find_label: str,
        assignees: Sequence[str] = (),
    ) -> IssueView: ...


class IncidentTracker(IssueOpener, Protocol):
    """The tracker operations lifecycle needs (``adapters.github_tracker.GitHubTracker`` provides them)."""

    def login(self) -> str: ...
    def issue(self, number: int) -> IssueView: ...
    def edit_issue(
        self,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        labels: Sequence[str] | None = None,
        state: str | None = None,
        state_reason: str | None = None,
    ) -> IssueView: ...
    def update_label(self, spec: LabelSpec) -> None: ...
    def comments(self, number: int) -> Sequence[CommentView]: ...
    def comment(self, number: int, body: str, *, marker: str) -> int: ...
    def delete_comment(self, number: int, comment_id: int) -> None: ...
    def assign(self, number: int, logins: Sequence[str]) -> Sequence[str]: ...
    # admin, write, read or none; None when GitHub will not tell the token (403: no push access).
    def permission(self, login: str) -> str | None: ...
    def issues(
        self, label: str, *, state: str = "all", since: datetime | None = None
    ) -> Sequence[IssueView]: ...


class CommandTracker(IncidentTracker, Protocol):
    """The tracker operations slash commands need beyond the incident ones."""

    def add_reaction(self, number: int, comment_id: int, content: str) -> None: ...


class PostmortemTracker(IncidentTracker, Protocol):
    """What postmortems need of the tracker beyond incidents."""

    def issue(self, number: int) -> IssueWithId: ...
    def issues(
        self, label: str, *, state: str = "all", since: datetime | None = None
    ) -> Sequence[IssueWithId]: ...
    def create_issue(
        self,
        *,
        title: str,
        body: str,
        labels: Sequence[str],
        marker: str,
        find_label: str,
        assignees: Sequence[str] = (),
    ) -> IssueWithId: ...
    def sub_issues(self, number: int) -> Sequence[IssueWithId] | None: ...
    def add_sub_issue(self, parent: int, child_id: int) -> bool: ...


class StatusPageTracker(Protocol):
    """The reads the status page needs (``adapters.github_tracker.GitHubTracker`` provides them)."""

    def open_incidents(self, label: str) -> Sequence[ListedIssue]: ...
    def issues(
        self, label: str, *, state: str = "all", since: datetime | None = None
    ) -> Sequence[ListedIssue]: ...
    def comments(self, number: int) -> Sequence[CommentView]: ...


class Run(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def conclusion(self) -> str | None: ...
    @property
    def html_url(self) -> str: ...
    @property
    def head_sha(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def actor(self) -> str: ...


class Poller(Protocol):
    def poll(self) -> Run | None: ...


class RemediationTracker(IncidentTracker, Protocol):
    """The tracker operations remediation needs (``adapters.github_tracker.GitHubTracker`` provides them)."""

    def default_branch(self) -> str: ...
    def dispatch(
        self, workflow: str, *, ref: str, inputs: Mapping[str, str], optional: Sequence[str] = ()
    ) -> Run | None: ...
    def find_run(
        self, workflow: str, *, since: datetime, actor: str, event: str = "workflow_dispatch"
    ) -> Run | None: ...
    def runs(
        self,
        workflow: str,
        *,
        status: str | None = None,
        branch: str | None = None,
        event: str | None = None,
    ) -> Sequence[Run]: ...
    def watch_run(self, run_id: int) -> Poller: ...
    def create_branch(self, name: str, sha: str) -> bool: ...


class Delivered(Protocol):
    """How one notification target fared (``ops_actions.adapters.notify.Delivery``)."""

    @property
    def target(self) -> str: ...
    @property
    def ok(self) -> bool: ...
    @property
    def detail(self) -> str: ...


class ScheduleTracker(IssueOpener, Protocol):
    """What the schedule check (``flows/keepalive.py``) needs of GitHub: the repository's last push,
    its workflows' states, enabling one, and its one warning issue."""

    def last_activity(self) -> datetime: ...
    def workflow_states(self) -> dict[str, str]: ...
    def enable_workflow(self, workflow: str) -> bool: ...
