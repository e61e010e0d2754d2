"""The control endpoints (``/_emulator/...``, no auth, JSON in and out): the Python API over HTTP."""

from __future__ import annotations

import json
from dataclasses import asdict

from ops_actions.sandbox.github.limits import _Limits
from ops_actions.sandbox.github.model import CONTROL_PREFIX, JSONDict, _iso, _parse_time, _Response
from ops_actions.sandbox.github.python_api import _PythonApi


class _Control(_PythonApi, _Limits):
    """Lets another process drive the emulator as the Python API does."""

    # -- control endpoints --------------------------------------------------------------------

    def _control(self, method: str, name: str, raw_body: bytes) -> _Response:
        try:
            body = json.loads(raw_body) if raw_body.strip() else {}
            if not isinstance(body, dict):
                raise TypeError("the body must be a JSON object")
            return self._control_action(method, name, body)
        except (KeyError, TypeError, ValueError) as problem:
            return _Response(400, {"error": f"{type(problem).__name__}: {problem}"})

    def _control_action(self, method: str, name: str, body: JSONDict) -> _Response:
        if method == "GET" and name == "state":
            return _Response(200, self.state())
        if method == "GET" and name == "requests":
            with self._lock:
                return _Response(200, [asdict(r) for r in self.requests])
        if method == "GET" and name == "events":
            return _Response(200, self.events())
        if method != "POST":
            return _Response(404, {"error": f"no control endpoint {method} {CONTROL_PREFIX}{name}"})
        if name == "reset-log":
            self.reset_log()
            return _Response(200, {"ok": True})
        if name == "permission":
            self.set_permission(str(body["login"]), str(body["permission"]))
            return _Response(200, {"ok": True})
        if name == "job-token":
            permissions = body["permissions"]
            if not isinstance(permissions, dict):
                raise TypeError("permissions must be an object")
            token = self.mint_job_token({str(k): str(v) for k, v in permissions.items()})
            return _Response(200, {"token": token})
        if name == "user-token":
            return _Response(200, {"token": self.user_token(str(body["login"]))})
        if name == "workflow":
            self.add_workflow(
                str(body["file"]),
                str(body["name"]),
                inputs=[str(i) for i in body.get("inputs", [])],
                outcome=str(body.get("outcome", "success")),
                queued_s=float(body.get("queued_s", 1.0)),
                in_progress_s=float(body.get("in_progress_s", 5.0)),
                required_inputs=[str(i) for i in body.get("required_inputs", [])],
                dispatchable=bool(body.get("dispatchable", True)),
                driven=bool(body.get("driven", False)),
                run_name=str(body["run_name"]) if body.get("run_name") is not None else None,
            )
            return _Response(200, {"ok": True})
        if name == "run":
            conclusion = body.get("conclusion")
            run_id = self.add_run(
                str(body["workflow_file"]),
                head_sha=str(body["head_sha"]),
                conclusion=None if conclusion is None else str(conclusion),
                created_at=_parse_time(str(body["created_at"])),
                event=str(body.get("event", "workflow_dispatch")),
                status=str(body.get("status", "completed")),
                head_branch=body.get("head_branch"),
            )
            return _Response(200, {"id": run_id})
        if name == "issue":
            number = self.add_issue(
                title=str(body["title"]),
                body=str(body.get("body", "")),
                labels=[str(label) for label in body.get("labels", [])],
                state=str(body.get("state", "open")),
                user=str(body.get("user", "octocat")),
                pull_request=bool(body.get("pull_request", False)),
                assignees=[str(login) for login in body.get("assignees", [])],
                created_at=_parse_time(body["created_at"]) if body.get("created_at") else None,
            )
            return _Response(200, {"number": number})
        if name == "comment":
            comment_id = self.add_comment(int(body["number"]), body=str(body["body"]), user=str(body["user"]))
            return _Response(200, {"id": comment_id})
        if name == "delete-issue":
            self.delete_issue(int(body["number"]))
            return _Response(200, {"ok": True})
        if name == "transfer-issue":
            self.transfer_issue(int(body["number"]), str(body["to"]), int(body["new_number"]))
            return _Response(200, {"ok": True})
        if name == "finish-run":
            self.finish_run(int(body["run_id"]), str(body["conclusion"]))
            return _Response(200, {"ok": True})
        if name == "branch":
            self.set_branch_sha(str(body["branch"]), str(body["sha"]))
            return _Response(200, {"ok": True})
        if name == "fault":
            retry_after = body.get("retry_after")
            self.inject(
                str(body["fault"]),
                times=int(body.get("times", 1)),
                method=body.get("method"),
                path_contains=body.get("path_contains"),
                retry_after=None if retry_after is None else int(retry_after),
                delay_s=float(body.get("delay_s", 0.0)),
                message=None if body.get("message") is None else str(body["message"]),
            )
            return _Response(200, {"ok": True})
        if name == "advance":
            self.advance(float(body["seconds"]))
            return _Response(200, {"ok": True, "now": _iso(self.now())})
        return _Response(404, {"error": f"no control endpoint {method} {CONTROL_PREFIX}{name}"})
