"""Issue 25 item 3: one hand-edited state block or a bad history file blinds nothing.

Each test is an attack of the issue, played over the GitHub emulator and the sandbox backend: a
maintainer edits one incident's hidden state block by hand (or the watch's history file is
corrupted), and every command still answers for every incident; the block that does not fit is
rebuilt from the timeline, never obeyed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ops_actions.incident.state_block import read_state
from tests.support.fixtures.world import World
from tests.unit.incident.test_state import mutated

STATE_PREFIX = "<!-- ops-actions:state "


def hand_edit_block(world: World, number: int, edit: Any) -> None:
    """A maintainer edits the issue's state block JSON by hand (``edit`` changes the dict in place)."""
    body = world.emulator.issue(number)["body"]
    lines = body.splitlines()
    (index,) = [i for i, line in enumerate(lines) if line.startswith(STATE_PREFIX)]
    data = json.loads(lines[index][len(STATE_PREFIX) : -3])
    edit(data)
    lines[index] = STATE_PREFIX + json.dumps(data) + " -->"
    world.edit_body(number, "\n".join(lines))


def two_incidents(world: World) -> tuple[int, int]:
    """Two incidents opened by the tool: #first is the one edited, #second its bystander."""
    assert (
        world.cli(0, "incident", "open", "--title", "Checkout failing", "--severity", "2", "--impact", "x")
        == 0
    )
    assert world.cli(1, "incident", "open", "--title", "Search slow", "--severity", "3", "--impact", "y") == 0
    first, second = sorted(issue["number"] for issue in world.issues())
    return first, second


def every_command_answers(world: World, tmp_path: Path, edited: int, bystander: int) -> None:
    """The watch, the page, the report, updates and resolve answer as for a healthy incident."""
    assert world.watch(5) == 0
    assert world.cli(6, "status-page", "build", "--out", str(tmp_path / "site")) == 0
    status = json.loads((tmp_path / "site" / "status.json").read_text(encoding="utf-8"))
    assert len(status["incidents"]) == 2, "both incidents are on the page"
    assert world.cli(7, "report", "--json") == 0
    for number in (edited, bystander):
        assert (
            world.cli(8, "incident", "update", str(number), "--status", "mitigating", "--message", "m") == 0
        )
    assert world.cli(9, "incident", "resolve", str(edited), "--force", "--reason", "checked by hand") == 0
    assert world.emulator.issue(edited)["state"] == "closed"
    assert world.cli(10, "incident", "resolve", str(bystander), "--force", "--reason", "checked") == 0


def test_an_empty_proposed_object_in_one_block_blinds_no_command(world: World, tmp_path: Path) -> None:
    """``"proposed": {}`` (no severity to read) used to end every command in ``internal error: KeyError``."""
    edited, bystander = two_incidents(world)
    hand_edit_block(world, edited, lambda data: data.update(proposed={}))
    assert read_state(world.emulator.issue(edited)["body"]) is None, "the block is refused on read"
    every_command_answers(world, tmp_path, edited, bystander)
    state = read_state(world.emulator.issue(edited)["body"])
    assert state is not None and state.proposed is None, "rebuilt from the timeline, the edit not obeyed"


def test_a_negative_postmortem_number_does_not_stop_resolve(world: World, tmp_path: Path) -> None:
    """``"postmortem": -1`` made resolve look for issue -1; now the block is rebuilt and resolve goes on."""
    edited, bystander = two_incidents(world)
    hand_edit_block(world, edited, lambda data: data.update(postmortem=-1))
    every_command_answers(world, tmp_path, edited, bystander)
    state = read_state(world.emulator.issue(edited)["body"])
    assert state is not None and (state.postmortem is None or state.postmortem > 0)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("freeze", {}),
        ("monitor", {"role": "deploy"}),
        ("snapshots", [{"at": "2026-11-27T10:00:00Z", "fired": [["nested"]], "signals": {}}]),
        ("runs", [{"id": -3, "role": "deploy", "name": "d", "url": "u"}]),
        ("checks", {"smoke": {"by": "octocat"}}),
        ("related", [0]),
        ("comments_seen", -1),
        ("applied", ["k"] * 500),
        ("severity", ["SEV-1"]),
        ("next_update_due", "tomorrow"),
    ],
)
def test_a_block_out_of_type_or_range_is_rebuilt_for_every_command(
    world: World, tmp_path: Path, field: str, value: Any
) -> None:
    """Each field (nested entries too) out of type or range: rebuilt, never obeyed, never a crash."""
    edited, bystander = two_incidents(world)
    hand_edit_block(world, edited, lambda data: data.update({field: value}))
    assert read_state(world.emulator.issue(edited)["body"]) is None
    every_command_answers(world, tmp_path, edited, bystander)


def test_a_state_block_nested_deep_does_not_crash_the_page_build(world: World, tmp_path: Path) -> None:
    """A block nested thousands deep (a RecursionError for the JSON reader) is a broken block."""
    edited, bystander = two_incidents(world)
    deep = "[" * 5000 + "]" * 5000
    body = world.emulator.issue(edited)["body"]
    lines = [line for line in body.splitlines() if not line.startswith(STATE_PREFIX)]
    world.edit_body(edited, "\n".join([*lines, STATE_PREFIX + '{"version":1,"snapshots":' + deep + "} -->"]))
    every_command_answers(world, tmp_path, edited, bystander)


@pytest.mark.parametrize(
    "content",
    [
        '{"version": 1, "snapshots": ' + "[" * 5000 + "]" * 5000 + "}",
        '{"version": 1, "snapshots": [{"at": "2026-11-27T10:00:00Z", "signals": {"x": '
        + "[" * 3000
        + "]" * 3000
        + '}, "breaches": {}}]}',
        '{"version": 1, "snapshots": [{"at": "yesterday", "signals": {}, "breaches": {}}]}',
        '{"version": 1, "snapshots": [{"at": "2026-11-27T10:00:00Z", "signals": {}, "breaches": {"r": -2}}]}',
        '{"version": 1, "snapshots": {"at": "2026-11-27T10:00:00Z"}}',
    ],
)
def test_a_watch_history_file_that_does_not_fit_is_read_as_fresh(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str
) -> None:
    """A corrupted history file (nested deep, retyped, out of range): the watch starts fresh, warned."""
    two_incidents(world)
    (tmp_path / "s.json").write_text(content, encoding="utf-8")
    capsys.readouterr()
    assert world.watch(5) == 0
    printed = capsys.readouterr()
    assert "starting fresh" in printed.out + printed.err
    saved = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert saved["version"] == 1 and len(saved["snapshots"]) == 1, "the next run saves a fresh history"
    assert world.cli(6, "status-page", "build", "--out", str(tmp_path / "site")) == 0


# The block each world's first incident was opened with, by world.
_OPENED_BLOCK: dict[int, dict[str, Any]] = {}


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_a_randomly_mutated_block_never_ends_a_real_command_in_an_internal_error(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str], data: st.DataObject
) -> None:
    """Hypothesis, over the emulator: the incident's real block, mutated (see test_state_mutations),
    then an update, the watch and the page build as the workflows run them; none exits 1."""
    if not world.issues():
        two_incidents(world)
        body = world.emulator.issue(min(issue["number"] for issue in world.issues()))["body"]
        (line,) = [line for line in body.splitlines() if line.startswith(STATE_PREFIX)]
        _OPENED_BLOCK[id(world)] = json.loads(line[len(STATE_PREFIX) : -3])
    edited, _ = sorted(issue["number"] for issue in world.issues())
    # Every example mutates the block as the incident was opened (a strategy must not follow state).
    mutation = data.draw(mutated(_OPENED_BLOCK[id(world)]))
    hand_edit_block(world, edited, lambda block: (block.clear(), block.update(mutation)))
    codes = [
        world.cli(20, "incident", "update", str(edited), "--status", "mitigating", "--message", "m"),
        world.watch(25),
        world.cli(26, "status-page", "build", "--out", str(tmp_path / "site")),
    ]
    assert 1 not in codes, capsys.readouterr().err
