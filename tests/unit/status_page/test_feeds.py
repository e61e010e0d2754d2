"""The feeds' paths and the maintenance calendar (ops_actions/status_page/feeds.py), and the page's
maintenance levels they follow (ops_actions/status_page/model.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar

from ops_actions.playbook import bundled_playbook_text, parse_playbook
from ops_actions.playbook.maintenance import MaintenanceWindow
from ops_actions.status_page.feeds import component_feed_paths, maintenance_ics
from ops_actions.status_page.model import build_page
from ops_actions.status_page.public import PublicIncident

PLAYBOOK = parse_playbook(bundled_playbook_text(), source="seed")
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
WINDOW = MaintenanceWindow(
    "db",
    "DB, upgrade; now",
    datetime(2026, 11, 27, 9, tzinfo=UTC),
    datetime(2026, 11, 27, 11, tzinfo=UTC),
    components=("billing", "jobs"),
    public="Line one\nline two; with, commas",
)


def test_a_component_feed_is_its_slug_and_names_sharing_one_get_their_own_hash() -> None:
    paths = component_feed_paths(["stripe webhook", "Stripe-Webhook", "auth", "¿?"])
    assert paths["auth"] == "feeds/auth.atom" and paths["¿?"] == "feeds/component.atom"
    shared = [paths["stripe webhook"], paths["Stripe-Webhook"]]
    assert len(set(shared)) == 2 and all(p.startswith("feeds/stripe-webhook-") for p in shared)
    assert component_feed_paths(["Stripe-Webhook", "stripe webhook"]) == {
        name: paths[name] for name in ("Stripe-Webhook", "stripe webhook")
    }, "the same names, the same paths, in any order"


def _incident(severity: str, components: tuple[str, ...]) -> PublicIncident:
    at = "2026-11-27T09:40:00Z"
    return PublicIncident(1, "T", severity, severity, "investigating", True, at, None, components, (), None)


def test_under_a_window_a_component_is_under_maintenance_unless_an_incident_is_worse() -> None:
    page = build_page(
        PLAYBOOK,
        [_incident("SEV-2", ("jobs",))],
        team="T",
        repository="o/r",
        now=NOW,
        last_checked_at=None,
        windows=[WINDOW],
    )
    levels = {c.name: c.level for c in page.components}
    assert (levels["billing"], levels["jobs"], levels["auth"]) == ("maintenance", "degraded", "operational")
    assert page.level == "degraded"
    later = build_page(
        PLAYBOOK,
        [],
        team="T",
        repository="o/r",
        now=datetime(2026, 11, 27, 11, tzinfo=UTC),
        last_checked_at=None,
        windows=[WINDOW],
    )
    assert {c.level for c in later.components} == {"operational"}, "a window ends at its end"


def test_the_calendar_folds_and_escapes_what_rfc_5545_asks() -> None:
    page = build_page(
        PLAYBOOK, [], team="T", repository="o/r", now=NOW, last_checked_at=None, windows=[WINDOW]
    )
    text = maintenance_ics(page)
    assert (
        "SUMMARY:DB\\, upgrade\\; now" in text and "DESCRIPTION:Line one\\nline two\\; with\\, commas" in text
    )
    (event,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert str(event["description"]) == WINDOW.public and event.decoded("dtend") == WINDOW.end
