"""The recorded inputs stay bounded, and what is trimmed leaves the lead and the opening tick."""

from __future__ import annotations

from dataclasses import replace

from ops_actions.incident.recorded_inputs import (
    MAX_INPUTS,
    input_entry,
    opening_inputs,
    with_input,
)
from ops_actions.incident.state_block import STATE_BUDGET, read_state, state_marker
from ops_actions.incident.triage_report import Snapshot
from ops_actions.playbook import load_playbook
from tests.support.incident_states import opened

LEAD = [
    Snapshot(at=f"2026-11-27T09:{minute:02d}:00Z", signals={"db_ok": True}, breaches={})
    for minute in range(0, 60, 10)
]


def _ticks(count: int, *, size: int = 10) -> list[dict[str, object]]:
    return [
        input_entry(f"2026-11-27T1{n // 60}:{n % 60:02d}:00Z", {"note": "x" * size, "n": n}, ["fired"])
        for n in range(count)
    ]


def test_more_ticks_than_kept_drop_the_oldest_after_the_opening() -> None:
    """Past MAX_INPUTS the oldest follow tick goes: the lead and the opening tick stay."""
    inputs = opening_inputs(LEAD, at="2026-11-27T10:00:00Z", signals={"db_ok": False}, others=["payments"])
    assert inputs[-1]["others"] == ["payments"]
    for entry in _ticks(MAX_INPUTS):
        inputs = with_input(inputs, entry)
    assert len(inputs) == MAX_INPUTS
    assert [entry["why"] for entry in inputs[:7]] == [["lead"]] * 6 + [["opened"]]
    assert inputs[7]["signals"]["n"] == 7, "ticks 0-6 gave way, oldest first"
    assert inputs[-1]["signals"]["n"] == MAX_INPUTS - 1


def test_the_state_block_budget_trims_inputs_but_keeps_the_opening() -> None:
    """A recording larger than the block's budget is trimmed, never the lead nor the opening tick."""
    state = opened(load_playbook(None))
    inputs = opening_inputs(LEAD, at="2026-11-27T10:00:00Z", signals={"db_ok": False})
    state = replace(state, inputs=[*inputs, *_ticks(30, size=2_000)])
    marker = state_marker(state)
    assert len(marker) <= STATE_BUDGET
    kept = read_state(marker)
    assert kept is not None
    assert kept.inputs[:7] == inputs
    assert 7 < len(kept.inputs) < 37
    assert kept.inputs[-1] == state.inputs[-1], "the newest tick stays too"
