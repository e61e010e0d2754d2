"""The emulator's vocabulary: constants, the public records, the internal records of its state,
requests and responses, and the small helpers every part uses."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

JSONDict = dict[str, Any]

CONTROL_PREFIX: Final = "/_emulator/"
FAULT_KINDS: tuple[str, ...] = (
    "5xx",
    "secondary-rate-limit",
    "429",
    "primary-rate-limit",
    "slow",
    "drop-after-write",
    "late-write",
    "404",
    "410",
    "422",
)
PERMISSIONS: tuple[str, ...] = ("admin", "maintain", "write", "triage", "read", "none")
MAX_BODY_CHARS: Final = 65_536
MAX_TITLE_CHARS: Final = 256
MAX_LABEL_NAME_CHARS: Final = 50
MAX_LABEL_DESCRIPTION_CHARS: Final = 100
JOB_TOKEN_RATE_LIMIT: Final = 1000
"""A GITHUB_TOKEN's primary rate limit: 1,000 requests per hour per repository (GitHub's REST docs,
"Rate limits for the REST API": "requests made with GITHUB_TOKEN ... 1,000 requests per hour per
repository")."""
BOT_LOGIN: Final = "github-actions[bot]"
RULES: tuple[str, ...] = (
    "permissions",
    "assignees",
    "locks",
    "job-rate-limit",
    "label-limits",
    "dispatch-checks",
)
"""GitHub's refusals the emulator enforces unless told otherwise (``GitHubEmulator(rules=...)``):
job tokens hold only their ``permissions:``; only collaborators and participants can be assigned;
app tokens cannot comment on or edit locked issues; job tokens share 1,000 requests an hour; label
names and descriptions have limits; dispatches need the workflow's required inputs and trigger."""
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

_DOCS: Final = "https://docs.github.com/rest"
_AUTO_LABEL_COLOR: Final = "ededed"
_HEX_SHA = re.compile(r"^[0-9a-f]{40}$")


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
    deleted: bool = False
    transferred_to: str | None = None  # "owner/name#number" once moved to another repository


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
    run_name: str | None = None
    required_inputs: tuple[str, ...] = ()
    dispatchable: bool = True
    """Whether the workflow file has an ``on: workflow_dispatch`` trigger."""
    driven: bool = False
    """Its dispatched runs wait in ``queued`` until :meth:`start_run` / :meth:`finish_run` move them."""
    scheduled: bool = False
    """Whether the workflow file has an ``on: schedule`` trigger (GitHub disables those after 60 days
    without repository activity, in a public repository)."""
    state: str = "active"
    enabled_at: datetime | None = None
    """When ``PUT .../enable`` last enabled it: the 60-day count starts again from there (see
    ``_ActionsRoutes._disable_inactive``)."""


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
    driven: bool = False
    fixed_status: str = "completed"
    fixed_conclusion: str | None = None
    updated_at: datetime | None = None
    outcome: str = "success"
    queued_s: float = 0.0
    in_progress_s: float = 0.0
    jobs: list[_Job] = field(default_factory=list)
    """The jobs a driver recorded (``record_job``); none: the run lists one job of its own."""


@dataclass(frozen=True)
class _Job:
    """One job of a driven run, as its driver recorded it: name, conclusion, each step's conclusion."""

    id: int
    name: str
    conclusion: str
    steps: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class _Token:
    """Who a token acts as and what it may do."""

    login: str
    permissions: dict[str, str] | None
    """A job's ``permissions:`` (``{"issues": "write", ...}``); None: everything (a classic PAT)."""
    job: bool = False
    """A job's GITHUB_TOKEN: its events start no workflow except dispatches, 1,000 requests/hour."""
    person: bool = False
    """A person's own token (:meth:`GitHubEmulator.user_token`): it reaches what the person's role does."""

    @property
    def is_app(self) -> bool:
        """An app's token (GITHUB_TOKEN is the Actions app's): refused on locked issues."""
        return self.job or self.login.endswith("[bot]")


@dataclass
class _Fault:
    kind: str
    remaining: int
    method: str | None
    path_contains: str | None
    retry_after: int | None
    delay_s: float
    message: str | None = None


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


def _operation_of(docs: str) -> str:
    """A route's operation, named by its docs page (``issues/comments#create-an-issue-comment``)."""
    return docs.split("/rest/", 1)[-1]


def _error(status: int, message: str, docs: str = _DOCS) -> _Response:
    return _Response(status, {"message": message, "documentation_url": docs, "status": str(status)})


def _validation(docs: str, *errors: JSONDict) -> _Response:
    # Shaped like the recorded api.github.com answer (tests/data/github-fixtures/errors.json).
    return _Response(422, {"message": "Validation Failed", "errors": list(errors), "documentation_url": docs})
