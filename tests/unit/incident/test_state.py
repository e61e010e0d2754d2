"""Property tests (issue 25 item 3): a real state block or watch-history file, mutated at any field
(dropped, retyped, nested, out of range), is either read with every field in type and range or
refused, never a crash, and what is read can be used by the code that reads it."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ops_actions.incident.clock import is_time
from ops_actions.incident.issue_body import incident_body
from ops_actions.incident.state import IncidentState, state_fits_playbook
from ops_actions.incident.state_block import read_state, with_state
from ops_actions.incident.triage_report import Snapshot
from ops_actions.playbook import bundled_playbook_text, parse_playbook
from ops_actions.triage.history import WatchHistory, load_history, save_history

MUTATIONS = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
PLAYBOOK = parse_playbook(bundled_playbook_text(), source="seed")
AT = "2026-11-27T10:00:00Z"
SNAPSHOT = {"at": AT, "fired": ["backend-not-ready"], "signals": {"ready_ok": False}, "severity": "SEV-1"}
# A state with every nested kind of entry filled in, as a long incident's block holds them.
REAL_STATE = IncidentState(
    key="checkout-failing",
    title="Checkout failing",
    severity="SEV-1",
    status="mitigating",
    opened_at=AT,
    owner="octocat",
    severity_history=[{"at": AT, "severity": "SEV-1", "reason": "opened"}],
    status_history=[{"at": AT, "status": "investigating"}, {"at": AT, "status": "mitigating"}],
    snapshots=[dict(SNAPSHOT, unsure=["db_ok"])],
    applied=["a", "b"],
    freeze={"since": AT, "reason": "SEV-1"},
    runs=[{"id": 7, "role": "deploy", "name": "Backend Deploy", "url": "https://x/7", "conclusion": None}],
    monitor={
        "role": "deploy",
        "name": "Backend Deploy",
        "url": "u",
        "since": AT,
        "until": AT,
        "baseline": SNAPSHOT,
    },
    postmortem=12,
    related=[3],
    checks={"comms": {"by": "octocat", "at": AT, "via": "command"}},
    proposed={"severity": "SEV-2", "since": AT},
    alerts={"api": "firing"},
    detected_by={"how": "watch"},
).to_dict()

DEEP = "@@nested-deep@@"
JSON_SCALARS = st.none() | st.booleans() | st.integers(-(2**63), 2**63) | st.floats() | st.text(max_size=8)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value that a hand edit can change: keys of objects, items of lists."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


@st.composite
def mutated(draw: st.DrawFn, original: dict[str, Any]) -> dict[str, Any]:
    """The document with one to three edits: a field dropped, retyped, nested or pushed out of range."""
    data = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        if not paths:
            break
        # Half the edits hit a top-level field, where a retyped value is most often read directly.
        top = [path for path in paths if len(path) == 1]
        path = draw(st.sampled_from(top if top and draw(st.booleans()) else paths))
        parent: Any = data
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        old = parent[last]
        how = draw(st.sampled_from(["drop", "retype", "nest", "range", "empty", "deep"]))
        if how == "drop":
            del parent[last]
        elif how == "retype":
            parent[last] = draw(JSON_VALUES)
        elif how == "nest":
            parent[last] = draw(st.sampled_from([[old], {"x": old}, [[[[old]]]]]))
        elif how == "range":
            parent[last] = draw(st.sampled_from([-1, 0, 2**70, -(2**70), 10**6]))
        elif how == "deep":
            parent[last] = DEEP  # written 3,000 levels deep by encoded()
        else:
            parent[last] = draw(st.sampled_from([{}, [], "", None]))
    return data


def encoded(data: dict[str, Any]) -> str:
    """The document as JSON text, each DEEP placeholder written as a list nested 3,000 deep (too
    deep for json.dumps to write from a Python value)."""
    return json.dumps(data).replace(json.dumps(DEEP), "[" * 3000 + "]" * 3000)


def _body(data: dict[str, Any]) -> str:
    return "## Incident\n\nvisible text\n\n<!-- ops-actions:state " + encoded(data) + " -->\n"


def test_the_real_state_block_is_read_back() -> None:
    """The strategy starts from a block the reader accepts, so every refusal below is the mutation's."""
    state = read_state(_body(REAL_STATE))
    assert state is not None and state_fits_playbook(PLAYBOOK, state)


@MUTATIONS
@given(mutated(REAL_STATE))
@example(dict(REAL_STATE, proposed={}))
@example(dict(REAL_STATE, postmortem=-1))
@example(dict(REAL_STATE, snapshots=DEEP))
def test_a_mutated_state_block_is_refused_or_usable(data: dict[str, Any]) -> None:
    state = read_state(_body(data))
    if state is None:
        return
    if state_fits_playbook(PLAYBOOK, state):
        # What every command does with a block it accepts: render the body, write the block back.
        now = datetime(2026, 11, 28, tzinfo=UTC)
        body = with_state(incident_body(PLAYBOOK, state, report=None, links=(), now=now), state)
        assert read_state(body) == state
    assert state.postmortem is None or state.postmortem > 0
    assert state.comments_seen >= 0
    assert all(number > 0 for number in state.related)


REAL_HISTORY = {
    "version": 1,
    "snapshots": [{"at": AT, "signals": {"ready_ok": False, "queue": 3, "v": "1.2"}, "breaches": {"r": 2}}],
    "postmortems_checked_at": AT,
}


@MUTATIONS
@given(mutated(REAL_HISTORY))
def test_a_mutated_history_file_is_read_as_fresh_or_usable(
    tmp_path_factory: Any, data: dict[str, Any]
) -> None:
    path = Path(tmp_path_factory.mktemp("h")) / "s.json"
    path.write_text(encoded(data), encoding="utf-8")
    local, warning = load_history(path)
    if warning is not None:
        assert local == WatchHistory() and "starting fresh" in warning
    for snapshot in local.snapshots:
        assert isinstance(snapshot, Snapshot) and is_time(snapshot.at)
        assert all(type(count) is int and count >= 0 for count in snapshot.breaches.values())
        assert all(isinstance(value, str | int | float | bool | None) for value in snapshot.signals.values())
    save_history(path, local)  # what the watch does next with it
    assert load_history(path)[1] is None
