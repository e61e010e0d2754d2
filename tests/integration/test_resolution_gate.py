"""The resolution gate over the emulator and the sandbox: the manual checks must be ticked by a person
with write access (a box in the issue body, or /check) before /resolve closes; /status resolved is
refused; nobody is told "resolved" before the issue is closed."""

from __future__ import annotations

import pytest

from ops_actions.incident.state_block import read_state
from tests.support.fixtures.receiver import Receiver
from tests.support.fixtures.world import World

SIGNUP = "Manual check: signup and login work."


@pytest.mark.seed(52, 54, 55, 56, 57, 58, 59)
def test_resolve_waits_for_the_three_manual_checks_ticked_by_writers(
    world: World, receiver: Receiver
) -> None:
    world.monkeypatch.setenv("OPS_SLACK_WEBHOOK_URL", f"{receiver.url}/slack")
    world.emulator.add_workflow(
        "backend-live-smoke.yml", "Backend Live Smoke", inputs=("incident",), in_progress_s=0.1
    )
    world.emulator.set_permission("alice", "write")
    world.emulator.set_permission("rita", "read")
    assert world.cli(0, "incident", "open", "--title", "Checkout failing", "--severity", "2") == 0
    number = world.incident()["number"]
    assert world.watch(0) == 0
    assert world.watch(16) == 0  # metrics normal for 16 min
    smoke = (
        "remediate",
        "smoke",
        "--incident",
        str(number),
        "--wait",
        "--poll-seconds",
        "0.05",
        "--timeout",
        "1m",
    )
    assert world.cli(17, *smoke) == 0
    body = world.incident()["body"]
    assert "- [x] Metrics have been normal for at least 15 minutes." in body
    assert "- [x] Backend Live Smoke passed." in body
    assert f"- [ ] {SIGNUP} _(tick it, or comment `/check manual-signup-login`)_" in body
    receiver.received.clear()

    assert world.comment(18, number, "/resolve", "alice") == 0
    refusal = world.timeline()[-1]
    for item in ("manual-signup-login", "manual-checkout-webhook", "manual-job-succeeded"):
        assert f"`/check {item}`" in refusal, item
    assert "Metrics have been normal" not in refusal and "Live Smoke" not in refusal, "only what is missing"
    assert world.comment(18, number, "/status resolved all good", "alice") == 0
    assert "'resolved' is set by resolving the incident: use /resolve" in world.timeline()[-1]
    issue = world.incident()
    assert issue["state"] == "open" and "status:investigating" in {lb["name"] for lb in issue["labels"]}

    assert world.tick_box(19, number, SIGNUP, "rita") == 0
    assert "**Checklist change not counted**: @rita changed `manual-signup-login`" in world.timeline()[-1]
    assert f"- [ ] {SIGNUP}" in world.incident()["body"], "a reader's tick is redrawn unticked"
    state = read_state(world.incident()["body"])
    assert state is not None and state.checks == {}

    assert world.tick_box(20, number, SIGNUP, "alice") == 0
    assert f"- [x] {SIGNUP} _(ticked by alice, 2026-11-27T10:20:00Z)_" in world.incident()["body"]
    assert (
        world.comment(21, number, "/check manual-checkout-webhook\n/check manual-job-succeeded", "alice") == 0
    )
    state = read_state(world.incident()["body"])
    assert state is not None
    assert state.checks == {
        "manual-signup-login": {"by": "alice", "at": "2026-11-27T10:20:00Z", "via": "ticked in the issue"},
        "manual-checkout-webhook": {"by": "alice", "at": "2026-11-27T10:21:00Z", "via": "/check"},
        "manual-job-succeeded": {"by": "alice", "at": "2026-11-27T10:21:00Z", "via": "/check"},
    }
    assert not any("resolved" in body["text"] for _, body in receiver.received), "nothing said resolved yet"

    assert world.comment(22, number, "/resolve", "alice") == 0
    issue = world.incident()
    assert (issue["state"], issue["state_reason"]) == ("closed", "completed")
    (resolved,) = [c for c in world.timeline() if c.startswith("**Resolved**")]
    assert "**Impact: never assessed**: nobody stated it (`/impact`) before the resolution." in resolved
    impact = issue["body"].split("### Impact", 1)[1].split("###", 1)[0]
    assert impact.strip() == "_Never assessed: nobody stated it before the resolution._", (
        "not 'under assessment'"
    )
    (told,) = [body["text"] for _, body in receiver.received if "Current status: resolved" in body["text"]]
    assert told.startswith("[SEV-2] 2026-11-27 10:22 UTC - Incident Checkout failing.")


def test_a_reader_ticking_a_box_again_and_again_gets_one_note_per_box_and_state(world: World) -> None:
    """Refused ticks cost a bounded number of writes: one note (and redraw) per person, box and
    direction; after that their ticks and unticks of that box are ignored without a write."""
    world.emulator.set_permission("rita", "read")
    assert world.cli(0, "incident", "open", "--title", "Checkout failing", "--severity", "2") == 0
    number = world.incident()["number"]
    tool_writes = []
    for round_ in range(6):
        world.emulator.reset_log()
        ticked = f"- [ ] {SIGNUP}" in world.incident()["body"]
        assert world.tick_box(1 + round_, number, SIGNUP, "rita", ticked=ticked) == 0
        own_edit = 1  # the person's own edit of the body, through the emulator
        tool_writes.append(sum(1 for r in world.emulator.requests if r.is_write) - own_edit)
    notes = [c for c in world.timeline() if "Checklist change not counted" in c]
    assert len(notes) == 2, "one note for the tick, one for the untick"
    note_and_redraw = tool_writes[0]
    assert tool_writes == [note_and_redraw, 0, note_and_redraw, 0, 0, 0] and note_and_redraw == 2
    state = read_state(world.incident()["body"])
    assert state is not None and state.checks == {}


@pytest.mark.seed(50)
def test_a_sev1_without_an_impact_is_not_resolved_until_one_is_stated(world: World) -> None:
    """/resolve of a SEV-1 with no impact stated replies asking for `/impact`; once stated, the
    impact is no longer missing; `/resolve force <reason>` then closes it, impact recorded."""
    world.emulator.set_permission("alice", "write")
    assert world.cli(0, "incident", "open", "--title", "Checkout failing", "--severity", "1") == 0
    number = world.incident()["number"]
    assert world.comment(1, number, "/resolve", "alice") == 0
    refusal = world.timeline()[-1]
    assert "the impact (SEV-1): none stated (say who is affected, and how many, with `/impact`)" in refusal
    assert world.incident()["state"] == "open"
    assert world.comment(2, number, "/impact about 40% of card payments fail", "alice") == 0
    assert world.comment(3, number, "/resolve", "alice") == 0
    assert "the impact" not in world.timeline()[-1], "stated: no longer missing"
    assert world.incident()["state"] == "open", "the checklist still misses the rest"
    assert world.comment(4, number, "/resolve force provider confirmed the fix", "alice") == 0
    issue = world.incident()
    assert issue["state"] == "closed"
    (resolved,) = [c for c in world.timeline() if c.startswith("**Resolved**")]
    assert "never assessed" not in resolved


def test_a_sev1_resolved_by_force_without_an_impact_says_so(world: World) -> None:
    """The override of a missing impact is on the final comment, beside the checks it skipped."""
    world.emulator.set_permission("alice", "write")
    assert world.cli(0, "incident", "open", "--title", "Checkout failing", "--severity", "1") == 0
    number = world.incident()["number"]
    assert world.comment(1, number, "/resolve force false alarm from a test card", "alice") == 0
    (resolved,) = [c for c in world.timeline() if c.startswith("**Resolved**")]
    assert (
        "**Resolved with an override**: false alarm from a test card (missing: the impact (SEV-1)" in resolved
    )
    assert "**Impact: never assessed**" in resolved
