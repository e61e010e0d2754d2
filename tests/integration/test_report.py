"""The incident report, checked against a hand-computed fixture of 20 incidents (and one too old)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ops_actions.adapters.github_tracker import ACTIONS_BOT
from ops_actions.cli import run
from ops_actions.incident.clock import iso
from ops_actions.incident.figures import build_report, report_markdown
from ops_actions.incident.postmortem import PostmortemState, with_postmortem_state
from ops_actions.incident.state import IncidentState
from ops_actions.incident.state_block import state_delta, with_state
from ops_actions.incident.transitions import assign_owner
from ops_actions.playbook import load_playbook
from ops_actions.sandbox.github import GitHubEmulator
from tests.support.fixtures.github import REPO, point_cli_at
from tests.support.fixtures.world import World
from tests.support.mermaid_check import mermaid_errors
from tests.support.report_records import ACTIONS, NOW, fixture_records
from tests.support.services import two_service_playbook


def test_report_markdown_has_the_figures_and_a_parsing_pie() -> None:
    """The Markdown names the figures and its Mermaid pie parses."""
    playbook = load_playbook(None)
    incidents, postmortems = fixture_records(playbook)
    figures = build_report(playbook, incidents, postmortems, since=NOW - timedelta(days=90), now=NOW)
    markdown = report_markdown(figures)
    assert "**20** incidents (3 still open; 0 false alarms left out)." in markdown
    assert "| resolve | 85 min | 300 min | 17 |" in markdown
    assert "9 completed on time, 2 late, 2 open, 4 missing." in markdown
    assert "7 (2 done, 5 open, 2 overdue)" in markdown
    diagram = markdown.split("```mermaid\n", 1)[1].split("\n```", 1)[0]
    assert mermaid_errors([diagram]) == [None]


def test_report_command_reads_incidents_and_postmortems_from_github(
    github_emulator: GitHubEmulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`ops-actions report --json` lists both labels on the emulator and counts what it finds there."""
    point_cli_at(github_emulator, monkeypatch)
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
    point_cli_at(github_emulator, monkeypatch, OPS_ACTIONS_NOW=iso(datetime.now(UTC)))
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


def test_report_by_service_over_the_emulator_and_one_services_report(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Incidents of two services and one a person opened with no service label: the figures of each
    service and of "No service", from the one listing; --service lists that service's label only."""
    world.monkeypatch.setenv("OPS_PLAYBOOK", str(two_service_playbook(tmp_path)))
    for minute, (service, severity) in enumerate([("api", "1"), ("api", "2"), ("worker", "2")]):
        opened = ["incident", "open", "--service", service, "--title", f"T{minute}", "--severity", severity]
        assert world.cli(minute, *opened) == 0
    world.emulator.set_permission("alice", "write")
    assert world.cli(10, "incident", "assign", "1", "@alice") == 0  # an owner: acknowledged
    assert world.cli(40, "incident", "resolve", "1", "--force", "--reason", "smoke runner down") == 0
    assert world.cli(62, "incident", "resolve", "3", "--force", "--reason", "smoke runner down") == 0
    world.emulator.add_issue(title="[SEV-3] Slow search", labels=["incident", "sev-3"], user="mona")
    capsys.readouterr()

    world.emulator.reset_log()
    assert world.cli(70, "report", "--by", "service", "--json") == 0
    figures: dict[str, Any] = json.loads(capsys.readouterr().out)
    listed = [r.query.get("labels") for r in world.emulator.requests if r.path == f"/repos/{REPO}/issues"]
    assert listed == ["incident", "postmortem"], "one listing for every service"
    groups = {group["name"]: group for group in figures["by_service"]}
    assert list(groups) == ["Billing API", "Job worker", "No service"]
    api, worker, other = groups.values()
    assert (api["service"], api["incidents"], api["open"]) == ("api", 2, 1)
    assert api["minutes_to"]["acknowledge"] == {"count": 1, "median": 10.0, "p90": 10.0}
    assert api["by_severity"]["SEV-1"]["minutes_to"]["resolve"] == {"count": 1, "median": 40.0, "p90": 40.0}
    assert worker["by_severity"]["SEV-2"]["minutes_to"]["resolve"]["median"] == 60.0
    assert (other["service"], other["incidents"], other["open"]) == (None, 1, 1)

    assert world.cli(71, "report", "--by", "service") == 0
    row = "| Job worker | SEV-2 | 1 | 0 | 60 min / 60 min | 60 min / 60 min | 60 min / 60 min |"
    assert row in capsys.readouterr().out

    world.emulator.reset_log()
    assert world.cli(72, "report", "--service", "worker", "--json") == 0
    figures = json.loads(capsys.readouterr().out)
    listed = [r.query.get("labels") for r in world.emulator.requests if r.path == f"/repos/{REPO}/issues"]
    assert listed == ["incident,service:worker", "postmortem"], "GitHub filters by the service's label"
    assert figures["incidents"]["total"] == 1 and figures["incidents"]["by_severity"]["SEV-2"] == 1
    assert "by_service" not in figures


def test_report_by_service_of_a_playbook_of_one_service_is_a_usage_error(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    world.emulator.reset_log()
    assert world.cli(0, "report", "--by", "service") == 2
    assert (
        capsys.readouterr().err.splitlines()[-1]
        == "ops-actions: error: --by service: the playbook declares no services"
    )
    assert not [r for r in world.emulator.requests if r.path.endswith("/issues")], "refused before reading"
