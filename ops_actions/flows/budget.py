"""The GitHub budget a run may spend: what it used and what is left, said in the job summary, and
the reserve below which the optional reads are skipped.

The figures are GitHub's own (``x-ratelimit-remaining``, ``-limit``, ``-reset`` of its last
answer, see ``GitHubSession.budget``); the requests used are the ones this run's client sent.
The reserve is kept for the work that must happen (opening an incident for a failing backend,
finishing a write that has begun): below it, the watch skips its optional reads and the page is
built without the reads it can do without, each skip said in one line. The budget is looked at only
before a piece of optional work starts, never inside a write.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Final, Protocol

RESERVE_REQUESTS: Final = 100
RESERVE_SHARE: Final = 0.10
"""The reserve: the larger of RESERVE_REQUESTS and this share of the limit (100 of a job token's
1,000 an hour, 500 of a personal token's 5,000)."""


class RateView(Protocol):
    """One reading of the budget (``adapters.github_tracker.records.RateBudget``)."""

    @property
    def sent(self) -> int | None: ...
    @property
    def remaining(self) -> int | None: ...
    @property
    def limit(self) -> int | None: ...
    @property
    def reset(self) -> datetime | None: ...


class BudgetSource(Protocol):
    """What tells the budget: the tracker (reading it sends nothing)."""

    def budget(self) -> RateView: ...


def reserve(limit: int) -> int:
    """The requests kept for the mandatory work, out of a window of ``limit``."""
    return max(RESERVE_REQUESTS, math.ceil(limit * RESERVE_SHARE))


def below_reserve(source: BudgetSource) -> RateView | None:
    """The reading when what is left is at or below the reserve, else None (also before GitHub's
    first answer, which is when nothing has been spent yet)."""
    reading = source.budget()
    if reading.remaining is None or reading.limit is None:
        return None
    return reading if reading.remaining <= reserve(reading.limit) else None


def skipped(reading: RateView, work: str) -> str:
    """The one line that says an optional piece of work was skipped, and why."""
    return (
        f"GitHub budget low ({reading.remaining} of {reading.limit} requests left, "
        f"reserve {reserve(reading.limit or 0)}): skipped {work}"
    )


def budget_line(reading: RateView) -> str:
    """The requests used and the budget left, for the job summary."""
    used = "an unknown number of" if reading.sent is None else str(reading.sent)
    if reading.remaining is None or reading.limit is None:
        return f"GitHub requests: {used} sent; GitHub has not said its rate limit"
    resets = f", resets {reading.reset:%Y-%m-%d %H:%M} UTC" if reading.reset else ""
    return (
        f"GitHub requests: {used} sent by this run; {reading.remaining} of {reading.limit} left "
        f"(reserve {reserve(reading.limit)}){resets}"
    )
