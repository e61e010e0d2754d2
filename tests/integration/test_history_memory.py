"""Memory flat in history (issue 27, item 3): `report` and `status-page build` read the incident
listings a page at a time and keep only what they show.

Measured by counting, not by sampling memory: at every request the emulator answers (it serves in
this process, while the CLI waits for the answer), the issue objects alive are counted, PyGithub's
and the tracker's. With hundreds of issues in the window, no more than one list page of them may be
alive at once.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from github.Issue import Issue

from ops_actions.adapters.github_tracker.records import IssueData
from ops_actions.adapters.github_tracker.session import PAGE_SIZE
from ops_actions.cli import run
from ops_actions.incident.clock import iso
from ops_actions.sandbox.github import Exchange, GitHubEmulator
from tests.support.fixtures.github import point_cli_at

HISTORY = 450  # closed incidents in the window: five list pages of a hundred


def seed_history(emulator: GitHubEmulator) -> None:
    """Closed incident issues the tool never saved, with bodies, updated within the window."""
    for i in range(HISTORY):
        emulator.add_issue(
            title=f"Old outage {i}",
            body=f"What happened, long ago ({i}).\n\n" + "Notes. " * 200,
            labels=["incident", "sev-2"],
            state="closed",
        )


@contextmanager
def issues_alive(emulator: GitHubEmulator) -> Iterator[list[int]]:
    """The count of issue objects (PyGithub's ``Issue``, the tracker's ``IssueData``) alive when
    each list page of issues is asked for, in order."""
    counts: list[int] = []

    def count(exchange: Exchange) -> None:
        if exchange.method == "GET" and exchange.path.endswith("/issues"):
            counts.append(sum(isinstance(o, Issue | IssueData) for o in gc.get_objects()))

    emulator.add_listener(count)
    try:
        yield counts
    finally:
        emulator.remove_listener(count)


def test_report_holds_one_list_page_of_issues_at_most(
    github_emulator: GitHubEmulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`report --since 90d` over 450 issues: six list pages, never more than a page of issues alive
    (a list of them all would hold 400 by the last page), and every issue counted."""
    seed_history(github_emulator)
    point_cli_at(github_emulator, monkeypatch, OPS_ACTIONS_NOW=iso(datetime.now(UTC) + timedelta(minutes=1)))
    gc.collect()
    with issues_alive(github_emulator) as counts:
        assert run(["report", "--since", "90d"]) == 0
    assert f"**{HISTORY}** incidents" in capsys.readouterr().out
    assert len(counts) == 5 + 1  # the incidents' pages, then the postmortems' one
    assert max(counts) <= PAGE_SIZE + 1, counts  # the page being read, and the issue in hand


def test_page_build_holds_one_list_page_of_issues_at_most(
    github_emulator: GitHubEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`status-page build` over the same history: the past incidents are all on the page, and no more
    than a page of issues is alive at any list request."""
    seed_history(github_emulator)
    point_cli_at(github_emulator, monkeypatch, OPS_ACTIONS_NOW=iso(datetime.now(UTC) + timedelta(minutes=1)))
    gc.collect()
    with issues_alive(github_emulator) as counts:
        assert run(["status-page", "build", "--out", str(tmp_path / "site")]) == 0
    pages = sorted((tmp_path / "site" / "incidents").glob("*.html"))
    assert len(pages) == HISTORY
    # postmortems, the open incidents, the open ad hoc maintenance windows, the window's five pages
    assert len(counts) == 1 + 1 + 1 + 5
    assert max(counts) <= PAGE_SIZE + 1, counts  # the page being read, and the issue in hand
