"""The tracker's GitHub Actions operations: dispatching a workflow and finding its run, listing
runs, following one run, creating a branch, sending a repository_dispatch event."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import requests
from github import GithubException
from github.WorkflowRun import WorkflowRun

from ops_actions.adapters.github_tracker.records import RunData, run_data_from
from ops_actions.adapters.github_tracker.refusals import error_message, explain
from ops_actions.adapters.github_tracker.session import GitHubSession
from ops_actions.errors import ExitCode, OpsError
from ops_actions.incident.service_states import RunJob


class WorkflowOperations(GitHubSession):
    """Workflows and their runs in the session's repository (the tracker has these operations)."""

    def last_activity(self) -> datetime:
        """When the repository last had activity GitHub shows: its last push."""
        return self._call("read the repository", lambda: self._repo.pushed_at)

    def workflow_states(self) -> dict[str, str]:
        """Each workflow's state by file name (active, disabled_inactivity, disabled_manually, ...)."""

        def states() -> dict[str, str]:
            return {
                workflow.path.rsplit("/", 1)[-1]: workflow.state for workflow in self._repo.get_workflows()
            }

        return self._call("list the workflows", states)

    def enable_workflow(self, workflow: str) -> bool:
        """Enable ``workflow`` (a file name); False when the token may not (it needs ``actions: write``)."""

        def enable() -> bool:
            target = self._repo.get_workflow(workflow)
            self._pace()
            return bool(target.enable())

        return self._call(f"enable {workflow}", enable)

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
                dropped = [name for name in optional if name in inputs and name in error_message(error)]
                if error.status != 422 or "Unexpected inputs" not in error_message(error) or not dropped:
                    raise
                return send({name: value for name, value in inputs.items() if name not in dropped})
        except GithubException as error:
            if error.status >= 500:
                return None  # ambiguous: the run may exist; the caller looks for it
            raise OpsError(explain(f"dispatch {workflow}", error), ExitCode.GITHUB) from None
        except (requests.ConnectionError, requests.Timeout):
            return None

    def find_run(
        self, workflow: str, *, since: datetime, actor: str, event: str = "workflow_dispatch"
    ) -> RunData | None:
        """The newest run of a workflow that ``actor`` created at or after ``since`` by ``event``."""

        def find() -> RunData | None:
            created = since.astimezone(UTC).strftime(">=%Y-%m-%dT%H:%M:%SZ")
            runs = self._repo.get_workflow(workflow).get_runs(event=event, created=created, actor=actor)
            for run in runs:
                return run_data_from(run)
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
                run_data_from(run) for run in self._repo.get_workflow(workflow).get_runs(**kwargs).get_page(0)
            ]

        return self._call(f"list the runs of {workflow}", list_runs)

    def run_jobs(self, run_id: int) -> list[RunJob]:
        """The jobs of a run's latest attempt, with their steps' results (one request up to 100 jobs)."""

        def list_jobs() -> list[RunJob]:
            url = f"{self._repo.url}/actions/runs/{run_id}"
            # The run made from its URLs alone, so that listing its jobs does not read the run first.
            run = WorkflowRun(
                self._repo.requester, attributes={"url": url, "jobs_url": f"{url}/jobs"}, completed=False
            )
            jobs = run.jobs()
            return [
                RunJob(job.name, job.conclusion, {step.name: step.conclusion for step in job.steps})
                for job in jobs
            ]

        return self._call(f"list the jobs of run {run_id}", list_jobs)

    def watch_run(self, run_id: int) -> RunPoller:
        """A poller that reads a run with conditional requests (a 304 costs no rate limit)."""
        return RunPoller(self, self._repo.get_workflow_run(run_id))

    def create_branch(self, name: str, sha: str) -> str | None:
        """Create ``refs/heads/<name>`` at ``sha``: None when created (201), else the SHA the branch
        already points at (GitHub's 422 "Reference already exists", then a read of the ref).

        A retry after an ambiguous failure meets its own branch here, at the same SHA."""

        def create() -> str | None:
            try:
                self._repo.create_git_ref(f"refs/heads/{name}", sha)
            except GithubException as error:
                if error.status == 422 and "already exists" in error_message(error):
                    return str(self._repo.get_git_ref(f"heads/{name}").object.sha)
                raise
            return None

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

    def __init__(self, session: GitHubSession, run: WorkflowRun) -> None:
        self._session = session
        self._run = run

    def poll(self) -> RunData | None:
        def read() -> bool:
            return bool(self._run.update())

        changed = self._session._call(f"read run {self._run.id}", read)
        if not changed:
            return None
        return run_data_from(self._run)
