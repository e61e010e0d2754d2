"""Maintenance on the status page, its calendar, and the feeds per component and per service.

The playbook declares windows (one in progress, one upcoming, one ended within the history, one
ended long before); incidents are played through the CLI on the GitHub emulator, a writer labels
one ``planned``, and ``ops-actions status-page build`` writes the site. What a visitor reads is
checked: the maintenance section, each component's level, the history; every Atom feed is
validated against RFC 4287's RELAX NG schema, and ``maintenance.ics`` is parsed with icalendar.
"""

from __future__ import annotations

import json
from pathlib import Path

import icalendar

from ops_actions.playbook import bundled_playbook_text
from tests.integration.test_status_page import Site, build, component_states
from tests.support.atom import NS, checked_feed
from tests.support.fixtures.github import GITHUB_TOKEN, REPO
from tests.support.fixtures.world import World
from tests.support.services import two_service_playbook

# The world's clock starts at 2026-11-27T10:00Z.
WINDOWS = """maintenance:
  - id: db-upgrade
    title: Database upgrade & <tune>
    start: '2026-11-27T09:30:00Z'
    end: '2026-11-27T11:00:00Z'
    components: [billing, jobs]
    public: Card payments may be slow <b>briefly</b>.
  - id: dns-move
    title: DNS provider move
    start: '2026-12-02T22:00:00+01:00'
    end: '2026-12-02T23:00:00+01:00'
  - id: old-work
    title: Queue migration
    start: '2026-11-20T01:00:00Z'
    end: '2026-11-20T02:00:00Z'
    components: [jobs]
  - id: ancient
    title: Before the history
    start: '2026-06-01T01:00:00Z'
    end: '2026-06-01T02:00:00Z'
"""


def with_windows(world: World, text: str, windows: str = WINDOWS) -> None:
    path = world.tmp_path / "maintenance.yaml"
    path.write_text(text.rstrip("\n") + "\n\n" + windows, encoding="utf-8")
    world.monkeypatch.setenv("OPS_PLAYBOOK", str(path))


def add_label(world: World, number: int, label: str) -> None:
    world.emulator.handle(
        "POST",
        f"/repos/{REPO}/issues/{number}/labels",
        {"authorization": f"token {GITHUB_TOKEN}", "content-type": "application/json"},
        json.dumps({"labels": [label]}).encode(),
    )


def feeds(site: Site) -> dict[str, list[str]]:
    """Every feed of the site (each validated as Atom), by path: its entries' titles, newest first."""
    return {
        path: [e.findtext("atom:title", "", NS) for e in checked_feed(content).iterfind("atom:entry", NS)]
        for path, content in site.files.items()
        if path.endswith((".atom", ".xml"))
    }


def played(world: World) -> Site:
    """A SEV-2 of jobs (under the window, not planned), a SEV-3 of worker resolved and then
    labelled planned, then the build."""
    with_windows(world, bundled_playbook_text())
    jobs = ["incident", "open", "--title", "Queue stuck", "--severity", "2", "--component", "jobs"]
    assert world.cli(0, *jobs) == 0
    work = ["incident", "open", "--title", "Worker rotation", "--severity", "3", "--component", "worker"]
    assert world.cli(1, *work) == 0
    assert world.cli(20, "incident", "resolve", "2", "--force", "--reason", "planned work done") == 0
    add_label(world, 2, "planned")  # marked planned afterwards (the label is a writer's)
    return build(world, 30)


def test_windows_show_on_the_page_and_a_component_under_one_is_under_maintenance(world: World) -> None:
    """In progress, scheduled and completed windows, each as text; billing (under the window, no
    incident) is under maintenance; jobs (under it too) is degraded by its incident; a window that
    ended before the history is not shown; the banner is the worst level."""
    site = played(world)
    assert component_states(site) == {
        "auth": "operational",
        "billing": "maintenance",
        "jobs": "degraded",
        "worker": "operational",
        "stripe webhook": "operational",
    }
    text = site.text()
    assert "billing Under maintenance" in text and "jobs Degraded" in text
    assert "Degraded performance 1 open incident." in text
    section = text.split(" Maintenance ", 1)[1].split(" Last 90 days", 1)[0]
    assert section == (
        "In progress Database upgrade & <tune> 2026-11-27 09:30 UTC to 2026-11-27 11:00 UTC · "
        "Affects: billing, jobs Card payments may be slow <b>briefly</b>. "
        "Scheduled DNS provider move 2026-12-02 21:00 UTC to 2026-12-02 22:00 UTC · Affects: every component "
        "Completed Queue migration 2026-11-20 01:00 UTC to 2026-11-20 02:00 UTC · Affects: jobs"
    )
    html = site.files["index.html"]
    assert "<tune>" not in html and "<b>briefly" not in html, "the playbook's words are escaped"
    assert "Before the history" not in site.everything()


def test_a_planned_incident_shows_as_maintenance_and_stays_out_of_the_history(world: World) -> None:
    site = played(world)
    worker = next(c for c in site.status["components"] if c["name"] == "worker")
    assert (worker["incident_days"], worker["incident_minutes"], worker["days"]) == (0, 0, [])
    jobs = next(c for c in site.status["components"] if c["name"] == "jobs")
    assert jobs["incident_minutes"] == 30, "an incident under a window still counts: it is no planned one"
    planned = next(i for i in site.status["incidents"] if i["id"] == 2)
    assert planned["level"] == "maintenance" and planned["title"] == "Planned maintenance of worker"
    past = site.text().split("Past incidents", 1)[1]
    assert "Planned maintenance of worker Under maintenance · 2026-11-27 10:01 UTC" in past
    assert "Planned maintenance of worker is under way." in site.text("incidents/2.html")


def test_the_calendar_parses_with_stable_uids_utc_times_and_the_public_words(world: World) -> None:
    site = played(world)
    calendar = icalendar.Calendar.from_ical(site.files["maintenance.ics"])
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert sorted(events) == ["DNS provider move", "Database upgrade & <tune>", "Queue migration"]
    upgrade, move = events["Database upgrade & <tune>"], events["DNS provider move"]
    assert str(upgrade["description"]) == "Card payments may be slow <b>briefly</b>."
    assert upgrade.decoded("dtstart").isoformat() == "2026-11-27T09:30:00+00:00"
    assert move.decoded("dtend").isoformat() == "2026-12-02T22:00:00+00:00", "the +01:00 end, in UTC"
    assert "DTSTART:20261202T210000Z" in site.files["maintenance.ics"].replace("\r", "")
    uids = {name: str(event["uid"]) for name, event in events.items()}
    assert len(set(uids.values())) == 3
    again = icalendar.Calendar.from_ical(build(world, 40).files["maintenance.ics"])
    assert {str(e["summary"]): str(e["uid"]) for e in again.walk("VEVENT")} == uids, "stable UIDs"


def test_each_component_has_a_feed_of_its_incidents_and_windows(world: World) -> None:
    """Each feed validates as Atom; a component's carries only its incidents and the windows that
    cover it; the page's carries everything; paths are slugs ("stripe webhook")."""
    site = played(world)
    by_path = feeds(site)
    assert sorted(by_path) == [
        "feed.xml",
        "feeds/auth.atom",
        "feeds/billing.atom",
        "feeds/jobs.atom",
        "feeds/stripe-webhook.atom",
        "feeds/worker.atom",
    ]
    upcoming, active = (
        "Maintenance: DNS provider move (scheduled)",
        "Maintenance: Database upgrade & <tune> (in progress)",
    )
    done = "Maintenance: Queue migration (completed)"
    assert by_path["feeds/billing.atom"] == [upcoming, active]
    assert by_path["feeds/auth.atom"] == [upcoming]
    assert by_path["feeds/jobs.atom"] == [
        upcoming,
        "Degraded performance of jobs: investigating",
        active,
        done,
    ]
    worker = by_path["feeds/worker.atom"]
    assert "Planned maintenance of worker: resolved" in worker and active not in worker
    assert set(by_path["feed.xml"]) == {title for titles in by_path.values() for title in titles}
    billing = checked_feed(site.files["feeds/billing.atom"])
    links = [link.get("href") for link in billing.iterfind("atom:entry/atom:link", NS)]
    assert links == ["../index.html#maintenance-dns-move", "../index.html#maintenance-db-upgrade"]
    assert (site.root / "feeds" / links[0].split("#")[0]).resolve() == (site.root / "index.html").resolve()
    assert 'id="maintenance-db-upgrade"' in site.files["index.html"], "where the entry's link leads"
    assert "Feeds per component: auth , billing , jobs , worker , stripe webhook" in site.text()


def test_each_service_has_a_feed_of_its_section(world: World, tmp_path: Path) -> None:
    """On a page of two services: a window of the worker's service is in its feed, not the API's,
    and each service's incident only in its own."""
    text = two_service_playbook(tmp_path).read_text(encoding="utf-8")
    window = (
        "maintenance:\n  - id: worker-patch\n    title: Worker patching\n    services: [worker]\n"
        "    start: '2026-11-27T09:00:00Z'\n    end: '2026-11-27T12:00:00Z'\n"
    )
    with_windows(world, text, window)
    api = ["incident", "open", "--service", "api", "--title", "Checkout failing", "--severity", "1"]
    assert world.cli(0, *api, "--component", "billing") == 0
    site = build(world, 5)
    by_path = feeds(site)
    assert by_path["feeds/services/api.atom"] == ["Billing unavailable: investigating"]
    assert by_path["feeds/services/worker.atom"] == ["Maintenance: Worker patching (in progress)"]
    assert "Services: Job worker · Affects: every component" in site.text()
    assert component_states(site)["billing"] == "outage", "a window never hides an incident outside it"
