"""Subscriber webhooks (ops_actions/flows/subscribers.py, ops_actions/adapters/subscribers.py) from
incidents the CLI really made on the GitHub emulator, to local receivers: one signed POST per thing
a change shows (the incident, and each component whose status it changed) in Statuspage's webhook
shape, whose signature verifies; a receiver answering 500 gets the bounded attempts and the timeline
one note, after the incident's own writes; what the page leaves off tells no subscriber; a URL
without its signing key is refused before any write."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from ops_actions.adapters.notify import ATTEMPTS
from tests.support.fixtures.github import GITHUB_TOKEN
from tests.support.fixtures.receiver import Receiver
from tests.support.fixtures.world import World
from tests.support.net import free_port

KEY = "a-signing-key-of-32-characters!!"
OPEN_SEV1 = ["incident", "open", "--title", "Checkout failing", "--severity", "1", "--component", "billing"]


def subscribe(world: World, receiver: Receiver, path: str = "/hooks") -> None:
    """The seed's subscriber on: its URL and signing key set, as the workflow passes the secrets."""
    world.monkeypatch.setenv("OPS_SUBSCRIBER_WEBHOOK_URL", f"{receiver.url}{path}")
    world.monkeypatch.setenv("OPS_SUBSCRIBER_WEBHOOK_SECRET", KEY)


def verified(receiver: Receiver) -> list[dict[str, Any]]:
    """Every payload received, each after checking its signature as a receiver would."""
    payloads = []
    for _, headers, raw in receiver.requests:
        expected = "sha256=" + hmac.new(KEY.encode(), raw, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(headers["x-ops-actions-signature-256"], expected)
        assert headers["content-type"] == "application/json"
        payloads.append(json.loads(raw))
    return payloads


def test_each_change_posts_signed_statuspage_payloads_for_the_incident_and_changed_components(
    world: World, receiver: Receiver
) -> None:
    subscribe(world, receiver)
    assert world.cli(0, *OPEN_SEV1, "--impact", "All card payments") == 0
    opened = verified(receiver)
    assert [sorted(p) for p in opened] == [
        ["incident", "meta", "page"],
        ["component", "component_update", "meta", "page"],
    ], "the incident, then billing's change: nothing else changed"
    incident, component = opened
    assert incident["page"]["status_indicator"] == "critical"
    assert incident["page"]["status_description"] == "Major Service Outage"
    assert (incident["incident"]["name"], incident["incident"]["status"]) == (
        "Billing unavailable",
        "investigating",
    )
    assert incident["incident"]["impact"] == "critical"
    assert component["component"]["name"] == "billing"
    update = component["component_update"]
    assert (update["old_status"], update["new_status"]) == ("operational", "major_outage")
    assert update["component_id"] == component["component"]["id"]

    update_args = ["incident", "update", "1", "--status", "mitigating", "--next", "30m"]
    assert world.cli(5, *update_args, "--public", "Rolled back the 9:55 deploy") == 0
    (status,) = verified(receiver)[2:]
    assert status["incident"]["status"] == "identified"
    posted, _opened = status["incident"]["incident_updates"]  # newest first
    assert "Rolled back the 9:55 deploy" in posted["body"] and posted["status"] == "identified"

    resolve = ["incident", "resolve", "1", "--force", "--reason", "smoke runner down"]
    assert world.cli(45, *resolve) == 0
    resolved, back = verified(receiver)[3:]
    assert resolved["incident"]["status"] == "resolved" and resolved["page"]["status_indicator"] == "none"
    assert (back["component_update"]["old_status"], back["component_update"]["new_status"]) == (
        "major_outage",
        "operational",
    )
    deliveries = [headers["x-ops-actions-delivery"] for _, headers, _ in receiver.requests]
    assert len(set(deliveries)) == len(deliveries) == 5
    assert {p["page"]["id"] for p in verified(receiver)} == {incident["page"]["id"]}
    assert not any(GITHUB_TOKEN in raw.decode() for _, _, raw in receiver.requests)
    assert not any("Notification not delivered" in body for body in world.timeline())


def test_a_failing_subscriber_gets_the_bounded_attempts_and_one_note_after_the_incidents_writes(
    world: World, receiver: Receiver
) -> None:
    subscribe(world, receiver, "/broken")
    assert world.cli(0, *OPEN_SEV1, "--impact", "All card payments") == 0
    assert len(receiver.requests) == ATTEMPTS, "the first payload's attempts; no more of this change"
    issue = world.incident()
    assert issue["state"] == "open" and {"incident", "sev-1"} <= {lb["name"] for lb in issue["labels"]}
    timeline = world.timeline()
    notes = [body for body in timeline if "Notification not delivered" in body]
    assert len(notes) == 1 and "subscriber customers" in notes[0], notes
    assert f"2 of 2 not delivered: failed after {ATTEMPTS} attempt(s): HTTP 500" in notes[0]
    assert timeline.index(notes[0]) == len(timeline) - 1, "noted after the incident's own entries"
    assert receiver.url not in notes[0], "the URL is a secret"

    assert world.cli(5, "incident", "update", "1", "--status", "mitigating") == 0
    assert len(receiver.requests) == 2 * ATTEMPTS
    assert sum("Notification not delivered" in body for body in world.timeline()) == 2, "one per change"


def test_an_incident_the_page_holds_back_tells_no_subscriber_until_its_second_signal(
    world: World, receiver: Receiver
) -> None:
    """Opened on unreachability from the runner alone, the page waits for a second signal, and so do
    the subscribers; the backend's own 503 confirms it, and they hear of it once."""
    subscribe(world, receiver)
    world.monkeypatch.setenv("OPS_BACKEND_URL", f"http://127.0.0.1:{free_port()}")
    assert world.watch(0) == 0
    assert world.watch(10) == 0
    assert world.issues() != [] and receiver.requests == []

    world.monkeypatch.setenv("OPS_BACKEND_URL", world.backend.url)
    world.backend.add_fault("/api/ready", "status", value=503, times=100)
    assert world.watch(30) == 0
    assert world.watch(40) == 0
    incidents = [p["incident"] for p in verified(receiver) if "incident" in p]
    assert len(incidents) == 1 and incidents[0]["impact"] == "critical"
    changed = {p["component"]["name"] for p in verified(receiver) if "component" in p}
    assert changed == {"auth", "billing", "jobs", "worker", "stripe webhook"}, "it names no component yet"


def test_a_subscriber_url_without_its_signing_key_is_refused_before_any_write(
    world: World, receiver: Receiver, capsys: Any
) -> None:
    world.monkeypatch.setenv("OPS_SUBSCRIBER_WEBHOOK_URL", f"{receiver.url}/hooks")
    world.monkeypatch.setenv("OPS_SUBSCRIBER_WEBHOOK_SECRET", "short")
    assert world.cli(0, *OPEN_SEV1, "--impact", "All card payments") == 2
    err = capsys.readouterr().err
    assert "OPS_SUBSCRIBER_WEBHOOK_SECRET, the key its payloads are signed with, is too short" in err
    assert "Traceback" not in err and receiver.url not in err
    assert world.issues() == [] and receiver.requests == []
