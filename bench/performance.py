"""Issue 27's tables in one run, side by side with the figures the issue measured, and the source of
docs/performance.md.

Run: .venv/bin/python -m bench.performance [--quick] [--write-docs]
  --quick       history up to H = 2,000 legacy issues (H = 20,000 takes most of the run's minutes)
  --write-docs  write docs/performance.md from this run's tables

The tables:
- requests per operation against history: 200 resolved incidents in the 90-day window plus H legacy
  closed issues labelled ``incident`` (seeded through the emulator's Python API, each with a
  person's comment), without the timeline memory and with it (warm: after ``status-page remember``);
- requests against timeline length: one incident with C people's comments, without the memory and
  the state block's cursor (a block from before it) and with them;
- triage CPU against probe count (bench/probe_concurrency_bench.py);
- a simulated busy day, hour by hour, against a GITHUB_TOKEN's 1,000 requests an hour
  (tests/support/busy_day.py, which the integration test runs shorter);
- the same day over 20 services in one repository, each service's watch every 10 minutes (issue 28).

Requests are counted at the GitHub emulator: exact, the same on every run. CPU times are not.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: tests.support

from bench import probe_concurrency_bench
from bench.github_budget import TOKEN, WINDOW, History
from ops_actions.incident.state_block import read_state, with_state
from ops_actions.sandbox.github import RULES, GitHubEmulator
from tests.support.busy_day import (
    FULL_DAY,
    HOURLY_BUDGET,
    OTHER_WATCHES,
    REPO,
    SERVICES_DAY,
    DayCounts,
    cli_requests,
    run_day,
)
from tests.support.events import comment_event

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
HISTORY = (0, 2_000, 20_000)
QUICK_HISTORY = (0, 2_000)
COMMENTS = (100, 1_000, 10_000)
INCIDENTS = 200
UNLIMITED = 10**9
"""The core limit of the history and timeline sections: they count requests, the day keeps the budget."""
TABLES = (
    "Requests against history",
    "Requests against timeline length",
    "Triage CPU against probes",
    "A busy day, hour by hour",
    "Twenty services, a busy day",
)
"""The headings of docs/performance.md, in order (tests/docs/test_performance_doc.py checks them)."""
ISSUE_HISTORY = {
    "`report --since 90d`": {0: "6", 2_000: "27", 20_000: "207"},
    "`status-page build`": {0: "211", 2_000: "2,232", 20_000: "20,412"},
}
ISSUE_TIMELINE = {"slash command": "108", "resolve": "212", "postmortem create": "105", "page build": "105"}
"""Issue 27's figures (main then, C = 10,000), beside this run's."""


def emulator_counting(clock: list[datetime]) -> GitHubEmulator:
    """An emulator whose job tokens are not held to the hourly budget: these sections count, only."""
    rules = [rule for rule in RULES if rule != "job-rate-limit"]
    return GitHubEmulator(
        repo=REPO,
        token=TOKEN,
        clock=lambda: clock[0],
        rate_limit=UNLIMITED,
        rules=rules,
    )


# -- history ------------------------------------------------------------------------------------


def history_rows(sizes: Sequence[int]) -> dict[str, dict[int, int]]:
    """Requests per operation at each history size."""
    rows: dict[str, dict[int, int]] = {}
    clock = [datetime.now(UTC) - WINDOW]
    with emulator_counting(clock) as emulator, tempfile.TemporaryDirectory() as scratch:
        history = History(emulator, clock)
        start = clock[0]
        for index in range(INCIDENTS):
            clock[0] = start + WINDOW * (index / (INCIDENTS + 10))
            history.incident(index)
        clock[0] = datetime.now(UTC)
        for size in sizes:
            history.grow(size)
            memory = Path(scratch) / f"memory-{size}.json"
            with_memory = {"OPS_TIMELINE_MEMORY": str(memory)}
            site = str(Path(scratch) / f"site-{size}")
            report = ["report", "--since", "90d", "--json"]
            for label, args, env in (
                ("`report --since 90d` (it reads no timeline: the memory changes nothing)", report, {}),
                ("`status-page build`, without the memory", ["status-page", "build", "--out", site], {}),
                (
                    "`status-page remember`, first run",
                    ["status-page", "remember", "--memory", str(memory)],
                    {},
                ),
                (
                    "`status-page build`, with the memory (warm)",
                    ["status-page", "build", "--out", site],
                    with_memory,
                ),
                (
                    "`status-page remember`, nothing changed",
                    ["status-page", "remember", "--memory", str(memory)],
                    {},
                ),
            ):
                started = time.perf_counter()
                spent = cli_requests(emulator, args, OPS_ACTIONS_NOW=clock[0].isoformat(), **env)
                took = time.perf_counter() - started
                print(
                    f"  H = {size:,}: {' '.join(args[:2])}: {len(spent):,} requests, {took:.0f} s",
                    file=sys.stderr,
                )
                rows.setdefault(label, {})[size] = len(spent)
        history.tracker.close()
    return rows


def history_table(rows: dict[str, dict[int, int]], sizes: Sequence[int]) -> list[str]:
    lines = [
        f"{INCIDENTS} resolved incidents in the 90-day window plus H legacy closed issues labelled "
        "`incident`, each with a person's comment; requests per run.",
        "",
        "| operation | " + " | ".join(f"H = {size:,}" for size in sizes) + " |",
        "|---" + "|---:" * len(sizes) + "|",
    ]
    for operation, figures in ISSUE_HISTORY.items():
        lines.append(f"| {operation}, issue 27 (main then) | " + " | ".join(figures[s] for s in sizes) + " |")
    for label, counts in rows.items():
        lines.append(f"| {label} | " + " | ".join(f"{counts[s]:,}" for s in sizes) + " |")
    return lines


# -- timeline length ----------------------------------------------------------------------------


def without_cursor(emulator: GitHubEmulator, number: int) -> None:
    """The incident's state block as one written before the cursor: the next read is in full."""
    body = emulator.issue(number)["body"]
    state = read_state(body)
    assert state is not None
    edited = with_state(body, replace(state, comments_read_until=None))
    token = emulator.mint_job_token({"issues": "write"})  # the tool's identity wrote it, as before
    answer = emulator.handle(
        "PATCH",
        f"/repos/{REPO}/issues/{number}",
        {"authorization": f"token {token}", "content-type": "application/json"},
        json.dumps({"body": edited}).encode(),
    )
    assert answer is not None and answer[0] == 200, answer


def timeline_counts(comments: int, remembered: bool) -> dict[str, int]:
    """Requests of each operation on one incident with ``comments`` people's comments, read once
    before (by a first /status); ``remembered``: with the memory (warm) and the block's cursor."""
    start = datetime(2026, 11, 27, 10, tzinfo=UTC)
    clock = [start]
    with emulator_counting(clock) as emulator, tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        emulator.set_permission("mona", "write")
        memory = scratch / "memory.json"
        env = {"OPS_TIMELINE_MEMORY": str(memory)} if remembered else {}

        def run(minutes: int, args: list[str], command: str | None = None) -> int:
            clock[0] = start + timedelta(minutes=minutes)
            if command is not None:  # a slash command: the comment, and the run its event starts
                env["GITHUB_EVENT_PATH"] = str(comment_event(emulator, scratch, number, command, "mona"))
            return len(cli_requests(emulator, args, OPS_ACTIONS_NOW=clock[0].isoformat(), **env))

        number = 0
        run(0, ["incident", "open", "--title", "Checkout failing", "--severity", "2"])
        number = max(issue["number"] for issue in emulator.issues())
        for index in range(comments):
            at = start + timedelta(minutes=1, seconds=3_540 * index / comments)
            emulator.add_comment(
                number, body=f"still failing for customer {index}", user="hubot", created_at=at
            )
        run(61, ["command"], "/status mitigating next 30m rolling back")
        if remembered:
            run(62, ["status-page", "remember", "--memory", str(memory)])
        clock[0] = start + timedelta(minutes=63)
        emulator.add_comment(number, body="better now", user="hubot")
        steps = {
            "slash command": ["command"],
            "page build": ["status-page", "build", "--out", str(scratch / "site")],
            "resolve": ["incident", "resolve", str(number), "--force", "--reason", "checked by hand"],
            "postmortem create": ["postmortem", "create", str(number)],
        }
        counts: dict[str, int] = {}
        for minutes, (operation, args) in enumerate(steps.items(), start=64):
            if not remembered:
                without_cursor(emulator, number)
            slash = "/status mitigating next 45m fix deployed" if operation == "slash command" else None
            counts[operation] = run(minutes, args, slash)
    return counts


def timeline_table(comments: Sequence[int]) -> list[str]:
    measured = {
        (c, remembered): timeline_counts(c, remembered) for c in comments for remembered in (False, True)
    }
    head = " | ".join(f"C = {c:,}, without | C = {c:,}, with" for c in comments)
    lines = [
        "One incident with C people's comments, read once before; requests per run. Without: no timeline "
        "memory and a state block without the cursor (as before); with: the memory (warm) and the cursor.",
        "",
        f"| operation | {head} | issue 27 (main then), C = 10,000 |",
        "|---" + "|---:" * (2 * len(comments) + 1) + "|",
    ]
    for operation, figure in ISSUE_TIMELINE.items():
        cells = " | ".join(
            f"{measured[c, False][operation]:,} | {measured[c, True][operation]:,}" for c in comments
        )
        lines.append(f"| {operation} | {cells} | {figure} |")
    return lines


# -- probes and the day -------------------------------------------------------------------------


def probes_table() -> list[str]:
    lines = [
        "This thread's CPU for one round of the probes (median of "
        f"{probe_concurrency_bench.ROUNDS}), all at once beside the playbook's bounded default.",
        "",
    ]
    return lines + probe_concurrency_bench.table(*probe_concurrency_bench.measure())


def day_table(day: DayCounts, before: DayCounts) -> list[str]:
    """The day with the timeline memory, beside the same day without it (the tool before it)."""
    busiest, peak = day.busiest
    lines = [
        f"The simulated day ({FULL_DAY.describe()}): the watch every 10 minutes, the status page "
        "hourly (its build and its remember job) and in every run that changes the incident, 20 slash "
        "commands on the outage at 10:00, the postmortem's 10 action items synced at 11:05. "
        f"The outage's incident ends {day.incident_state}; {day.action_items} action items synced. "
        "Without the memory: no remember job, every page build reads every timeline in the window.",
        "",
        f"| hour | requests, with the memory | share of {HOURLY_BUDGET:,} | requests, without it | share |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {hour:02d}:00 | {count:,} | {count / HOURLY_BUDGET:.1%} | {before.per_hour[hour]:,} "
        f"| {before.per_hour[hour] / HOURLY_BUDGET:.1%} |"
        for hour, count in day.per_hour.items()
    ]
    lines += ["", "| runs | requests in the day, with the memory | without it |", "|---|---:|---:|"]
    sources = {**day.by_source, **before.by_source}
    lines += [
        f"| {source} | {day.by_source.get(source, 0):,} | {before.by_source.get(source, 0):,} |"
        for source in sources
    ]
    verdict = "at or under" if peak <= HOURLY_BUDGET // 2 else "OVER"
    lines += [
        "",
        f"Busiest hour {busiest:02d}:00-{busiest + 1:02d}:00: {peak:,} requests = "
        f"{peak / HOURLY_BUDGET:.1%} of the budget, {verdict} half of it; without the memory "
        f"{max(before.per_hour.values()):,} (issue 27, main then: ~3,200 in a busy hour).",
    ]
    return lines


def busy_days(scratch: Path) -> list[str]:
    return day_table(
        run_day(FULL_DAY, scratch / "with-memory"),
        run_day(replace(FULL_DAY, remembered=False), scratch / "without-memory"),
    )


def services_table(day: DayCounts) -> list[str]:
    """The day over 20 services: each hour's requests, and those GitHub counts (GET /rate_limit is free)."""
    busiest, peak = day.busiest
    counted = {hour: count - day.free_per_hour[hour] for hour, count in day.per_hour.items()}
    lines = [
        f"The simulated day over a playbook of {SERVICES_DAY.services} services in one repository "
        f"({SERVICES_DAY.describe()}): each service's watch every 10 minutes with its own history, as "
        "the triage matrix runs it (a job per service, one workflow run a tick); the first service's "
        "outage, its commands, war room and postmortem as in the day above; the page built once by "
        "each run that changes the incident, and hourly. Every job has a job token that shares the "
        f"repository's {HOURLY_BUDGET:,} requests an hour: the emulator refuses the one over.",
        "",
        f"| hour | requests sent | counted by GitHub (not GET /rate_limit) | share of {HOURLY_BUDGET:,} |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| {hour:02d}:00 | {count:,} | {counted[hour]:,} | {counted[hour] / HOURLY_BUDGET:.1%} |"
        for hour, count in day.per_hour.items()
    ]
    lines += ["", "| runs | jobs in the day | requests | per job |", "|---|---:|---:|---:|"]
    lines += [
        f"| {source} | {jobs:,} | {day.by_source[source]:,} | {day.by_source[source] / jobs:.1f} |"
        for source, jobs in day.jobs_by_source.items()
    ]
    others = day.by_source[OTHER_WATCHES] // len(day.per_hour)  # the same every hour
    lines += [
        "",
        f"Busiest hour {busiest:02d}:00-{busiest + 1:02d}:00: {peak:,} requests sent, "
        f"{counted[busiest]:,} counted = {counted[busiest] / HOURLY_BUDGET:.1%} of one GITHUB_TOKEN's "
        f"{HOURLY_BUDGET:,}. What dominates it is the healthy services' watches, about {others:,} "
        "requests an hour whatever happens: each tick of each reads GET /rate_limit (free), lists "
        "the incidents closed lately and the open ones of its service (a label each), and once an "
        "hour the open postmortems; the outage's own runs add the rest.",
    ]
    return lines


# -- the document -------------------------------------------------------------------------------


def machine() -> str:
    return (
        f"{platform.system()} {platform.release()} on {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )


def document(tables: dict[str, list[str]], quick: bool) -> str:
    """docs/performance.md from one run's tables."""
    run = "python -m bench.performance --write-docs" + (" --quick" if quick else "")
    parts = [
        "# Performance",
        "",
        f"<!-- generated by `{run}`: do not edit by hand, run it again -->",
        "",
        f"Generated by `{run}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        "",
        f"Machine: {machine()}.",
        "",
        "The numbers are of one run on a shared machine. Request counts are counted at the GitHub "
        "emulator (ops_actions/sandbox/github): they are exact, and the same on every run, so the "
        "request tables are stable; CPU times vary from run to run and machine to machine. The tables "
        "stand beside the figures issue 27 measured on `main` before the timeline memory, the state "
        "block's cursor and bounded probe concurrency.",
        "",
    ]
    for title, lines in tables.items():
        parts += [f"## {title}", "", *lines, ""]
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.performance", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="history up to H = 2,000 only")
    parser.add_argument("--write-docs", action="store_true", help=f"write {DOC.name} from this run")
    options = parser.parse_args(argv)
    sizes = QUICK_HISTORY if options.quick else HISTORY
    sections: dict[str, Callable[[], list[str]]] = {
        TABLES[0]: lambda: history_table(history_rows(sizes), sizes),
        TABLES[1]: lambda: timeline_table(COMMENTS),
        TABLES[2]: probes_table,
        TABLES[3]: lambda: busy_days(Path(scratch)),
        TABLES[4]: lambda: services_table(run_day(SERVICES_DAY, Path(scratch) / "services")),
    }
    tables: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for title, section in sections.items():
            started = time.perf_counter()
            tables[title] = section()
            took = time.perf_counter() - started
            print(f"## {title}\n\n" + "\n".join(tables[title]) + f"\n\n({took:.0f} s)\n", flush=True)
    if options.write_docs:
        DOC.write_text(document(tables, options.quick), encoding="utf-8")
        print(f"wrote {DOC.relative_to(DOC.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
