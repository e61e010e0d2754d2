"""The incident report, checked against a hand-computed fixture of 20 incidents (and one too old)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ops_actions.adapters.github_tracker import ACTIONS_BOT
from ops_actions.cli import run
from ops_actions.incident.clock import iso
from ops_actions.incident.figures import IncidentRecord, PostmortemRecord, build_report, report_markdown
from ops_actions.incident.postmortem import PostmortemState, action_items, with_postmortem_state
from ops_actions.incident.state import IncidentState
from ops_actions.incident.state_block import state_delta, with_state
from ops_actions.incident.transitions import assign_owner
from ops_actions.playbook import Playbook, load_playbook
from ops_actions.sandbox.github import GitHubEmulator
from tests.support.fixtures.github import GITHUB_TOKEN, REPO
from tests.support.mermaid_check import mermaid_errors

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
# number: (severity, components, minutes to acknowledge, mitigate, resolve, postmortem)
# postmortem: "on time" (closed 20 h after resolution), "late" (30 h), "open", or None.
INCIDENTS: dict[int, tuple[str, list[str], int | None, int | None, int | None, str | None]] = {
    1: ("SEV-1", ["billing"], 5, 20, 60, "on time"),
    2: ("SEV-1", ["billing", "stripe webhook"], 2, 10, 30, "late"),
    3: ("SEV-2", ["worker", "jobs"], 10, 30, 90, "on time"),
    4: ("SEV-2", ["jobs"], 15, 45, 120, "open"),
    5: ("SEV-2", ["jobs"], 8, 25, 80, "on time"),
    6: ("SEV-3", [], 30, 60, 240, None),
    7: ("SEV-3", ["auth"], 20, 40, 200, None),
    8: ("SEV-2", ["worker"], 12, 35, 100, "on time"),
    9: ("SEV-1", ["auth"], 3, 15, 45, "on time"),
    10: ("SEV-2", ["stripe webhook"], 6, 22, 70, "late"),
    11: ("SEV-3", ["billing"], 25, 50, 300, None),
    12: ("SEV-2", ["jobs"], 9, 28, 85, "on time"),
    13: ("SEV-2", ["worker", "jobs"], 11, 33, 95, "open"),
    14: ("SEV-1", ["billing"], 4, 12, 40, "on time"),
    15: ("SEV-3", ["jobs"], 40, 80, 400, None),
    16: ("SEV-2", ["auth"], 7, 20, 75, "on time"),
    17: ("SEV-2", [], 14, None, None, None),
    18: ("SEV-1", ["billing"], None, None, None, None),
    19: ("SEV-3", ["jobs"], 18, None, None, None),
    20: ("SEV-2", ["worker"], 1, 5, 15, "on time"),
    21: ("SEV-1", ["billing"], 1, 2, 3, "on time"),  # opened 100 days ago: outside --since 90d
}
ACTIONS = {
    1: "- [x] a — @alice — due 2026-11-01\n- [ ] b — @bob — due 2026-12-10",
    2: "- [ ] c — @carol — due 2026-11-20",
    3: "- [x] d — @dave — due 2026-10-01",
    4: "- [ ] e — @erin — due 2026-11-26\n- [ ] action — @owner — due YYYY-MM-DD",
    13: "- [ ] f — @frank — due 2026-11-27",
    20: "- [ ] g",
    21: "- [ ] old — @zed — due 2026-01-01",
}
# Worked out by hand from the table above (see the comments for the sorted values).
EXPECTED = {
    "incidents": {
        "total": 20,
        "open": 3,
        "by_severity": {"SEV-1": 5, "SEV-2": 10, "SEV-3": 5},
        "by_component": {
            "auth": 3,
            "billing": 5,
            "jobs": 7,
            "stripe webhook": 2,
            "unspecified": 2,
            "worker": 4,
        },
    },
    "minutes_to": {
        # 1 2 3 4 5 6 7 8 9 [10] 11 12 14 15 18 20 25 [30] 40 -> median 10, p90 rank 18 = 30
        "acknowledge": {"count": 19, "median": 10.0, "p90": 30.0},
        # 5 10 12 15 20 20 22 25 [28] 30 33 35 40 45 50 [60] 80 -> median 28, p90 rank 16 = 60
        "mitigate": {"count": 17, "median": 28.0, "p90": 60.0},
        # 15 30 40 45 60 70 75 80 [85] 90 95 100 120 200 240 [300] 400 -> median 85, p90 rank 16 = 300
        "resolve": {"count": 17, "median": 85.0, "p90": 300.0},
    },
    "postmortems": {
        "expected": 17,
        "created": 13,
        "missing": 4,
        "completed_on_time": 9,
        "completed_late": 2,
        "open": 2,
    },
    # a..g; the template's example line is not an item; c and e are overdue, f is due today
    "action_items": {"total": 7, "done": 2, "open": 5, "overdue": 2},
}


def fixture_records(playbook: Playbook) -> tuple[list[IncidentRecord], list[PostmortemRecord]]:
    """The table above as the report reads it."""
    incidents, postmortems = [], []
    for number, (severity, components, tta, ttm, ttr, pm) in INCIDENTS.items():
        opened = NOW - timedelta(days=100 if number == 21 else number, hours=3)

        def at(minutes: int | None, opened: datetime = opened) -> str | None:
            return iso(opened + timedelta(minutes=minutes)) if minutes is not None else None

        state = IncidentState(
            key=f"incident-{number}",
            title=f"Incident {number}",
            severity=severity,
            status="resolved" if ttr else "investigating",
            opened_at=iso(opened),
            acknowledged_at=at(tta),
            mitigated_at=at(ttm),
            resolved_at=at(ttr),
            components=components,
        )
        incidents.append(IncidentRecord(number, state))
        if pm is not None and ttr is not None:
            resolved = opened + timedelta(minutes=ttr)
            closed = {"on time": resolved + timedelta(hours=20), "late": resolved + timedelta(hours=30)}.get(
                pm
            )
            body = "### Preventive actions\n\n" + ACTIONS.get(number, "") + "\n"
            items, _ = action_items(body, playbook)
            postmortems.append(
                PostmortemRecord(100 + number, number, resolved + timedelta(hours=24), closed, items)
            )
    return incidents, postmortems


def test_report_figures_match_the_hand_computed_fixture() -> None:
    """Counts, medians, nearest-rank p90s, postmortem punctuality and action items, exactly."""
    playbook = load_playbook(None)
    incidents, postmortems = fixture_records(playbook)
    figures = build_report(playbook, incidents, postmortems, since=NOW - timedelta(days=90), now=NOW)
    for section, expected in EXPECTED.items():
        assert figures[section] == expected, section


def test_report_markdown_has_the_figures_and_a_parsing_pie() -> None:
    """The Markdown names the figures and its Mermaid pie parses."""
    playbook = load_playbook(None)
    incidents, postmortems = fixture_records(playbook)
    figures = build_report(playbook, incidents, postmortems, since=NOW - timedelta(days=90), now=NOW)
    markdown = report_markdown(figures)
    assert "**20** incidents (3 still open)." in markdown
    assert "| resolve | 85 min | 300 min | 17 |" in markdown
    assert "9 completed on time, 2 late, 2 open, 4 missing." in markdown
    assert "7 (2 done, 5 open, 2 overdue)" in markdown
    diagram = markdown.split("```mermaid\n", 1)[1].split("\n```", 1)[0]
    assert mermaid_errors([diagram]) == [None]


def test_report_command_reads_incidents_and_postmortems_from_github(
    github_emulator: GitHubEmulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`ops-actions report --json` lists both labels on the emulator and counts what it finds there."""
    for name, value in {
        "GITHUB_API_URL": github_emulator.url,
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_TOKEN": GITHUB_TOKEN,
    }.items():
        monkeypatch.setenv(name, value)
    playbook = load_playbook(None)
    incidents, _ = fixture_records(playbook)
    for record in incidents[:5]:
        closed = record.state.resolved_at is not None
        github_emulator.add_issue(
            title=f"[{record.state.severity}] {record.state.title}",
            body=with_state("", record.state),
            labels=["incident", playbook.severity(record.state.severity).label],
            state="closed" if closed else "open",
        )
    pm = PostmortemState(incident=1, due=iso(NOW))
    github_emulator.add_issue(
        title="Postmortem",
        labels=["postmortem"],
        body=with_postmortem_state("### Preventive actions\n\n" + ACTIONS[1] + "\n", pm),
    )
    monkeypatch.setenv("OPS_ACTIONS_NOW", iso(datetime.now(UTC)))
    assert run(["report", "--since", "90d", "--json"]) == 0
    figures: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert figures["incidents"]["total"] == 5
    assert figures["incidents"]["by_severity"] == {"SEV-1": 2, "SEV-2": 3, "SEV-3": 0}
    assert figures["postmortems"]["created"] == 1
    assert figures["action_items"]["total"] == 2
    assert run(["report", "--since", "forever"]) == 2


def test_report_reads_comments_only_where_the_listing_cannot_show_the_figures(
    github_emulator: GitHubEmulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Three incidents the tool resolved, thanked in a comment afterwards; two issues closed by hand that
    the tool never saved (a comment each); one a person opened and the tool updated. Only the last
    one's comments are read: the tool's blocks hold the figures, and the issues without any marker
    hold none of the tool's entries. Those closed by hand count as resolved when they were closed."""
    for name, value in {
        "GITHUB_API_URL": github_emulator.url,
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_TOKEN": GITHUB_TOKEN,
        "OPS_ACTIONS_NOW": iso(datetime.now(UTC)),
    }.items():
        monkeypatch.setenv(name, value)
    playbook = load_playbook(None)
    opened = datetime.now(UTC) - timedelta(days=3)
    for record in fixture_records(playbook)[0][:3]:
        state = replace(record.state, opened_at=iso(opened))
        number = github_emulator.add_issue(
            title=f"[{state.severity}] {state.title}",
            body=with_state("", state),
            labels=["incident", playbook.severity(state.severity).label],
            state="closed",
            user=ACTIONS_BOT,
        )
        github_emulator.add_comment(number, body="Thanks, all.", user="mona")
    for _ in range(2):
        number = github_emulator.add_issue(
            title="[SEV-3] Slow search", labels=["incident", "sev-3"], state="closed", user="mona"
        )
        github_emulator.add_comment(number, body="Closing: it recovered.", user="mona")
    state = IncidentState(
        key="queue", title="Queue", severity="SEV-2", status="investigating", opened_at=iso(opened)
    )
    owned, event = assign_owner(state, owner="mona", now=opened, by=None, key="k1")
    managed = github_emulator.add_issue(
        title="[SEV-2] Queue",
        body=with_state("Opened by hand.", state),
        labels=["incident", "sev-2"],
        user="mona",
    )
    marked = replace(event, delta=state_delta(state, owned)).markdown()
    github_emulator.add_comment(managed, body=marked, user=ACTIONS_BOT)
    github_emulator.reset_log()
    assert run(["report", "--since", "90d", "--json"]) == 0
    figures: dict[str, Any] = json.loads(capsys.readouterr().out)
    read = [r.path for r in github_emulator.requests if r.path.endswith("/comments")]
    assert read == [f"/repos/{REPO}/issues/{managed}/comments"]
    assert figures["incidents"]["total"] == 6
    assert figures["incidents"]["open"] == 1, "the issues closed by hand ended when they were closed"
    assert figures["minutes_to"]["acknowledge"]["count"] == 4, "three blocks, and the replayed comment"
