"""GitHub's refusals read: the message and the fields a 422 names, whether an error is a rate
limit and how long to wait it out, and the one line an operator reads when GitHub says no."""

from __future__ import annotations

from typing import Any, Final

from github import GithubException

BACKOFF_FROM_S: Final = 60.0


def header(headers: Any, name: str) -> str | None:
    """A response header by its lower-case name (HTTP headers ignore case); None when absent."""
    if not headers:
        return None
    for key, value in dict(headers).items():
        if key.lower() == name:
            return str(value)
    return None


def error_message(error: GithubException) -> str:
    """GitHub's ``message`` for the error, else the body it sent, else the status."""
    data = error.data
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return str(data["message"])
    return str(data or "") or f"HTTP {error.status}"


def failed_fields(error: GithubException) -> list[str]:
    """What a 422's ``errors[]`` say failed: ``assignees invalid ('nobody')``, or a message."""
    data = error.data
    entries = data.get("errors") if isinstance(data, dict) else None
    found = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, str):
            found.append(entry)
        elif isinstance(entry, dict):
            words = [str(entry[key]) for key in ("field", "code") if entry.get(key)]
            if isinstance(entry.get("value"), str | int):
                words.append(f"({entry['value']!r})")
            if isinstance(entry.get("message"), str):
                words.append(f"- {entry['message']}")
            found.append(" ".join(words))
    return [text for text in found if text]


def refuses_assignees(error: GithubException) -> bool:
    """A 422 whose errors name the assignees (GitHub: a login that cannot be assigned)."""
    data = error.data
    entries = data.get("errors") if isinstance(data, dict) else None
    return error.status == 422 and any(
        isinstance(entry, dict) and entry.get("field") == "assignees"
        for entry in (entries if isinstance(entries, list) else [])
    )


def refuses_permission_read(error: GithubException) -> bool:
    """GitHub's 403 to a token without push access that asks for a collaborator's permission."""
    return error.status == 403 and "push access" in error_message(error).lower()


def rate_limit_delay(error: GithubException, attempt: int, now: float) -> float | None:
    """Seconds to wait when the error is a rate limit, else None."""
    headers = error.headers
    retry_after = header(headers, "retry-after")
    remaining = header(headers, "x-ratelimit-remaining")
    limited = error.status == 429 or (
        error.status == 403
        and (retry_after is not None or remaining == "0" or "rate limit" in error_message(error).lower())
    )
    if not limited:
        return None
    if retry_after and retry_after.strip().isdigit():
        return float(retry_after)
    reset = header(headers, "x-ratelimit-reset")
    if remaining == "0" and reset and reset.isdigit():
        return max(float(reset) - now, 0.0) + 1.0
    return BACKOFF_FROM_S * 2.0 ** (attempt - 1)


def explain(what: str, error: GithubException) -> str:
    """The one line an operator reads: what failed, what the status means here, GitHub's words."""
    message = " ".join(error_message(error).split())[:200]
    hints = {
        400: "GitHub did not understand the request",
        401: "the token was rejected",
        403: "the token lacks a permission",
        404: "not found (deleted, transferred to another repository, or no access)",
        410: "the issue was deleted, or issues are disabled in this repository",
        422: "GitHub rejected the request",
    }
    hint = hints.get(error.status, f"HTTP {error.status}")
    if error.status == 403 and "locked" in message.lower():
        hint = "the issue is locked, and GitHub refuses the workflow token's comments and edits there"
    accepted = header(error.headers, "x-accepted-github-permissions")
    if error.status == 403 and accepted:
        hint += f" (GitHub accepts {accepted}: add it to the job's permissions:)"
    fields = failed_fields(error) if error.status == 422 else []
    if fields:
        message += " [" + "; ".join(fields)[:200] + "]"
    return f"GitHub: {what}: {hint}: {message}"
