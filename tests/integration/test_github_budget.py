"""A budget you can see (issue 27, item 5): the watch and the page build say in the job summary the
GitHub requests they used and the primary rate limit left, as GitHub's x-ratelimit-* headers give
it; below the reserve they skip their optional reads, each with one line, and the mandatory work
(opening an incident for a failing backend) still happens. Counts only: requests and lines."""

from __future__ import annotations

import re
from pathlib import Path

from ops_actions.flows.budget import reserve
from tests.support.fixtures.world import World

BUDGET = re.compile(r"GitHub requests: (\d+) sent by this run; (\d+) of (\d+) left \(reserve (\d+)\)")


def summary_of(world: World, name: str) -> Path:
    """Where the next runs write their job summary."""
    summary = world.tmp_path / name
    world.monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    return summary


def budget_in(text: str) -> tuple[int, int, int, int]:
    """(used, remaining, limit, reserve) from the summary's budget line."""
    (found,) = BUDGET.findall(text)
    used, remaining, limit, kept = (int(value) for value in found)
    return used, remaining, limit, kept


def spent(world: World) -> int:
    """The requests the emulator counted against the budget (GET /rate_limit is free, as on GitHub)."""
    return sum(1 for r in world.emulator.requests if r.path != "/rate_limit")


def test_watch_summary_shows_the_requests_used_and_the_budget_left(world: World) -> None:
    """A healthy tick: the summary's count is the emulator's count of the run's requests, the budget
    left is the emulator's, and nothing is skipped."""
    summary = summary_of(world, "watch.md")
    world.emulator.reset_log()
    assert world.watch(0) == 0
    text = summary.read_text(encoding="utf-8")
    core = world.emulator.state()["rate_limit"]["core"]
    assert budget_in(text) == (len(world.emulator.requests), core["remaining"], core["limit"], 500)
    assert "skipped" not in text


def test_watch_below_the_reserve_skips_its_optional_reads_and_still_opens_the_incident(
    world: World,
) -> None:
    """Budget at the reserve, database down: the recently-closed listing and the postmortem
    reminders are skipped (a line each, no request), and the incident is opened all the same."""
    summary = summary_of(world, "watch.md")
    world.emulator.set_rate_remaining(reserve(5000))
    world.backend.set_scenario("db-down")
    world.emulator.reset_log()
    assert world.watch(0) == 0
    (incident,) = world.issues(state="open")
    assert incident["title"] == "[SEV-1] Database down"
    listed = [r.query for r in world.emulator.requests if r.method == "GET" and r.path.endswith("/issues")]
    assert "closed" not in [q.get("state") for q in listed if q.get("labels") == "incident"]
    assert not [q for q in listed if q.get("labels") == "postmortem"]
    text = summary.read_text(encoding="utf-8")
    skips = [line for line in text.splitlines() if "skipped" in line]
    assert len(skips) == 2
    assert "the recently-closed listing" in skips[0] and "the postmortem reminders" in skips[1]
    assert "GitHub budget low (500 of 5000 requests left, reserve 500)" in skips[0]
    used, remaining, _, _ = budget_in(text)
    assert (used, remaining) == (len(world.emulator.requests), 500 - spent(world))


def test_watch_above_the_reserve_reads_the_closed_incidents(world: World) -> None:
    """One request above the reserve, the listing is read (GitHub's budget is asked first, with the
    free GET /rate_limit, since no answer has told it yet): the reserve is a threshold."""
    world.emulator.set_rate_remaining(reserve(5000) + 1)
    world.emulator.reset_log()
    assert world.watch(0) == 0
    listed = [(r.query.get("labels"), r.query.get("state")) for r in world.emulator.requests]
    assert ("incident", "closed") in listed


def test_page_build_below_the_reserve_shows_incidents_from_their_state_and_says_so(world: World) -> None:
    """An open incident with a public update: with budget, the page shows the update; at the reserve
    the build reads no comments, shows the incident from its state block, names it in one line."""
    world.backend.set_scenario("db-down")
    assert world.watch(0) == 0
    (incident,) = world.issues(state="open")
    number = incident["number"]
    world.emulator.set_permission("alice", "write")
    assert world.comment(5, number, "/status mitigating public: Failing over the database.", "alice") == 0
    out = world.tmp_path / "site"
    assert world.cli(6, "status-page", "build", "--out", str(out)) == 0
    assert "Failing over the database." in (out / f"incidents/{number}.html").read_text(encoding="utf-8")

    summary = summary_of(world, "page.md")
    world.emulator.set_rate_remaining(reserve(5000))
    world.emulator.reset_log()
    assert world.cli(7, "status-page", "build", "--out", str(out)) == 0
    assert not [r for r in world.emulator.requests if r.path.endswith("/comments")]
    page = (out / f"incidents/{number}.html").read_text(encoding="utf-8")
    assert "We are investigating" in page and "Failing over the database." not in page
    text = summary.read_text(encoding="utf-8")
    (skip,) = [line for line in text.splitlines() if "skipped" in line]
    assert f"skipped the updates of #{number} (shown from their state alone)" in skip
    used, remaining, _, _ = budget_in(text)
    assert (used, remaining) == (len(world.emulator.requests), 500 - spent(world))
