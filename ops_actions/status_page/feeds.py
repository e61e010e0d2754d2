"""The status page's feeds, pure: Atom (RFC 4287) for the whole page, for each component and for each
service, and the maintenance windows as iCalendar (RFC 5545, ``maintenance.ics``).

Every feed has an entry per public update of its incidents and one per maintenance window, with
ids that stay the same across builds (a reader shows each once, then again only when its
``updated`` moves). A window's entry is updated at its start and again at its end (the title
says scheduled, in progress or completed). A component's feed carries the incidents that count
against it on the page (those that name it, and those that name no component yet) and the
windows that cover it; a service's, its section's. ``feeds/<slug>.atom``: the component's name in
lower case, every run of other characters one ``-``; names that would share a slug each get a
short hash of their own name after it, so each path stays the same from build to build.
ElementTree escapes XML itself; the HTML inside entries is escaped or rendered by the public
Markdown renderer.
"""

from __future__ import annotations

import hashlib
import re
import uuid
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from ops_actions.incident.clock import iso, parse_time
from ops_actions.playbook.maintenance import MaintenanceWindow
from ops_actions.status_page.model import Page, incident_path
from ops_actions.status_page.public import PublicIncident
from ops_actions.text.html import escape, markdown_html

ATOM: Final = "http://www.w3.org/2005/Atom"
PAGE_FEED: Final = "feed.xml"
CALENDAR: Final = "maintenance.ics"
PHASES: Final = {"scheduled": "scheduled", "in_progress": "in progress", "completed": "completed"}
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Feed:
    """One Atom feed: where it is, what it is called, its incidents and windows."""

    path: str
    title: str
    parts: tuple[str, ...]
    """What its id is made of (with the repository): the same feed keeps the same id."""
    incidents: tuple[PublicIncident, ...]
    windows: tuple[MaintenanceWindow, ...]

    @property
    def root(self) -> str:
        """The way from the feed back to the site's root."""
        return "../" * self.path.count("/")


def stable_id(page: Page, *parts: object) -> str:
    """A URN that stays the same across builds, so feed readers see each entry once."""
    name = ":".join(["ops-actions", page.repository, *map(str, parts)])
    return uuid.uuid5(uuid.NAMESPACE_URL, name).urn


def component_feed_paths(names: Sequence[str]) -> dict[str, str]:
    """Each component's feed path by its name (see the module's docstring for the slugs)."""
    slugs = {name: _NOT_SLUG.sub("-", name.lower()).strip("-") or "component" for name in names}
    shared = Counter(slugs.values())
    return {
        name: f"feeds/{slug}-{hashlib.sha256(name.encode()).hexdigest()[:8]}.atom"
        if shared[slug] > 1
        else f"feeds/{slug}.atom"
        for name, slug in slugs.items()
    }


def service_feed_path(service_id: str) -> str:
    return f"feeds/services/{service_id}.atom"


def window_anchor(window: MaintenanceWindow) -> str:
    """The id of a window's entry in the page's maintenance section (ids are letters, digits, -_)."""
    return f"maintenance-{window.id}"


def page_feeds(page: Page) -> tuple[Feed, ...]:
    """The page's feed, each component's, and each service's on a page of several."""
    feeds = [Feed(PAGE_FEED, f"{page.team} status", ("status",), page.incidents, page.maintenance)]
    by_number = {incident.number: incident for incident in page.incidents}
    by_id = {window.id: window for window in page.maintenance}
    paths = component_feed_paths([component.name for component in page.components])
    for component in page.components:
        feeds.append(
            Feed(
                paths[component.name],
                f"{page.team} status: {component.name}",
                ("status", "component", component.name),
                tuple(by_number[number] for number in component.incidents),
                tuple(by_id[window_id] for window_id in component.maintenance),
            )
        )
    for section in page.services:
        feeds.append(
            Feed(
                service_feed_path(section.service.id),
                f"{page.team} status: {section.service.name}",
                ("status", "service", section.service.id),
                section.page.incidents,
                section.page.maintenance,
            )
        )
    return tuple(feeds)


def _window_updated(window: MaintenanceWindow, page: Page) -> str:
    """When a window's entry last changed: its start, then its end once it ended."""
    ended = window.status_at(parse_time(page.generated_at)) == "completed"
    return iso(window.end if ended else window.start)


def window_scope(window: MaintenanceWindow) -> str:
    """What a window covers, escaped for HTML."""
    return ", ".join(map(escape, window.components)) or "every component"


def _window_html(window: MaintenanceWindow) -> str:
    when = f"From {iso(window.start)} to {iso(window.end)} (UTC). Affects: {window_scope(window)}."
    said = f"<p>{escape(window.public)}</p>" if window.public else ""
    return f"{said}<p>{when}</p>"


def feed_xml(page: Page, feed: Feed) -> str:
    """The Atom feed: one entry per public update of its incidents and per window, newest first."""
    ET.register_namespace("", ATOM)

    def add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
        element.text = text
        return element

    now = parse_time(page.generated_at)
    # (updated, id, title, published, link, html) of each entry
    entries = [
        (
            update.at,
            stable_id(page, incident.number, update.key),
            f"{incident.title}: {update.status}",
            update.at,
            feed.root + incident_path(incident),
            markdown_html(update.markdown),
        )
        for incident in feed.incidents
        for update in incident.updates
    ]
    entries += [
        (
            _window_updated(window, page),
            stable_id(page, "maintenance", window.id),
            f"Maintenance: {window.title} ({PHASES[window.status_at(now)]})",
            iso(window.start),
            f"{feed.root}index.html#{window_anchor(window)}",
            _window_html(window),
        )
        for window in feed.windows
    ]
    entries.sort(key=lambda entry: parse_time(entry[0]), reverse=True)
    root = ET.Element(f"{{{ATOM}}}feed")
    add(root, "id", stable_id(page, *feed.parts))
    add(root, "title", feed.title)
    add(root, "updated", entries[0][0] if entries else page.generated_at)
    add(add(root, "author"), "name", page.team)
    add(root, "link", rel="alternate", type="text/html", href=f"{feed.root}index.html")
    add(root, "link", rel="self", type="application/atom+xml", href=feed.path.rsplit("/", 1)[-1])
    add(root, "generator", "ops-actions")
    for updated, entry_id, title, published, link, html in entries:
        entry = add(root, "entry")
        add(entry, "id", entry_id)
        add(entry, "title", title)
        add(entry, "updated", updated)
        add(entry, "published", published)
        add(entry, "link", rel="alternate", type="text/html", href=link)
        add(entry, "content", html, type="html")
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def maintenance_ics(page: Page) -> str:
    """The page's maintenance windows as an iCalendar: one event each, its UID the same in every
    build, DTSTART and DTEND in UTC, SUMMARY its title, DESCRIPTION its public text."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//ops-actions//status page maintenance//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{page.team} maintenance")
    for window in page.maintenance:
        event = Event()
        event.add("uid", stable_id(page, "maintenance", window.id).removeprefix("urn:uuid:") + "@ops-actions")
        event.add("dtstamp", parse_time(page.generated_at))
        event.add("dtstart", window.start)
        event.add("dtend", window.end)
        event.add("summary", window.title)
        if window.public:
            event.add("description", window.public)
        calendar.add_component(event)
    return str(calendar.to_ical().decode("utf-8"))
