"""Property tests: the parsers of what people type and edit never crash and keep their promises.

Each property runs a fixed, derandomized set of examples, so a run is repeatable. The bugs these
properties found (see docs/reliability.md, "Found and fixed") are fixed, and the strategies no
longer leave their inputs out.
"""

from __future__ import annotations

import json
import types
import typing
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any, Union

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from ops_actions.incident.clock import iso
from ops_actions.incident.state import STATE_VERSION, TIME_FIELDS, IncidentState
from ops_actions.incident.state_block import read_state, with_state
from ops_actions.text.markdown import MARKER_PREFIX, find_markers, inert
from tests.support.strategies import PROPERTY, typed_text

# --- (a) the slash-command grammar ---------------------------------------------------------------


# --- (b) the playbook loader ---------------------------------------------------------------------


# --- (c) the state block ---------------------------------------------------------------------------

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    typed_text,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(typed_text, inner, max_size=3)),
    max_leaves=8,
)


def strategy_for(hint: Any) -> st.SearchStrategy[Any]:
    """A strategy for one IncidentState field, from its type annotation."""
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [strategy_for(arg) for arg in typing.get_args(hint) if arg is not type(None)]
        return st.one_of(st.none(), *options)
    if hint is str:
        return typed_text
    if hint is bool:
        return st.booleans()
    if hint is int:
        return st.integers(0, 10**6)
    if origin is list:
        (item,) = typing.get_args(hint)
        return st.lists(strategy_for(item), max_size=3)
    if origin is dict:
        key, value = typing.get_args(hint)
        return st.dictionaries(strategy_for(key), strategy_for(value), max_size=3)
    return json_values


HINTS = typing.get_type_hints(IncidentState)
# Time fields hold ISO 8601 times; from_dict rejects a block whose time does not parse.
TIMES = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(iso)


def entries(**shape: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with the keys the code reads (from_dict refuses entries without them), and maybe more."""
    return st.fixed_dictionaries(shape, optional={"note": typed_text, "extra": json_values})


# The lists and objects whose entries have a shape.
ENTRY_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "severity_history": st.lists(entries(at=TIMES, severity=typed_text), max_size=3),
    "status_history": st.lists(entries(at=TIMES, status=typed_text), max_size=3),
    "snapshots": st.lists(
        entries(
            at=TIMES, fired=st.lists(typed_text, max_size=2), signals=st.dictionaries(typed_text, json_values)
        ),
        max_size=3,
    ),
    "inputs": st.lists(
        entries(
            at=TIMES, signals=st.dictionaries(typed_text, json_values), why=st.lists(typed_text, max_size=2)
        ),
        max_size=3,
    ),
    "runs": st.lists(
        entries(id=st.integers(1, 10**9), role=typed_text, name=typed_text, url=typed_text), max_size=3
    ),
    "freeze": st.none() | entries(since=TIMES, reason=typed_text),
    "monitor": st.none()
    | entries(role=typed_text, name=typed_text, url=typed_text, since=TIMES, until=TIMES),
    "proposed": st.none() | entries(severity=typed_text, since=TIMES),
    "false_alarm": st.none() | entries(by=typed_text, at=TIMES),
    "planned": st.none() | entries(by=typed_text, at=TIMES, window=typed_text),
    "checks": st.dictionaries(typed_text, entries(by=typed_text, at=TIMES, via=typed_text), max_size=3),
    # Issue numbers are positive (from_dict refuses ``"postmortem": 0`` as out of range).
    "postmortem": st.none() | st.integers(1, 10**6),
    "related": st.lists(st.integers(1, 10**6), max_size=3),
}


def field_strategy(name: str) -> st.SearchStrategy[Any]:
    if name == "version":
        return st.just(STATE_VERSION)
    if name in ENTRY_FIELDS:
        return ENTRY_FIELDS[name]
    if name in TIME_FIELDS:
        return TIMES if name == "opened_at" else st.one_of(st.none(), TIMES)
    return strategy_for(HINTS[name])


STATE_FIELDS = {f.name: field_strategy(f.name) for f in fields(IncidentState)}
states = st.fixed_dictionaries(STATE_FIELDS).map(lambda values: IncidentState(**values))
# Visible body text as the tool writes it: outside text through inert (fences and HTML included).
bodies = st.lists(typed_text.map(inert), max_size=4).map("\n\n".join)


def state_json(body: str) -> tuple[int, int]:
    """Where the JSON of the (last) state marker sits in a body."""
    start = body.rindex(MARKER_PREFIX + "state ") + len(MARKER_PREFIX + "state ")
    return start, body.index(" -->", start)


@PROPERTY
@given(states, bodies)
def test_state_block_round_trips(state: IncidentState, body: str) -> None:
    """A state written into any body is read back equal, and writing again replaces rather than adds."""
    written = with_state(body, state)
    assert read_state(written) == state
    again = with_state(written, state)
    assert again == written
    assert len(find_markers(again, "state")) == 1


@st.composite
def corrupted(draw: st.DrawFn) -> str:
    """A body whose state JSON was hand-edited: truncated, characters inserted, or a value changed."""
    body = with_state(draw(bodies), draw(states))
    start, end = state_json(body)
    data = body[start:end]
    action = draw(st.sampled_from(["truncate", "insert", "retype", "drop"]))
    if action == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif action == "insert":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.text(alphabet='{}[]",:0123456789truefalsn\\ \n-', max_size=5)) + data[at:]
    else:
        payload = json.loads(data)
        name = draw(st.sampled_from(sorted(payload)))
        if action == "retype":
            payload[name] = draw(json_values)
        else:
            del payload[name]
        data = json.dumps(payload)
    return body[:start] + data + body[end:]


@PROPERTY
@given(corrupted())
def test_hand_edited_state_reads_as_none_or_a_state(body: str) -> None:
    """A corrupted state block reads as None or a state with text identity fields, never raising."""
    state = read_state(body)
    if state is not None:
        assert isinstance(state, IncidentState)
        for name in ("key", "title", "severity", "status", "opened_at"):
            assert isinstance(getattr(state, name), str)
        for name in ("severity_history", "status_history", "snapshots", "applied", "runs"):
            assert isinstance(getattr(state, name), list)


@pytest.mark.parametrize(
    ("name", "value"), [("next_update_due", 5), ("freeze", "yes"), ("monitor", [1]), ("owner", {"a": 1})]
)
def test_a_state_with_a_wrong_typed_field_is_not_accepted(name: str, value: Any) -> None:
    """A state block whose field has the wrong JSON type reads as None (so the state is rebuilt)."""
    state = IncidentState(
        key="k", title="t", severity="SEV-2", status="investigating", opened_at="2026-11-27T10:00:00Z"
    )
    body = with_state("text", state)
    assert read_state(body) == state
    start, end = state_json(body)
    payload = json.loads(body[start:end])
    payload[name] = value
    assert read_state(body[:start] + json.dumps(payload) + body[end:]) is None


@PROPERTY
@given(st.text(max_size=200), st.sampled_from(["state", "event"]))
@example(
    '<!-- ops-actions:state {"version":1,"key":"x","title":"t","severity":"SEV-3",'
    '"status":"resolved","opened_at":"2020-01-01T00:00:00Z"} -->',
    "state",
)
@example("<<!--!-- ops-actions:event {} -->", "event")
@example("x\r<!-- ops-actions:event {} -->", "event")
@example("x\u2028<!-- ops-actions:event {} -->", "event")
def test_outside_text_through_inert_is_never_a_marker(text: str, kind: str) -> None:
    """Whatever came from outside, once passed through inert (as text or as a table cell) it holds no
    marker the tool would read, on whatever line it ends up."""
    for shown in (inert(text), inert(text, cell=True)):
        assert "<!--" not in shown
        assert "\r" not in shown and "\u2028" not in shown
        for body in (shown, f"Intro\n\n{shown}\n", f"{shown}\n\n{shown}", f"| a |\n|---|\n| {shown} |"):
            assert find_markers(body, kind) == []
            assert read_state(body) is None


# --- (d) task lists --------------------------------------------------------------------------------


# --- (e) the communication template ----------------------------------------------------------------
