"""Memory of `report --since 90d` in the history's size (issue 27, item 3), side by side in one run.

Run: .venv/bin/python bench/history_memory_bench.py [H ...]   (default: 2000 20000)

With H closed incident issues opened long before the period but updated within it (each with a
1.4 KB body, as the legacy issues of issue 27's table: listed, never counted), the report's records are
built twice over the GitHub emulator: as before (the listing read whole into a list, PyGithub's
PaginatedList keeping every issue it fetched, as `GitHubTracker.issues` did), and as now (the
tracker's generator over one list page at a time, consumed once by `build_report`). Both print
the peak memory tracemalloc traced, and the ratio; the emulator serves in this process, so its own
rendering of one page is in both figures alike.
"""

from __future__ import annotations

import sys
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from ops_actions.adapters.config import GitHubConfig
from ops_actions.adapters.github_tracker import GitHubTracker
from ops_actions.adapters.github_tracker.records import IssueData, is_pull_request, issue_data_from
from ops_actions.flows.incidents import IncidentService
from ops_actions.flows.postmortems import collect_records
from ops_actions.incident.figures import IncidentRecord, build_report
from ops_actions.incident.labels import INCIDENT_LABEL
from ops_actions.playbook import load_playbook
from ops_actions.sandbox.github import GitHubEmulator

REPO = "octo-org/backend"
TOKEN = "bench-token-0123456789abcdef"
BODY = "What happened, long ago.\n\n" + "Notes. " * 200


def listed_whole(tracker: GitHubTracker, since: datetime) -> list[IssueData]:
    """The listing as `GitHubTracker.issues` read it before: every issue, in one list."""
    listed = tracker._repo.get_issues(state="all", labels=[INCIDENT_LABEL], since=since)
    return [issue_data_from(issue) for issue in listed if not is_pull_request(issue)]


def peak(action: Callable[[], Any]) -> tuple[int, Any]:
    """The peak traced memory while ``action`` runs, and what it returned."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        result = action()
        return tracemalloc.get_traced_memory()[1], result
    finally:
        tracemalloc.stop()


def measure(history: int) -> tuple[int, int]:
    playbook = load_playbook(None)
    with GitHubEmulator(repo=REPO, token=TOKEN) as emulator:
        long_ago = datetime.now(UTC) - timedelta(days=400)
        for i in range(history):
            number = emulator.add_issue(
                title=f"[SEV-3] old incident {i}",
                body=BODY,
                labels=["incident", "sev-3"],
                state="closed",
                created_at=long_ago,
            )
            emulator.add_comment(number, body="Still relevant?", user="octocat")  # updated lately
        config = GitHubConfig(api_url=emulator.url, repository=REPO, token=TOKEN, write_interval_s=0)
        tracker = GitHubTracker.from_config(config)
        incidents = IncidentService(tracker, playbook, clock=lambda: datetime.now(UTC))
        now = datetime.now(UTC) + timedelta(minutes=1)
        since = now - timedelta(days=90)

        def before() -> dict[str, Any]:
            records = [
                IncidentRecord(i.number, incidents.recorded_state(i)) for i in listed_whole(tracker, since)
            ]
            return build_report(playbook, records, [], since=since, now=now)

        def after() -> dict[str, Any]:
            records, postmortems = collect_records(tracker, incidents, since=since)
            return build_report(playbook, records, postmortems, since=since, now=now)

        old, old_figures = peak(before)
        new, new_figures = peak(after)
        tracker.close()
    assert old_figures["incidents"]["total"] == new_figures["incidents"]["total"] == 0
    return old, new


def main(histories: list[int]) -> None:
    print("| H | before (peak MB) | now (peak MB) | before / now |")
    print("|---|---|---|---|")
    rows = []
    for history in histories:
        old, new = measure(history)
        rows.append((history, old, new))
        print(f"| {history:,} | {old / 1e6:.1f} | {new / 1e6:.1f} | {old / new:.1f}x |", flush=True)
    if len(rows) > 1:
        (h1, o1, n1), (h2, o2, n2) = rows[0], rows[-1]
        grew = f"before grew {o2 / o1:.1f}x, now {n2 / n1:.1f}x"
        print(f"\nH {h1:,} -> {h2:,} ({h2 / h1:.0f}x the history): {grew}")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [2000, 20000])
