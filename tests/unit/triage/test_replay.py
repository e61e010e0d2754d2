"""The replay engine over hand-made ticks: consecutive breaches, rising(), causes held elsewhere."""

from __future__ import annotations

from ops_actions.playbook import load_playbook
from ops_actions.triage.replay import Moment, Tick, differences, replay_ticks

HEALTHY = {
    "ready_ok": True,
    "db_ok": True,
    "worker_running": True,
    "worker_heartbeat_age_s": 5,
    "queue_depth.queued": 3,
    "webhook_failed_last_hour": 0,
    "jobs_failed_last_hour": 2,
    "dead_letters_last_24h": 0,
    "payments_canary_status": 200,
    "jobs_canary_status": 201,
}


def _tick(minute: int, lead: bool = False, others: frozenset[str] = frozenset(), **signals: object) -> Tick:
    values = {**HEALTHY, **{name.replace("__", "."): value for name, value in signals.items()}}
    return Tick(f"2026-11-27T10:{minute:02d}:00Z", values, lead, others)


def test_a_growing_queue_fires_after_two_rising_breaches() -> None:
    """rising(queue, 3) with consecutive: 2 fires on the fourth growing tick; the first lead tick is
    only history (its two failed jobs are no rise)."""
    ticks = [_tick(0, lead=True), *(_tick(10 * n, queue_depth__queued=3 + 20 * n) for n in range(1, 5))]
    verdict = replay_ticks(load_playbook(None), ticks)
    assert verdict.opened == Moment("SEV-2", "2026-11-27T10:30:00Z", ("queue-growing",))
    assert verdict.branches == ("B",)
    assert verdict.incidents == (("B",),)


def test_causes_held_elsewhere_open_nothing_here_and_a_new_cause_opens_another() -> None:
    """What fires for another open incident's cause is theirs; a cause firing later is a second incident."""
    held = frozenset({"backend"})
    ticks = [
        _tick(0, lead=True, others=held),
        _tick(5, others=held, db_ok=False),
        _tick(10, others=held, db_ok=False, webhook_failed_last_hour=3),
        _tick(20, others=held, webhook_failed_last_hour=3, worker_running=False),
    ]
    verdict = replay_ticks(load_playbook(None), ticks)
    assert verdict.opened == Moment("SEV-2", "2026-11-27T10:10:00Z", ("webhooks-failing",))
    assert verdict.incidents == (("payments",), ("B",))
    quiet = replay_ticks(load_playbook(None), ticks[:2])
    assert quiet.opened is None
    assert quiet.held_back == "no rule fires"
    assert differences(verdict, quiet) == ["would not have opened (no rule fires)"]
    assert differences(quiet, verdict) == ["would have opened: SEV-2 at 10:10 (webhooks-failing)"]
    assert differences(verdict, verdict) == []
