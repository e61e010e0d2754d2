"""The emulator itself: construction, start and stop, the route table, and answering one request."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from types import TracebackType
from typing import Any, Final
from urllib.parse import parse_qsl, unquote, urlsplit

from ops_actions.sandbox.github.actions import _ActionsRoutes
from ops_actions.sandbox.github.control import _Control
from ops_actions.sandbox.github.ghes import _Ghes, docs_root, ghes_minor
from ops_actions.sandbox.github.issues import _IssueRoutes
from ops_actions.sandbox.github.labels import _LabelRoutes
from ops_actions.sandbox.github.limits import _RATE_DOCS, _Limits
from ops_actions.sandbox.github.model import (
    BOT_LOGIN,
    CONTROL_PREFIX,
    DEFAULT_LABELS,
    JOB_TOKEN_RATE_LIMIT,
    RULES,
    Exchange,
    RecordedRequest,
    _ApiError,
    _Bucket,
    _error,
    _Fault,
    _Handler,
    _operation_of,
    _Request,
    _Response,
    _sha,
    _Wire,
)
from ops_actions.sandbox.github.pages import HTML_PAGE, _Pages, not_found_page
from ops_actions.sandbox.github.permissions import ROUTE_PERMISSIONS
from ops_actions.sandbox.github.repository import _RepositoryRoutes
from ops_actions.sandbox.github.search import _SearchRoutes
from ops_actions.sandbox.github.server import _RequestHandler, _Server

_JSON_TYPE: Final = "application/json; charset=utf-8"
_KNOWN_USER_IDS: Final[Mapping[str, int]] = {BOT_LOGIN: 41898282, "octocat": 583231}
_MAX_RECORDED: Final = 100_000
_WRITE_METHODS: frozenset[str] = frozenset({"POST", "PATCH", "PUT", "DELETE"})


def _checked_rules(rules: Iterable[str]) -> set[str]:
    unknown = set(rules) - set(RULES)
    if unknown:
        raise ValueError(f"unknown rules {sorted(unknown)}; the rules are {RULES}")
    return set(rules)


class GitHubEmulator(
    _Control,
    _RepositoryRoutes,
    _IssueRoutes,
    _LabelRoutes,
    _ActionsRoutes,
    _SearchRoutes,
    _Limits,
    _Ghes,
    _Pages,
):
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
        actor: str = BOT_LOGIN,
        rate_limit: int = 5000,
        default_labels: bool = True,
        rules: Iterable[str] = RULES,
        ghes: str | None = None,
    ) -> None:
        """``token=None`` accepts any non-empty token; ``actor`` is the login the token acts as.

        The default token has every permission and ``rate_limit`` requests an hour (a long-lived
        token's budget); :meth:`mint_job_token` makes a job's GITHUB_TOKEN, :meth:`user_token` a
        person's. ``rules`` are the refusals GitHub makes that the emulator enforces (``RULES``; drop
        one where a test needs the kinder behaviour); ``ghes="3.19"`` plays that Enterprise Server.
        """
        owner, _, name = repo.partition("/")
        if not owner or not name or "/" in name:
            raise ValueError(f"repo must be 'owner/name', got {repo!r}")
        self._host = host
        self._port = port
        self.owner = owner
        self.name = name
        self.default_branch = default_branch
        self._token = token
        self._clock = clock or (lambda: datetime.now(UTC))
        self._offset_s = 0.0
        self.actor = actor
        self._lock = threading.RLock()
        self._server, self._thread = None, None
        self._listeners = []
        self.requests = []
        # The delay of each answer a "slow" fault held back, in order: tests count them, never time.
        self.slowed: list[float] = []
        self.dispatch_details = True
        """False plays an older server that answers a dispatch with 204 even when run details are asked."""
        self.errors = []
        """Tracebacks of requests the emulator itself failed on (answered 500); should stay empty."""
        self.rules = _checked_rules(rules)
        """The refusals enforced (``RULES``); remove one to get the kinder behaviour back."""
        ghes_minor(ghes)  # a version like "3.19", or ValueError
        self.ghes = ghes
        self._tokens, self._caller, self._events, self._siblings = {}, None, [], {}

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
        self._user_ids = dict(_KNOWN_USER_IDS)
        self._created_at = self._pushed_at = self.now().replace(microsecond=0)
        self._issues = {}
        self._issue_by_id = {}
        self._sub_issues = {}
        self._comments = {}
        self._reactions = {}
        self._labels = {}
        self._label_by_name = {}
        self._permissions = {owner: "admin"}
        self._workflows = {}
        self._runs = {}
        self._refs = {f"refs/heads/{default_branch}": _sha(repo, default_branch)}
        self._repository_dispatches = []
        self._workflow_dispatches = []
        self._faults = []
        now = self.now()
        self._buckets = {
            "core": _Bucket(rate_limit, 3600.0, now + timedelta(hours=1)),
            "job": _Bucket(JOB_TOKEN_RATE_LIMIT, 3600.0, now + timedelta(hours=1)),
            "search": _Bucket(30, 60.0, now + timedelta(minutes=1)),
        }
        if default_labels:
            for label_name, color, description in DEFAULT_LABELS:
                self._new_label(label_name, color, description, default=True)
        self._routes = self._build_routes()

    # -- life cycle ---------------------------------------------------------------------------

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

    # -- internal: HTTP plumbing --------------------------------------------------------------

    def _build_routes(self) -> list[tuple[str, re.Pattern[str], _Handler, str]]:
        repo = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"
        issue = repo + r"/issues/(?P<number>\d+)"
        comment = repo + r"/issues/comments/(?P<comment_id>\d+)"
        workflow = repo + r"/actions/workflows/(?P<workflow_id>[^/]+)"
        run = repo + r"/actions/runs/(?P<run_id>\d+)"
        d = docs_root(self.ghes)
        table: list[tuple[str, str, _Handler, str]] = [
            ("GET", r"/", self._h_root, f"{d}/meta/meta#github-api-root"),
            ("GET", r"/rate_limit", self._h_rate_limit, f"{d}/rate-limit/rate-limit#get-rate-limit-status"),
            ("GET", r"/user", self._h_user, f"{d}/users/users#get-the-authenticated-user"),
            ("GET", r"/search/issues", self._h_search, f"{d}/search/search#search-issues-and-pull-requests"),
            ("GET", repo, self._h_repo, f"{d}/repos/repos#get-a-repository"),
            ("GET", repo + r"/issues", self._h_list_issues, f"{d}/issues/issues#list-repository-issues"),
            ("POST", repo + r"/issues", self._h_create_issue, f"{d}/issues/issues#create-an-issue"),
            ("GET", comment, self._h_get_comment, f"{d}/issues/comments#get-an-issue-comment"),
            ("PATCH", comment, self._h_update_comment, f"{d}/issues/comments#update-an-issue-comment"),
            ("DELETE", comment, self._h_delete_comment, f"{d}/issues/comments#delete-an-issue-comment"),
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
                "PUT",
                workflow + r"/enable",
                self._h_enable_workflow,
                f"{d}/actions/workflows#enable-a-workflow",
            ),
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
        unlisted = [docs for *_, docs in table if _operation_of(docs) not in ROUTE_PERMISSIONS]
        if unlisted:  # every route must say which permission a job token needs for it
            raise RuntimeError(f"routes missing from permissions.ROUTE_PERMISSIONS: {unlisted}")
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
        page = HTML_PAGE.match(path) if method == "GET" and not path.startswith("/repos/") else None
        if page is not None:
            return self._web_page(f"{page['owner']}/{page['repo']}", int(page["number"]), path)
        sibling = self._sibling_for(path, lowered)
        if sibling is not None:
            return sibling.handle(method, target, headers, body)
        fault = self._take_fault(method, target)
        if fault is not None and fault.kind == "slow":
            self.slowed.append(fault.delay_s)
            time.sleep(fault.delay_s)
        if fault is not None and fault.kind == "late-write":
            # GitHub carried the write out after the client had given up waiting (its timeout): no
            # answer now, the change ``delay_s`` later.
            later = threading.Timer(
                fault.delay_s, self._answer_late, args=(method, path, pairs, lowered, body)
            )
            later.daemon = True
            later.start()
            return None
        with self._lock:
            return self._answer(method, path, pairs, lowered, body, fault)

    def _web_page(self, full_name: str, number: int, path: str) -> _Wire:
        """The web page of an issue of this repository or of one served beside it (no API request)."""
        for emulator in (self, *self._siblings.values()):
            if emulator.full_name.lower() == full_name.lower():
                return emulator.issue_page(number)
        return not_found_page(path)

    def _answer_late(
        self, method: str, path: str, pairs: list[tuple[str, str]], headers: dict[str, str], body: bytes
    ) -> None:
        with self._lock:
            self._answer(method, path, pairs, headers, body, None)

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
        docs = routed[2] if routed is not None else docs_root(self.ghes)
        parsed: Any = None
        bad_json = False
        if raw_body.strip():
            try:
                parsed = json.loads(raw_body)
            except ValueError:
                bad_json = True
        counted = False
        token, auth_failure = self._authenticate(headers, docs)
        resource = self._bucket_key(token, path)
        self._caller = token
        try:
            if auth_failure is not None or token is None:
                response = auth_failure or _error(401, "Bad credentials", docs)
            elif fault is not None and fault.kind not in ("slow", "drop-after-write"):
                response = self._fault_response(fault, request_id, docs)
            elif bad_json:
                response = _error(400, "Problems parsing JSON", docs)
            elif path != "/rate_limit" and not self._consume_rate(resource):
                response = _error(
                    403, f"API rate limit exceeded for user ID {self._user_id(token.login)}.", _RATE_DOCS
                )
            else:
                counted = path != "/rate_limit"
                refusal = routed and (
                    self._refuse_unpermitted(token, docs) or self._ghes_refusal(docs, parsed)
                )
                response = refusal or self._dispatch(method, path, pairs, headers, raw_body, parsed, routed)
        finally:
            self._caller = None
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


# ------------------------------------------------------------------------------------------------
# running it as a process


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    repo: str = "octo-org/backend",
    token: str | None = None,
    ghes: str | None = None,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve the emulator until Ctrl-C, then stop cleanly; ``on_ready`` gets the URL once it listens."""
    emulator = GitHubEmulator(host=host, port=port, repo=repo, token=token, ghes=ghes)
    emulator.start()
    try:
        if on_ready is not None:
            on_ready(emulator.url)
        emulator.wait()
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
