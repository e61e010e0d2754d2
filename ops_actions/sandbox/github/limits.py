"""What stands between a request and its handler: authentication, injected faults and rate-limit buckets."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import timedelta
from typing import Final

from ops_actions.sandbox.github.model import (
    _DOCS,
    FAULT_KINDS,
    _error,
    _Fault,
    _Request,
    _Response,
    _Token,
    _validation,
)
from ops_actions.sandbox.github.permissions import _Permissions

_SECONDARY_MESSAGE: Final = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID {request_id}."
)
_RATE_DOCS: Final = f"{_DOCS}/using-the-rest-api/rate-limits-for-the-rest-api"


class _Limits(_Permissions):
    """Authentication, fault injection and taking, rate limits (and ``GET /rate_limit``)."""

    # -- authentication -----------------------------------------------------------------------

    def _authenticate(self, headers: Mapping[str, str], docs: str) -> tuple[_Token | None, _Response | None]:
        """The request's token, or the 401 GitHub answers."""
        value = headers.get("authorization", "").strip()
        if not value:
            return None, _error(401, "Requires authentication", docs)
        scheme, _, credential = value.partition(" ")
        credential = credential.strip()
        if scheme.lower() not in ("token", "bearer") or not credential:
            return None, _error(401, "Bad credentials", docs)
        token = self._token_for(credential)
        if token is None:
            return None, _error(401, "Bad credentials", docs)
        return token, None

    # -- faults -------------------------------------------------------------------------------

    def inject(
        self,
        fault: str,
        *,
        times: int = 1,
        method: str | None = None,
        path_contains: str | None = None,
        retry_after: int | None = None,
        delay_s: float = 0.0,
        message: str | None = None,
    ) -> None:
        """Break the next ``times`` matching API requests (``FAULT_KINDS``); faults apply in order added.

        ``late-write`` answers nothing and carries the request out ``delay_s`` later, as GitHub does
        with a write that outlived the client's timeout. ``message`` replaces the error message of a
        ``404``, ``410``, ``422`` or ``5xx`` fault (GitHub's messages echo what they were sent)."""
        if fault not in FAULT_KINDS:
            raise ValueError(f"fault must be one of {FAULT_KINDS}, not {fault!r}")
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._faults.append(
                _Fault(
                    fault,
                    times,
                    method.upper() if method else None,
                    path_contains,
                    retry_after,
                    delay_s,
                    message,
                )
            )

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

    def _fault_response(self, fault: _Fault, request_id: str, docs: str) -> _Response:
        kind = fault.kind
        if kind == "5xx":
            return _Response(502, {"message": fault.message or "Server Error"})
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
                403, f"API rate limit exceeded for user ID {self._user_id(self._login)}.", _RATE_DOCS
            )
            response.headers["x-ratelimit-remaining"] = "0"
            response.headers["x-ratelimit-reset"] = str(math.ceil(reset.timestamp()))
            return response
        if kind == "404":
            return _error(404, fault.message or "Not Found", docs)
        if kind == "410":
            return _error(410, fault.message or "Issues are disabled for this repo", docs)
        response = _validation(
            docs, {"resource": "Issue", "code": "custom", "message": "Injected validation failure"}
        )
        if fault.message is not None and isinstance(response.body, dict):
            response.body["message"] = fault.message
        return response

    # -- rate limits --------------------------------------------------------------------------

    def _bucket_key(self, token: _Token | None, path: str) -> str:
        """The bucket a request counts against: search, the job tokens' shared one, or core."""
        if path.startswith("/search/"):
            return "search"
        if token is not None and token.job and "job-rate-limit" in self.rules:
            return "job"
        return "core"

    def set_rate_remaining(self, remaining: int, *, resource: str = "core") -> None:
        """Leave ``remaining`` requests in a bucket's current window (``core``, ``job`` or ``search``),
        as if the rest had been spent: what the next answers' ``x-ratelimit-*`` headers say."""
        with self._lock:
            bucket = self._buckets[resource]
            if not 0 <= remaining <= bucket.limit:
                raise ValueError(f"remaining must be between 0 and {bucket.limit}, not {remaining}")
            if self.now() >= bucket.reset_at:
                bucket.reset_at = self.now() + timedelta(seconds=bucket.window_s)
            bucket.used = bucket.limit - remaining

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
            "x-ratelimit-resource": "search" if resource == "search" else "core",
        }

    def _h_rate_limit(self, request: _Request) -> _Response:
        core = self._bucket_json(self._bucket_key(self._caller, request.path))
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
