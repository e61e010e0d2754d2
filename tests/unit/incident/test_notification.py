"""What a notification says (ops_actions/incident/notification.py): every fact a responder needs at a
glance, the runbook's next step as the incident moves on, and the line a run says for a target it
could not tell."""

from __future__ import annotations

from datetime import timedelta

from ops_actions.incident.clock import iso
from ops_actions.incident.notification import next_step, not_notified, notice, slack_message, webhook_message
from ops_actions.incident.state import IncidentState
from ops_actions.playbook import Playbook, load_playbook
from tests.support.fixtures.world import START
from tests.support.incident_states import opened
from tests.support.paths import PLAYBOOK

URL = "https://github.com/octo-org/backend/issues/7"


def queue_incident(playbook: Playbook) -> IncidentState:
    """A SEV-1 opened for the queue (branch B) 42 minutes before the notice, detected 3 minutes earlier."""
    state = opened(
        playbook, severity="SEV-1", impact="Jobs delayed <!channel>", detected_at=START - timedelta(minutes=3)
    )
    state.causes = ["B"]
    return state


def test_slack_and_the_webhook_get_every_fact_and_the_link() -> None:
    playbook = load_playbook(PLAYBOOK)
    state = queue_incident(playbook)
    item = notice(playbook, state, event="opened", url=URL, now=START + timedelta(minutes=42))
    (text,) = slack_message(item).values()
    line, facts, step, link = text.split("\n")
    assert line.startswith(
        "[SEV-1] 2026-11-27 10:42 UTC - Incident Queue stuck. Impact: Jobs delayed &lt;!channel&gt;."
    )
    assert (
        facts == "*SEV-1* · status *investigating* · open for 45 min · impact: Jobs delayed &lt;!channel&gt;"
    )
    assert (
        step == "Next step: B) Queue growing or worker down: Check the worker heartbeat and the deploy logs."
    )
    assert link == f"<{URL}|[SEV-1] Queue stuck>"
    assert webhook_message(item) == {
        "event": "opened",
        "severity": "SEV-1",
        "title": "[SEV-1] Queue stuck",
        "impact": "Jobs delayed <!channel>",
        "status": "investigating",
        "resolved": False,
        "duration_minutes": 45,
        "next_step": "B) Queue growing or worker down: Check the worker heartbeat and the deploy logs.",
        "text": item.line,
        "incident_url": URL,
        "runner_view": None,
    }


def test_an_incident_on_unreachability_alone_says_it_is_the_runners_view() -> None:
    """Slack and an internal webhook say the runner could not reach the backend, and that customers
    wait for a second signal (the bundled playbook's unreachable.public: wait)."""
    playbook = load_playbook(PLAYBOOK)
    state = queue_incident(playbook)
    state.runner_view = (
        "unreachable from the runner: ready (connection refused); the backend has not said it is down"
    )
    item = notice(playbook, state, event="opened", url=URL, now=START)
    (text,) = slack_message(item).values()
    reach = text.split("\n")[2]
    assert reach == (
        "Runner's view: unreachable from the runner: ready (connection refused); the backend has not said"
        " it is down; the status page and public targets wait for a second signal (an alert, a backend"
        " answer, `/status`)."
    )
    assert webhook_message(item)["runner_view"] == reach


def test_the_text_passes_the_redaction_before_slack_escapes_it() -> None:
    playbook = load_playbook(PLAYBOOK)
    state = queue_incident(playbook)
    state.impact = "token s3cr3t leaked"
    item = notice(
        playbook, state, event="status", url=URL, now=START, redact=lambda t: t.replace("s3cr3t", "***")
    )
    assert "s3cr3t" not in str(slack_message(item)) + str(webhook_message(item))
    assert item.impact == "token *** leaked"


def test_the_next_step_follows_the_incident_to_its_postmortem() -> None:
    """The branch's first step; once the redeploy is dispatched, and while its window is open, the
    runbook's monitoring; once the window ended, the resolution checklist; resolved, the postmortem.
    An empty impact reads as under assessment."""
    playbook = load_playbook(PLAYBOOK)
    state = queue_incident(playbook)
    assert next_step(playbook, state, START).endswith("Check the worker heartbeat and the deploy logs.")
    monitoring = "B) Queue growing or worker down: Monitor the metrics for 10-15 minutes after the redeploy."
    state.runs = [{"id": 1, "role": "deploy", "name": "Backend Deploy", "url": "u"}]
    assert next_step(playbook, state, START) == monitoring, "dispatched"
    state.runs[0]["conclusion"] = "success"
    state.monitor = {
        "role": "deploy",
        "name": "Backend Deploy",
        "url": "u",
        "since": iso(START),
        "until": iso(START),
    }
    assert next_step(playbook, state, START) == monitoring, "the window is open"
    state.monitor = None
    assert next_step(playbook, state, START) == (
        "resolution checklist: metrics normal for 15 min (rules still firing)"
    ), "the window ended"
    state.status, state.resolved_at, state.impact = "resolved", iso(START + timedelta(hours=1)), ""
    item = notice(playbook, state, event="resolved", url=URL, now=START + timedelta(hours=5))
    assert item.next_step == "write the postmortem (due 24 h after resolution)"
    assert (item.lasted, item.impact) == ("lasted 1 h 03 min", "under assessment")


def test_a_freeze_the_tool_set_skips_no_check_before_it() -> None:
    """Branch D freezes deploys at opening: its checks before the freeze are still the next steps."""
    playbook = load_playbook(PLAYBOOK)
    state = queue_incident(playbook)
    state.causes = ["backend"]
    state.freeze = {"since": iso(START), "reason": "D"}
    assert next_step(playbook, state, START).startswith("D) Database down: ")
    assert "freeze" not in next_step(playbook, state, START).lower()


def test_a_target_whose_secret_is_unset_is_named_in_one_line() -> None:
    playbook = load_playbook(PLAYBOOK)
    slack, status = playbook.notify
    assert not_notified("SEV-1", slack) == (
        "SEV-1 notifications: OPS_SLACK_WEBHOOK_URL not set, internal-channel (Slack) not notified"
    )
    assert not_notified("SEV-1", status) == (
        "SEV-1 notifications: OPS_STATUS_WEBHOOK_URL not set, status-page (webhook) not notified"
    )
