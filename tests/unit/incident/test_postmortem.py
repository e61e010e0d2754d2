"""The postmortem's action items (ops_actions/incident/postmortem.py) as people write them."""

from __future__ import annotations

import pytest

from ops_actions.incident.postmortem import parse_action
from ops_actions.text.markdown import Task


@pytest.mark.parametrize(
    "written",
    [
        "Alert on the heartbeat — @bob — due 2026-12-12",
        "Alert on the heartbeat - @bob - due 2026-12-12",
        "Alert on the heartbeat -- @bob -- by 2026-12-12",
        "Alert on the heartbeat – @bob – due: 2026-12-12",
        "Alert on the heartbeat — by 2026-12-12 — @bob",
    ],
)
def test_action_items_are_read_the_ways_people_write_them(written: str) -> None:
    item = parse_action(Task(checked=False, text=written, line=0))
    assert (item.action, item.owner, str(item.due), item.problems) == (
        "Alert on the heartbeat",
        "bob",
        "2026-12-12",
        (),
    )


def test_a_hyphen_inside_an_action_is_part_of_it() -> None:
    item = parse_action(Task(checked=False, text="Re-run the e-mail job — @bob — due 2026-12-12", line=0))
    assert item.action == "Re-run the e-mail job" and not item.problems
