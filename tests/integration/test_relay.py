"""The relay (`ops-actions relay`, ops_actions/adapters/alert_relay.py) as a monitor meets it: a real
uvicorn process on 127.0.0.1 in front of the GitHub emulator. An Alertmanager body becomes one
repository_dispatch, which the alert workflow's command turns into one incident; a wrong secret is
401 and an oversized body 413, and neither sends anything."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from tests.support.events import recorded_alert
from tests.support.fixtures.github import GITHUB_TOKEN, REPO
from tests.support.fixtures.world import World
from tests.support.net import free_port
from tests.support.polling import eventually

SECRET = "relay-secret-for-tests-0123456789"


@pytest.fixture
def relay(world: World) -> Iterator[str]:
    """``ops-actions relay`` in its own process, relaying to the world's emulator; its URL."""
    port = free_port()
    env = {
        **os.environ,
        "GITHUB_API_URL": world.emulator.url,
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_TOKEN": GITHUB_TOKEN,
        "OPS_RELAY_SECRET": SECRET,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "ops_actions", "relay", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        assert process.poll() is None, process.communicate()[0]
        try:
            return httpx.get(f"{url}/healthz", timeout=5).status_code == 200
        except httpx.TransportError:
            return False

    try:
        eventually(healthy, "the relay answering its health check")
        yield url
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
        assert GITHUB_TOKEN not in output and SECRET not in output


def test_an_alertmanager_body_becomes_one_dispatch_and_one_incident(relay: str, world: World) -> None:
    body = recorded_alert("alertmanager-grouped.json")
    answer = httpx.post(relay, json=body, headers={"Authorization": f"Bearer {SECRET}"}, timeout=30)
    assert (answer.status_code, answer.json()) == (202, {"dispatched": True})
    (dispatch,) = world.emulator.repository_dispatches()
    assert dispatch["event_type"] == "ops-alert"
    assert dispatch["client_payload"] == body  # Alertmanager's 10 keys travel as they are
    # The alert workflow runs `ops-actions alert` on that dispatch.
    assert world.alert(0, dispatch["client_payload"]) == 0
    (issue,) = world.issues(state="open")
    assert issue["title"] == "[SEV-1] Checkout requests failing (3 alerts)"


def test_a_signed_body_is_relayed_and_a_pagerduty_event_takes_our_shape(relay: str, world: World) -> None:
    event = {
        "routing_key": "ignored",
        "event_action": "trigger",
        "dedup_key": "checkout-5xx",
        "payload": {"summary": "Checkout 5xx above 5%", "severity": "critical", "source": "prom"},
        "links": [{"href": "https://grafana.example/d/checkout", "text": "dashboard"}],
    }
    raw = json.dumps(event).encode()
    signature = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    answer = httpx.post(relay, content=raw, headers={"X-Ops-Signature-256": signature}, timeout=30)
    assert answer.status_code == 202
    (dispatch,) = world.emulator.repository_dispatches()
    assert dispatch["client_payload"] == {
        "source": "pagerduty",
        "title": "Checkout 5xx above 5%",
        "dedupe_key": "checkout-5xx",
        "status": "firing",
        "severity": "critical",
        "link": "https://grafana.example/d/checkout",
    }
    acknowledged = httpx.post(
        relay, json={**event, "event_action": "acknowledge"}, headers={"Authorization": f"Bearer {SECRET}"}
    )
    assert acknowledged.status_code == 202 and acknowledged.json()["dispatched"] is False
    assert len(world.emulator.repository_dispatches()) == 1


@pytest.mark.parametrize(
    ("headers", "content", "status"),
    [
        ({"Authorization": "Bearer wrong-secret-0123456789"}, b'{"version": "4", "alerts": []}', 401),
        ({}, b'{"version": "4", "alerts": []}', 401),
        ({"X-Ops-Signature-256": "sha256=" + "0" * 64}, b'{"version": "4", "alerts": []}', 401),
        ({"Authorization": f"Bearer {SECRET}"}, b"x" * 70_000, 413),
        ({"Authorization": f"Bearer {SECRET}"}, b"not json", 400),
        ({"Authorization": f"Bearer {SECRET}"}, b'{"hello": "world"}', 422),
    ],
)
def test_what_is_refused_sends_nothing(
    relay: str, world: World, headers: dict[str, str], content: bytes, status: int
) -> None:
    world.emulator.reset_log()
    answer = httpx.post(relay, content=content, headers=headers, timeout=30)
    assert answer.status_code == status
    assert SECRET not in answer.text
    assert world.emulator.repository_dispatches() == []
    assert world.emulator.requests == []
