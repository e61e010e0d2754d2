"""Alert intake over real HTTP: a repository_dispatch payload -> triage -> the one open incident."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ops_actions.cli import run
from ops_actions.incident.state_block import read_state
from ops_actions.sandbox.github import GitHubEmulator
from tests.support.cli import error_line
from tests.support.events import recorded_alert
from tests.support.fixtures.github import GITHUB_TOKEN, REPO, point_cli_at
from tests.support.fixtures.world import World
from tests.support.services import split_services

OURS = {
    "source": "uptime-check",
    "title": "Checkout returns 502",
    "severity": "critical",
    "component": "billing",
    "dedupe_key": "checkout-502",
    "link": "https://status.example.invalid/x",
    "status": "firing",
}


@pytest.mark.seed(12)
def test_a_firing_alert_opens_an_incident_even_when_triage_is_clean(world: World) -> None:
    """The monitor saw something triage cannot: the incident opens at the alert's severity, with its link."""
    assert world.alert(0, OURS) == 0
    (issue,) = world.issues(state="open")
    assert issue["title"] == "[SEV-1] Checkout returns 502"
    assert "uptime-check" in issue["body"] and "https://status.example.invalid/x" in issue["body"]
    state = read_state(issue["body"])
    assert state is not None
    assert state.components == ["billing"]
    assert state.alerts == {"checkout-502": "firing"}


def test_a_duplicate_alert_and_a_triage_run_for_the_same_cause_do_not_duplicate(world: World) -> None:
    """The same alert again, then a failing scheduled triage: still one incident, no repeated entry."""
    world.backend.set_scenario("webhook-failing")
    assert world.alert(0, OURS) == 0
    assert world.alert(1, OURS) == 0
    assert world.watch(10) == 0
    (issue,) = world.issues(state="open")
    timeline = world.timeline(issue["number"])
    assert not any(entry.startswith("**Alert firing**") for entry in timeline), "the opening already says so"
    assert issue["title"] == "[SEV-1] Stripe webhooks failing"


def test_a_resolved_alert_starts_the_recovery_clock_and_closes_nothing(world: World) -> None:
    """Resolved goes on the timeline, 'normal' starts counting, the incident stays open."""
    assert world.alert(0, OURS) == 0
    assert world.alert(5, {**OURS, "status": "resolved"}) == 0
    (issue,) = world.issues(state="open")
    resolved = [e for e in world.timeline(issue["number"]) if e.startswith("**Alert resolved**")]
    assert len(resolved) == 1
    assert "the 'normal for N min' clock runs from now" in resolved[0]
    state = read_state(world.emulator.issue(issue["number"])["body"])
    assert state is not None
    assert state.clear_since == "2026-11-27T10:05:00Z"
    assert state.alerts == {"checkout-502": "resolved"}
    assert world.alert(6, {**OURS, "status": "resolved"}) == 0
    assert len([e for e in world.timeline(issue["number"]) if e.startswith("**Alert resolved**")]) == 1


def test_an_alertmanager_group_of_three_is_one_incident_at_its_worst_severity(world: World) -> None:
    """Three grouped alerts (warning, critical, warning) open one SEV-1 incident keyed by the group."""
    assert world.alert(0, recorded_alert("alertmanager-grouped.json")) == 0
    (issue,) = world.issues(state="open")
    assert issue["title"] == "[SEV-1] Checkout requests failing (3 alerts)"
    state = read_state(issue["body"])
    assert state is not None
    assert state.alerts == {'{}/{team="backend"}:{alertname="CheckoutErrors"}': "firing"}
    assert state.components == ["billing"]


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({"hello": "world"}, "unknown payload shape"),
        ([1, 2, 3], "must be a JSON object"),
        ({"title": "x", "status": "maybe"}, "status must be one of"),
        ({"title": "x", "severity": "apocalyptic"}, "severity 'apocalyptic'"),
        ({"title": "x", "component": "mainframe"}, "not in the playbook's scope"),
        ({"title": "x", "link": "javascript:alert(1)"}, "http(s) URL"),
        ({"version": "4", "status": "firing", "alerts": []}, "has no alerts"),
        ({"title": "x" * 70_000}, "larger than 65536 bytes"),
    ],
)
def test_malformed_and_oversized_payloads_are_rejected_before_any_write(
    world: World, capsys: pytest.CaptureFixture[str], payload: Any, reason: str
) -> None:
    """Exit 2 with the reason; GitHub sees no write at all."""
    world.emulator.reset_log()
    assert world.alert(0, payload) == 2
    assert reason in capsys.readouterr().err
    assert not any(r.is_write for r in world.emulator.requests)


def test_alert_rejection_reaches_the_job_summary(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside Actions the reason is also an ::error annotation and a job-summary entry."""
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert world.alert(0, {"hello": "world"}) == 2
    assert "alert rejected: unknown payload shape" in summary.read_text(encoding="utf-8")


def test_send_alert_posts_the_dispatch_and_dry_run_shows_it(
    github_emulator: GitHubEmulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`send-alert` posts ops-alert with our payload; --dry-run prints the request in one line, -v the
    exact request (headers and JSON body), and sends nothing."""
    point_cli_at(github_emulator, monkeypatch)
    argv = ["send-alert", "--title", "Queue stuck", "--severity", "warning", "--dedupe-key", "queue"]
    assert run([*argv, "--dry-run"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"[dry-run] POST {github_emulator.url}/repos/{REPO}/dispatches — raise the alert 'Queue stuck'",
        "dry run: nothing was written",
    ]
    assert run([*argv, "--dry-run", "--verbose"]) == 0
    out = capsys.readouterr().out
    assert "Authorization: Bearer ${GITHUB_TOKEN}" in out and '"dedupe_key": "queue"' in out
    assert GITHUB_TOKEN not in out
    assert github_emulator.repository_dispatches() == []
    assert run(argv) == 0
    (sent,) = github_emulator.repository_dispatches()
    assert sent["event_type"] == "ops-alert"
    assert sent["client_payload"]["dedupe_key"] == "queue"


def test_a_late_cron_is_reported_on_the_open_incident(world: World) -> None:
    """A gap of more than three intervals between triage runs is said on the incident."""
    world.backend.set_scenario("db-down")
    assert world.watch(0) == 0
    assert world.watch(45) == 0
    (issue,) = world.issues(state="open")
    late = [e for e in world.timeline(issue["number"]) if e.startswith("**Triage was late**")]
    assert len(late) == 1
    assert "the previous triage ran 45 min ago (cron interval 10 min)" in late[0]


def test_an_alert_on_a_playbook_of_services_opens_its_services_incident(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The alert's component belongs to the worker alone: the worker's view triages, and the incident
    carries service:worker and the worker's name."""
    monkeypatch.setenv("OPS_PLAYBOOK", str(split_services(tmp_path)))
    assert world.alert(0, {**OURS, "component": "jobs", "title": "Jobs stuck"}) == 0
    (issue,) = world.issues(state="open")
    assert "service:worker" in {label["name"] for label in issue["labels"]}
    assert issue["title"].startswith("[SEV-1] Job worker")


def test_an_alert_whose_service_cannot_be_told_is_refused_before_any_write(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No service field, no label, no component: exit 2, one line naming the services, nothing sent."""
    monkeypatch.setenv("OPS_PLAYBOOK", str(split_services(tmp_path)))
    payload = {key: value for key, value in OURS.items() if key != "component"}
    assert world.alert(0, payload) == 2
    assert error_line(capsys).startswith(
        "ops-actions: error: alert rejected: which service is this alert for? the playbook has api, worker"
    )
    assert world.emulator.requests == []


def test_the_route_names_the_alerts_service_entry_and_sends_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`alert --route` hands the workflow the worker's entry (its environment, history, cache prefix)."""
    monkeypatch.setenv("OPS_PLAYBOOK", str(split_services(tmp_path)))
    event = tmp_path / "route.json"
    payload = {**OURS, "component": "worker"}
    event.write_text(json.dumps({"action": "ops-alert", "client_payload": payload}), encoding="utf-8")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    capsys.readouterr()
    assert run(["alert", "--route"]) == 0
    entry = json.loads(capsys.readouterr().out)
    assert (entry["id"], entry["environment"], entry["cache_prefix"]) == (
        "worker",
        "ops-worker",
        "ops-actions-state.worker.",
    )
    assert world.emulator.requests == []
