"""What a simulated API is made of: the request a route reads, the reply it gives, and the API's table.

Each API module (:mod:`.reference`, :mod:`.search`, :mod:`.messaging`) is a set of routes, plain
functions ``(backend, scenario, request) -> reply``, and one :class:`Api` that says which paths are
open, which need the admin token and how. A route sees the backend only through :class:`Served`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Protocol

JSON_CONTENT_TYPE: Final = "application/json; charset=utf-8"
# What a "malformed" scenario (and an invalid-json fault) answers in place of JSON.
INVALID_JSON_BODY: Final = b"{not json"


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


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes
    authorization: str | None
    api_key: str | None = None


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str = JSON_CONTENT_TYPE
    headers: tuple[tuple[str, str], ...] = ()


def json_reply(status: int, payload: object, *headers: tuple[str, str]) -> Reply:
    return Reply(status, json.dumps(payload).encode("utf-8"), headers=headers)


def not_found() -> Reply:
    return json_reply(404, {"error": "not found"})


def method_not_allowed(*allowed: str) -> Reply:
    return json_reply(405, {"error": "method not allowed"}, ("Allow", ", ".join(allowed)))


def json_object(body: bytes) -> dict[str, Any] | None:
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a trailing ``Z``; naive datetimes are taken to be UTC already."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class Served(Protocol):
    """What a route may read and change of the backend that serves it."""

    @property
    def slow_delay_s(self) -> float: ...

    def now(self) -> datetime:
        """The backend's clock."""
        ...

    def sleep(self, seconds: float) -> bool:
        """Sleep unless the server stops first; True when it slept the whole time."""
        ...

    def stalled_call(self, *, advance: bool) -> int:
        """How many stalled stats calls came before this one; ``advance`` counts this one too."""
        ...

    def next_canary_job(self) -> int:
        """The number of a new canary job (1, 2, ...)."""
        ...


Route = Callable[[Served, str, Request], Reply | None]
"""A route: the backend, the scenario it plays, the request -> the reply (None: drop the connection)."""


@dataclass(frozen=True)
class Api:
    """One API the sandbox plays: open routes, and admin routes under one prefix.

    ``auth`` says how an admin route wants the admin token, by path prefix (first match; the
    default is a Bearer token): ``api-key`` in an X-API-Key header, ``basic`` as the password of
    HTTP basic auth for the user ``messaging.BASIC_USER``.
    """

    open_routes: Mapping[str, Route]
    admin_prefix: str
    routes: Mapping[str, Route]
    auth: tuple[tuple[str, str], ...] = ()
    methods: Mapping[str, str] = field(default_factory=dict)
    """The method of an admin route that is not GET."""
