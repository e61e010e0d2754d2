"""The sandbox backend itself: a server on a local port, the scenario it plays, its faults and request log.

:class:`SandboxBackend` starts and stops the HTTP server (:mod:`.http_server`), keeps what may
change while it serves (the scenario, the one-shot faults of :mod:`.faults`, the request log),
and finds each request's route: ``/_sandbox/`` (:mod:`.control`) for every API, else the routes
of the API it plays (:mod:`.reference`, :mod:`.search`, :mod:`.messaging`), behind the scenarios
every API shares: ``flaky`` (a 502, a dropped connection, then the answer, per path) and
``unauthorized`` (401 with the challenge of the route's scheme). Fields set with :meth:`set_fields`
replace values in a route's JSON answers whatever the scenario says (a rehearsal's signal values);
the webhooks under ``/_sandbox/hook/`` record what they receive (:attr:`hooks`). :func:`serve` runs
one until Ctrl-C.
"""

from __future__ import annotations

import base64
import hmac
import json
import threading
from collections import deque
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import Final

from ops_actions.sandbox.backend import messaging, reference, search
from ops_actions.sandbox.backend.control import control_route
from ops_actions.sandbox.backend.faults import Fault, FaultTable, check_delay
from ops_actions.sandbox.backend.http_server import BackendServer
from ops_actions.sandbox.backend.routes import (
    Api,
    RecordedRequest,
    Reply,
    Request,
    json_reply,
    method_not_allowed,
    not_found,
)
from ops_actions.sandbox.catalog import APIS, SCENARIOS

_MAX_RECORDED_REQUESTS: Final = 10_000
_POLL_INTERVAL_S: Final = 0.02
# What a 401 answers in WWW-Authenticate, per the scheme the route wants (RFC 9110 section 11.6.1).
_CHALLENGES: Final[Mapping[str, str]] = {
    "bearer": "Bearer",
    "basic": 'Basic realm="messaging-admin", charset="UTF-8"',
    "api-key": 'ApiKey header="X-API-Key"',
}
# The routes of each API the backend can play, by its name in APIS.
APIS_PLAYED: Final[Mapping[str, Api]] = {
    "reference": reference.API,
    "search": search.API,
    "messaging": messaging.API,
}


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _check_scenario(name: str) -> None:
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}; expected one of: {', '.join(SCENARIOS)}")


def _check_api(name: str) -> None:
    if name not in APIS:
        raise ValueError(f"unknown api {name!r}; expected one of: {', '.join(APIS)}")


class SandboxBackend:
    """The reference backend's ops API on a local port, in a chosen failure scenario.

    ``start()`` serves from a daemon thread (``with SandboxBackend(...) as backend:`` does the
    same and stops it afterwards); ``url`` is valid once started. Scenario, faults and the request
    log may be changed and read from any thread while it serves. ``api="search"`` or ``"messaging"``
    plays another team's API instead (see :mod:`.search`, :mod:`.messaging`); the API is fixed for
    the backend's life.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        scenario: str = "healthy",
        admin_token: str,
        slow_delay_s: float = 10.0,
        clock: Callable[[], datetime] | None = None,
        api: str = "reference",
    ) -> None:
        _check_scenario(scenario)
        _check_api(api)
        if not admin_token:
            raise ValueError("admin_token must not be empty")
        self._api = api
        self._host = host
        self._port = port
        self._admin_token = admin_token
        self._clock: Callable[[], datetime] = clock if clock is not None else _utc_now
        self._lock = threading.Lock()
        self._scenario = scenario
        self._slow_delay_s = check_delay(slow_delay_s, "slow_delay_s")
        self._stalled_metrics_calls = 0
        self._canary_jobs = 0
        self._flaky_calls: dict[str, int] = {}
        self._faults = FaultTable()
        self._fields: dict[str, dict[str, object]] = {}
        self._hooks: list[tuple[str, dict[str, object]]] = []
        self._requests: deque[RecordedRequest] = deque(maxlen=_MAX_RECORDED_REQUESTS)
        self._stopping = threading.Event()
        self._waits: deque[float] = deque(maxlen=_MAX_RECORDED_REQUESTS)
        self._waiting_now = 0
        self._most_waiting = 0
        self._server: BackendServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> SandboxBackend:
        """Bind the port and serve from a daemon thread; return self."""
        if self._server is not None:
            raise RuntimeError("the sandbox backend is already running")
        self._stopping.clear()
        server = BackendServer((self._host, self._port), self)
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": _POLL_INTERVAL_S},
            name=f"sandbox-backend-{server.server_port}",
            daemon=True,
        )
        self._server, self._thread = server, thread
        thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, cut open connections and close the listening socket; safe to call twice."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()  # wakes handlers that sleep, drip or stream
        server.shutdown()
        server.server_close()
        server.close_connections()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> SandboxBackend:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def wait(self) -> None:
        """Block until the server stops; Ctrl-C interrupts the wait with KeyboardInterrupt."""
        while (thread := self._thread) is not None and thread.is_alive():
            thread.join(timeout=0.5)

    @property
    def url(self) -> str:
        """``http://HOST:PORT`` of the running server (a wildcard bind is reached over loopback)."""
        server = self._server
        if server is None:
            raise RuntimeError("the sandbox backend is not running; call start() first")
        host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(self._host, self._host)
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{server.server_port}"

    @property
    def admin_token(self) -> str:
        return self._admin_token

    @property
    def api(self) -> str:
        """The API this backend plays: one of APIS."""
        return self._api

    # -- scenario, faults, request log -----------------------------------------------------

    @property
    def scenario(self) -> str:
        with self._lock:
            return self._scenario

    @property
    def slow_delay_s(self) -> float:
        with self._lock:
            return self._slow_delay_s

    def set_scenario(self, name: str, *, slow_delay_s: float | None = None) -> None:
        """Switch scenario (restarting its counters); ValueError on an unknown name."""
        _check_scenario(name)
        delay = None if slow_delay_s is None else check_delay(slow_delay_s, "slow_delay_s")
        with self._lock:
            self._scenario = name
            if delay is not None:
                self._slow_delay_s = delay
            self._stalled_metrics_calls = 0
            self._flaky_calls.clear()

    def add_fault(self, path: str, kind: str, *, times: int = 1, value: float | int | None = None) -> None:
        """Break the next ``times`` requests to exactly ``path`` (query ignored) with ``kind``.

        Values: ``status`` takes the status code (default 500), ``delay`` the seconds to wait before
        answering normally (default 1), ``slow-drip`` the seconds between body bytes (default 0.1);
        the other kinds take none. Faults on one path apply in the order they were added.
        """
        self._faults.add(path, kind, times=times, value=value)

    def clear_faults(self) -> None:
        self._faults.clear()

    def set_fields(self, path: str, fields: Mapping[str, object]) -> None:
        """From now on the JSON object ``path`` answers with (2xx only) has these values: each key a
        dotted field (``worker.running``), created where missing; set again to change one."""
        with self._lock:
            self._fields.setdefault(path, {}).update(fields)

    def clear_fields(self) -> None:
        with self._lock:
            self._fields.clear()

    def receive_hook(self, name: str, payload: dict[str, object]) -> None:
        with self._lock:
            self._hooks.append((name, payload))

    @property
    def hooks(self) -> list[tuple[str, dict[str, object]]]:
        """What the webhooks under ``/_sandbox/hook/`` received, oldest first: (name, JSON body)."""
        with self._lock:
            return list(self._hooks)

    def pending_faults(self) -> list[dict[str, object]]:
        return self._faults.pending()

    @property
    def connections(self) -> int:
        """How many TCP connections clients have opened to this backend so far."""
        server = self._server
        return server.accepted if server is not None else 0

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of the requests served so far, oldest first (the newest 10,000 are kept)."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()
            self._waits.clear()
            self._most_waiting = self._waiting_now

    @property
    def waits(self) -> list[float]:
        """The seconds each wait (a delay fault, a slow scenario, a drip, /_sandbox/sleep) was to
        last, in the order they began (the newest 10,000, as for the requests)."""
        with self._lock:
            return list(self._waits)

    @property
    def most_waiting(self) -> int:
        """The most handlers that were waiting at the same moment."""
        with self._lock:
            return self._most_waiting

    # -- used by the routes and the request handler -------------------------------------------

    def record(self, entry: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(entry)

    def take_fault(self, path: str) -> Fault | None:
        return self._faults.take(path)

    @property
    def stopping(self) -> threading.Event:
        """Set by stop(): wakes handlers that sleep, drip or stream."""
        return self._stopping

    def now(self) -> datetime:
        return self._clock()

    def stalled_call(self, *, advance: bool) -> int:
        """How many stalled stats calls came before this one (the scenario restarts the count)."""
        with self._lock:
            calls = self._stalled_metrics_calls
            if advance:
                self._stalled_metrics_calls += 1
            return calls

    def next_canary_job(self) -> int:
        with self._lock:
            self._canary_jobs += 1
            return self._canary_jobs

    def sleep(self, seconds: float) -> bool:
        """Sleep unless the server stops first; True when it slept the whole time. Each wait is
        recorded, so tests assert what was waited and how many waited at once, never a duration."""
        with self._lock:
            self._waits.append(seconds)
            self._waiting_now += 1
            self._most_waiting = max(self._most_waiting, self._waiting_now)
        try:
            return not self._stopping.wait(seconds)
        finally:
            with self._lock:
                self._waiting_now -= 1

    def dispatch(self, request: Request) -> Reply | None:
        """The answer to a request; None means drop the connection without one."""
        if request.path.startswith("/_sandbox/"):
            return control_route(self, request)
        api = APIS_PLAYED[self._api]
        if request.path in api.open_routes or request.path.startswith(api.admin_prefix):
            return self._with_fields(request.path, self._api_route(request))
        return not_found()

    def _with_fields(self, path: str, reply: Reply | None) -> Reply | None:
        """The reply with the fields set for ``path`` written into its JSON object."""
        with self._lock:
            fields = dict(self._fields.get(path, {}))
        if not fields or reply is None or not 200 <= reply.status < 300:
            return reply
        try:
            document = json.loads(reply.body)
        except ValueError:
            return reply
        if not isinstance(document, dict):
            return reply
        for dotted, value in fields.items():
            *parents, last = dotted.split(".")
            node = document
            for part in parents:
                child = node.get(part)
                node[part] = child = child if isinstance(child, dict) else {}
                node = child
            node[last] = value
        return Reply(reply.status, json.dumps(document).encode("utf-8"), reply.content_type, reply.headers)

    # -- the API it plays ---------------------------------------------------------------------

    def _api_route(self, request: Request) -> Reply | None:
        with self._lock:
            scenario = self._scenario
            flaky_call = 0
            if scenario == "flaky":
                flaky_call = self._flaky_calls.get(request.path, 0) + 1
                self._flaky_calls[request.path] = flaky_call
        if flaky_call % 3 == 1:
            return json_reply(502, {"error": "bad gateway"})
        if flaky_call % 3 == 2:
            return None
        return self._api_answer(scenario, request)

    def _api_answer(self, scenario: str, request: Request) -> Reply | None:
        api = APIS_PLAYED[self._api]
        open_route = api.open_routes.get(request.path)
        if open_route is not None:
            return (
                open_route(self, scenario, request) if request.method == "GET" else method_not_allowed("GET")
            )
        scheme = next((s for prefix, s in api.auth if request.path.startswith(prefix)), "bearer")
        if scenario == "unauthorized" or not self._authorized(request, scheme):
            return json_reply(401, {"error": "unauthorized"}, ("WWW-Authenticate", _CHALLENGES[scheme]))
        route = api.routes.get(request.path)
        if route is None:
            return not_found()
        method = api.methods.get(request.path, "GET")
        if request.method != method:
            return method_not_allowed(method)
        return route(self, scenario, request)

    def _authorized(self, request: Request, scheme: str) -> bool:
        """Whether the request carries the admin token the way ``scheme`` wants it."""
        if scheme == "api-key":
            offered = request.api_key
        else:
            kind, _, offered = (request.authorization or "").strip().partition(" ")
            if kind.lower() != scheme:
                return False
            if scheme == "basic":
                try:
                    offered = base64.b64decode(offered.strip(), validate=True).decode("utf-8")
                except (ValueError, UnicodeDecodeError):
                    return False
        expected = f"{messaging.BASIC_USER}:{self._admin_token}" if scheme == "basic" else self._admin_token
        if offered is None:
            return False
        return hmac.compare_digest(offered.strip().encode("utf-8"), expected.encode("utf-8"))


def serve(
    *,
    host: str,
    port: int,
    scenario: str,
    admin_token: str,
    slow_delay_s: float = 10.0,
    on_ready: Callable[[str], None] | None = None,
    api: str = "reference",
) -> None:
    """Serve the sandbox backend until Ctrl-C (KeyboardInterrupt), then stop cleanly and return.

    ``on_ready`` is called with the server's URL once it accepts connections (useful with port 0).
    ``api`` picks the API it plays: ``"reference"`` (default) or ``"search"`` (see APIS).
    """
    backend = SandboxBackend(
        host=host,
        port=port,
        scenario=scenario,
        admin_token=admin_token,
        slow_delay_s=slow_delay_s,
        api=api,
    )
    backend.start()
    try:
        if on_ready is not None:
            on_ready(backend.url)
        backend.wait()
    except KeyboardInterrupt:
        pass
    finally:
        backend.stop()
