"""The incident's clock: times as the state and the timeline write them, durations, and lateness.

Every time the tool stores is ISO 8601 UTC text to the second (``iso``, read back by
``parse_time``); durations are whole minutes, typed as ``30m`` or ``1h30m`` and shown as
``1 h 05 min``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from ops_actions.errors import OpsError


def iso(moment: datetime) -> str:
    """ISO 8601 UTC with a trailing Z, to the second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> datetime:
    """The inverse of :func:`iso` (any ISO 8601 with a zone is accepted)."""
    return datetime.fromisoformat(text).astimezone(UTC)


def is_time(value: object) -> bool:
    """Whether a JSON value is text that parses as a time (hand edits may leave anything)."""
    try:
        return isinstance(value, str) and parse_time(value) is not None
    except ValueError:
        return False


def parse_minutes(text: str) -> int:
    """``30m``, ``1h``, ``90`` (minutes) or ``1h30m`` as whole minutes; OpsError otherwise."""
    match = re.fullmatch(r"\s*(?:(\d{1,3})\s*h)?\s*(?:(\d{1,4})\s*(?:m|min)?)?\s*", text.lower())
    if not match or not any(match.groups()):
        raise OpsError(f"{text!r} is not a duration such as 30m or 1h")
    minutes = int(match.group(1) or 0) * 60 + int(match.group(2) or 0)
    if not 1 <= minutes <= 7 * 24 * 60:
        raise OpsError(f"{text!r} must be between 1 minute and 7 days")
    return minutes


def whole_minutes(start: datetime, end: datetime) -> int:
    """The whole minutes from ``start`` to ``end``, rounded down, never below 0: the one rounding of
    every duration the tool shows, so one span reads the same in a comment, a summary and the
    postmortem (15 min 59 s is 15 min everywhere)."""
    return max(int((end - start).total_seconds() // 60), 0)


def duration(start: str | None, end: str | None) -> str:
    """A human duration such as ``1 h 05 min``, or ``–`` when either end is missing."""
    if not start or not end:
        return "–"
    return minutes_text(whole_minutes(parse_time(start), parse_time(end)))


def minutes_text(minutes: int) -> str:
    """``1 h 05 min`` or ``42 min``."""
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def stale_gap(last_triage: str | None, now: datetime, interval_minutes: int) -> float | None:
    """Minutes since the previous triage when that is more than 3 intervals (the cron path is late)."""
    if not last_triage:
        return None
    gap = (now - parse_time(last_triage)).total_seconds() / 60
    return gap if gap > 3 * interval_minutes else None
