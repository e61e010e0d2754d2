"""A GitHub REST API emulator: a real HTTP server on 127.0.0.1 with in-memory state.

PyGithub (unpatched), httpx, ``curl`` and workflows run under ``act`` talk to it exactly as they
talk to api.github.com: ``Github(base_url=emulator.url, auth=Auth.Token(token))``. Answers are
shaped like GitHub's (ids, ``node_id``, api urls on the emulator's own base URL, html urls on
``https://github.com/...``, ISO ``Z`` timestamps, ``Link`` pagination, ``x-ratelimit-*`` headers,
``ETag`` / ``If-None-Match`` -> 304, GitHub error bodies); the project's tests check every answer
against GitHub's OpenAPI description.

Operations (``R`` = ``/repos/{owner}/{repo}``, the one seeded repository):

* ``GET /``, ``GET /rate_limit``, ``GET /search/issues``, ``GET R``
* issues: ``GET|POST R/issues``, ``GET|PATCH R/issues/{n}``, ``POST R/issues/{n}/assignees``,
  ``PUT|DELETE R/issues/{n}/lock``, ``GET|POST R/issues/{n}/sub_issues``
* comments: ``GET|POST R/issues/{n}/comments``, ``GET|PATCH R/issues/comments/{id}``,
  ``POST R/issues/comments/{id}/reactions``
* labels: ``GET|POST|PUT R/issues/{n}/labels``, ``DELETE R/issues/{n}/labels/{name}``,
  ``GET|POST R/labels``, ``GET|PATCH|DELETE R/labels/{name}``
* ``GET R/collaborators/{user}/permission``
* actions: ``GET R/actions/workflows``, ``GET R/actions/workflows/{id or file}``,
  ``POST R/actions/workflows/{id or file}/dispatches``, ``GET R/actions/workflows/{id or file}/runs``,
  ``GET R/actions/runs``, ``GET R/actions/runs/{id}``, ``GET R/actions/runs/{id}/jobs``
* git and deployments: ``GET R/git/ref/{ref}``, ``POST R/git/refs``, ``GET R/commits/{ref}``,
  ``GET R/deployments`` (always empty), ``POST R/dispatches`` (repository_dispatch, recorded)

Control endpoints (no auth, JSON in and out) mirror the Python API so another process can drive
the emulator: ``POST /_emulator/{permission,workflow,run,issue,comment,branch,fault,advance,reset-log}``,
``GET /_emulator/{state,requests}``.

Choices where GitHub's behaviour depends on things the emulator does not model:

* The collaborator permission of a user never given one is ``read`` (what a public repository
  answers for a non-collaborator) rather than a 404.
* Workflow runs follow a clock: ``queued`` for ``queued_s``, then ``in_progress`` for
  ``in_progress_s``, then ``completed`` with the scripted conclusion. The clock is real time plus
  an offset moved by :meth:`GitHubEmulator.advance` (or the given ``clock`` plus that offset).
* ``Link`` headers point at the path that was requested (``/repos/{owner}/{repo}/...``);
  api.github.com rewrites them to ``/repositories/{id}/...``, which the OpenAPI description lacks.
* Adding a sub-issue answers 201 with the parent issue; ``sub_issue_id`` is the issue's ``id``.
* New repositories get GitHub's nine default labels (``bug``, ``documentation``, ...).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import itertools
import json
import math
import re
import socket
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler
from types import TracebackType
from typing import Any, Final, TypeVar
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from ops_actions.sandbox.server import LocalServer

__all__ = [
    "CONTROL_PREFIX",
    "FAULT_KINDS",
    "MAX_BODY_CHARS",
    "PERMISSIONS",
    "Exchange",
    "GitHubEmulator",
    "RecordedRequest",
    "serve",
]

JSONDict = dict[str, Any]
_T = TypeVar("_T")

CONTROL_PREFIX: Final = "/_emulator/"
FAULT_KINDS: tuple[str, ...] = (
    "5xx",
    "secondary-rate-limit",
    "429",
    "primary-rate-limit",
    "slow",
    "drop-after-write",
    "404",
    "410",
    "422",
)
PERMISSIONS: tuple[str, ...] = ("admin", "maintain", "write", "triage", "read", "none")
MAX_BODY_CHARS: Final = 65_536
MAX_TITLE_CHARS: Final = 256
REACTION_CONTENTS: tuple[str, ...] = ("+1", "-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes")
LOCK_REASONS: tuple[str, ...] = ("off-topic", "too heated", "resolved", "spam")
RUN_STATUSES: frozenset[str] = frozenset(
    {"requested", "in_progress", "completed", "queued", "pending", "waiting", "action_required"}
)
RUN_CONCLUSIONS: frozenset[str] = frozenset(
    {
        "success",
        "failure",
        "neutral",
        "cancelled",
        "skipped",
        "timed_out",
        "action_required",
        "stale",
        "startup_failure",
    }
)
DEFAULT_LABELS: tuple[tuple[str, str, str], ...] = (
    ("bug", "d73a4a", "Something isn't working"),
    ("documentation", "0075ca", "Improvements or additions to documentation"),
    ("duplicate", "cfd3d7", "This issue or pull request already exists"),
    ("enhancement", "a2eeef", "New feature or request"),
    ("good first issue", "7057ff", "Good for newcomers"),
    ("help wanted", "008672", "Extra attention is needed"),
    ("invalid", "e4e669", "This doesn't seem right"),
    ("question", "d876e3", "Further information is requested"),
    ("wontfix", "ffffff", "This will not be worked on"),
)

_HTML: Final = "https://github.com"
_DOCS: Final = "https://docs.github.com/rest"
_JSON_TYPE: Final = "application/json; charset=utf-8"
_AUTO_LABEL_COLOR: Final = "ededed"
_BOT_LOGIN: Final = "github-actions[bot]"
_KNOWN_USER_IDS: Final[Mapping[str, int]] = {_BOT_LOGIN: 41898282, "octocat": 583231}
_SECONDARY_MESSAGE: Final = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID {request_id}."
)
_RATE_DOCS: Final = f"{_DOCS}/using-the-rest-api/rate-limits-for-the-rest-api"
_MAX_RECORDED: Final = 100_000
_WRITE_METHODS: frozenset[str] = frozenset({"POST", "PATCH", "PUT", "DELETE"})
_HEX_SHA = re.compile(r"^[0-9a-f]{40}$")
_HEX_PREFIX = re.compile(r"^[0-9a-f]{7,40}$")
_COLOR = re.compile(r"^[0-9a-fA-F]{6}$")
_SEARCH_TOKEN = re.compile(r'(-?)([a-z_]+):("[^"]*"|\S+)|"([^"]*)"|(\S+)')


# ------------------------------------------------------------------------------------------------
# public records


@dataclass(frozen=True)
class RecordedRequest:
    """One API request the emulator answered (control endpoints excluded); never the token."""

    method: str
    path: str
    """The path without the query string."""
    query: dict[str, str]
    status: int
    """What was sent (304 for a conditional hit); for ``drop-after-write``, what would have been sent."""
    is_write: bool
    body: Any
    """The parsed JSON request body, or None."""
    fault: str | None = None
    """The injected fault that shaped this answer, if any."""


@dataclass(frozen=True)
class Exchange:
    """One request and the response sent for it, as seen on the wire (for contract checks)."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    request_headers: dict[str, str]
    """Lower-cased names; ``authorization`` is never included."""
    request_body: bytes
    status: int
    response_headers: dict[str, str]
    response_body: bytes


# ------------------------------------------------------------------------------------------------
# internal state


@dataclass
class _Label:
    id: int
    name: str
    color: str
    description: str | None
    default: bool = False


@dataclass
class _Issue:
    id: int
    number: int
    title: str
    body: str
    user: str
    state: str
    created_at: datetime
    updated_at: datetime
    labels: list[int] = field(default_factory=list)  # label ids, in the order they were added
    assignees: list[str] = field(default_factory=list)
    state_reason: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    locked: bool = False
    lock_reason: str | None = None
    is_pr: bool = False
    parent: int | None = None  # number of the parent issue
    comment_ids: list[int] = field(default_factory=list)


@dataclass
class _Comment:
    id: int
    issue_number: int
    body: str
    user: str
    created_at: datetime
    updated_at: datetime


@dataclass
class _Reaction:
    id: int
    comment_id: int
    user: str
    content: str
    created_at: datetime


@dataclass
class _Workflow:
    id: int
    file: str
    name: str
    inputs: tuple[str, ...]
    outcome: str
    queued_s: float
    in_progress_s: float
    created_at: datetime


@dataclass
class _Run:
    id: int
    workflow_id: int
    run_number: int
    head_sha: str
    head_branch: str
    event: str
    created_at: datetime
    actor: str
    job_id: int
    inputs: dict[str, Any] = field(default_factory=dict)
    scripted: bool = False
    fixed_status: str = "completed"
    fixed_conclusion: str | None = None
    outcome: str = "success"
    queued_s: float = 0.0
    in_progress_s: float = 0.0


@dataclass
class _Fault:
    kind: str
    remaining: int
    method: str | None
    path_contains: str | None
    retry_after: int | None
    delay_s: float


@dataclass
class _Bucket:
    limit: int
    window_s: float
    reset_at: datetime
    used: int = 0


@dataclass
class _Response:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    last_modified: datetime | None = None


@dataclass
class _Request:
    method: str
    path: str
    pairs: list[tuple[str, str]]
    query: dict[str, str]
    headers: dict[str, str]
    raw_body: bytes
    body: Any
    params: dict[str, str] = field(default_factory=dict)
    docs: str = _DOCS


class _ApiError(Exception):
    def __init__(self, response: _Response) -> None:
        super().__init__(response.status)
        self.response = response


_Handler = Callable[[_Request], _Response]
_Wire = tuple[int, dict[str, str], bytes]


# ------------------------------------------------------------------------------------------------
# small helpers


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _parse_time(text: str) -> datetime:
    """An ISO 8601 timestamp or date (``Z`` allowed), as an aware UTC datetime; ValueError if not."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    return _aware(datetime.fromisoformat(value)).astimezone(UTC)


def _node_id(kind: str, ident: int) -> str:
    return base64.b64encode(f"0{len(kind)}:{kind}{ident}".encode()).decode()


def _sha(*parts: str) -> str:
    return hashlib.sha1("\0".join(parts).encode(), usedforsecurity=False).hexdigest()


def _error(status: int, message: str, docs: str = _DOCS) -> _Response:
    return _Response(status, {"message": message, "documentation_url": docs, "status": str(status)})


def _validation(docs: str, *errors: JSONDict) -> _Response:
    # Shaped like the recorded api.github.com answer (tests/data/github-fixtures/errors.json).
    return _Response(422, {"message": "Validation Failed", "errors": list(errors), "documentation_url": docs})


def _too_long(resource: str, field_name: str, limit: int) -> JSONDict:
    return {
        "resource": resource,
        "code": "custom",
        "field": field_name,
        "message": f"{field_name} is too long (maximum is {limit} characters)",
    }


def _label_names_from(value: Any) -> list[str] | None:
    """Label names from any body form GitHub accepts: names, ``{"name": ...}`` objects, one string."""
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        return None
    names: list[str] = []
    for item in value:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            names.append(item["name"])
        else:
            return None
    return names


def _logins_from(value: Any) -> list[str] | None:
    if not isinstance(value, list):
        return None
    logins: list[str] = []
    for item in value:
        if isinstance(item, str):
            logins.append(item)
        elif isinstance(item, dict) and isinstance(item.get("login"), str):
            logins.append(item["login"])
        else:
            return None
    return logins


def _compare(op: str, limit: datetime) -> Callable[[datetime], bool]:
    return {
        ">=": lambda t: t >= limit,
        "<=": lambda t: t <= limit,
        ">": lambda t: t > limit,
        "<": lambda t: t < limit,
    }[op]


def _negated(check: Callable[[_Issue], bool]) -> Callable[[_Issue], bool]:
    return lambda issue: not check(issue)


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


# ------------------------------------------------------------------------------------------------
# the emulator


class GitHubEmulator:
    """A GitHub REST API on 127.0.0.1 for one repository, with in-memory state and fault injection."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        repo: str = "octo-org/backend",
        default_branch: str = "main",
        token: str | None = None,
        clock: Callable[[], datetime] | None = None,
        actor: str = _BOT_LOGIN,
        rate_limit: int = 5000,
        default_labels: bool = True,
    ) -> None:
        """``token=None`` accepts any non-empty token; ``actor`` is the login the token acts as."""
        owner, _, name = repo.partition("/")
        if not owner or not name or "/" in name:
            raise ValueError(f"repo must be 'owner/name', got {repo!r}")
        self._host = host
        self._port = port
        self.owner = owner
        self.name = name
        self.default_branch = default_branch
        self._token = token
        self._clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self._offset_s = 0.0
        self.actor = actor
        self._lock = threading.RLock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._listeners: list[Callable[[Exchange], None]] = []
        self.requests: list[RecordedRequest] = []
        self.dispatch_details = True
        """False plays an older server that answers a dispatch with 204 even when run details are asked."""
        self.errors: list[str] = []
        """Tracebacks of requests the emulator itself failed on (answered 500); should stay empty."""

        self._ids = {
            kind: itertools.count(start)
            for kind, start in {
                "repo": 700_000_001,
                "user": 100_001,
                "issue": 2_400_000_001,
                "comment": 3_100_000_001,
                "label": 6_000_000_001,
                "reaction": 200_000_001,
                "workflow": 90_000_001,
                "run": 12_000_000_001,
                "job": 33_000_000_001,
                "request": 1,
            }.items()
        }
        self.repo_id = next(self._ids["repo"])
        self._user_ids: dict[str, int] = dict(_KNOWN_USER_IDS)
        self._created_at = self.now().replace(microsecond=0)
        self._issues: dict[int, _Issue] = {}
        self._issue_by_id: dict[int, int] = {}
        self._sub_issues: dict[int, list[int]] = {}  # parent number -> child numbers, in the order added
        self._comments: dict[int, _Comment] = {}
        self._reactions: dict[int, list[_Reaction]] = {}
        self._labels: dict[int, _Label] = {}
        self._label_by_name: dict[str, int] = {}
        self._permissions: dict[str, str] = {owner: "admin"}
        self._workflows: dict[int, _Workflow] = {}
        self._runs: dict[int, _Run] = {}
        self._refs: dict[str, str] = {f"refs/heads/{default_branch}": _sha(repo, default_branch)}
        self._repository_dispatches: list[JSONDict] = []
        self._workflow_dispatches: list[JSONDict] = []
        self._faults: list[_Fault] = []
        now = self.now()
        self._buckets = {
            "core": _Bucket(rate_limit, 3600.0, now + timedelta(hours=1)),
            "search": _Bucket(30, 60.0, now + timedelta(minutes=1)),
        }
        if default_labels:
            for label_name, color, description in DEFAULT_LABELS:
                self._new_label(label_name, color, description, default=True)
        self._routes = self._build_routes()

    # -- life cycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:54321`` (the real port once started)."""
        if self._server is not None:
            return f"http://{self._host}:{self._server.server_port}"
        return f"http://{self._host}:{self._port}"

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    def start(self) -> GitHubEmulator:
        """Bind and serve in a daemon thread; returns self."""
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        server = _Server((self._host, self._port), _RequestHandler)
        server.emulator = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="github-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every connection; idempotent."""
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        server.server_close()
        server.close_connections()
        if thread is not None:
            thread.join(timeout=5)
        self._server = None
        self._thread = None

    def wait(self) -> None:
        """Block until the server thread ends (used by :func:`serve`)."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(timeout=0.5)

    def __enter__(self) -> GitHubEmulator:
        return self.start() if self._server is None else self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

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
        """Issues and PRs as the REST API renders one issue (labels are label objects), by number."""
        if state not in ("open", "closed", "all"):
            raise ValueError(f"state must be open, closed or all, not {state!r}")
        with self._lock:
            return [
                self._issue_json(issue, full=True)
                for issue in sorted(self._issues.values(), key=lambda i: i.number)
                if state in ("all", issue.state)
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
    ) -> None:
        """Declare ``.github/workflows/<file>`` and script its future dispatched runs (again: rescript)."""
        if outcome not in RUN_CONCLUSIONS:
            raise ValueError(f"outcome must be a run conclusion {sorted(RUN_CONCLUSIONS)}, not {outcome!r}")
        if queued_s < 0 or in_progress_s < 0:
            raise ValueError("durations must not be negative")
        base = file.rsplit("/", 1)[-1]
        with self._lock:
            existing = self._workflow_by_file(base)
            if existing is not None:
                existing.name, existing.inputs, existing.outcome = name, tuple(inputs), outcome
                existing.queued_s, existing.in_progress_s = queued_s, in_progress_s
                return
            wid = next(self._ids["workflow"])
            self._workflows[wid] = _Workflow(
                wid,
                base,
                name,
                tuple(inputs),
                outcome,
                queued_s,
                in_progress_s,
                self.now().replace(microsecond=0),
            )

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
            if state == "closed":
                issue.state, issue.state_reason, issue.closed_at, issue.closed_by = (
                    "closed",
                    "completed",
                    moment,
                    user,
                )
            return issue.number

    def add_comment(self, number: int, *, body: str, user: str, created_at: datetime | None = None) -> int:
        """Seed a comment on issue ``number`` (KeyError if none); returns the comment id."""
        with self._lock:
            issue = self._issues[number]
            moment = _aware(created_at).astimezone(UTC) if created_at is not None else self.now()
            return self._new_comment(issue, body, user, moment).id

    def inject(
        self,
        fault: str,
        *,
        times: int = 1,
        method: str | None = None,
        path_contains: str | None = None,
        retry_after: int | None = None,
        delay_s: float = 0.0,
    ) -> None:
        """Break the next ``times`` matching API requests (``FAULT_KINDS``); faults apply in order added."""
        if fault not in FAULT_KINDS:
            raise ValueError(f"fault must be one of {FAULT_KINDS}, not {fault!r}")
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._faults.append(
                _Fault(fault, times, method.upper() if method else None, path_contains, retry_after, delay_s)
            )

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
            actor=self.actor,
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
            return run.fixed_status, run.fixed_conclusion, run.created_at
        started = run.created_at + timedelta(seconds=run.queued_s)
        finished = started + timedelta(seconds=run.in_progress_s)
        now = self.now()
        if now < started:
            return "queued", None, run.created_at
        if now < finished:
            return "in_progress", None, started
        return "completed", run.outcome, finished

    # -- internal: rendering ------------------------------------------------------------------

    @property
    def _api(self) -> str:
        return self.url

    @property
    def _repo_api(self) -> str:
        return f"{self._api}/repos/{self.full_name}"

    @property
    def _repo_html(self) -> str:
        return f"{_HTML}/{self.full_name}"

    def _user_json(self, login: str) -> JSONDict:
        uid = self._user_id(login) if login != self.owner else self.repo_id - 600_000_000
        api = f"{self._api}/users/{login}"
        kind = "Organization" if login == self.owner else "Bot" if login.endswith("[bot]") else "User"
        return {
            "login": login,
            "id": uid,
            "node_id": _node_id(kind, uid),
            "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4",
            "gravatar_id": "",
            "url": api,
            "html_url": f"{_HTML}/{login}",
            "followers_url": f"{api}/followers",
            "following_url": f"{api}/following{{/other_user}}",
            "gists_url": f"{api}/gists{{/gist_id}}",
            "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{api}/subscriptions",
            "organizations_url": f"{api}/orgs",
            "repos_url": f"{api}/repos",
            "events_url": f"{api}/events{{/privacy}}",
            "received_events_url": f"{api}/received_events",
            "type": kind,
            "site_admin": False,
        }

    def _association(self, login: str) -> str:
        if login == self.owner:
            return "OWNER"
        return "COLLABORATOR" if self._permissions.get(login, "none") != "none" else "NONE"

    def _label_json(self, label: _Label) -> JSONDict:
        return {
            "id": label.id,
            "node_id": _node_id("Label", label.id),
            "url": f"{self._repo_api}/labels/{quote(label.name, safe='')}",
            "name": label.name,
            "color": label.color,
            "default": label.default,
            "description": label.description,
        }

    def _rollup(self, url: str, reactions: Sequence[_Reaction]) -> JSONDict:
        counts = dict.fromkeys(REACTION_CONTENTS, 0)
        for reaction in reactions:
            counts[reaction.content] += 1
        return {"url": url, "total_count": len(reactions), **counts}

    def _issue_json(self, issue: _Issue, *, full: bool) -> JSONDict:
        api = f"{self._repo_api}/issues/{issue.number}"
        children = self._children(issue.number)
        completed = sum(1 for child in children if child.state == "closed")
        data: JSONDict = {
            "url": api,
            "repository_url": self._repo_api,
            "labels_url": f"{api}/labels{{/name}}",
            "comments_url": f"{api}/comments",
            "events_url": f"{api}/events",
            "html_url": f"{self._repo_html}/{'pull' if issue.is_pr else 'issues'}/{issue.number}",
            "id": issue.id,
            "node_id": _node_id("PullRequest" if issue.is_pr else "Issue", issue.id),
            "number": issue.number,
            "title": issue.title,
            "user": self._user_json(issue.user),
            "labels": [self._label_json(self._labels[lid]) for lid in issue.labels],
            "state": issue.state,
            "locked": issue.locked,
            "assignee": self._user_json(issue.assignees[0]) if issue.assignees else None,
            "assignees": [self._user_json(login) for login in issue.assignees],
            "milestone": None,
            "comments": len(issue.comment_ids),
            "created_at": _iso(issue.created_at),
            "updated_at": _iso(issue.updated_at),
            "closed_at": _iso(issue.closed_at) if issue.closed_at else None,
            "author_association": self._association(issue.user),
            "active_lock_reason": issue.lock_reason if issue.locked else None,
        }
        if issue.is_pr:
            data["draft"] = False
            data["pull_request"] = {
                "url": f"{self._repo_api}/pulls/{issue.number}",
                "html_url": f"{self._repo_html}/pull/{issue.number}",
                "diff_url": f"{self._repo_html}/pull/{issue.number}.diff",
                "patch_url": f"{self._repo_html}/pull/{issue.number}.patch",
                "merged_at": None,
            }
        data["body"] = issue.body or None
        if full:
            data["closed_by"] = self._user_json(issue.closed_by) if issue.closed_by else None
        data["reactions"] = self._rollup(f"{api}/reactions", [])
        data["timeline_url"] = f"{api}/timeline"
        data["performed_via_github_app"] = None
        data["state_reason"] = issue.state_reason
        data["sub_issues_summary"] = {
            "total": len(children),
            "completed": completed,
            "percent_completed": (completed * 100) // len(children) if children else 0,
        }
        return data

    def _comment_json(self, comment: _Comment) -> JSONDict:
        api = f"{self._repo_api}/issues/comments/{comment.id}"
        return {
            "url": api,
            "html_url": f"{self._repo_html}/issues/{comment.issue_number}#issuecomment-{comment.id}",
            "issue_url": f"{self._repo_api}/issues/{comment.issue_number}",
            "id": comment.id,
            "node_id": _node_id("IssueComment", comment.id),
            "user": self._user_json(comment.user),
            "created_at": _iso(comment.created_at),
            "updated_at": _iso(comment.updated_at),
            "author_association": self._association(comment.user),
            "body": comment.body,
            "reactions": self._rollup(f"{api}/reactions", self._reactions.get(comment.id, [])),
            "performed_via_github_app": None,
        }

    def _reaction_json(self, reaction: _Reaction) -> JSONDict:
        return {
            "id": reaction.id,
            "node_id": _node_id("Reaction", reaction.id),
            "user": self._user_json(reaction.user),
            "content": reaction.content,
            "created_at": _iso(reaction.created_at),
        }

    def _repo_urls(self) -> JSONDict:
        api = self._repo_api
        return {
            "html_url": self._repo_html,
            "description": None,
            "fork": False,
            "url": api,
            "forks_url": f"{api}/forks",
            "keys_url": f"{api}/keys{{/key_id}}",
            "collaborators_url": f"{api}/collaborators{{/collaborator}}",
            "teams_url": f"{api}/teams",
            "hooks_url": f"{api}/hooks",
            "issue_events_url": f"{api}/issues/events{{/number}}",
            "events_url": f"{api}/events",
            "assignees_url": f"{api}/assignees{{/user}}",
            "branches_url": f"{api}/branches{{/branch}}",
            "tags_url": f"{api}/tags",
            "blobs_url": f"{api}/git/blobs{{/sha}}",
            "git_tags_url": f"{api}/git/tags{{/sha}}",
            "git_refs_url": f"{api}/git/refs{{/sha}}",
            "trees_url": f"{api}/git/trees{{/sha}}",
            "statuses_url": f"{api}/statuses/{{sha}}",
            "languages_url": f"{api}/languages",
            "stargazers_url": f"{api}/stargazers",
            "contributors_url": f"{api}/contributors",
            "subscribers_url": f"{api}/subscribers",
            "subscription_url": f"{api}/subscription",
            "commits_url": f"{api}/commits{{/sha}}",
            "git_commits_url": f"{api}/git/commits{{/sha}}",
            "comments_url": f"{api}/comments{{/number}}",
            "issue_comment_url": f"{api}/issues/comments{{/number}}",
            "contents_url": f"{api}/contents/{{+path}}",
            "compare_url": f"{api}/compare/{{base}}...{{head}}",
            "merges_url": f"{api}/merges",
            "archive_url": f"{api}/{{archive_format}}{{/ref}}",
            "downloads_url": f"{api}/downloads",
            "issues_url": f"{api}/issues{{/number}}",
            "pulls_url": f"{api}/pulls{{/number}}",
            "milestones_url": f"{api}/milestones{{/number}}",
            "notifications_url": f"{api}/notifications{{?since,all,participating}}",
            "labels_url": f"{api}/labels{{/name}}",
            "releases_url": f"{api}/releases{{/id}}",
            "deployments_url": f"{api}/deployments",
        }

    def _minimal_repo_json(self) -> JSONDict:
        return {
            "id": self.repo_id,
            "node_id": _node_id("Repository", self.repo_id),
            "name": self.name,
            "full_name": self.full_name,
            "private": False,
            "owner": self._user_json(self.owner),
            **self._repo_urls(),
        }

    def _repo_json(self) -> JSONDict:
        open_count = sum(1 for issue in self._issues.values() if issue.state == "open")
        created = _iso(self._created_at)
        return {
            **self._minimal_repo_json(),
            "created_at": created,
            "updated_at": created,
            "pushed_at": created,
            "git_url": f"git://github.com/{self.full_name}.git",
            "ssh_url": f"git@github.com:{self.full_name}.git",
            "clone_url": f"{self._repo_html}.git",
            "svn_url": self._repo_html,
            "homepage": None,
            "size": 0,
            "stargazers_count": 0,
            "watchers_count": 0,
            "language": None,
            "has_issues": True,
            "has_projects": True,
            "has_downloads": True,
            "has_wiki": True,
            "has_pages": False,
            "has_discussions": False,
            "forks_count": 0,
            "mirror_url": None,
            "archived": False,
            "disabled": False,
            "open_issues_count": open_count,
            "license": None,
            "allow_forking": True,
            "is_template": False,
            "web_commit_signoff_required": False,
            "topics": ["incident-response"],
            "visibility": "public",
            "forks": 0,
            "open_issues": open_count,
            "watchers": 0,
            "default_branch": self.default_branch,
            "permissions": {"admin": True, "maintain": True, "push": True, "triage": True, "pull": True},
            "temp_clone_token": "",
            "allow_squash_merge": True,
            "allow_merge_commit": True,
            "allow_rebase_merge": True,
            "allow_auto_merge": False,
            "delete_branch_on_merge": False,
            "allow_update_branch": False,
            "use_squash_pr_title_as_default": False,
            "organization": self._user_json(self.owner),
            "network_count": 0,
            "subscribers_count": 0,
        }

    def _workflow_json(self, workflow: _Workflow) -> JSONDict:
        return {
            "id": workflow.id,
            "node_id": _node_id("Workflow", workflow.id),
            "name": workflow.name,
            "path": f".github/workflows/{workflow.file}",
            "state": "active",
            "created_at": _iso(workflow.created_at),
            "updated_at": _iso(workflow.created_at),
            "url": f"{self._repo_api}/actions/workflows/{workflow.id}",
            "html_url": f"{self._repo_html}/blob/{self.default_branch}/.github/workflows/{workflow.file}",
            "badge_url": f"{self._repo_html}/workflows/{quote(workflow.name)}/badge.svg",
        }

    def _run_json(self, run: _Run) -> JSONDict:
        workflow = self._workflows[run.workflow_id]
        status, conclusion, updated = self._run_phase(run)
        api = f"{self._repo_api}/actions/runs/{run.id}"
        suite_id = run.id + 1_000_000_000
        actor = self._user_json(run.actor)
        return {
            "id": run.id,
            "name": workflow.name,
            "node_id": _node_id("WorkflowRun", run.id),
            "head_branch": run.head_branch,
            "head_sha": run.head_sha,
            "path": f".github/workflows/{workflow.file}",
            "display_title": workflow.name,
            "run_number": run.run_number,
            "event": run.event,
            "status": status,
            "conclusion": conclusion,
            "workflow_id": workflow.id,
            "check_suite_id": suite_id,
            "check_suite_node_id": _node_id("CheckSuite", suite_id),
            "url": api,
            "html_url": f"{self._repo_html}/actions/runs/{run.id}",
            "pull_requests": [],
            "created_at": _iso(run.created_at),
            "updated_at": _iso(updated),
            "actor": actor,
            "run_attempt": 1,
            "referenced_workflows": [],
            "run_started_at": _iso(run.created_at),
            "triggering_actor": actor,
            "jobs_url": f"{api}/jobs",
            "logs_url": f"{api}/logs",
            "check_suite_url": f"{self._repo_api}/check-suites/{suite_id}",
            "artifacts_url": f"{api}/artifacts",
            "cancel_url": f"{api}/cancel",
            "rerun_url": f"{api}/rerun",
            "previous_attempt_url": None,
            "workflow_url": f"{self._repo_api}/actions/workflows/{workflow.id}",
            "head_commit": {
                "id": run.head_sha,
                "tree_id": _sha(run.head_sha, "tree"),
                "message": f"Emulated commit {run.head_sha[:7]}",
                "timestamp": _iso(run.created_at),
                "author": {"name": "Octo Cat", "email": "octocat@users.noreply.github.com"},
                "committer": {"name": "GitHub", "email": "noreply@github.com"},
            },
            "repository": self._minimal_repo_json(),
            "head_repository": self._minimal_repo_json(),
        }

    def _job_json(self, run: _Run) -> JSONDict:
        workflow = self._workflows[run.workflow_id]
        status, conclusion, updated = self._run_phase(run)
        started = run.created_at + timedelta(seconds=run.queued_s) if run.scripted else run.created_at
        assigned = status in ("in_progress", "completed")
        completed_at = _iso(updated) if status == "completed" else None
        return {
            "id": run.job_id,
            "run_id": run.id,
            "workflow_name": workflow.name,
            "head_branch": run.head_branch,
            "run_url": f"{self._repo_api}/actions/runs/{run.id}",
            "run_attempt": 1,
            "node_id": _node_id("CheckRun", run.job_id),
            "head_sha": run.head_sha,
            "url": f"{self._repo_api}/actions/jobs/{run.job_id}",
            "html_url": f"{self._repo_html}/actions/runs/{run.id}/job/{run.job_id}",
            "status": status,
            "conclusion": conclusion,
            "created_at": _iso(run.created_at),
            "started_at": _iso(started if assigned else run.created_at),
            "completed_at": completed_at,
            "name": workflow.file.rsplit(".", 1)[0],
            "steps": [
                {
                    "name": "Run workflow",
                    "status": status if status in ("queued", "in_progress", "completed") else "queued",
                    "conclusion": conclusion,
                    "number": 1,
                    "started_at": _iso(started) if assigned else None,
                    "completed_at": completed_at,
                }
            ],
            "check_run_url": f"{self._repo_api}/check-runs/{run.job_id}",
            "labels": ["ubuntu-latest"],
            "runner_id": 1 if assigned else None,
            "runner_name": "GitHub Actions 1" if assigned else None,
            "runner_group_id": 0 if assigned else None,
            "runner_group_name": "GitHub Actions" if assigned else None,
        }

    def _ref_json(self, ref: str) -> JSONDict:
        sha = self._refs[ref]
        return {
            "ref": ref,
            "node_id": _node_id("Ref", int(_sha(ref)[:8], 16)),
            "url": f"{self._repo_api}/git/{ref}",
            "object": {"sha": sha, "type": "commit", "url": f"{self._repo_api}/git/commits/{sha}"},
        }

    def _commit_json(self, sha: str) -> JSONDict:
        moment = _iso(self._created_at)
        git_user = {"name": "Octo Cat", "email": "octocat@users.noreply.github.com", "date": moment}
        return {
            "sha": sha,
            "node_id": _node_id("Commit", int(sha[:8], 16)),
            "commit": {
                "author": git_user,
                "committer": {**git_user, "name": "GitHub", "email": "noreply@github.com"},
                "message": f"Emulated commit {sha[:7]}",
                "tree": {"sha": _sha(sha, "tree"), "url": f"{self._repo_api}/git/trees/{_sha(sha, 'tree')}"},
                "url": f"{self._repo_api}/git/commits/{sha}",
                "comment_count": 0,
                "verification": {
                    "verified": False,
                    "reason": "unsigned",
                    "signature": None,
                    "payload": None,
                    "verified_at": None,
                },
            },
            "url": f"{self._repo_api}/commits/{sha}",
            "html_url": f"{self._repo_html}/commit/{sha}",
            "comments_url": f"{self._repo_api}/commits/{sha}/comments",
            "author": self._user_json("octocat"),
            "committer": self._user_json("web-flow"),
            "parents": [],
            "stats": {"total": 0, "additions": 0, "deletions": 0},
            "files": [],
        }

    def _bucket_json(self, name: str) -> JSONDict:
        bucket = self._buckets[name]
        return {
            "limit": bucket.limit,
            "used": bucket.used,
            "remaining": max(0, bucket.limit - bucket.used),
            "reset": int(bucket.reset_at.timestamp()),
        }

    # -- internal: HTTP plumbing --------------------------------------------------------------

    def _build_routes(self) -> list[tuple[str, re.Pattern[str], _Handler, str]]:
        repo = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"
        issue = repo + r"/issues/(?P<number>\d+)"
        comment = repo + r"/issues/comments/(?P<comment_id>\d+)"
        workflow = repo + r"/actions/workflows/(?P<workflow_id>[^/]+)"
        run = repo + r"/actions/runs/(?P<run_id>\d+)"
        d = _DOCS
        table: list[tuple[str, str, _Handler, str]] = [
            ("GET", r"/", self._h_root, f"{d}/meta/meta#github-api-root"),
            ("GET", r"/rate_limit", self._h_rate_limit, f"{d}/rate-limit/rate-limit#get-rate-limit-status"),
            ("GET", r"/search/issues", self._h_search, f"{d}/search/search#search-issues-and-pull-requests"),
            ("GET", repo, self._h_repo, f"{d}/repos/repos#get-a-repository"),
            ("GET", repo + r"/issues", self._h_list_issues, f"{d}/issues/issues#list-repository-issues"),
            ("POST", repo + r"/issues", self._h_create_issue, f"{d}/issues/issues#create-an-issue"),
            ("GET", comment, self._h_get_comment, f"{d}/issues/comments#get-an-issue-comment"),
            ("PATCH", comment, self._h_update_comment, f"{d}/issues/comments#update-an-issue-comment"),
            (
                "POST",
                comment + r"/reactions",
                self._h_create_reaction,
                f"{d}/reactions/reactions#create-reaction-for-an-issue-comment",
            ),
            ("GET", issue, self._h_get_issue, f"{d}/issues/issues#get-an-issue"),
            ("PATCH", issue, self._h_update_issue, f"{d}/issues/issues#update-an-issue"),
            (
                "POST",
                issue + r"/assignees",
                self._h_add_assignees,
                f"{d}/issues/assignees#add-assignees-to-an-issue",
            ),
            ("GET", issue + r"/comments", self._h_list_comments, f"{d}/issues/comments#list-issue-comments"),
            (
                "POST",
                issue + r"/comments",
                self._h_create_comment,
                f"{d}/issues/comments#create-an-issue-comment",
            ),
            ("GET", issue + r"/labels", self._h_issue_labels, f"{d}/issues/labels#list-labels-for-an-issue"),
            ("POST", issue + r"/labels", self._h_add_labels, f"{d}/issues/labels#add-labels-to-an-issue"),
            ("PUT", issue + r"/labels", self._h_set_labels, f"{d}/issues/labels#set-labels-for-an-issue"),
            (
                "DELETE",
                issue + r"/labels/(?P<name>[^/]+)",
                self._h_remove_label,
                f"{d}/issues/labels#remove-a-label-from-an-issue",
            ),
            ("PUT", issue + r"/lock", self._h_lock, f"{d}/issues/issues#lock-an-issue"),
            ("DELETE", issue + r"/lock", self._h_unlock, f"{d}/issues/issues#unlock-an-issue"),
            (
                "GET",
                issue + r"/sub_issues",
                self._h_list_sub_issues,
                f"{d}/issues/sub-issues#list-sub-issues",
            ),
            ("POST", issue + r"/sub_issues", self._h_add_sub_issue, f"{d}/issues/sub-issues#add-sub-issue"),
            (
                "GET",
                repo + r"/labels",
                self._h_list_labels,
                f"{d}/issues/labels#list-labels-for-a-repository",
            ),
            ("POST", repo + r"/labels", self._h_create_label, f"{d}/issues/labels#create-a-label"),
            ("GET", repo + r"/labels/(?P<name>[^/]+)", self._h_get_label, f"{d}/issues/labels#get-a-label"),
            (
                "PATCH",
                repo + r"/labels/(?P<name>[^/]+)",
                self._h_update_label,
                f"{d}/issues/labels#update-a-label",
            ),
            (
                "DELETE",
                repo + r"/labels/(?P<name>[^/]+)",
                self._h_delete_label,
                f"{d}/issues/labels#delete-a-label",
            ),
            (
                "GET",
                repo + r"/collaborators/(?P<username>[^/]+)/permission",
                self._h_permission,
                f"{d}/collaborators/collaborators#get-repository-permissions-for-a-user",
            ),
            (
                "GET",
                repo + r"/actions/workflows",
                self._h_list_workflows,
                f"{d}/actions/workflows#list-repository-workflows",
            ),
            ("GET", workflow, self._h_get_workflow, f"{d}/actions/workflows#get-a-workflow"),
            (
                "POST",
                workflow + r"/dispatches",
                self._h_dispatch_workflow,
                f"{d}/actions/workflows#create-a-workflow-dispatch-event",
            ),
            (
                "GET",
                workflow + r"/runs",
                self._h_list_runs,
                f"{d}/actions/workflow-runs#list-workflow-runs-for-a-workflow",
            ),
            (
                "GET",
                repo + r"/actions/runs",
                self._h_list_runs,
                f"{d}/actions/workflow-runs#list-workflow-runs-for-a-repository",
            ),
            ("GET", run, self._h_get_run, f"{d}/actions/workflow-runs#get-a-workflow-run"),
            (
                "GET",
                run + r"/jobs",
                self._h_list_jobs,
                f"{d}/actions/workflow-jobs#list-jobs-for-a-workflow-run",
            ),
            ("GET", repo + r"/git/ref/(?P<ref>.+)", self._h_get_ref, f"{d}/git/refs#get-a-reference"),
            ("POST", repo + r"/git/refs", self._h_create_ref, f"{d}/git/refs#create-a-reference"),
            ("GET", repo + r"/commits/(?P<ref>.+)", self._h_get_commit, f"{d}/commits/commits#get-a-commit"),
            (
                "GET",
                repo + r"/deployments",
                self._h_list_deployments,
                f"{d}/deployments/deployments#list-deployments",
            ),
            (
                "POST",
                repo + r"/dispatches",
                self._h_repository_dispatch,
                f"{d}/repos/repos#create-a-repository-dispatch-event",
            ),
        ]
        return [
            (method, re.compile(f"^{pattern}$"), handler, docs) for method, pattern, handler, docs in table
        ]

    def _route(self, method: str, path: str) -> tuple[_Handler, dict[str, str], str] | None:
        for route_method, pattern, handler, docs in self._routes:
            if route_method != method:
                continue
            found = pattern.match(path)
            if found is not None:
                return handler, {k: unquote(v) for k, v in found.groupdict().items()}, docs
        return None

    def _take_fault(self, method: str, target: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.method is not None and fault.method != method:
                    continue
                if fault.path_contains is not None and fault.path_contains not in target:
                    continue
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _authenticate(self, headers: Mapping[str, str], docs: str) -> _Response | None:
        value = headers.get("authorization", "").strip()
        if not value:
            return _error(401, "Requires authentication", docs)
        scheme, _, credential = value.partition(" ")
        credential = credential.strip()
        if scheme.lower() not in ("token", "bearer") or not credential:
            return _error(401, "Bad credentials", docs)
        if self._token is not None and credential != self._token:
            return _error(401, "Bad credentials", docs)
        return None

    def _fault_response(self, fault: _Fault, request_id: str, docs: str) -> _Response:
        kind = fault.kind
        if kind == "5xx":
            return _Response(502, {"message": "Server Error"})
        if kind in ("secondary-rate-limit", "429"):
            response = _Response(
                403 if kind == "secondary-rate-limit" else 429,
                {
                    "message": _SECONDARY_MESSAGE.format(request_id=request_id),
                    "documentation_url": f"{_RATE_DOCS}#about-secondary-rate-limits",
                },
            )
            if fault.retry_after is not None:
                response.headers["Retry-After"] = str(fault.retry_after)
            return response
        if kind == "primary-rate-limit":
            reset = self.now() + timedelta(seconds=fault.retry_after if fault.retry_after is not None else 60)
            response = _error(
                403, f"API rate limit exceeded for user ID {self._user_id(self.actor)}.", _RATE_DOCS
            )
            response.headers["x-ratelimit-remaining"] = "0"
            response.headers["x-ratelimit-reset"] = str(math.ceil(reset.timestamp()))
            return response
        if kind == "404":
            return _error(404, "Not Found", docs)
        if kind == "410":
            return _error(410, "Issues are disabled for this repo", docs)
        return _validation(
            docs, {"resource": "Issue", "code": "custom", "message": "Injected validation failure"}
        )

    def _consume_rate(self, resource: str) -> bool:
        bucket = self._buckets[resource]
        now = self.now()
        if now >= bucket.reset_at:
            bucket.used = 0
            bucket.reset_at = now + timedelta(seconds=bucket.window_s)
        if bucket.used >= bucket.limit:
            return False
        bucket.used += 1
        return True

    def _rate_headers(self, resource: str) -> dict[str, str]:
        info = self._bucket_json(resource)
        return {
            "x-ratelimit-limit": str(info["limit"]),
            "x-ratelimit-remaining": str(info["remaining"]),
            "x-ratelimit-reset": str(info["reset"]),
            "x-ratelimit-used": str(info["used"]),
            "x-ratelimit-resource": resource,
        }

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> _Wire | None:
        """Answer one HTTP request: (status, headers, body), or None to drop the connection unanswered."""
        method = method.upper()
        lowered = {k.lower(): v for k, v in headers.items()}
        split = urlsplit(target)
        path = split.path or "/"
        pairs = parse_qsl(split.query, keep_blank_values=True)
        if path.startswith(CONTROL_PREFIX):
            response = self._control(method, path.removeprefix(CONTROL_PREFIX), body)
            wire = self._wire(response, {})
            self._notify(method, path, pairs, lowered, body, wire)
            return wire
        fault = self._take_fault(method, target)
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.delay_s)
        with self._lock:
            return self._answer(method, path, pairs, lowered, body, fault)

    def _answer(
        self,
        method: str,
        path: str,
        pairs: list[tuple[str, str]],
        headers: dict[str, str],
        raw_body: bytes,
        fault: _Fault | None,
    ) -> _Wire | None:
        request_id = f"EMU{next(self._ids['request']):05X}:{self.repo_id:X}:{int(time.time()):X}"
        routed = self._route(method, path)
        docs = routed[2] if routed is not None else _DOCS
        resource = "search" if path.startswith("/search/") else "core"
        parsed: Any = None
        bad_json = False
        if raw_body.strip():
            try:
                parsed = json.loads(raw_body)
            except ValueError:
                bad_json = True
        counted = False
        auth_failure = self._authenticate(headers, docs)
        if auth_failure is not None:
            response = auth_failure
        elif fault is not None and fault.kind not in ("slow", "drop-after-write"):
            response = self._fault_response(fault, request_id, docs)
        elif bad_json:
            response = _error(400, "Problems parsing JSON", docs)
        elif path != "/rate_limit" and not self._consume_rate(resource):
            response = _error(
                403, f"API rate limit exceeded for user ID {self._user_id(self.actor)}.", _RATE_DOCS
            )
        else:
            counted = path != "/rate_limit"
            response = self._dispatch(method, path, pairs, headers, raw_body, parsed, routed)
        wire_headers = {"X-GitHub-Request-Id": request_id, **self._rate_headers(resource)}
        wire = self._wire(response, wire_headers)
        if method == "GET" and wire[0] == 200 and self._not_modified(headers, wire[1]):
            if counted:
                self._buckets[resource].used -= 1
            kept = ("ETag", "Last-Modified", "X-GitHub-Request-Id", "Cache-Control", "Vary")
            wire = (304, {k: v for k, v in wire[1].items() if k in kept}, b"")
            wire[1].update(self._rate_headers(resource))
        drop = fault is not None and fault.kind == "drop-after-write"
        query = dict(pairs)
        self._record(
            RecordedRequest(
                method, path, query, wire[0], method in _WRITE_METHODS, parsed, fault.kind if fault else None
            )
        )
        if drop:
            return None
        self._notify(method, path, pairs, headers, raw_body, wire)
        return wire

    def _dispatch(
        self,
        method: str,
        path: str,
        pairs: list[tuple[str, str]],
        headers: dict[str, str],
        raw_body: bytes,
        parsed: Any,
        routed: tuple[_Handler, dict[str, str], str] | None,
    ) -> _Response:
        if routed is None:
            return _error(404, "Not Found")
        handler, params, docs = routed
        if "owner" in params and (params["owner"].lower(), params["repo"].lower()) != (
            self.owner.lower(),
            self.name.lower(),
        ):
            return _error(404, "Not Found", docs)
        request = _Request(method, path, pairs, dict(pairs), headers, raw_body, parsed, params, docs)
        try:
            return handler(request)
        except _ApiError as failure:
            return failure.response
        except Exception:  # noqa: BLE001 - an emulator bug: answer like GitHub's 500 and keep the traceback
            self.errors.append(traceback.format_exc())
            return _error(500, "Internal emulator error", docs)

    def _not_modified(self, request_headers: Mapping[str, str], response_headers: Mapping[str, str]) -> bool:
        etag = response_headers.get("ETag")
        if_none_match = request_headers.get("if-none-match")
        if if_none_match is not None:
            if etag is None:
                return False
            wanted = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            return "*" in wanted or etag.removeprefix("W/") in wanted
        since_text = request_headers.get("if-modified-since")
        modified_text = response_headers.get("Last-Modified")
        if since_text and modified_text:
            try:
                return parsedate_to_datetime(modified_text) <= parsedate_to_datetime(since_text)
            except (TypeError, ValueError):
                return False
        return False

    def _wire(self, response: _Response, extra: Mapping[str, str]) -> _Wire:
        headers: dict[str, str] = {
            "X-GitHub-Media-Type": "github.v3; format=json",
            "X-GitHub-Api-Version-Selected": "2022-11-28",
            **extra,
            **response.headers,
        }
        payload = b""
        if response.body is not None:
            payload = json.dumps(response.body, ensure_ascii=False, separators=(",", ":")).encode()
            headers["Content-Type"] = _JSON_TYPE
            headers["ETag"] = f'W/"{hashlib.sha256(payload).hexdigest()}"'
            headers["Cache-Control"] = "private, max-age=60, s-maxage=60"
            headers["Vary"] = "Accept, Authorization, Cookie, X-GitHub-OTP"
        if response.last_modified is not None:
            headers["Last-Modified"] = format_datetime(response.last_modified.astimezone(UTC), usegmt=True)
        return response.status, headers, payload

    def _record(self, request: RecordedRequest) -> None:
        if len(self.requests) >= _MAX_RECORDED:
            del self.requests[: _MAX_RECORDED // 10]
        self.requests.append(request)

    def _notify(
        self,
        method: str,
        path: str,
        pairs: list[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes,
        wire: _Wire,
    ) -> None:
        with self._lock:
            listeners = list(self._listeners)
        if not listeners:
            return
        exchange = Exchange(
            method=method,
            path=path,
            query=tuple(pairs),
            request_headers={k: v for k, v in headers.items() if k != "authorization"},
            request_body=body,
            status=wire[0],
            response_headers=dict(wire[1]),
            response_body=wire[2],
        )
        for listener in listeners:
            listener(exchange)

    # -- internal: request helpers ------------------------------------------------------------

    def _paginate(self, request: _Request, items: Sequence[_T]) -> tuple[list[_T], dict[str, str]]:
        per_page = self._int_query(request, "per_page", 30, low=1, high=100)
        page = self._int_query(request, "page", 1, low=1, high=None)
        last = max(1, math.ceil(len(items) / per_page))
        chunk = list(items[(page - 1) * per_page : page * per_page])
        if last == 1 and page == 1:
            return chunk, {}
        kept = [(k, v) for k, v in request.pairs if k != "page"]

        def link(number: int, rel: str) -> str:
            return f'<{self._api}{request.path}?{urlencode([*kept, ("page", str(number))])}>; rel="{rel}"'

        links: list[str] = []
        if page > 1:
            links.append(link(page - 1, "prev"))
        if page < last:
            links.extend([link(page + 1, "next"), link(last, "last")])
        if page > 1:
            links.append(link(1, "first"))
        return chunk, {"Link": ", ".join(links)}

    @staticmethod
    def _int_query(request: _Request, name: str, default: int, *, low: int, high: int | None) -> int:
        try:
            value = int(request.query.get(name, default))
        except ValueError:
            value = default
        value = max(low, value)
        return value if high is None else min(high, value)

    def _body_object(self, request: _Request, *, required: bool = True) -> JSONDict:
        body = request.body
        if body is None and not required:
            return {}
        if not isinstance(body, dict):
            raise _ApiError(
                _error(400, "Invalid request.\n\nFor 'links/0/schema', nil is not an object.", request.docs)
            )
        return body

    def _issue_or_404(self, request: _Request) -> _Issue:
        issue = self._issues.get(int(request.params["number"]))
        if issue is None:
            raise _ApiError(_error(404, "Not Found", request.docs))
        return issue

    def _comment_or_404(self, request: _Request) -> _Comment:
        comment = self._comments.get(int(request.params["comment_id"]))
        if comment is None:
            raise _ApiError(_error(404, "Not Found", request.docs))
        return comment

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

    def _check_text(self, request: _Request, resource: str, body: JSONDict) -> None:
        text = body.get("body")
        if text is not None and not isinstance(text, str):
            raise _ApiError(
                _validation(request.docs, {"resource": resource, "code": "invalid", "field": "body"})
            )
        if isinstance(text, str) and len(text) > MAX_BODY_CHARS:
            raise _ApiError(_validation(request.docs, _too_long(resource, "body", MAX_BODY_CHARS)))

    def _check_title(self, request: _Request, title: Any) -> str:
        if not isinstance(title, str | int) or (isinstance(title, str) and not title.strip()):
            raise _ApiError(
                _validation(request.docs, {"resource": "Issue", "code": "missing_field", "field": "title"})
            )
        text = str(title)
        if len(text) > MAX_TITLE_CHARS:
            raise _ApiError(_validation(request.docs, _too_long("Issue", "title", MAX_TITLE_CHARS)))
        return text

    def _labels_or_422(self, request: _Request, value: Any) -> list[str]:
        names = _label_names_from(value)
        if names is None:
            raise _ApiError(
                _validation(request.docs, {"resource": "Label", "code": "invalid", "field": "labels"})
            )
        return names

    # -- handlers: meta -----------------------------------------------------------------------

    def _h_root(self, request: _Request) -> _Response:
        api = self._api
        search = "{&page,per_page,sort,order}"
        return _Response(
            200,
            {
                "current_user_url": f"{api}/user",
                "current_user_authorizations_html_url": (
                    f"{_HTML}/settings/connections/applications{{/client_id}}"
                ),
                "authorizations_url": f"{api}/authorizations",
                "code_search_url": f"{api}/search/code?q={{query}}{search}",
                "commit_search_url": f"{api}/search/commits?q={{query}}{search}",
                "emails_url": f"{api}/user/emails",
                "emojis_url": f"{api}/emojis",
                "events_url": f"{api}/events",
                "feeds_url": f"{api}/feeds",
                "followers_url": f"{api}/user/followers",
                "following_url": f"{api}/user/following{{/target}}",
                "gists_url": f"{api}/gists{{/gist_id}}",
                "hub_url": f"{api}/hub",
                "issue_search_url": f"{api}/search/issues?q={{query}}{search}",
                "issues_url": f"{api}/issues",
                "keys_url": f"{api}/user/keys",
                "label_search_url": (
                    f"{api}/search/labels?q={{query}}&repository_id={{repository_id}}{{&page,per_page}}"
                ),
                "notifications_url": f"{api}/notifications",
                "organization_url": f"{api}/orgs/{{org}}",
                "organization_repositories_url": f"{api}/orgs/{{org}}/repos{{?type,page,per_page,sort}}",
                "organization_teams_url": f"{api}/orgs/{{org}}/teams",
                "public_gists_url": f"{api}/gists/public",
                "rate_limit_url": f"{api}/rate_limit",
                "repository_url": f"{api}/repos/{{owner}}/{{repo}}",
                "repository_search_url": f"{api}/search/repositories?q={{query}}{search}",
                "current_user_repositories_url": f"{api}/user/repos{{?type,page,per_page,sort}}",
                "starred_url": f"{api}/user/starred{{/owner}}{{/repo}}",
                "starred_gists_url": f"{api}/gists/starred",
                "topic_search_url": f"{api}/search/topics?q={{query}}{{&page,per_page}}",
                "user_url": f"{api}/users/{{user}}",
                "user_organizations_url": f"{api}/user/orgs",
                "user_repositories_url": f"{api}/users/{{user}}/repos{{?type,page,per_page,sort}}",
                "user_search_url": f"{api}/search/users?q={{query}}{search}",
            },
        )

    def _h_rate_limit(self, request: _Request) -> _Response:
        core = self._bucket_json("core")
        search = self._bucket_json("search")
        graphql = {"limit": 5000, "used": 0, "remaining": 5000, "reset": core["reset"]}
        return _Response(
            200,
            {
                "resources": {
                    "core": core,
                    "search": search,
                    "graphql": graphql,
                    "integration_manifest": dict(graphql),
                    "code_search": {**search, "limit": 10, "remaining": 10, "used": 0},
                },
                "rate": core,
            },
        )

    def _h_repo(self, request: _Request) -> _Response:
        return _Response(200, self._repo_json(), last_modified=self._created_at)

    # -- handlers: issues ---------------------------------------------------------------------

    def _filtered_issues(self, request: _Request) -> list[_Issue]:
        query = request.query
        state = query.get("state", "open")
        if state not in ("open", "closed", "all"):
            raise _ApiError(
                _validation(request.docs, {"resource": "Issue", "code": "invalid", "field": "state"})
            )
        wanted_labels = [name.strip().lower() for name in query.get("labels", "").split(",") if name.strip()]
        wanted_ids: list[int] = []
        for name in wanted_labels:
            lid = self._label_by_name.get(name)
            if lid is None:
                return []
            wanted_ids.append(lid)
        creator = query.get("creator")
        assignee = query.get("assignee")
        since: datetime | None = None
        if "since" in query:
            try:
                since = _parse_time(query["since"])
            except ValueError:
                raise _ApiError(
                    _validation(request.docs, {"resource": "Issue", "code": "invalid", "field": "since"})
                ) from None
        found: list[_Issue] = []
        for issue in self._issues.values():
            if state not in ("all", issue.state):
                continue
            if wanted_ids and not all(lid in issue.labels for lid in wanted_ids):
                continue
            if creator is not None and issue.user.lower() != creator.lower():
                continue
            if assignee is not None and not self._assignee_matches(issue, assignee):
                continue
            if since is not None and issue.updated_at < since:
                continue
            found.append(issue)
        return self._sort_issues(found, query.get("sort", "created"), query.get("direction", "desc"))

    @staticmethod
    def _assignee_matches(issue: _Issue, assignee: str) -> bool:
        if assignee == "none":
            return not issue.assignees
        if assignee == "*":
            return bool(issue.assignees)
        return assignee.lower() in (login.lower() for login in issue.assignees)

    @staticmethod
    def _sort_issues(issues: list[_Issue], sort: str, direction: str) -> list[_Issue]:
        def key(issue: _Issue) -> tuple[Any, int]:
            if sort == "updated":
                return issue.updated_at, issue.number
            if sort == "comments":
                return len(issue.comment_ids), issue.number
            return issue.created_at, issue.number

        return sorted(issues, key=key, reverse=direction != "asc")

    def _h_list_issues(self, request: _Request) -> _Response:
        page, headers = self._paginate(request, self._filtered_issues(request))
        return _Response(200, [self._issue_json(issue, full=False) for issue in page], headers)

    def _h_create_issue(self, request: _Request) -> _Response:
        body = self._body_object(request)
        title = self._check_title(request, body.get("title"))
        self._check_text(request, "Issue", body)
        labels = self._labels_or_422(request, body.get("labels", []))
        assignees = _logins_from(body.get("assignees", [])) or []
        if isinstance(body.get("assignee"), str):
            assignees.insert(0, body["assignee"])
        issue = self._new_issue(title, body.get("body") or "", self.actor, labels, assignees, self.now())
        data = self._issue_json(issue, full=True)
        return _Response(201, data, {"Location": data["url"]})

    def _h_get_issue(self, request: _Request) -> _Response:
        issue = self._issue_or_404(request)
        return _Response(200, self._issue_json(issue, full=True), last_modified=issue.updated_at)

    def _h_update_issue(self, request: _Request) -> _Response:
        issue = self._issue_or_404(request)
        body = self._body_object(request, required=False)
        if "title" in body:
            issue.title = self._check_title(request, body["title"])
        self._check_text(request, "Issue", body)
        state = body.get("state")
        if state is not None and state not in ("open", "closed"):
            raise _ApiError(
                _validation(request.docs, {"resource": "Issue", "code": "invalid", "field": "state"})
            )
        reason = body.get("state_reason")
        if reason is not None and reason not in ("completed", "not_planned", "reopened", "duplicate"):
            raise _ApiError(
                _validation(request.docs, {"resource": "Issue", "code": "invalid", "field": "state_reason"})
            )
        labels = self._labels_or_422(request, body["labels"]) if "labels" in body else None
        assignees = _logins_from(body["assignees"]) if "assignees" in body else None
        if "assignees" in body and assignees is None:
            raise _ApiError(
                _validation(request.docs, {"resource": "Issue", "code": "invalid", "field": "assignees"})
            )
        now = self.now()
        if "body" in body:
            issue.body = body["body"] or ""
        if state == "closed" and issue.state == "open":
            issue.state, issue.closed_at, issue.closed_by = "closed", now, self.actor
            issue.state_reason = reason or "completed"
        elif state == "open" and issue.state == "closed":
            issue.state, issue.closed_at, issue.closed_by = "open", None, None
            issue.state_reason = "reopened"
        elif "state_reason" in body and issue.state == "closed" and reason is not None:
            issue.state_reason = reason
        if labels is not None:
            issue.labels = []
            for name in labels:
                self._attach_label(issue, name)
        if assignees is not None:
            issue.assignees = list(dict.fromkeys(assignees))
        if "assignee" in body:
            issue.assignees = [body["assignee"]] if isinstance(body["assignee"], str) else []
        issue.updated_at = now
        return _Response(200, self._issue_json(issue, full=True))

    def _h_add_assignees(self, request: _Request) -> _Response:
        issue = self._issue_or_404(request)
        body = self._body_object(request, required=False)
        logins = _logins_from(body.get("assignees", []))
        if logins is None:
            raise _ApiError(
                _validation(request.docs, {"resource": "Issue", "code": "invalid", "field": "assignees"})
            )
        issue.assignees = list(dict.fromkeys([*issue.assignees, *logins]))
        issue.updated_at = self.now()
        return _Response(201, self._issue_json(issue, full=True))

    def _h_lock(self, request: _Request) -> _Response:
        issue = self._issue_or_404(request)
        body = request.body if isinstance(request.body, dict) else {}
        reason = body.get("lock_reason")
        if reason is not None and reason not in LOCK_REASONS:
            raise _ApiError(
                _validation(request.docs, {"resource": "Issue", "code": "invalid", "field": "lock_reason"})
            )
        issue.locked, issue.lock_reason = True, reason
        issue.updated_at = self.now()
        return _Response(204)

    def _h_unlock(self, request: _Request) -> _Response:
        issue = self._issue_or_404(request)
        issue.locked, issue.lock_reason = False, None
        issue.updated_at = self.now()
        return _Response(204)

    def _h_list_sub_issues(self, request: _Request) -> _Response:
        parent = self._issue_or_404(request)
        page, headers = self._paginate(request, self._children(parent.number))
        return _Response(200, [self._issue_json(issue, full=False) for issue in page], headers)

    def _h_add_sub_issue(self, request: _Request) -> _Response:
        parent = self._issue_or_404(request)
        body = self._body_object(request)
        sub_id = body.get("sub_issue_id")
        if not isinstance(sub_id, int) or isinstance(sub_id, bool):
            raise _ApiError(
                _validation(request.docs, {"resource": "Issue", "code": "invalid", "field": "sub_issue_id"})
            )
        number = self._issue_by_id.get(sub_id)
        if number is None:
            raise _ApiError(_error(404, "Not Found", request.docs))
        child = self._issues[number]
        if child.number == parent.number:
            raise _ApiError(
                _validation(
                    request.docs,
                    {
                        "resource": "Issue",
                        "code": "custom",
                        "message": "An issue cannot be a sub-issue of itself",
                    },
                )
            )
        if (
            child.parent is not None
            and child.parent != parent.number
            and body.get("replace_parent") is not True
        ):
            raise _ApiError(
                _validation(
                    request.docs,
                    {"resource": "Issue", "code": "custom", "message": "Sub-issue may only have one parent"},
                )
            )
        if child.parent is not None and child.parent != parent.number:
            self._sub_issues[child.parent].remove(child.number)
        if child.parent != parent.number:
            self._sub_issues.setdefault(parent.number, []).append(child.number)
        child.parent = parent.number
        now = self.now()
        child.updated_at = parent.updated_at = now
        data = self._issue_json(parent, full=True)
        return _Response(201, data, {"Location": f"{data['url']}/sub_issues"})

    # -- handlers: comments and reactions -----------------------------------------------------

    def _h_list_comments(self, request: _Request) -> _Response:
        issue = self._issue_or_404(request)
        comments = [self._comments[cid] for cid in issue.comment_ids]
        if "since" in request.query:
            try:
                since = _parse_time(request.query["since"])
            except ValueError:
                raise _ApiError(
                    _validation(
                        request.docs, {"resource": "IssueComment", "code": "invalid", "field": "since"}
                    )
                ) from None
            comments = [c for c in comments if c.updated_at >= since]
        page, headers = self._paginate(request, comments)
        return _Response(200, [self._comment_json(c) for c in page], headers)

    def _h_create_comment(self, request: _Request) -> _Response:
        issue = self._issue_or_404(request)
        body = self._body_object(request)
        if not isinstance(body.get("body"), str) or not body["body"]:
            raise _ApiError(
                _validation(
                    request.docs, {"resource": "IssueComment", "code": "missing_field", "field": "body"}
                )
            )
        self._check_text(request, "IssueComment", body)
        comment = self._new_comment(issue, body["body"], self.actor, self.now())
        data = self._comment_json(comment)
        return _Response(201, data, {"Location": data["url"]})

    def _h_get_comment(self, request: _Request) -> _Response:
        comment = self._comment_or_404(request)
        return _Response(200, self._comment_json(comment), last_modified=comment.updated_at)

    def _h_update_comment(self, request: _Request) -> _Response:
        comment = self._comment_or_404(request)
        body = self._body_object(request)
        if not isinstance(body.get("body"), str):
            raise _ApiError(
                _validation(
                    request.docs, {"resource": "IssueComment", "code": "missing_field", "field": "body"}
                )
            )
        self._check_text(request, "IssueComment", body)
        comment.body = body["body"]
        comment.updated_at = self.now()
        return _Response(200, self._comment_json(comment))

    def _h_create_reaction(self, request: _Request) -> _Response:
        comment = self._comment_or_404(request)
        content = self._body_object(request).get("content")
        if content not in REACTION_CONTENTS:
            raise _ApiError(
                _validation(request.docs, {"resource": "Reaction", "code": "invalid", "field": "content"})
            )
        reactions = self._reactions.setdefault(comment.id, [])
        for reaction in reactions:
            if reaction.user == self.actor and reaction.content == content:
                return _Response(200, self._reaction_json(reaction))
        reaction = _Reaction(next(self._ids["reaction"]), comment.id, self.actor, content, self.now())
        reactions.append(reaction)
        return _Response(201, self._reaction_json(reaction))

    # -- handlers: labels ---------------------------------------------------------------------

    def _issue_labels_response(self, issue: _Issue) -> _Response:
        return _Response(200, [self._label_json(self._labels[lid]) for lid in issue.labels])

    def _h_issue_labels(self, request: _Request) -> _Response:
        issue = self._issue_or_404(request)
        labels = [self._labels[lid] for lid in issue.labels]
        page, headers = self._paginate(request, labels)
        return _Response(200, [self._label_json(label) for label in page], headers)

    def _label_body(self, request: _Request) -> list[str]:
        body = request.body
        value = body.get("labels", []) if isinstance(body, dict) else body if body is not None else []
        return self._labels_or_422(request, value)

    def _h_add_labels(self, request: _Request) -> _Response:
        issue = self._issue_or_404(request)
        for name in self._label_body(request):
            self._attach_label(issue, name)
        issue.updated_at = self.now()
        return self._issue_labels_response(issue)

    def _h_set_labels(self, request: _Request) -> _Response:
        issue = self._issue_or_404(request)
        names = self._label_body(request)
        issue.labels = []
        for name in names:
            self._attach_label(issue, name)
        issue.updated_at = self.now()
        return self._issue_labels_response(issue)

    def _h_remove_label(self, request: _Request) -> _Response:
        issue = self._issue_or_404(request)
        label = self._label_named(request.params["name"])
        if label is None or label.id not in issue.labels:
            raise _ApiError(_error(404, "Label does not exist", request.docs))
        issue.labels.remove(label.id)
        issue.updated_at = self.now()
        return self._issue_labels_response(issue)

    def _h_list_labels(self, request: _Request) -> _Response:
        page, headers = self._paginate(request, self._sorted_labels())
        return _Response(200, [self._label_json(label) for label in page], headers)

    def _check_label_fields(self, request: _Request, body: JSONDict) -> tuple[str | None, str | None]:
        color = body.get("color")
        if color is not None:
            color = str(color).removeprefix("#")
            if not _COLOR.match(color):
                raise _ApiError(
                    _validation(request.docs, {"resource": "Label", "code": "invalid", "field": "color"})
                )
        description = body.get("description")
        if description is not None and (not isinstance(description, str) or len(description) > 100):
            raise _ApiError(
                _validation(request.docs, {"resource": "Label", "code": "invalid", "field": "description"})
            )
        return color, description

    def _h_create_label(self, request: _Request) -> _Response:
        body = self._body_object(request)
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _ApiError(
                _validation(request.docs, {"resource": "Label", "code": "missing_field", "field": "name"})
            )
        color, description = self._check_label_fields(request, body)
        if self._label_named(name) is not None:
            raise _ApiError(
                _validation(request.docs, {"resource": "Label", "code": "already_exists", "field": "name"})
            )
        label = self._new_label(name, color or _AUTO_LABEL_COLOR, description)
        data = self._label_json(label)
        return _Response(201, data, {"Location": data["url"]})

    def _label_or_404(self, request: _Request) -> _Label:
        label = self._label_named(request.params["name"])
        if label is None:
            raise _ApiError(_error(404, "Not Found", request.docs))
        return label

    def _h_get_label(self, request: _Request) -> _Response:
        return _Response(200, self._label_json(self._label_or_404(request)), last_modified=self._created_at)

    def _h_update_label(self, request: _Request) -> _Response:
        label = self._label_or_404(request)
        body = self._body_object(request, required=False)
        color, description = self._check_label_fields(request, body)
        new_name = body.get("new_name")
        if new_name is not None:
            if not isinstance(new_name, str) or not new_name.strip():
                raise _ApiError(
                    _validation(request.docs, {"resource": "Label", "code": "invalid", "field": "new_name"})
                )
            clash = self._label_named(new_name)
            if clash is not None and clash.id != label.id:
                raise _ApiError(
                    _validation(
                        request.docs, {"resource": "Label", "code": "already_exists", "field": "name"}
                    )
                )
            del self._label_by_name[label.name.lower()]
            label.name = new_name
            self._label_by_name[new_name.lower()] = label.id
        if color is not None:
            label.color = color
        if "description" in body:
            label.description = description
        return _Response(200, self._label_json(label))

    def _h_delete_label(self, request: _Request) -> _Response:
        label = self._label_or_404(request)
        del self._labels[label.id]
        del self._label_by_name[label.name.lower()]
        for issue in self._issues.values():
            if label.id in issue.labels:
                issue.labels.remove(label.id)
        return _Response(204)

    # -- handlers: collaborators --------------------------------------------------------------

    def _h_permission(self, request: _Request) -> _Response:
        login = request.params["username"]
        role = self._permissions.get(login, "read")
        legacy = {"maintain": "write", "triage": "read"}.get(role, role)
        ranks = PERMISSIONS[::-1]  # none < read < triage < write < maintain < admin
        rank = ranks.index(role)
        user = {
            **self._user_json(login),
            "permissions": {
                "admin": rank >= ranks.index("admin"),
                "maintain": rank >= ranks.index("maintain"),
                "push": rank >= ranks.index("write"),
                "triage": rank >= ranks.index("triage"),
                "pull": rank >= ranks.index("read"),
            },
            "role_name": role,
        }
        return _Response(200, {"permission": legacy, "role_name": role, "user": user})

    # -- handlers: actions --------------------------------------------------------------------

    def _h_list_workflows(self, request: _Request) -> _Response:
        workflows = sorted(self._workflows.values(), key=lambda w: w.id)
        page, headers = self._paginate(request, workflows)
        return _Response(
            200, {"total_count": len(workflows), "workflows": [self._workflow_json(w) for w in page]}, headers
        )

    def _h_get_workflow(self, request: _Request) -> _Response:
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
        unexpected = sorted(set(inputs) - set(workflow.inputs))
        if unexpected:
            raise _ApiError(
                _error(422, f"Unexpected inputs provided: {json.dumps(unexpected)}", request.docs)
            )
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
        page, headers = self._paginate(request, [run])
        return _Response(200, {"total_count": 1, "jobs": [self._job_json(r) for r in page]}, headers)

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
        return _Response(204)

    # -- handlers: search ---------------------------------------------------------------------

    def _h_search(self, request: _Request) -> _Response:
        q = request.query.get("q", "").strip()
        if not q:
            raise _ApiError(
                _validation(request.docs, {"resource": "Search", "field": "q", "code": "missing"})
            )
        matches = self._search(q)
        sort = request.query.get("sort")
        reverse = request.query.get("order", "desc") != "asc"
        if sort in ("created", "updated", "comments"):
            matches = self._sort_issues(matches, sort, "desc" if reverse else "asc")
        else:
            matches.sort(key=lambda i: (i.updated_at, i.number), reverse=True)
        page, headers = self._paginate(request, matches[:1000])
        items = [{**self._issue_json(issue, full=False), "score": 1.0} for issue in page]
        return _Response(
            200,
            {
                "total_count": len(matches),
                "incomplete_results": False,
                "search_type": "lexical",
                "items": items,
            },
            headers,
        )

    def _search(self, q: str) -> list[_Issue]:
        terms: list[str] = []
        checks: list[Callable[[_Issue], bool]] = []
        fields = ("title", "body")
        for negate, key, raw_value, phrase, word in _SEARCH_TOKEN.findall(q):
            if phrase or word:
                terms.append((phrase or word).lower())
                continue
            value = raw_value.strip('"')
            check = self._qualifier(key, value)
            if key == "in":
                fields = tuple(part for part in value.split(",") if part in ("title", "body")) or fields
                continue
            if check is None:  # an unknown qualifier is plain text, as on GitHub
                terms.append(f"{key}:{value}".lower())
                continue
            checks.append(_negated(check) if negate else check)

        def text_of(issue: _Issue) -> str:
            return " ".join(issue.title if f == "title" else issue.body for f in fields).lower()

        return [
            issue
            for issue in self._issues.values()
            if all(check(issue) for check in checks) and all(term in text_of(issue) for term in terms)
        ]

    def _qualifier(self, key: str, value: str) -> Callable[[_Issue], bool] | None:
        lowered = value.lower()
        if key == "repo":
            return lambda issue: lowered == self.full_name.lower()
        if key in ("is", "type", "state"):
            if lowered in ("issue", "pr", "pull-request"):
                return lambda issue: issue.is_pr == (lowered != "issue")
            if lowered in ("open", "closed"):
                return lambda issue: issue.state == lowered
            if lowered == "locked":
                return lambda issue: issue.locked
            return lambda issue: False
        if key == "label":
            return lambda issue: any(self._labels[lid].name.lower() == lowered for lid in issue.labels)
        if key == "author":
            return lambda issue: issue.user.lower() == lowered
        if key == "assignee":
            return lambda issue: lowered in (login.lower() for login in issue.assignees)
        if key == "no":
            return lambda issue: not (issue.labels if lowered == "label" else issue.assignees)
        if key == "in":
            return lambda issue: True
        return None

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
        if method != "POST":
            return _Response(404, {"error": f"no control endpoint {method} {CONTROL_PREFIX}{name}"})
        if name == "reset-log":
            self.reset_log()
            return _Response(200, {"ok": True})
        if name == "permission":
            self.set_permission(str(body["login"]), str(body["permission"]))
            return _Response(200, {"ok": True})
        if name == "workflow":
            self.add_workflow(
                str(body["file"]),
                str(body["name"]),
                inputs=[str(i) for i in body.get("inputs", [])],
                outcome=str(body.get("outcome", "success")),
                queued_s=float(body.get("queued_s", 1.0)),
                in_progress_s=float(body.get("in_progress_s", 5.0)),
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
            )
            return _Response(200, {"ok": True})
        if name == "advance":
            self.advance(float(body["seconds"]))
            return _Response(200, {"ok": True, "now": _iso(self.now())})
        return _Response(404, {"error": f"no control endpoint {method} {CONTROL_PREFIX}{name}"})


# ------------------------------------------------------------------------------------------------
# HTTP server


class _Server(LocalServer):
    emulator: GitHubEmulator

    def report_error(self) -> None:
        """A bug in the emulator: kept for the test fixture to fail on."""
        self.emulator.errors.append(traceback.format_exc())


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes; don't wait 40 ms between
    server_version = "GitHub.com"
    sys_version = ""
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: no request log on stderr."""

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        outcome = self.server.emulator.handle(self.command, self.path, dict(self.headers.items()), body)
        if outcome is None:  # drop-after-write: the write happened, the client gets no answer
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        status, headers, payload = outcome
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status not in (204, 304):
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if payload and status not in (204, 304):
            self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve


# ------------------------------------------------------------------------------------------------
# running it as a process


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    repo: str = "octo-org/backend",
    token: str | None = None,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve the emulator until Ctrl-C, then stop cleanly; ``on_ready`` gets the URL once it listens."""
    emulator = GitHubEmulator(host=host, port=port, repo=repo, token=token)
    emulator.start()
    try:
        if on_ready is not None:
            on_ready(emulator.url)
        emulator.wait()
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
