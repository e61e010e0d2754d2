"""A busy day within one GITHUB_TOKEN's hourly budget (issue 27): the simulated day of
tests/support/busy_day.py, counted at the GitHub emulator, every run with a job token that shares
the repository's 1,000 requests an hour (a run over it would be refused and fail the day).

The test's day (``TEST_DAY``) shrinks the full one that ``python -m bench.performance`` prints in
two ways: it runs 09:00-12:00 only (the quiet hour before the outage, the outage's hour with its 20
commands, war room and page builds, and the hour of the postmortem's sync), every run of those
hours; and its two long timelines are a fifth as long (1,000 people's comments on yesterday's
incident instead of 5,000, 200 on the outage's instead of 1,000).

The twenty-service day (``SERVICES_TEST_DAY``, issue 28) runs the outage's hour and the postmortem's
over a playbook of 20 services, a watch job per service every 10 minutes.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.busy_day import (
    HOURLY_BUDGET,
    OTHER_WATCHES,
    PUBLISHED,
    SERVICES_TEST_DAY,
    TEST_DAY,
    WATCH,
    run_day,
)


def test_the_busiest_hour_of_a_busy_day_stays_within_half_the_hourly_budget(tmp_path: Path) -> None:
    day = run_day(TEST_DAY, tmp_path)
    busiest, peak = day.busiest
    assert busiest == 10, day.per_hour  # the outage's hour, with its commands and page builds
    assert peak <= HOURLY_BUDGET // 2, day.per_hour
    # The day happened: the outage was handled to its end, and its page builds ran with the memory.
    assert day.incident_state == "closed" and day.action_items == 10
    assert day.by_source[PUBLISHED] > 0
    assert all(
        day.by_source[source] > 0 for source in ("slash commands", "status page's remember job, hourly")
    )


def test_the_busiest_hour_of_twenty_services_stays_within_the_hourly_budget(tmp_path: Path) -> None:
    """Issue 28: the same day over 20 services in the repository, each service's watch every 10
    minutes as the matrix runs it (its own history); the outage is the first service's. Every job
    has a job token sharing the 1,000 requests an hour: the emulator would refuse the one over."""
    day = run_day(SERVICES_TEST_DAY, tmp_path)
    busiest, peak = day.busiest
    assert busiest == 10, day.per_hour
    assert peak < HOURLY_BUDGET, day.per_hour
    assert day.watches == 20 * 6 * len(SERVICES_TEST_DAY.hours), "every service watched every 10 minutes"
    assert "service:svc-01" in day.incident_labels and day.incident_state == "closed"
    assert day.action_items == 10
    # The healthy services' watches are most of the hour; the page was built on the changes.
    assert day.by_source[OTHER_WATCHES] > day.by_source[WATCH] and day.by_source[PUBLISHED] > 0
