"""The emulator's Python API for tests and demos: observing requests, reading the state, seeding it."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ops_actions.sandbox.github.events import _Events
from ops_actions.sandbox.github.model import (
    _HEX_SHA,
    PERMISSIONS,
    RUN_CONCLUSIONS,
    RUN_STATUSES,
    Exchange,
    JSONDict,
    _aware,
    _iso,
    _Job,
    _Workflow,
)

if TYPE_CHECKING:
    from ops_actions.sandbox.github.emulator import GitHubEmulator


class _PythonApi(_Events):
    """Listeners and the request log, state access, and seeding (faults: :class:`_Limits`)."""

    # -- another repository -------------------------------------------------------------------

    def add_repository(self, repo: str, *, token: str, login: str) -> GitHubEmulator:
        """Serve ``repo``, another private repository (of the same owner, say), at this address, and
        return its own emulator to seed and read (its workflows, runs, dispatches).

        ``token`` is a GitHub App's installation token for it, acting as ``login`` (``<slug>[bot]``):
        the only token that reaches it. Any other, this repository's job and default tokens among
        them, gets GitHub's 404 "Not Found" there (a private repository a token may not see is not
        there for it). Requests with that token and no repository in the path (``GET /user``,
        ``GET /rate_limit``) are the other repository's too. It shares this one's clock and listeners.
        """
        from ops_actions.sandbox.github.emulator import GitHubEmulator

        sibling = GitHubEmulator(
            host=self._host,
            port=int(self.url.rsplit(":", 1)[1]),
            repo=repo,
            token=token,
            clock=self.now,
            actor=login,
        )
        sibling._listeners = self._listeners
        with self._lock:
            self._siblings[sibling.full_name.lower()] = sibling
        return sibling

    def _sibling_for(self, path: str, headers: Mapping[str, str]) -> GitHubEmulator | None:
        """The other repository a request goes to: one it names whose token it carries (a request
        naming it with another token is this emulator's, which answers 404 for a repository it does
        not serve); with its token and no repository in the path, that repository's emulator."""
        credential = headers.get("authorization", "").partition(" ")[2].strip()
        parts = path.split("/")
        named = f"{parts[2]}/{parts[3]}".lower() if len(parts) > 3 and parts[1] == "repos" else None
        for full_name, sibling in self._siblings.items():
            if sibling._token_for(credential) is None:
                continue
            if named == full_name or (named is None and self._token_for(credential) is None):
                return sibling
        return None

    # -- observing ----------------------------------------------------------------------------

    def add_listener(self, listener: Callable[[Exchange], None]) -> None:
        """Call ``listener`` with every exchange, before the response is written to the socket."""
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[Exchange], None]) -> None:
        with self._lock:
            self._listeners.remove(listener)

    def reset_log(self) -> None:
        """Forget the recorded requests."""
        with self._lock:
            self.requests.clear()

    # -- state access -------------------------------------------------------------------------

    def issues(self, *, state: str = "all") -> list[JSONDict]:
        """Issues and PRs as the REST API renders one issue (labels are label objects), by number;
        deleted and transferred ones are gone."""
        if state not in ("open", "closed", "all"):
            raise ValueError(f"state must be open, closed or all, not {state!r}")
        with self._lock:
            return [
                self._issue_json(issue, full=True)
                for issue in sorted(self._issues.values(), key=lambda i: i.number)
                if state in ("all", issue.state) and not issue.deleted and issue.transferred_to is None
            ]

    def issue(self, number: int) -> JSONDict:
        """One issue as the REST API renders it; KeyError if there is none."""
        with self._lock:
            return self._issue_json(self._issues[number], full=True)

    def comments(self, number: int) -> list[JSONDict]:
        """Comments on issue ``number`` as the REST API renders them, oldest first; KeyError if no issue."""
        with self._lock:
            issue = self._issues[number]
            return [self._comment_json(self._comments[cid]) for cid in issue.comment_ids]

    def label_names(self) -> set[str]:
        """Names of the repository's labels."""
        with self._lock:
            return {label.name for label in self._labels.values()}

    def runs(self) -> list[JSONDict]:
        """Workflow runs as the REST API renders them (newest first), each with its dispatch ``inputs``."""
        with self._lock:
            return [{**self._run_json(run), "inputs": dict(run.inputs)} for run in self._sorted_runs()]

    def repository_dispatches(self) -> list[JSONDict]:
        """Repository dispatches received: ``event_type``, ``client_payload``, ``received_at``."""
        with self._lock:
            return json.loads(json.dumps(self._repository_dispatches))  # type: ignore[no-any-return]

    def workflow_dispatches(self) -> list[JSONDict]:
        """Workflow dispatches received: ``workflow`` (file), ``ref``, ``inputs``, ``run_id``."""
        with self._lock:
            return json.loads(json.dumps(self._workflow_dispatches))  # type: ignore[no-any-return]

    def state(self) -> JSONDict:
        """Everything, as ``GET /_emulator/state`` returns it."""
        with self._lock:
            return {
                "repository": self.full_name,
                "now": _iso(self.now()),
                "issues": self.issues(),
                "comments": {str(n): self.comments(n) for n in sorted(self._issues)},
                "sub_issues": {
                    str(parent): list(children) for parent, children in self._sub_issues.items() if children
                },
                "labels": [self._label_json(label) for label in self._sorted_labels()],
                "permissions": dict(self._permissions),
                "workflows": [self._workflow_json(w) for w in self._workflows.values()],
                "runs": self.runs(),
                "refs": dict(self._refs),
                "repository_dispatches": self.repository_dispatches(),
                "workflow_dispatches": self.workflow_dispatches(),
                "rate_limit": {name: self._bucket_json(name) for name in self._buckets},
            }

    # -- seeding ------------------------------------------------------------------------------

    def set_permission(self, login: str, permission: str) -> None:
        """Give ``login`` a repository role: admin, maintain, write, triage, read or none."""
        if permission not in PERMISSIONS:
            raise ValueError(f"permission must be one of {PERMISSIONS}, not {permission!r}")
        with self._lock:
            self._permissions[login] = permission

    def add_workflow(
        self,
        file: str,
        name: str,
        *,
        inputs: Sequence[str] = (),
        outcome: str = "success",
        queued_s: float = 1.0,
        in_progress_s: float = 5.0,
        required_inputs: Sequence[str] = (),
        dispatchable: bool = True,
        driven: bool = False,
        run_name: str | None = None,
        scheduled: bool = False,
    ) -> None:
        """Declare ``.github/workflows/<file>`` and script its future dispatched runs (again: rescript).

        ``required_inputs`` must come with a dispatch; ``dispatchable=False`` is a workflow without
        ``on: workflow_dispatch``; ``driven`` runs wait for :meth:`start_run` and :meth:`finish_run`
        (something really runs them) instead of following ``queued_s`` and ``in_progress_s``.
        ``run_name`` is the workflow's ``run-name`` (``${{ inputs.NAME }}`` is filled in for a
        dispatched run's ``display_title``). ``scheduled``: it has an ``on: schedule`` trigger.
        """
        if outcome not in RUN_CONCLUSIONS:
            raise ValueError(f"outcome must be a run conclusion {sorted(RUN_CONCLUSIONS)}, not {outcome!r}")
        if queued_s < 0 or in_progress_s < 0:
            raise ValueError("durations must not be negative")
        if not set(required_inputs) <= set(inputs):
            raise ValueError("required inputs must be among the inputs")
        base = file.rsplit("/", 1)[-1]
        with self._lock:
            workflow = self._workflow_by_file(base)
            if workflow is None:
                wid = next(self._ids["workflow"])
                workflow = _Workflow(
                    wid, base, name, (), outcome, queued_s, in_progress_s, self.now().replace(microsecond=0)
                )
                self._workflows[wid] = workflow
            workflow.name, workflow.inputs, workflow.outcome = name, tuple(inputs), outcome
            workflow.queued_s, workflow.in_progress_s, workflow.run_name = queued_s, in_progress_s, run_name
            workflow.required_inputs, workflow.dispatchable = tuple(required_inputs), dispatchable
            workflow.driven, workflow.scheduled = driven, scheduled

    def push(self) -> None:
        """A push to the repository now: repository activity, which restarts GitHub's 60-day count."""
        with self._lock:
            self._pushed_at = self.now().replace(microsecond=0)

    def add_run(
        self,
        workflow_file: str,
        *,
        head_sha: str,
        conclusion: str | None,
        created_at: datetime,
        event: str = "workflow_dispatch",
        status: str = "completed",
        head_branch: str | None = None,
    ) -> int:
        """Seed a past run with a fixed status/conclusion; an unknown workflow file is declared on the way."""
        if status not in RUN_STATUSES:
            raise ValueError(f"status must be one of {sorted(RUN_STATUSES)}, not {status!r}")
        if conclusion is not None and conclusion not in RUN_CONCLUSIONS:
            raise ValueError(
                f"conclusion must be one of {sorted(RUN_CONCLUSIONS)} or None, not {conclusion!r}"
            )
        base = workflow_file.rsplit("/", 1)[-1]
        with self._lock:
            if self._workflow_by_file(base) is None:
                self.add_workflow(base, base.rsplit(".", 1)[0])
            workflow = self._workflow_by_file(base)
            assert workflow is not None
            run = self._new_run(
                workflow,
                head_sha=head_sha,
                head_branch=head_branch or self.default_branch,
                event=event,
                created_at=_aware(created_at).astimezone(UTC),
            )
            run.fixed_status, run.fixed_conclusion = status, conclusion
            return run.id

    def begin_run(self, workflow_file: str, *, event: str, head_sha: str | None = None) -> int:
        """A run of a declared workflow for ``event``, queued (something really runs it); returns its id."""
        base = workflow_file.rsplit("/", 1)[-1]
        with self._lock:
            workflow = self._workflow_by_file(base)
            if workflow is None:
                raise KeyError(f"no workflow {base!r}")
            run = self._new_run(
                workflow,
                head_sha=head_sha or self._refs[f"refs/heads/{self.default_branch}"],
                head_branch=self.default_branch,
                event=event,
                created_at=self.now(),
            )
            run.driven, run.fixed_status, run.fixed_conclusion = True, "queued", None
            return run.id

    def start_run(self, run_id: int) -> None:
        """A driven run begins: ``in_progress``."""
        self._move_run(run_id, "in_progress", None)

    def finish_run(self, run_id: int, conclusion: str) -> None:
        """A driven run ends: ``completed`` with ``conclusion``."""
        if conclusion not in RUN_CONCLUSIONS:
            raise ValueError(f"conclusion must be one of {sorted(RUN_CONCLUSIONS)}, not {conclusion!r}")
        self._move_run(run_id, "completed", conclusion)

    def record_job(
        self, run_id: int, name: str, conclusion: str, steps: Sequence[tuple[str, str]] = ()
    ) -> None:
        """A job of a driven run has finished: listed from now on among the run's jobs, with each
        step's conclusion (``skipped`` for a step whose ``if:`` was false)."""
        with self._lock:
            run = self._runs[run_id]
            run.jobs.append(_Job(next(self._ids["job"]), name, conclusion, tuple(steps)))

    def _move_run(self, run_id: int, status: str, conclusion: str | None) -> None:
        with self._lock:
            run = self._runs[run_id]
            if not run.driven:
                raise ValueError(f"run {run_id} follows its script; only driven runs are moved")
            run.fixed_status, run.fixed_conclusion, run.updated_at = status, conclusion, self.now()

    def delete_issue(self, number: int) -> None:
        """Someone deleted issue ``number``: every request about it answers 410 from now on."""
        with self._lock:
            self._issues[number].deleted = True

    def transfer_issue(self, number: int, to: str, new_number: int) -> None:
        """Issue ``number`` moved to ``to`` (``owner/name``) as ``new_number``: GitHub answers 301."""
        with self._lock:
            self._issues[number].transferred_to = f"{to}#{new_number}"

    def set_branch_sha(self, branch: str, sha: str) -> None:
        """Point ``refs/heads/<branch>`` at ``sha`` (created if missing)."""
        if not _HEX_SHA.match(sha):
            raise ValueError(f"sha must be 40 lower-case hex digits, got {sha!r}")
        with self._lock:
            self._refs[f"refs/heads/{branch.removeprefix('refs/heads/')}"] = sha

    def add_issue(
        self,
        *,
        title: str,
        body: str = "",
        labels: Sequence[str] = (),
        state: str = "open",
        user: str = "octocat",
        pull_request: bool = False,
        assignees: Sequence[str] = (),
        created_at: datetime | None = None,
    ) -> int:
        """Seed an issue (or a PR's issue) without HTTP; returns its number. Cheap enough for thousands."""
        if state not in ("open", "closed"):
            raise ValueError(f"state must be open or closed, not {state!r}")
        with self._lock:
            moment = _aware(created_at).astimezone(UTC) if created_at is not None else self.now()
            issue = self._new_issue(title, body, user, labels, assignees, moment, is_pr=pull_request)
            if not pull_request:
                self._emit_issue("opened", issue, sender=user)
            if state == "closed":
                issue.state, issue.state_reason, issue.closed_at, issue.closed_by = (
                    "closed",
                    "completed",
                    moment,
                    user,
                )
            return issue.number

    def add_comment(self, number: int, *, body: str, user: str, created_at: datetime | None = None) -> int:
        """``user`` comments on issue ``number`` (KeyError if none), an event as on GitHub; returns its id."""
        with self._lock:
            issue = self._issues[number]
            moment = _aware(created_at).astimezone(UTC) if created_at is not None else self.now()
            comment = self._new_comment(issue, body, user, moment)
            self._emit_comment(issue, comment, sender=user)
            return comment.id
