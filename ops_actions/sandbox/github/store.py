"""The emulator's state, declared once on the base class every part builds on, and the changes they share."""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from ops_actions.sandbox.github.model import (
    _AUTO_LABEL_COLOR,
    Exchange,
    JSONDict,
    RecordedRequest,
    _aware,
    _Bucket,
    _Comment,
    _Fault,
    _Handler,
    _Issue,
    _Label,
    _Reaction,
    _Run,
    _Token,
    _Workflow,
)
from ops_actions.sandbox.github.server import _Server

if TYPE_CHECKING:
    from ops_actions.sandbox.github.emulator import GitHubEmulator


class _Store:
    """The state of one emulated repository (``GitHubEmulator.__init__`` sets it all) and its primitives.

    The parts of the emulator are mixins on this class: the JSON shapes, the route handlers, the limits,
    the Python API and the control endpoints all read and change the state declared here.
    """

    _host: str
    _port: int
    owner: str
    name: str
    default_branch: str
    _token: str | None
    _clock: Callable[[], datetime]
    _offset_s: float
    actor: str
    _lock: threading.RLock
    _server: _Server | None
    _thread: threading.Thread | None
    _listeners: list[Callable[[Exchange], None]]
    requests: list[RecordedRequest]
    dispatch_details: bool
    errors: list[str]
    _ids: dict[str, itertools.count[int]]
    repo_id: int
    _user_ids: dict[str, int]
    _created_at: datetime
    _pushed_at: datetime
    _issues: dict[int, _Issue]
    _issue_by_id: dict[int, int]
    _sub_issues: dict[int, list[int]]  # parent number -> child numbers, in the order added
    _comments: dict[int, _Comment]
    _reactions: dict[int, list[_Reaction]]
    _labels: dict[int, _Label]
    _label_by_name: dict[str, int]
    _permissions: dict[str, str]
    _workflows: dict[int, _Workflow]
    _runs: dict[int, _Run]
    _refs: dict[str, str]
    _repository_dispatches: list[JSONDict]
    _workflow_dispatches: list[JSONDict]
    _faults: list[_Fault]
    _buckets: dict[str, _Bucket]
    _routes: list[tuple[str, re.Pattern[str], _Handler, str]]
    _tokens: dict[str, _Token]
    _caller: _Token | None  # the token of the request being answered
    _events: list[JSONDict]
    rules: set[str]
    ghes: str | None
    _siblings: dict[str, GitHubEmulator]  # other repositories served at this address, by full name

    @property
    def _login(self) -> str:
        """Who the request being answered acts as (the default token's actor outside a request)."""
        return self._caller.login if self._caller is not None else self.actor

    # -- identity -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:54321`` (the real port once started)."""
        if self._server is not None:
            return f"http://{self._host}:{self._server.server_port}"
        return f"http://{self._host}:{self._port}"

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    # -- clock --------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The emulator's time: the clock (real time by default) plus everything :meth:`advance` added."""
        return _aware(self._clock()).astimezone(UTC) + timedelta(seconds=self._offset_s)

    def advance(self, seconds: float) -> None:
        """Move the emulator's time forward (drives workflow runs and rate-limit windows)."""
        if seconds < 0:
            raise ValueError("time only moves forward")
        with self._lock:
            self._offset_s += seconds

    # -- internal: state changes --------------------------------------------------------------

    def _user_id(self, login: str) -> int:
        if login not in self._user_ids:
            self._user_ids[login] = next(self._ids["user"])
        return self._user_ids[login]

    def _new_label(self, name: str, color: str, description: str | None, *, default: bool = False) -> _Label:
        label = _Label(next(self._ids["label"]), name, color.lower(), description, default)
        self._labels[label.id] = label
        self._label_by_name[name.lower()] = label.id
        return label

    def _label_named(self, name: str) -> _Label | None:
        lid = self._label_by_name.get(name.lower())
        return None if lid is None else self._labels[lid]

    def _ensure_label(self, name: str) -> _Label:
        return self._label_named(name) or self._new_label(name, _AUTO_LABEL_COLOR, None)

    def _sorted_labels(self) -> list[_Label]:
        return sorted(self._labels.values(), key=lambda label: label.name.lower())

    def _new_issue(
        self,
        title: str,
        body: str,
        user: str,
        labels: Sequence[str],
        assignees: Sequence[str],
        moment: datetime,
        *,
        is_pr: bool = False,
    ) -> _Issue:
        number = len(self._issues) + 1
        issue = _Issue(
            next(self._ids["issue"]), number, title, body, user, "open", moment, moment, is_pr=is_pr
        )
        for name in labels:
            self._attach_label(issue, name)
        issue.assignees = list(dict.fromkeys(assignees))
        self._issues[number] = issue
        self._issue_by_id[issue.id] = number
        return issue

    def _attach_label(self, issue: _Issue, name: str) -> None:
        label = self._ensure_label(name)
        if label.id not in issue.labels:
            issue.labels.append(label.id)

    def _new_comment(self, issue: _Issue, body: str, user: str, moment: datetime) -> _Comment:
        comment = _Comment(next(self._ids["comment"]), issue.number, body, user, moment, moment)
        self._comments[comment.id] = comment
        issue.comment_ids.append(comment.id)
        issue.updated_at = max(issue.updated_at, moment)
        return comment

    def _workflow_by_file(self, file: str) -> _Workflow | None:
        for workflow in self._workflows.values():
            if workflow.file == file:
                return workflow
        return None

    def _new_run(
        self, workflow: _Workflow, *, head_sha: str, head_branch: str, event: str, created_at: datetime
    ) -> _Run:
        number = 1 + sum(1 for run in self._runs.values() if run.workflow_id == workflow.id)
        run = _Run(
            id=next(self._ids["run"]),
            workflow_id=workflow.id,
            run_number=number,
            head_sha=head_sha,
            head_branch=head_branch,
            event=event,
            created_at=created_at.replace(microsecond=0),
            actor=self._login,
            job_id=next(self._ids["job"]),
        )
        self._runs[run.id] = run
        return run

    def _children(self, number: int) -> list[_Issue]:
        return [self._issues[child] for child in self._sub_issues.get(number, ())]

    def _sorted_runs(self) -> list[_Run]:
        return sorted(self._runs.values(), key=lambda run: (run.created_at, run.id), reverse=True)

    def _run_phase(self, run: _Run) -> tuple[str, str | None, datetime]:
        """(status, conclusion, updated_at) of a run at the emulator's current time."""
        if not run.scripted:
            return run.fixed_status, run.fixed_conclusion, run.updated_at or run.created_at
        started = run.created_at + timedelta(seconds=run.queued_s)
        finished = started + timedelta(seconds=run.in_progress_s)
        now = self.now()
        if now < started:
            return "queued", None, run.created_at
        if now < finished:
            return "in_progress", None, started
        return "completed", run.outcome, finished
