"""A real local HTTP server that plays the reference backend's ops API, with failure scenarios.

The sandbox lets tests and the demo exercise triage over real HTTP: a scenario decides what the
ops API reports (a dead database, a stalled worker, failing webhooks, a job regression, a slow or
flaky or malformed API, a rejected token), and one-shot faults break individual requests at the
transport level (status codes, resets, delays, huge or undecodable bodies, slow drips).

Routes of the ``"reference"`` API (the default; the bundled playbook's backend):

* ``GET /api/ready`` (no auth) and ``GET /api/ops/{metrics,webhook-events,dead-letters}``
  (``Authorization: Bearer <admin token>``) play the backend; ``job-failed-once`` reports one
  failed job and its dead letter (the seed's "isolated job errors").
* Two canaries a team would point the playbook at, for what the ops API cannot show (same auth):
  ``GET /api/ops/canary/payments`` (does the payment processor accept a test charge?) and
  ``POST /api/ops/canary/jobs`` (create a synthetic job). They answer 2xx when the check passes
  and 503 when it fails: in ``payments-down`` and ``jobs-down``.

Routes of the ``"search"`` API (a search/indexing service, ``examples/search-team/playbook.yaml``):

* ``GET /healthz`` (no auth) and ``GET /internal/{stats,index-errors}`` (admin token, same rules).
* Scenarios: ``db-down`` turns the cluster red, ``worker-stalled`` makes the indexer lag grow on
  every stats call, ``job-regression`` reports index errors most of which share one cause;
  ``webhook-failing``, ``job-failed-once``, ``payments-down`` and ``jobs-down`` have no
  counterpart there and answer as ``healthy``; ``slow``, ``flaky``, ``malformed`` and
  ``unauthorized`` behave as in the reference API.

Routes of the ``"messaging"`` API (a delivery service, ``examples/messaging-team/playbook.yaml``;
answers in :mod:`ops_actions.sandbox.backend.messaging`):

* ``GET /health`` (IETF health+json) and ``GET /readyz[?verbose]`` (Kubernetes-style text), no
  auth; ``GET /v1/stats`` (``X-API-Key: <admin token>``) and ``GET /v1/admin/failed-deliveries``
  (basic auth, ``ops-triage:<admin token>``).
* Scenarios: ``db-down`` fails the postgres checks (health 503, readyz 500, stats 503),
  ``worker-stalled`` fails the delivery worker's readiness and grows the pending deliveries on
  every stats call, ``webhook-failing`` counts failing receipt webhooks, ``job-regression`` fails
  deliveries most of which share one cause; ``slow`` (the stats), ``flaky``, ``malformed`` and
  ``unauthorized`` behave as in the reference API; ``job-failed-once``, ``payments-down`` and
  ``jobs-down`` answer as ``healthy``.

The ``hostile`` scenario plays a backend a third party controls (reference API; the others answer
as ``healthy``): a growing queue and a job regression whose dead letters and failed
webhooks carry a forged ``ops-actions`` marker between lone CRs, a forged state block, mentions,
raw HTML, a code fence and runner workflow commands, and whose ``input`` field echoes the
request's ``Authorization`` header, token and all.

All APIs share:

* ``/_sandbox/{sleep,scenario,fault}`` (no auth) control the sandbox for local tests and benchmarks.

Only the standard library is used, so the server starts instantly and has no moving parts.
"""

from __future__ import annotations

import base64
import contextlib
import hmac
import json
import socket
import struct
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from types import TracebackType
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

from ops_actions.sandbox.backend import messaging
from ops_actions.sandbox.catalog import APIS, SCENARIOS
from ops_actions.sandbox.server import LocalServer

__all__ = [
    "APIS",
    "FAULT_KINDS",
    "HUGE_BODY_BYTES",
    "JSON_CONTENT_TYPE",
    "MAX_SLEEP_MS",
    "SCENARIOS",
    "RecordedRequest",
    "SandboxBackend",
    "serve",
]

FAULT_KINDS: tuple[str, ...] = (
    "status",
    "reset",
    "delay",
    "huge-body",
    "non-utf8",
    "invalid-json",
    "slow-drip",
)

JSON_CONTENT_TYPE: Final = "application/json; charset=utf-8"
HUGE_BODY_BYTES: Final = 50 * 1024 * 1024
MAX_SLEEP_MS: Final = 10_000

# What a fault does when it was added without a value.
_FAULT_DEFAULT_VALUES: Final[Mapping[str, float | int]] = {"status": 500, "delay": 1.0, "slow-drip": 0.1}
_NON_UTF8_BODY: Final = b'{"db_ok": "\xff\xfe"}'
_INVALID_JSON_BODY: Final = b"{not json"
_MAX_REQUEST_BODY: Final = 1 << 20
_MAX_RECORDED_REQUESTS: Final = 10_000
_STREAM_CHUNK: Final = 64 * 1024
_POLL_INTERVAL_S: Final = 0.02

_HEARTBEAT_AGE_HEALTHY: Final = timedelta(seconds=5)
_HEARTBEAT_AGE_STALLED: Final = timedelta(seconds=900)
_RECOVERY_BEFORE_HEARTBEAT: Final = timedelta(minutes=5)
_STALLED_QUEUE_START: Final = 40
_STALLED_QUEUE_STEP: Final = 25

_WEBHOOK_FAILURES: Final = 7
_WEBHOOK_ERROR: Final = "No signatures found matching the expected signature for payload"
_JOBS_FAILED_LAST_HOUR: Final = 12
# How many jobs failed in the last hour, and how many dead letters: a regression, or one isolated job.
_JOBS_FAILED: Final[Mapping[str, int]] = {
    "job-regression": _JOBS_FAILED_LAST_HOUR,
    "hostile": _JOBS_FAILED_LAST_HOUR,
    "job-failed-once": 1,
}
_PAYMENTS_CANARY_ERROR: Final = "the payment processor declined the canary charge (card_declined)"
_JOBS_CANARY_ERROR: Final = "job creation unavailable: enqueue timed out after 5s"
_DEAD_LETTER_SIGNATURE: Final[Mapping[str, str]] = {
    "reason": "provider timeout after 30s",
    "provider": "openai",
    "input": "pdf-summary",
}
# The dead letters that do not share the regression's signature, by position in the newest-first list.
_DEAD_LETTER_OUTLIERS: Final[Mapping[int, Mapping[str, str]]] = {
    2: {"reason": "rate limited by provider (429)", "provider": "anthropic", "input": "email-draft"},
    7: {"reason": "output failed schema validation", "provider": "openai", "input": "invoice-extract"},
    11: {"reason": "input file too large (38 MB)", "provider": "local", "input": "pdf-summary"},
}
_DEAD_LETTERS_TOTAL: Final = 15
# What a hostile backend puts in its data (the "hostile" scenario): each field tries another way
# out of the text it is meant to be.
HOSTILE_MARKER: Final = (
    '<!-- ops-actions:event {"key":"forged-backend","kind":"status","at":"2020-01-01T00:00:00Z",'
    '"summary":"status: mitigating","incident":"triage","delta":{"set":{"severity":"SEV-3",'
    '"owner":"mallory","smoke_passed_at":"2020-01-01T00:00:00Z","clear_since":"2020-01-01T00:00:00Z"}}} -->'
)
HOSTILE_STATE: Final = (
    '<!-- ops-actions:state {"version":1,"key":"triage","title":"t","severity":"SEV-3",'
    '"status":"resolved","opened_at":"2020-01-01T00:00:00Z"} -->'
)
_HOSTILE_REASON: Final = f"provider timeout\r{HOSTILE_MARKER}\r"
_HOSTILE_PROVIDER: Final = (
    "\r```\r@octo-org/everyone <img src=x onerror=alert(1)>\r::add-mask::hidden ##[set-output name=pwned]1"
)
_HOSTILE_WEBHOOK_ERROR: Final = (
    f"bad signature\r\n```\n\u2028{HOSTILE_STATE}\n::stop-commands::pwned\n::error::forged"
)
_DEAD_LETTERS: Final[Mapping[str, int]] = {
    "job-regression": _DEAD_LETTERS_TOTAL,
    "hostile": _DEAD_LETTERS_TOTAL,
    "job-failed-once": 1,
}

# Headers whose values are credentials: the request log keeps only whether they were sent.
_CREDENTIAL_HEADERS: Final = frozenset({"authorization", "x-api-key"})
# What a 401 answers in WWW-Authenticate, per the scheme the route wants (RFC 9110 section 11.6.1).
_CHALLENGES: Final[Mapping[str, str]] = {
    "bearer": "Bearer",
    "basic": 'Basic realm="messaging-admin", charset="UTF-8"',
    "api-key": 'ApiKey header="X-API-Key"',
}

_SANDBOX_METHODS: Final[Mapping[str, tuple[str, ...]]] = {
    "/_sandbox/sleep": ("GET",),
    "/_sandbox/scenario": ("GET", "POST"),
    "/_sandbox/fault": ("GET", "POST", "DELETE"),
}

_MALFORMED_METRICS: Final[Mapping[str, object]] = {
    "db_ok": "yes",
    "queue_depth": "many",
    "worker": None,
    "webhook_failed_last_hour": -1,
}

# The search API ("search" flavour).
_SEARCH_LAG_HEALTHY_S: Final = 4
_SEARCH_BACKLOG_HEALTHY: Final = 12
_SEARCH_STALLED_LAG_START_S: Final = 120
_SEARCH_STALLED_LAG_STEP_S: Final = 90
_SEARCH_STALLED_BACKLOG_START: Final = 500
_SEARCH_STALLED_BACKLOG_STEP: Final = 250
_SEARCH_NODES: Final = 3
_SEARCH_RED_UNASSIGNED_SHARDS: Final = 14
_SEARCH_INDEX_ERRORS_TOTAL: Final = 15
_SEARCH_INDEX_ERRORS_LIMIT: Final = 100
_SEARCH_INDEX_ERROR_SIGNATURE: Final[Mapping[str, str]] = {
    "index": "products-v7",
    "error_type": "mapper_parsing_exception",
    "reason": "failed to parse field [price] of type [scaled_float]",
}
# The index errors that do not share the regression's cause, by position in the newest-first list.
_SEARCH_INDEX_ERROR_OUTLIERS: Final[Mapping[int, Mapping[str, str]]] = {
    2: {
        "index": "products-v7",
        "error_type": "version_conflict_engine_exception",
        "reason": "version conflict, current version [8] is higher than the one provided [7]",
    },
    7: {
        "index": "suggest-v3",
        "error_type": "illegal_argument_exception",
        "reason": "document contains at least one immense term in field [title]",
    },
    11: {
        "index": "products-v7",
        "error_type": "es_rejected_execution_exception",
        "reason": "rejected execution of bulk request (queue capacity 200)",
    },
}
_MALFORMED_STATS: Final[Mapping[str, object]] = {
    "cluster": "red?",
    "indexer": {"running": "yes", "lag_seconds": "a lot", "backlog": -5},
    "errors": None,
}


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a trailing ``Z``; naive datetimes are taken to be UTC already."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_scenario(name: str) -> None:
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}; expected one of: {', '.join(SCENARIOS)}")


def _check_api(name: str) -> None:
    if name not in APIS:
        raise ValueError(f"unknown api {name!r}; expected one of: {', '.join(APIS)}")


def _check_delay(seconds: float, what: str) -> float:
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise ValueError(f"{what} must be a non-negative number of seconds, got {seconds!r}")
    return float(seconds)


def _fault_value(kind: str, value: float | int | None) -> float | int | None:
    """Validate a fault's value and fill in its default; raise ValueError when it makes no sense."""
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault kind {kind!r}; expected one of: {', '.join(FAULT_KINDS)}")
    if kind not in _FAULT_DEFAULT_VALUES:
        return None
    if value is None:
        return _FAULT_DEFAULT_VALUES[kind]
    if kind == "status":
        if isinstance(value, bool) or not isinstance(value, int) or not 200 <= value <= 599:
            raise ValueError(f"a status fault needs an HTTP status code from 200 to 599, got {value!r}")
        return value
    return _check_delay(value, f"the value of a {kind} fault")


@dataclass(frozen=True)
class RecordedRequest:
    """One request the sandbox served; the values of credential headers are never kept."""

    method: str
    path: str
    """The request target as sent, query string included."""
    headers: dict[str, str]
    """Every header except Authorization and X-API-Key."""
    authorization_present: bool
    api_key_present: bool = False


@dataclass
class _Fault:
    kind: str
    remaining: int
    value: float | int | None


@dataclass(frozen=True)
class _Request:
    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes
    authorization: str | None
    api_key: str | None = None


@dataclass(frozen=True)
class _Reply:
    status: int
    body: bytes
    content_type: str = JSON_CONTENT_TYPE
    headers: tuple[tuple[str, str], ...] = ()


def _json_reply(status: int, payload: object, *headers: tuple[str, str]) -> _Reply:
    return _Reply(status, json.dumps(payload).encode("utf-8"), headers=headers)


def _not_found() -> _Reply:
    return _json_reply(404, {"error": "not found"})


def _method_not_allowed(*allowed: str) -> _Reply:
    return _json_reply(405, {"error": "method not allowed"}, ("Allow", ", ".join(allowed)))


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


class SandboxBackend:
    """The reference backend's ops API on a local port, in a chosen failure scenario.

    ``start()`` serves from a daemon thread (``with SandboxBackend(...) as backend:`` does the
    same and stops it afterwards); ``url`` is valid once started. Scenario, faults and the request
    log may be changed and read from any thread while it serves. ``api="search"`` plays a search
    service's API instead (see the module docstring); the API is fixed for the backend's life.
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
        self._slow_delay_s = _check_delay(slow_delay_s, "slow_delay_s")
        self._stalled_metrics_calls = 0
        self._canary_jobs = 0
        self._flaky_calls: dict[str, int] = {}
        self._faults: dict[str, deque[_Fault]] = {}
        self._requests: deque[RecordedRequest] = deque(maxlen=_MAX_RECORDED_REQUESTS)
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> SandboxBackend:
        """Bind the port and serve from a daemon thread; return self."""
        if self._server is not None:
            raise RuntimeError("the sandbox backend is already running")
        self._stopping.clear()
        server = _Server((self._host, self._port), self)
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
        """The API flavour this backend plays: one of APIS."""
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
        delay = None if slow_delay_s is None else _check_delay(slow_delay_s, "slow_delay_s")
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
        value = _fault_value(kind, value)
        if not path.startswith("/"):
            raise ValueError(f"a fault path must start with '/', got {path!r}")
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ValueError(f"times must be a positive integer, got {times!r}")
        with self._lock:
            self._faults.setdefault(urlsplit(path).path, deque()).append(_Fault(kind, times, value))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def pending_faults(self) -> list[dict[str, object]]:
        with self._lock:
            return [
                {"path": path, "kind": fault.kind, "times": fault.remaining, "value": fault.value}
                for path, faults in self._faults.items()
                for fault in faults
            ]

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

    # -- used by the request handler ---------------------------------------------------------

    def _record(self, entry: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(entry)

    def _take_fault(self, path: str) -> _Fault | None:
        with self._lock:
            faults = self._faults.get(path)
            if not faults:
                return None
            fault = faults[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                faults.popleft()
                if not faults:
                    del self._faults[path]
            return fault

    def _sleep(self, seconds: float) -> bool:
        """Sleep unless the server stops first; True when it slept the whole time."""
        return not self._stopping.wait(seconds)

    def _dispatch(self, request: _Request) -> _Reply | None:
        """The answer to a request; None means drop the connection without one."""
        if request.path.startswith("/_sandbox/"):
            return self._sandbox_route(request)
        flavour = _FLAVOURS[self._api]
        if request.path in flavour.open_routes or request.path.startswith(flavour.admin_prefix):
            return self._api_route(request)
        return _not_found()

    # -- the backend's API -----------------------------------------------------------------

    def _api_route(self, request: _Request) -> _Reply | None:
        with self._lock:
            scenario = self._scenario
            flaky_call = 0
            if scenario == "flaky":
                flaky_call = self._flaky_calls.get(request.path, 0) + 1
                self._flaky_calls[request.path] = flaky_call
        if flaky_call % 3 == 1:
            return _json_reply(502, {"error": "bad gateway"})
        if flaky_call % 3 == 2:
            return None
        return self._api_answer(scenario, request)

    def _api_answer(self, scenario: str, request: _Request) -> _Reply | None:
        flavour = _FLAVOURS[self._api]
        open_route = flavour.open_routes.get(request.path)
        if open_route is not None:
            return (
                open_route(self, scenario, request) if request.method == "GET" else _method_not_allowed("GET")
            )
        scheme = next((s for prefix, s in flavour.auth if request.path.startswith(prefix)), "bearer")
        if scenario == "unauthorized" or not self._authorized(request, scheme):
            return _json_reply(401, {"error": "unauthorized"}, ("WWW-Authenticate", _CHALLENGES[scheme]))
        route = flavour.routes.get(request.path)
        if route is None:
            return _not_found()
        method = flavour.methods.get(request.path, "GET")
        if request.method != method:
            return _method_not_allowed(method)
        return route(self, scenario, request)

    def _authorized(self, request: _Request, scheme: str) -> bool:
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

    def _ready(self, scenario: str, request: _Request) -> _Reply:
        if scenario == "db-down":
            return _json_reply(503, {"status": "degraded", "db": False})
        return _json_reply(200, {"status": "ok"})

    def _metrics(self, scenario: str, request: _Request) -> _Reply | None:
        if scenario == "malformed":
            return _json_reply(200, _MALFORMED_METRICS)
        if scenario == "slow" and not self._sleep(self.slow_delay_s):
            return None
        queued, heartbeat_age = 3, _HEARTBEAT_AGE_HEALTHY
        if scenario == "worker-stalled":
            heartbeat_age = _HEARTBEAT_AGE_STALLED
        if scenario in {"worker-stalled", "hostile"}:  # a queue that grows: every triage has news
            with self._lock:
                queued = _STALLED_QUEUE_START + _STALLED_QUEUE_STEP * self._stalled_metrics_calls
                self._stalled_metrics_calls += 1
        heartbeat = self._clock() - heartbeat_age
        metrics = {
            "db_ok": scenario != "db-down",
            "worker": {
                "running": True,
                "last_heartbeat_at": _iso(heartbeat),
                "recovered_last_summary": {
                    "recovered": 0,
                    "at": _iso(heartbeat - _RECOVERY_BEFORE_HEARTBEAT),
                },
            },
            "queue_depth": {"queued": queued, "running": 1},
            "webhook_failed_last_hour": _WEBHOOK_FAILURES
            if scenario in {"webhook-failing", "hostile"}
            else 0,
            "jobs_failed_last_hour": _JOBS_FAILED.get(scenario, 0),
            "dead_letters_last_24h": _DEAD_LETTERS.get(scenario, 0),
        }
        return _json_reply(200, metrics)

    def _payments_canary(self, scenario: str, request: _Request) -> _Reply:
        """Whether the payment processor accepts a test charge (a team's own check, not the ops API)."""
        checked = _iso(self._clock())
        if scenario == "payments-down":
            return _json_reply(
                503, {"accepted": False, "error": _PAYMENTS_CANARY_ERROR, "checked_at": checked}
            )
        return _json_reply(200, {"accepted": True, "checked_at": checked})

    def _jobs_canary(self, scenario: str, request: _Request) -> _Reply:
        """A synthetic job, created on request: 201 with its id, or 503 when jobs cannot be created."""
        if _json_object(request.body) is None:
            return _json_reply(400, {"error": "the body must be a JSON object"})
        if scenario == "jobs-down":
            return _json_reply(503, {"created": False, "error": _JOBS_CANARY_ERROR})
        with self._lock:
            self._canary_jobs += 1
            number = self._canary_jobs
        return _json_reply(201, {"created": True, "job_id": f"canary_{number:06d}", "status": "queued"})

    def _webhook_events(self, scenario: str, request: _Request) -> _Reply:
        if scenario == "malformed":
            return _Reply(200, _INVALID_JSON_BODY)
        status = request.query.get("status", ["failed"])[-1]
        items: list[dict[str, str]] = []
        if scenario in {"webhook-failing", "hostile"} and status == "failed":
            now = self._clock()
            items = [
                {
                    "id": f"evt_1Sbx{index:020d}",
                    "type": "checkout.session.completed",
                    "status": "failed",
                    "error": _HOSTILE_WEBHOOK_ERROR if scenario == "hostile" else _WEBHOOK_ERROR,
                    "received_at": _iso(now - timedelta(minutes=3 + 8 * index)),
                }
                for index in range(_WEBHOOK_FAILURES)
            ]
        return _json_reply(200, {"items": items})

    def _dead_letters(self, scenario: str, request: _Request) -> _Reply:
        if scenario == "malformed":
            return _Reply(200, _INVALID_JSON_BODY)
        items: list[dict[str, str]] = []
        if scenario in _DEAD_LETTERS:
            now = self._clock()
            for index in range(_DEAD_LETTERS[scenario]):
                signature = _DEAD_LETTER_OUTLIERS.get(index, _DEAD_LETTER_SIGNATURE)
                if scenario == "hostile":
                    echoed = request.authorization or ""
                    signature = {"reason": _HOSTILE_REASON, "provider": _HOSTILE_PROVIDER, "input": echoed}
                items.append(
                    {
                        "id": f"dl_{index + 1:04d}",
                        "job_id": f"job_{48_213 - 17 * index}",
                        **signature,
                        "failed_at": _iso(now - timedelta(minutes=4 + 23 * index)),
                    }
                )
        return _json_reply(200, {"items": items})

    # -- the search API ----------------------------------------------------------------------

    def _healthz(self, scenario: str, request: _Request) -> _Reply:
        if scenario == "db-down":
            return _json_reply(503, {"status": "red"})
        return _json_reply(200, {"status": "green"})

    def _stats(self, scenario: str, request: _Request) -> _Reply | None:
        if scenario == "malformed":
            return _json_reply(200, _MALFORMED_STATS)
        if scenario == "slow" and not self._sleep(self.slow_delay_s):
            return None
        lag, backlog = _SEARCH_LAG_HEALTHY_S, _SEARCH_BACKLOG_HEALTHY
        if scenario == "worker-stalled":
            with self._lock:
                calls = self._stalled_metrics_calls
                self._stalled_metrics_calls += 1
            lag = _SEARCH_STALLED_LAG_START_S + _SEARCH_STALLED_LAG_STEP_S * calls
            backlog = _SEARCH_STALLED_BACKLOG_START + _SEARCH_STALLED_BACKLOG_STEP * calls
        red = scenario == "db-down"
        errors = _SEARCH_INDEX_ERRORS_TOTAL if scenario == "job-regression" else 0
        stats = {
            "cluster": {
                "status": "red" if red else "green",
                "nodes": _SEARCH_NODES - 1 if red else _SEARCH_NODES,
                "unassigned_shards": _SEARCH_RED_UNASSIGNED_SHARDS if red else 0,
            },
            "indexer": {
                "running": True,
                "lag_seconds": lag,
                "backlog": backlog,
                # The last commit is as old as the lag: a stalled indexer commits nothing.
                "last_commit_at": _iso(self._clock() - timedelta(seconds=lag)),
            },
            "errors": {"last_15m": errors, "last_24h": errors},
        }
        return _json_reply(200, stats)

    def _index_errors(self, scenario: str, request: _Request) -> _Reply:
        if scenario == "malformed":
            return _Reply(200, _INVALID_JSON_BODY)
        raw = request.query.get("limit", [str(_SEARCH_INDEX_ERRORS_LIMIT)])[-1]
        limit = int(raw) if raw.isascii() and raw.isdigit() else 0
        if not 1 <= limit <= _SEARCH_INDEX_ERRORS_LIMIT:
            message = f"limit must be an integer from 1 to {_SEARCH_INDEX_ERRORS_LIMIT}, got {raw!r}"
            return _json_reply(400, {"error": message})
        errors: list[dict[str, str]] = []
        if scenario == "job-regression":
            now = self._clock()
            for index in range(_SEARCH_INDEX_ERRORS_TOTAL):
                cause = _SEARCH_INDEX_ERROR_OUTLIERS.get(index, _SEARCH_INDEX_ERROR_SIGNATURE)
                errors.append(
                    {
                        "id": f"ierr_{index + 1:04d}",
                        "document_id": f"sku-{48_213 - 17 * index}",
                        **cause,
                        "at": _iso(now - timedelta(seconds=30 + 55 * index)),
                    }
                )
        return _json_reply(200, {"data": {"errors": errors[:limit]}, "total": len(errors)})

    # -- the messaging API (payloads in sandbox/messaging.py) ------------------------------

    def _health(self, scenario: str, request: _Request) -> _Reply:
        status, document = messaging.health(scenario, self._clock())
        return _Reply(status, json.dumps(document).encode("utf-8"), messaging.HEALTH_CONTENT_TYPE)

    def _readyz(self, scenario: str, request: _Request) -> _Reply:
        status, text = messaging.readyz(scenario, verbose="verbose" in request.query)
        # As k8s.io/apiserver's healthz handler answers: plain text that browsers must not sniff.
        nosniff = ("X-Content-Type-Options", "nosniff")
        return _Reply(status, text.encode("utf-8"), messaging.TEXT_CONTENT_TYPE, (nosniff,))

    def _messaging_stats(self, scenario: str, request: _Request) -> _Reply | None:
        if scenario == "slow" and not self._sleep(self.slow_delay_s):
            return None
        with self._lock:
            calls = self._stalled_metrics_calls
            if scenario == "worker-stalled":
                self._stalled_metrics_calls += 1
        status, stats = messaging.stats(scenario, self._clock(), calls)
        return _json_reply(status, stats)

    def _failed_deliveries(self, scenario: str, request: _Request) -> _Reply:
        if scenario == "malformed":
            return _Reply(200, _INVALID_JSON_BODY)
        raw = request.query.get("limit", [str(messaging.FAILED_DELIVERIES_LIMIT)])[-1]
        limit = int(raw) if raw.isascii() and raw.isdigit() else 0
        if not 1 <= limit <= messaging.FAILED_DELIVERIES_LIMIT:
            message = f"limit must be an integer from 1 to {messaging.FAILED_DELIVERIES_LIMIT}, got {raw!r}"
            return _json_reply(400, {"error": message})
        return _json_reply(200, messaging.failed_deliveries(scenario, self._clock(), limit))

    # -- sandbox control -------------------------------------------------------------------

    def _sandbox_route(self, request: _Request) -> _Reply | None:
        methods = _SANDBOX_METHODS.get(request.path)
        if methods is None:
            return _not_found()
        if request.method not in methods:
            return _method_not_allowed(*methods)
        if request.path == "/_sandbox/sleep":
            return self._sandbox_sleep(request)
        if request.path == "/_sandbox/scenario":
            return self._sandbox_scenario(request)
        return self._sandbox_fault(request)

    def _sandbox_sleep(self, request: _Request) -> _Reply | None:
        raw = request.query.get("ms", ["0"])[-1]
        try:
            millis = int(raw)
        except ValueError:
            millis = -1
        if millis < 0:
            return _json_reply(400, {"error": f"ms must be a non-negative integer, got {raw!r}"})
        millis = min(millis, MAX_SLEEP_MS)
        if not self._sleep(millis / 1000):
            return None
        return _json_reply(200, {"slept_ms": millis})

    def _sandbox_scenario(self, request: _Request) -> _Reply:
        if request.method == "GET":
            return _json_reply(200, {"scenario": self.scenario, "slow_delay_s": self.slow_delay_s})
        payload = _json_object(request.body)
        if payload is None:
            return _json_reply(400, {"error": "the body must be a JSON object"})
        name = payload.get("scenario")
        if not isinstance(name, str) or name not in SCENARIOS:
            return _json_reply(400, {"error": f"unknown scenario {name!r}", "scenarios": list(SCENARIOS)})
        try:
            self.set_scenario(name, slow_delay_s=payload.get("slow_delay_s"))
        except ValueError as exc:
            return _json_reply(400, {"error": str(exc)})
        return _json_reply(200, {"scenario": name})

    def _sandbox_fault(self, request: _Request) -> _Reply:
        if request.method == "GET":
            return _json_reply(200, {"faults": self.pending_faults()})
        if request.method == "DELETE":
            self.clear_faults()
            return _json_reply(200, {"faults": []})
        payload = _json_object(request.body)
        if payload is None:
            return _json_reply(400, {"error": "the body must be a JSON object"})
        path, kind = payload.get("path"), payload.get("kind")
        times, value = payload.get("times", 1), payload.get("value")
        try:
            if not isinstance(path, str) or not isinstance(kind, str):
                raise ValueError("path and kind must be strings")
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
                raise ValueError(f"value must be a number, got {value!r}")
            self.add_fault(path, kind, times=times, value=value)
        except ValueError as exc:
            return _json_reply(400, {"error": str(exc), "kinds": list(FAULT_KINDS)})
        return _json_reply(200, {"path": path, "kind": kind, "times": times, "value": value})


_Route = Callable[[SandboxBackend, str, _Request], _Reply | None]

_OPS_ROUTES: Final[dict[str, _Route]] = {
    "/api/ops/metrics": SandboxBackend._metrics,
    "/api/ops/webhook-events": SandboxBackend._webhook_events,
    "/api/ops/dead-letters": SandboxBackend._dead_letters,
    "/api/ops/canary/payments": SandboxBackend._payments_canary,
    "/api/ops/canary/jobs": SandboxBackend._jobs_canary,
}


@dataclass(frozen=True)
class _Flavour:
    """One API the sandbox plays: open routes, and admin routes under one prefix.

    ``auth`` says how an admin route wants the admin token, by path prefix (first match; the
    default is a Bearer token): ``api-key`` in an X-API-Key header, ``basic`` as the password of
    HTTP basic auth for the user ``messaging.BASIC_USER``.
    """

    open_routes: Mapping[str, _Route]
    admin_prefix: str
    routes: Mapping[str, _Route]
    auth: tuple[tuple[str, str], ...] = ()
    methods: Mapping[str, str] = field(default_factory=dict)
    """The method of an admin route that is not GET."""


_FLAVOURS: Final[Mapping[str, _Flavour]] = {
    "reference": _Flavour(
        {"/api/ready": SandboxBackend._ready},
        "/api/ops/",
        _OPS_ROUTES,
        methods={"/api/ops/canary/jobs": "POST"},
    ),
    "search": _Flavour(
        {"/healthz": SandboxBackend._healthz},
        "/internal/",
        {
            "/internal/stats": SandboxBackend._stats,
            "/internal/index-errors": SandboxBackend._index_errors,
        },
    ),
    "messaging": _Flavour(
        {"/health": SandboxBackend._health, "/readyz": SandboxBackend._readyz},
        "/v1/",
        {
            "/v1/stats": SandboxBackend._messaging_stats,
            "/v1/admin/failed-deliveries": SandboxBackend._failed_deliveries,
        },
        auth=(("/v1/admin/", "basic"), ("/v1/", "api-key")),
    ),
}


class _Server(LocalServer):
    backend: SandboxBackend

    def __init__(self, address: tuple[str, int], backend: SandboxBackend) -> None:
        self.backend = backend
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server_version = "ops-actions-sandbox/0.1"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = 30
    # Headers and body go out in separate writes; with Nagle on, keep-alive answers would stall
    # on delayed ACKs for about 40 ms each.
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests and the demo read the request log instead."""

    def _handle(self) -> None:
        backend = self.server.backend
        request = self._read_request()
        if request is None:
            return
        backend._record(
            RecordedRequest(
                method=self.command,
                path=self.path,
                headers={k: v for k, v in self.headers.items() if k.lower() not in _CREDENTIAL_HEADERS},
                authorization_present=request.authorization is not None,
                api_key_present=request.api_key is not None,
            )
        )
        try:
            self._answer(backend, request)
        except OSError:
            self.close_connection = True  # the client went away mid-answer

    def _answer(self, backend: SandboxBackend, request: _Request) -> None:
        if backend._stopping.is_set():
            self._reset()
            return
        fault = backend._take_fault(request.path)
        drip: float | None = None
        if fault is not None:
            if fault.kind == "delay":
                if not backend._sleep(float(fault.value or 0)):
                    self._reset()
                    return
            elif fault.kind == "slow-drip":
                drip = float(fault.value or 0)
            else:
                self._answer_fault(fault)
                return
        # A bug in the sandbox surfaces through the server's handle_error, which prints the traceback.
        reply = backend._dispatch(request)
        if reply is None:
            self._reset()
        else:
            self._send(reply, drip=drip)

    def _answer_fault(self, fault: _Fault) -> None:
        if fault.kind == "status":
            self._send(_json_reply(int(fault.value or 500), {"error": "injected"}))
        elif fault.kind == "reset":
            self._reset()
        elif fault.kind == "huge-body":
            self._send_huge_body()
        elif fault.kind == "non-utf8":
            self._send(_Reply(200, _NON_UTF8_BODY))
        else:
            self._send(_Reply(200, _INVALID_JSON_BODY))

    def _read_request(self) -> _Request | None:
        raw_length = self.headers.get("Content-Length") or "0"
        length = int(raw_length) if raw_length.isdigit() else -1
        if not 0 <= length <= _MAX_REQUEST_BODY:
            self.close_connection = True
            self._send(_json_reply(413, {"error": "bad or too large Content-Length"}))
            return None
        body = self.rfile.read(length) if length else b""
        target = urlsplit(self.path)
        return _Request(
            method=self.command,
            path=target.path,
            query=parse_qs(target.query, keep_blank_values=True),  # ?verbose has no value
            body=body,
            authorization=self.headers.get("Authorization"),
            api_key=self.headers.get("X-API-Key"),
        )

    def _send(self, reply: _Reply, *, drip: float | None = None) -> None:
        body = b"" if reply.status in (204, 304) else reply.body  # these may not carry a body
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        if drip is None:
            self.wfile.write(body)
            return
        for index in range(len(body)):
            self.wfile.write(body[index : index + 1])
            if index + 1 < len(body) and not self.server.backend._sleep(drip):
                self._reset()
                return

    def _send_huge_body(self) -> None:
        """Stream a HUGE_BODY_BYTES JSON-ish body in chunks, never holding it all in memory."""
        prefix, suffix = b'{"padding": "', b'"}'
        chunk = memoryview(b"x" * _STREAM_CHUNK)
        self.send_response(200)
        self.send_header("Content-Type", JSON_CONTENT_TYPE)
        self.send_header("Content-Length", str(HUGE_BODY_BYTES))
        self.end_headers()
        self.wfile.write(prefix)
        remaining = HUGE_BODY_BYTES - len(prefix) - len(suffix)
        while remaining > 0:
            if self.server.backend._stopping.is_set():
                self._reset()
                return
            size = min(remaining, _STREAM_CHUNK)
            self.wfile.write(chunk[:size])
            remaining -= size
        self.wfile.write(suffix)

    def _reset(self) -> None:
        """Drop the connection with a TCP reset: no response, not even a clean close."""
        self.close_connection = True
        with contextlib.suppress(OSError):  # already closed
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()


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
