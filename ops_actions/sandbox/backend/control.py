"""The routes that control the sandbox itself, the same for every API: ``/_sandbox/{sleep,scenario,fault}``,
and ``/_sandbox/hook/NAME``, a chat or status-page webhook that records what is posted to it.

No auth: they are for local tests and benchmarks. ``GET /_sandbox/sleep?ms=N`` answers after N ms
(at most :data:`MAX_SLEEP_MS`); ``/_sandbox/scenario`` reads (GET) or switches (POST
``{"scenario", "slow_delay_s"}``) the scenario; ``/_sandbox/fault`` lists (GET), adds (POST
``{"path", "kind", "times", "value"}``) or clears (DELETE) the one-shot faults; ``POST
/_sandbox/hook/NAME`` records its JSON body as a notification received by ``NAME`` (a rehearsal points
the playbook's notification targets there and counts them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Protocol

from ops_actions.sandbox.backend.faults import FAULT_KINDS
from ops_actions.sandbox.backend.routes import (
    Reply,
    Request,
    json_object,
    json_reply,
    method_not_allowed,
    not_found,
)
from ops_actions.sandbox.catalog import SCENARIOS

MAX_SLEEP_MS: Final = 10_000
HOOK_PREFIX: Final = "/_sandbox/hook/"

_CONTROL_METHODS: Final[Mapping[str, tuple[str, ...]]] = {
    "/_sandbox/sleep": ("GET",),
    "/_sandbox/scenario": ("GET", "POST"),
    "/_sandbox/fault": ("GET", "POST", "DELETE"),
}


class Controlled(Protocol):
    """What the control routes read and change of the backend."""

    @property
    def scenario(self) -> str: ...

    @property
    def slow_delay_s(self) -> float: ...

    def set_scenario(self, name: str, *, slow_delay_s: float | None = None) -> None: ...

    def add_fault(
        self, path: str, kind: str, *, times: int = 1, value: float | int | None = None
    ) -> None: ...

    def clear_faults(self) -> None: ...

    def pending_faults(self) -> list[dict[str, object]]: ...

    def sleep(self, seconds: float) -> bool: ...

    def receive_hook(self, name: str, payload: dict[str, object]) -> None: ...


def control_route(backend: Controlled, request: Request) -> Reply | None:
    """The answer to a request under ``/_sandbox/``; None means drop the connection without one."""
    if request.path.startswith(HOOK_PREFIX):
        return _hook(backend, request)
    methods = _CONTROL_METHODS.get(request.path)
    if methods is None:
        return not_found()
    if request.method not in methods:
        return method_not_allowed(*methods)
    if request.path == "/_sandbox/sleep":
        return _sleep(backend, request)
    if request.path == "/_sandbox/scenario":
        return _scenario(backend, request)
    return _fault(backend, request)


def _sleep(backend: Controlled, request: Request) -> Reply | None:
    raw = request.query.get("ms", ["0"])[-1]
    try:
        millis = int(raw)
    except ValueError:
        millis = -1
    if millis < 0:
        return json_reply(400, {"error": f"ms must be a non-negative integer, got {raw!r}"})
    millis = min(millis, MAX_SLEEP_MS)
    if not backend.sleep(millis / 1000):
        return None
    return json_reply(200, {"slept_ms": millis})


def _scenario(backend: Controlled, request: Request) -> Reply:
    if request.method == "GET":
        return json_reply(200, {"scenario": backend.scenario, "slow_delay_s": backend.slow_delay_s})
    payload = json_object(request.body)
    if payload is None:
        return json_reply(400, {"error": "the body must be a JSON object"})
    name = payload.get("scenario")
    if not isinstance(name, str) or name not in SCENARIOS:
        return json_reply(400, {"error": f"unknown scenario {name!r}", "scenarios": list(SCENARIOS)})
    try:
        backend.set_scenario(name, slow_delay_s=payload.get("slow_delay_s"))
    except ValueError as exc:
        return json_reply(400, {"error": str(exc)})
    return json_reply(200, {"scenario": name})


def _fault(backend: Controlled, request: Request) -> Reply:
    if request.method == "GET":
        return json_reply(200, {"faults": backend.pending_faults()})
    if request.method == "DELETE":
        backend.clear_faults()
        return json_reply(200, {"faults": []})
    payload = json_object(request.body)
    if payload is None:
        return json_reply(400, {"error": "the body must be a JSON object"})
    path, kind = payload.get("path"), payload.get("kind")
    times, value = payload.get("times", 1), payload.get("value")
    try:
        if not isinstance(path, str) or not isinstance(kind, str):
            raise ValueError("path and kind must be strings")
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ValueError(f"value must be a number, got {value!r}")
        backend.add_fault(path, kind, times=times, value=value)
    except ValueError as exc:
        return json_reply(400, {"error": str(exc), "kinds": list(FAULT_KINDS)})
    return json_reply(200, {"path": path, "kind": kind, "times": times, "value": value})


def _hook(backend: Controlled, request: Request) -> Reply:
    """A webhook that records each JSON object posted to it, under the name in its path."""
    if request.method != "POST":
        return method_not_allowed("POST")
    payload = json_object(request.body)
    if payload is None:
        return json_reply(400, {"error": "the body must be a JSON object"})
    backend.receive_hook(request.path.removeprefix(HOOK_PREFIX), payload)
    return json_reply(200, {"ok": True})
