"""Route handlers for Actions (workflows, runs, jobs, workflow dispatch), git refs, commits, deployments
and repository dispatch."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta

from ops_actions.sandbox.github.model import (
    _HEX_SHA,
    RUN_CONCLUSIONS,
    JSONDict,
    _ApiError,
    _error,
    _iso,
    _parse_time,
    _Request,
    _Response,
    _Run,
    _validation,
    _Workflow,
)
from ops_actions.sandbox.github.request_helpers import _RequestHelpers

_HEX_PREFIX = re.compile(r"^[0-9a-f]{7,40}$")
INACTIVITY_LIMIT = timedelta(days=60)
"""How long a public repository may go without activity before GitHub disables its schedules."""


def _compare(op: str, limit: datetime) -> Callable[[datetime], bool]:
    return {
        ">=": lambda t: t >= limit,
        "<=": lambda t: t <= limit,
        ">": lambda t: t > limit,
        "<": lambda t: t < limit,
    }[op]


def _created_filter(expression: str) -> Callable[[datetime], bool]:
    """GitHub's ``created`` qualifier: ``>=X``, ``<=X``, ``>X``, ``<X``, ``X..Y``, ``X`` (dates or times)."""

    def bound(text: str, *, upper: bool) -> datetime:
        moment = _parse_time(text)
        if upper and len(text.strip()) == 10:  # a bare date covers the whole day
            moment += timedelta(days=1) - timedelta(microseconds=1)
        return moment

    expr = expression.strip()
    for op in (">=", "<=", ">", "<"):
        if expr.startswith(op):
            return _compare(op, bound(expr[len(op) :], upper=op in ("<=", ">")))
    if ".." in expr:
        low_text, high_text = expr.split("..", 1)
        low = None if low_text in ("", "*") else bound(low_text, upper=False)
        high = None if high_text in ("", "*") else bound(high_text, upper=True)
        return lambda t: (low is None or t >= low) and (high is None or t <= high)
    low, high = bound(expr, upper=False), bound(expr, upper=True)
    return lambda t: low <= t <= high


class _ActionsRoutes(_RequestHelpers):
    """``R/actions/...``, ``R/git/...``, ``R/commits/{ref}``, ``R/deployments``, ``R/dispatches``."""

    # -- request helpers ----------------------------------------------------------------------

    def _workflow_or_404(self, request: _Request) -> _Workflow:
        key = request.params["workflow_id"]
        workflow = self._workflows.get(int(key)) if key.isdigit() else self._workflow_by_file(key)
        if workflow is None:
            raise _ApiError(_error(404, "Not Found", request.docs))
        return workflow

    def _run_or_404(self, request: _Request) -> _Run:
        run = self._runs.get(int(request.params["run_id"]))
        if run is None:
            raise _ApiError(_error(404, "Not Found", request.docs))
        return run

    # -- handlers: actions --------------------------------------------------------------------

    def _disable_inactive(self) -> None:
        """GitHub's rule for a public repository: a scheduled workflow is disabled once 60 days pass
        without repository activity (a push here). The count also starts again when the workflow is
        enabled: GitHub documents only that ``PUT .../enable`` sets ``state`` to ``active``; the
        keep-alive actions in wide use rely on it restarting the count, and the emulator plays that."""
        now = self.now()
        for workflow in self._workflows.values():
            since = max(self._pushed_at, workflow.enabled_at or self._pushed_at)
            if workflow.scheduled and workflow.state == "active" and now - since >= INACTIVITY_LIMIT:
                workflow.state = "disabled_inactivity"

    def workflow_states(self) -> dict[str, str]:
        """Each workflow's ``state`` by file name, as GitHub would answer now."""
        with self._lock:
            self._disable_inactive()
            return {workflow.file: workflow.state for workflow in self._workflows.values()}

    def disable_workflow(self, file: str) -> None:
        """A person disables ``file`` on the Actions tab (``disabled_manually``)."""
        with self._lock:
            workflow = self._workflow_by_file(file)
            if workflow is None:
                raise ValueError(f"no workflow {file!r}")
            workflow.state = "disabled_manually"

    def _h_enable_workflow(self, request: _Request) -> _Response:
        workflow = self._workflow_or_404(request)
        workflow.state, workflow.enabled_at = "active", self.now()
        return _Response(204)

    def _h_list_workflows(self, request: _Request) -> _Response:
        self._disable_inactive()
        workflows = sorted(self._workflows.values(), key=lambda w: w.id)
        page, headers = self._paginate(request, workflows)
        return _Response(
            200, {"total_count": len(workflows), "workflows": [self._workflow_json(w) for w in page]}, headers
        )

    def _h_get_workflow(self, request: _Request) -> _Response:
        self._disable_inactive()
        return _Response(200, self._workflow_json(self._workflow_or_404(request)))

    def _resolve_ref(self, ref: str) -> str | None:
        for candidate in (ref, f"refs/heads/{ref}", f"refs/tags/{ref}"):
            if candidate in self._refs:
                return self._refs[candidate]
        return None

    def _h_dispatch_workflow(self, request: _Request) -> _Response:
        workflow = self._workflow_or_404(request)
        body = self._body_object(request)
        ref = body.get("ref")
        if not isinstance(ref, str) or not ref:
            raise _ApiError(_error(422, 'Invalid request.\n\n"ref" wasn\'t supplied.', request.docs))
        inputs = body.get("inputs") or {}
        if not isinstance(inputs, dict):
            raise _ApiError(
                _error(422, "Invalid request.\n\nFor 'properties/inputs', is not an object.", request.docs)
            )
        if "dispatch-checks" in self.rules and not workflow.dispatchable:
            raise _ApiError(_error(422, "Workflow does not have 'workflow_dispatch' trigger", request.docs))
        unexpected = sorted(set(inputs) - set(workflow.inputs))
        if unexpected:
            raise _ApiError(
                _error(422, f"Unexpected inputs provided: {json.dumps(unexpected)}", request.docs)
            )
        missing = [name for name in workflow.required_inputs if name not in inputs]
        if "dispatch-checks" in self.rules and missing:
            raise _ApiError(_error(422, f"Required input '{missing[0]}' not provided", request.docs))
        sha = self._resolve_ref(ref)
        if sha is None:
            raise _ApiError(_error(422, f"No ref found for: {ref}", request.docs))
        run = self._new_run(
            workflow,
            head_sha=sha,
            head_branch=ref.removeprefix("refs/heads/").removeprefix("refs/tags/"),
            event="workflow_dispatch",
            created_at=self.now(),
        )
        if workflow.driven:
            run.driven, run.fixed_status, run.fixed_conclusion = True, "queued", None
        else:
            run.scripted, run.outcome = True, workflow.outcome
            run.queued_s, run.in_progress_s = workflow.queued_s, workflow.in_progress_s
        run.inputs = dict(inputs)
        self._workflow_dispatches.append(
            {
                "workflow": workflow.file,
                "ref": ref,
                "inputs": dict(inputs),
                "run_id": run.id,
                "received_at": _iso(self.now()),
            }
        )
        self._emit(
            "workflow_dispatch",
            None,
            {"inputs": dict(inputs), "ref": ref, "workflow": f".github/workflows/{workflow.file}"},
            workflow=workflow.file,
            run_id=run.id,
        )
        if body.get("return_run_details") is True and self.dispatch_details:
            return _Response(
                200,
                {
                    "workflow_run_id": run.id,
                    "run_url": f"{self._repo_api}/actions/runs/{run.id}",
                    "html_url": f"{self._repo_html}/actions/runs/{run.id}",
                },
            )
        return _Response(204)

    def _h_list_runs(self, request: _Request) -> _Response:
        runs = self._sorted_runs()
        if "workflow_id" in request.params:
            workflow = self._workflow_or_404(request)
            runs = [run for run in runs if run.workflow_id == workflow.id]
        query = request.query
        if "event" in query:
            runs = [run for run in runs if run.event == query["event"]]
        if "branch" in query:
            runs = [run for run in runs if run.head_branch == query["branch"]]
        if "head_sha" in query:
            runs = [run for run in runs if run.head_sha == query["head_sha"]]
        if "actor" in query:
            runs = [run for run in runs if run.actor.lower() == query["actor"].lower()]
        if "status" in query:
            wanted = query["status"]
            runs = [
                run
                for run in runs
                if (self._run_phase(run)[1] if wanted in RUN_CONCLUSIONS else self._run_phase(run)[0])
                == wanted
            ]
        if "created" in query:
            try:
                matches = _created_filter(query["created"])
            except ValueError:
                raise _ApiError(
                    _validation(
                        request.docs, {"resource": "WorkflowRun", "code": "invalid", "field": "created"}
                    )
                ) from None
            runs = [run for run in runs if matches(run.created_at)]
        page, headers = self._paginate(request, runs)
        return _Response(
            200, {"total_count": len(runs), "workflow_runs": [self._run_json(run) for run in page]}, headers
        )

    def _h_get_run(self, request: _Request) -> _Response:
        run = self._run_or_404(request)
        return _Response(200, self._run_json(run), last_modified=self._run_phase(run)[2])

    def _h_list_jobs(self, request: _Request) -> _Response:
        run = self._run_or_404(request)
        jobs = self._jobs_json(run)
        page, headers = self._paginate(request, jobs)
        return _Response(200, {"total_count": len(jobs), "jobs": page}, headers)

    # -- handlers: git, commits, deployments, repository dispatch -----------------------------

    def _h_get_ref(self, request: _Request) -> _Response:
        ref = "refs/" + request.params["ref"].removeprefix("refs/")
        if ref not in self._refs:
            raise _ApiError(_error(404, "Not Found", request.docs))
        return _Response(200, self._ref_json(ref))

    def _h_create_ref(self, request: _Request) -> _Response:
        body = self._body_object(request)
        ref, sha = body.get("ref"), body.get("sha")
        if not isinstance(ref, str) or not ref.startswith("refs/") or ref.count("/") < 2:
            raise _ApiError(_error(422, "Reference name is invalid", request.docs))
        if not isinstance(sha, str) or not _HEX_SHA.match(sha):
            raise _ApiError(_error(422, "Object does not exist", request.docs))
        if ref in self._refs:
            raise _ApiError(_error(422, "Reference already exists", request.docs))
        self._refs[ref] = sha
        data = self._ref_json(ref)
        return _Response(201, data, {"Location": data["url"]})

    def _known_shas(self) -> set[str]:
        return {*self._refs.values(), *(run.head_sha for run in self._runs.values())}

    def _h_get_commit(self, request: _Request) -> _Response:
        ref = request.params["ref"]
        sha = self._resolve_ref(ref)
        if sha is None and _HEX_PREFIX.match(ref):
            matches = sorted(s for s in self._known_shas() if s.startswith(ref))
            sha = matches[0] if matches else (ref if len(ref) == 40 else None)
        if sha is None:
            raise _ApiError(
                _validation(request.docs, {"resource": "Commit", "code": "invalid", "field": "sha"})
            )
        return _Response(200, self._commit_json(sha))

    def _h_list_deployments(self, request: _Request) -> _Response:
        page, headers = self._paginate(request, list[JSONDict]())
        return _Response(200, page, headers)

    def _h_repository_dispatch(self, request: _Request) -> _Response:
        body = self._body_object(request)
        event_type = body.get("event_type")
        if not isinstance(event_type, str) or not 1 <= len(event_type) <= 100:
            raise _ApiError(
                _validation(
                    request.docs, {"resource": "Repository", "code": "invalid", "field": "event_type"}
                )
            )
        payload = body.get("client_payload", {})
        if not isinstance(payload, dict) or len(payload) > 10:
            raise _ApiError(
                _validation(
                    request.docs, {"resource": "Repository", "code": "invalid", "field": "client_payload"}
                )
            )
        self._repository_dispatches.append(
            {"event_type": event_type, "client_payload": payload, "received_at": _iso(self.now())}
        )
        self._emit(
            "repository_dispatch",
            event_type,
            {"branch": self.default_branch, "client_payload": payload},
        )
        return _Response(204)
