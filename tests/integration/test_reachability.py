"""Unreachable from the runner, told apart from the backend saying it is down, over the sandbox
backend and the GitHub emulator: an incident opened on unreachability alone (a closed port) tells the
internal channel at once, as the runner's view, while the status webhook and the public status page
wait for a second signal (a backend answer that says down, an alert, a person's /status)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ops_actions.incident.state_block import read_state
from tests.support.fixtures.receiver import Receiver
from tests.support.fixtures.world import World
from tests.support.net import free_port
from tests.support.playbooks import fast_playbook, playbook_with

RUNNER_VIEW = "unreachable from the runner: ready (connection refused), metrics (connection refused)"


def told(receiver: Receiver, path: str) -> list[dict[str, Any]]:
    """What one webhook endpoint of the receiver got, oldest first."""
    return [body for where, body in receiver.received if where == path]


def public_incidents(world: World, minutes: float) -> list[dict[str, Any]]:
    """The incidents the public status page's status.json shows, built now."""
    out = world.tmp_path / f"site-{minutes:g}"
    assert world.cli(minutes, "status-page", "build", "--out", str(out)) == 0
    status: dict[str, Any] = json.loads((out / "status.json").read_text(encoding="utf-8"))
    incidents: list[dict[str, Any]] = status["incidents"]
    return incidents


def newest_report(world: World) -> dict[str, Any]:
    reports = sorted((world.tmp_path / "r").glob("*.json"))
    report: dict[str, Any] = json.loads(reports[-1].read_text(encoding="utf-8"))
    return report


@pytest.fixture
def unreachable(world: World, receiver: Receiver) -> World:
    """The backend behind a closed port, Slack and the status webhook on the receiver; two ticks open
    the incident (flap control)."""
    world.monkeypatch.setenv("OPS_SLACK_WEBHOOK_URL", f"{receiver.url}/slack")
    world.monkeypatch.setenv("OPS_STATUS_WEBHOOK_URL", f"{receiver.url}/status")
    world.monkeypatch.setenv("OPS_BACKEND_URL", f"http://127.0.0.1:{free_port()}")
    assert world.watch(0) == 0
    assert world.issues() == [], "the first failed tick opens nothing (flap control)"
    assert world.watch(10) == 0
    return world


@pytest.mark.seed(17, 25)
def test_unreachable_alone_tells_only_the_internal_channel_until_the_backend_answers_down(
    unreachable: World, receiver: Receiver
) -> None:
    world = unreachable
    issue = world.incident()
    assert issue["title"].startswith("[SEV-1]")
    (slack,) = told(receiver, "/slack")
    assert RUNNER_VIEW in slack["text"] and "wait for a second signal" in slack["text"]
    assert told(receiver, "/status") == [], "customers hear nothing of the runner's view alone"
    assert public_incidents(world, 11) == []
    assert "Unreachable from the runner (no answer at all): ready (connection refused)" in issue["body"]
    assert f"> Only the runner's view: {RUNNER_VIEW}" in issue["body"]
    state = read_state(issue["body"])
    assert state is not None and state.runner_view is not None
    reach = newest_report(world)["reach"]
    assert {item["probe"]: item["failure"] for item in reach["unreachable"]} == {
        "ready": "refused",
        "metrics": "refused",
        "payments_canary": "refused",
        "jobs_canary": "refused",
    }, "the diagnostic lists no branch needs are left out of the report"
    assert reach["fired_without_answer"] == ["backend-not-ready", "ops-metrics-unavailable"]

    assert world.watch(20) == 0, "still unreachable: still the runner's view"
    assert told(receiver, "/status") == []

    world.monkeypatch.setenv("OPS_BACKEND_URL", world.backend.url)
    world.backend.add_fault("/api/ready", "status", value=503, times=100)
    assert world.watch(30) == 0
    assert world.watch(40) == 0, "a second tick of the same answer confirms nothing twice"
    (status,) = told(receiver, "/status")
    assert (status["event"], status["severity"], status["runner_view"]) == ("opened", "SEV-1", None)
    confirmed = [entry for entry in world.timeline() if entry.startswith("**Confirmed**")]
    assert len(confirmed) == 1
    assert "the backend's answer (`backend-not-ready`)" in confirmed[0]
    assert newest_report(world)["reach"] == {"unreachable": [], "fired_without_answer": []}
    assert [incident["id"] for incident in public_incidents(world, 41)] == [issue["number"]]
    assert "Only the runner's view" not in world.incident()["body"]


def test_a_persons_status_update_is_the_second_signal(unreachable: World, receiver: Receiver) -> None:
    world = unreachable
    number = world.incident()["number"]
    world.emulator.set_permission("mona", "write")
    assert world.comment(15, number, "/status investigating next 30m checking the network", "mona") == 0
    (status,) = told(receiver, "/status")
    assert status["event"] == "status"
    assert len(told(receiver, "/slack")) == 2
    assert [incident["id"] for incident in public_incidents(world, 16)] == [number]


@pytest.mark.seed(12)
def test_a_firing_alert_is_the_second_signal(unreachable: World, receiver: Receiver) -> None:
    world = unreachable
    number = world.incident()["number"]
    alert = {
        "source": "uptime-check",
        "title": "API down",
        "severity": "critical",
        "component": "auth",
        "dedupe_key": "api-down",
        "status": "firing",
    }
    assert world.alert(15, alert) == 0
    assert [issue["number"] for issue in world.issues()] == [number], "the alert joins the incident"
    confirmed = [entry for entry in world.timeline() if entry.startswith("**Confirmed**")]
    assert len(confirmed) == 1 and "a firing alert from uptime-check" in confirmed[0]
    (status,) = told(receiver, "/status")
    assert status["event"] == "opened"
    assert [incident["id"] for incident in public_incidents(world, 16)] == [number]


@pytest.mark.seed(25)
def test_a_playbook_may_tell_customers_at_once(world: World, receiver: Receiver, tmp_path: Path) -> None:
    """unreachable.public: at-once: the status webhook hears of the opening, and Slack still says it
    is the runner's view."""
    playbook = playbook_with(tmp_path, "  public: wait", "  public: at-once")
    world.monkeypatch.setenv("OPS_PLAYBOOK", str(playbook))
    world.monkeypatch.setenv("OPS_SLACK_WEBHOOK_URL", f"{receiver.url}/slack")
    world.monkeypatch.setenv("OPS_STATUS_WEBHOOK_URL", f"{receiver.url}/status")
    world.monkeypatch.setenv("OPS_BACKEND_URL", f"http://127.0.0.1:{free_port()}")
    assert world.watch(0) == 0
    assert world.watch(10) == 0
    (status,) = told(receiver, "/status")
    assert status["event"] == "opened"
    (slack,) = told(receiver, "/slack")
    assert RUNNER_VIEW in slack["text"] and "customers are told as usual" in slack["text"]
    assert len(public_incidents(world, 11)) == 1


# A TCP reset reaches httpx as a read error, or as a connection closed before the answer began,
# depending on when the reset arrives; both are no answer at all.
RESET = {"reset": "connection reset", "cut-off": "connection closed without a complete answer"}


@pytest.mark.parametrize(
    ("fault", "value", "failures"),
    [("reset", None, RESET), ("delay", 2.0, {"timeout": "timed out"})],
)
def test_a_backend_that_resets_or_hangs_is_unreachable_from_the_runner(
    world: World,
    receiver: Receiver,
    tmp_path: Path,
    fault: str,
    value: float | None,
    failures: dict[str, str],
) -> None:
    """The readiness probe reset or timed out by the sandbox (the ops metrics answer): the incident
    opens after flap control as the runner's view; the status webhook is not called."""
    world.monkeypatch.setenv("OPS_PLAYBOOK", str(fast_playbook(tmp_path)))
    world.monkeypatch.setenv("OPS_SLACK_WEBHOOK_URL", f"{receiver.url}/slack")
    world.monkeypatch.setenv("OPS_STATUS_WEBHOOK_URL", f"{receiver.url}/status")
    world.backend.add_fault("/api/ready", fault, value=value, times=100)
    assert world.watch(0) == 0
    assert world.watch(10) == 0
    reach = newest_report(world)["reach"]
    (seen,) = reach["unreachable"]
    assert (seen["probe"], reach["fired_without_answer"]) == ("ready", ["backend-not-ready"])
    assert seen["failure"] in failures
    (slack,) = told(receiver, "/slack")
    assert f"unreachable from the runner: ready ({failures[seen['failure']]})" in slack["text"]
    assert told(receiver, "/status") == []
    assert public_incidents(world, 11) == []


def test_tls_to_a_plain_http_backend_is_a_tls_failure(world: World) -> None:
    """https:// to the sandbox's plain HTTP port: the handshake fails, and the report says TLS."""
    world.monkeypatch.setenv("OPS_BACKEND_URL", world.backend.url.replace("http://", "https://"))
    assert world.watch(0) == 0
    failures = {item["failure"] for item in newest_report(world)["reach"]["unreachable"]}
    assert failures == {"tls"}


def test_a_state_block_lost_to_a_hand_edit_still_holds_customers_back(
    unreachable: World, receiver: Receiver
) -> None:
    """The opening marker keeps what the runner saw: a body whose state block a maintainer deleted is
    rebuilt from it, and the page still shows nothing."""
    world = unreachable
    issue = world.incident()
    kept = [line for line in issue["body"].splitlines() if not line.startswith("<!-- ops-actions:state ")]
    world.edit_body(issue["number"], "\n".join(kept))
    assert read_state(world.incident()["body"]) is None
    assert public_incidents(world, 12) == []
    assert world.watch(20) == 0
    assert told(receiver, "/status") == []
