"""Maintenance windows in the playbook (ops_actions/playbook/maintenance.py): what a window declares,
what the builder refuses of it, its Statuspage status over time, and which view of the playbook
gets which windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ops_actions.playbook import PlaybookError, bundled_playbook_text, parse_playbook
from tests.support.playbooks import with_services

START = datetime(2026, 12, 12, 22, 0, tzinfo=UTC)
HOUR = "start: 2026-12-12T22:00:00Z, end: 2026-12-12T23:00:00Z"


def _with_windows(windows: str, text: str | None = None) -> str:
    text = bundled_playbook_text() if text is None else text
    return f"{text.rstrip()}\n\nmaintenance:\n{windows}"


DB_UPGRADE = """  - id: db-upgrade
    title: Database upgrade
    start: 2026-12-12T22:00:00Z
    end: "2026-12-13T01:00:00+01:00"
    components: [billing, jobs]
    public: Payments may be slow for a few minutes.
    freeze_deploys: true
"""


def test_a_window_reads_its_times_in_utc_quoted_or_not() -> None:
    playbook = parse_playbook(_with_windows(DB_UPGRADE), source="x.yaml")
    (window,) = playbook.maintenance
    assert (window.id, window.title, window.components) == (
        "db-upgrade",
        "Database upgrade",
        ("billing", "jobs"),
    )
    assert window.start == START
    assert window.end == START + timedelta(hours=2)
    assert window.freeze_deploys and window.public.startswith("Payments")
    assert window.issue is None


def test_its_status_follows_statuspage_scheduled_in_progress_completed() -> None:
    (window,) = parse_playbook(_with_windows(DB_UPGRADE), source="x.yaml").maintenance
    assert window.status_at(START - timedelta(seconds=1)) == "scheduled"
    assert window.status_at(START) == "in_progress" and window.active_at(START)
    assert window.status_at(window.end) == "completed" and not window.active_at(window.end)


def test_it_covers_its_components_and_only_a_window_of_all_covers_a_rule_of_none() -> None:
    (window,) = parse_playbook(_with_windows(DB_UPGRADE), source="x.yaml").maintenance
    assert window.covers("billing") and not window.covers("auth")
    assert window.covers_all(["billing", "jobs"])
    assert not window.covers_all(["billing", "auth"])
    assert not window.covers_all([])
    everything = parse_playbook(
        _with_windows(f"  - {{id: all, title: All, {HOUR}}}\n"),
        source="x.yaml",
    ).maintenance[0]
    assert everything.covers_all([]) and everything.covers("auth")


@pytest.mark.parametrize(
    ("window", "message"),
    [
        ("{id: w, title: W, start: '2026-12-12T22:00:00', end: '2026-12-12T23:00:00Z'}", "with a zone"),
        ("{id: w, title: W, start: 2026-12-12T22:00:00Z, end: 2026-12-12T22:00:00Z}", "end after it starts"),
        ("{id: w, title: W, start: 2026-12-12T22:00:00Z, end: soon}", "'soon' is not an ISO 8601 time"),
        (
            f"{{id: w, title: W, {HOUR}, components: [db]}}",
            "unknown component 'db'",
        ),
        (
            f"{{id: w, title: W, {HOUR}, services: [api]}}",
            "unknown service 'api'",
        ),
        (f"{{id: w, title: W, {HOUR}, who: me}}", "who"),
    ],
)
def test_what_the_builder_refuses_is_said_at_the_window(window: str, message: str) -> None:
    with pytest.raises(PlaybookError) as refused:
        parse_playbook(_with_windows(f"  - {window}\n"), source="x.yaml")
    assert message in str(refused.value)
    assert "maintenance" in str(refused.value)


def test_a_repeated_window_id_is_refused() -> None:
    with pytest.raises(PlaybookError, match="duplicate maintenance window 'db-upgrade'"):
        parse_playbook(_with_windows(DB_UPGRADE + DB_UPGRADE), source="x.yaml")


def test_each_service_view_gets_the_windows_that_cover_it() -> None:
    windows = (
        f"  - {{id: api-only, title: API, {HOUR}, services: [api]}}\n  - {{id: both, title: Both, {HOUR}}}\n"
    )
    playbook = parse_playbook(_with_windows(windows, with_services()), source="x.yaml")
    assert [w.id for w in playbook.maintenance] == ["api-only", "both"]
    assert [w.id for w in playbook.for_service("api").maintenance] == ["api-only", "both"]
    assert [w.id for w in playbook.for_service("worker").maintenance] == ["both"]
