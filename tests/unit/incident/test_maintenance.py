"""What a maintenance window does, pure (ops_actions/incident/maintenance.py): the ad hoc window's
marker read back (and refused when a hand edit broke it), the causes a window holds rule by rule,
window ids a writer may name, and the planned mark."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ops_actions.incident.maintenance import (
    held_causes,
    mark_planned,
    unknown_window,
    window_body,
    window_of_issue,
)
from ops_actions.playbook import bundled_playbook_text, parse_playbook
from ops_actions.playbook.maintenance import MaintenanceWindow
from tests.support.incident_states import opened

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
PLAYBOOK = parse_playbook(bundled_playbook_text(), source="seed")


def _window(components: tuple[str, ...] = ("worker", "jobs"), **kwargs: object) -> MaintenanceWindow:
    fields: dict[str, object] = {
        "id": "w",
        "title": "Worker move",
        "start": NOW,
        "end": NOW + timedelta(hours=1),
        "components": components,
    }
    fields.update(kwargs)
    return MaintenanceWindow(**fields)  # type: ignore[arg-type]


def test_an_ad_hoc_window_reads_back_from_its_body() -> None:
    window = _window(freeze_deploys=True, services=("api",))
    body = window_body(window, reason="host move <b> @team", by="wanda", key="k-1")
    read = window_of_issue(57, body)
    assert read is not None
    assert (read.id, read.issue, read.components, read.services) == (
        "adhoc-57",
        57,
        ("worker", "jobs"),
        ("api",),
    )
    assert (read.start, read.end, read.freeze_deploys) == (window.start, window.end, True)
    assert "host move &lt;b> @\u200bteam" in body, "the reason is outside text: made inert"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('"end":"2026-11-27T11:00:00Z"', '"end":"2026-11-27T09:00:00Z"'),  # ends before it starts
        ('"end":"2026-11-27T11:00:00Z"', '"end":"soon"'),
        ('"components":["worker","jobs"]', '"components":"worker"'),
        ('"title":"Worker move"', '"title":7'),
    ],
)
def test_a_hand_edited_marker_that_is_no_window_is_none(old: str, new: str) -> None:
    body = window_body(_window(), reason="r", by="wanda", key="k")
    assert old in body
    assert window_of_issue(57, body.replace(old, new)) is None


def test_a_window_holds_a_cause_only_when_it_covers_every_fired_rule_of_it() -> None:
    """Branch B's rules are on worker and jobs: held. The backend cause's rules are of branch D (every
    component) and of none (backend-not-ready): a window naming components never holds them."""
    window = _window()
    assert held_causes(PLAYBOOK, ["B"], ["worker-stopped"], [window], NOW) == {"B": window}
    assert held_causes(PLAYBOOK, ["backend"], ["database-down"], [window], NOW) == {}
    assert held_causes(PLAYBOOK, ["backend"], ["backend-not-ready"], [window], NOW) == {}
    everything = _window(components=())
    assert held_causes(PLAYBOOK, ["backend"], ["backend-not-ready"], [everything], NOW) == {
        "backend": everything
    }
    assert held_causes(PLAYBOOK, ["B"], ["worker-stopped"], [window], NOW + timedelta(hours=1)) == {}
    assert held_causes(PLAYBOOK, ["B"], ["worker-stopped"], [window], NOW - timedelta(seconds=1)) == {}


def test_an_alert_is_held_by_its_component() -> None:
    window = _window()
    assert held_causes(PLAYBOOK, ["alert:x"], [], [window], NOW, alert=("alert:x", "worker")) == {
        "alert:x": window
    }
    assert held_causes(PLAYBOOK, ["alert:x"], [], [window], NOW, alert=("alert:x", "")) == {}


def test_a_writer_names_a_declared_or_ad_hoc_window_or_none() -> None:
    assert unknown_window(PLAYBOOK, "") is None
    assert unknown_window(PLAYBOOK, "adhoc-12") is None
    assert "no maintenance window 'db-upgrade'" in (unknown_window(PLAYBOOK, "db-upgrade") or "")
    assert unknown_window(PLAYBOOK, "adhoc-0") is not None


def test_marking_planned_records_who_when_and_the_window() -> None:
    state = opened(PLAYBOOK)
    new, event = mark_planned(state, window="db-upgrade", by="wanda", now=NOW, key="k")
    assert new.planned == {"by": "wanda", "at": "2026-11-27T10:00:00Z", "window": "db-upgrade"}
    assert state.planned is None
    assert event.kind == "planned"
    assert "(maintenance db-upgrade)" in event.body
