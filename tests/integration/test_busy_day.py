"""A busy day within one GITHUB_TOKEN's hourly budget (issue 27): the simulated day of
tests/support/busy_day.py, counted at the GitHub emulator, every run with a job token that shares
the repository's 1,000 requests an hour (a run over it would be refused and fail the day).

The test's day (``TEST_DAY``) shrinks the full one that ``python -m bench.performance`` prints in
two ways: it runs 09:00-12:00 only (the quiet hour before the outage, the outage's hour with its 20
commands, war room and page builds, and the hour of the postmortem's sync), every run of those
hours; and its two long timelines are a fifth as long (1,000 people's comments on yesterday's
incident instead of 5,000, 200 on the outage's instead of 1,000).
"""

from __future__ import annotations

from pathlib import Path

from tests.support.busy_day import HOURLY_BUDGET, TEST_DAY, run_day


def test_the_busiest_hour_of_a_busy_day_stays_within_half_the_hourly_budget(tmp_path: Path) -> None:
    day = run_day(TEST_DAY, tmp_path)
    busiest, peak = day.busiest
    assert busiest == 10, day.per_hour  # the outage's hour, with its commands and page builds
    assert peak <= HOURLY_BUDGET // 2, day.per_hour
    # The day happened: the outage was handled to its end, and its page builds ran with the memory.
    assert day.incident_state == "closed" and day.action_items == 10
    assert day.by_source["status page, in the runs that change an incident"] > 0
    assert all(
        day.by_source[source] > 0 for source in ("slash commands", "status page's remember job, hourly")
    )
