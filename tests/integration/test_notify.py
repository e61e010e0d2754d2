"""Notifications from a run (ops_actions/adapters/notify.py) whose webhook secret is missing: the job
summary says which target was not told, once per run, and the run goes on."""

from __future__ import annotations

from tests.support.fixtures.receiver import Receiver
from tests.support.fixtures.world import World

UNSET_STATUS = "SEV-1 notifications: OPS_STATUS_WEBHOOK_URL not set, status-page (webhook) not notified"


def test_a_missing_webhook_secret_is_one_line_of_the_job_summary(world: World, receiver: Receiver) -> None:
    """As a workflow passes an unset secret (empty): a SEV-2 (not for the status page) says nothing of
    it; raising to SEV-1 and a status update in one comment say it once; Slack is told each time."""
    summary = world.tmp_path / "summary.md"
    world.monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    world.monkeypatch.setenv("OPS_SLACK_WEBHOOK_URL", f"{receiver.url}/slack")
    world.monkeypatch.setenv("OPS_STATUS_WEBHOOK_URL", "")
    world.emulator.set_permission("mona", "write")
    opened = world.cli(
        0, "incident", "open", "--title", "Queue stuck", "--severity", "2", "--impact", "Jobs late"
    )
    assert opened == 0
    assert [path for path, _ in receiver.received] == ["/slack"]
    assert "not set" not in (summary.read_text(encoding="utf-8") if summary.exists() else "")

    number = world.incident()["number"]
    body = "/sev 1 every job is stuck\n/status mitigating next 30m restarting the worker"
    assert world.comment(5, number, body, "mona") == 0
    assert [path for path, _ in receiver.received] == ["/slack"] * 3, "the raise and the status update"
    text = summary.read_text(encoding="utf-8")
    assert text.count(UNSET_STATUS) == 1, text
    assert f"## Notifications\n\n- {UNSET_STATUS}\n" in text
    assert not any("Notification not delivered" in c for c in world.timeline()), "off is not a failure"
