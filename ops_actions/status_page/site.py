"""The status page as files, pure: HTML pages, the feeds (:mod:`.feeds`), ``status.json``, one CSS
file, one script.

The pages are readable without JavaScript: ``status.js`` only adds "5 min ago" next to each UTC
time. Nothing loads from another host, and a Content-Security-Policy says so to the browser.
Every text from the incidents passes :func:`ops_actions.text.html.escape` or the public Markdown
renderer; the feed is built by ElementTree, which escapes XML itself but passes on characters XML
forbids, so every file loses those last (a title written before they were kept out of titles).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from typing import Any, Final

from ops_actions.incident.clock import duration, iso, parse_time
from ops_actions.playbook.maintenance import MaintenanceWindow
from ops_actions.playbook.model import Playbook
from ops_actions.status_page.component_figures import counted, figure_phrases
from ops_actions.status_page.feeds import (
    CALENDAR,
    PAGE_FEED,
    component_feed_paths,
    feed_xml,
    maintenance_ics,
    page_feeds,
    window_anchor,
    window_scope,
)
from ops_actions.status_page.model import HISTORY_DAYS, ComponentView, Page, incident_path
from ops_actions.status_page.public import MAINTENANCE_LEVEL, PublicIncident, PublicUpdate, incident_level
from ops_actions.status_page.status_json import service_documents, status_document
from ops_actions.status_page.statuspage_api import api_documents
from ops_actions.text.html import escape, markdown_html, xml_chars

STATIC: Final = ("style.css", "status.js", "favicon.svg")
BANNERS: Final = {
    "operational": "All systems operational",
    MAINTENANCE_LEVEL: "Maintenance in progress",
    "degraded": "Degraded performance",
    "outage": "Major outage",
}
LEVEL_NAMES: Final = {
    "operational": "Operational",
    MAINTENANCE_LEVEL: "Under maintenance",
    "degraded": "Degraded",
    "outage": "Outage",
}
# The maintenance section's groups, in the order it shows them.
PHASE_HEADINGS: Final = (
    ("in_progress", "In progress"),
    ("scheduled", "Scheduled"),
    ("completed", "Completed"),
)
CSP: Final = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'none'"
)


def _time(at: str) -> str:
    """A UTC time people read, with the machine-readable form the script turns into "… ago"."""
    shown = parse_time(at).strftime("%Y-%m-%d %H:%M UTC")
    return f'<time datetime="{escape(at)}">{shown}</time>'


def _level(level: str) -> str:
    return f'<span class="level level-{level}">{LEVEL_NAMES[level]}</span>'


def _components(incident: PublicIncident) -> str:
    return ", ".join(map(escape, incident.components)) or "not narrowed down yet"


def _document(page: Page, *, title: str, body: str, root: str) -> str:
    """A whole HTML page; ``root`` leads from the page to the site's root (``""`` or ``"../"``)."""
    links = "".join(f'<li><a href="{escape(url)}">{escape(name)}</a></li>' for name, url in page.links)
    nav = f'<nav aria-label="{escape(page.team)} links"><ul>{links}</ul></nav>' if links else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<title>{escape(title)}</title>
<link rel="stylesheet" href="{root}style.css">
<link rel="icon" type="image/svg+xml" href="{root}favicon.svg">
<link rel="alternate" type="application/atom+xml" title="{escape(page.team)} status updates" \
href="{root}{PAGE_FEED}">
<script src="{root}status.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to the status</a>
<header class="site">
<p class="team"><a href="{root}index.html">{escape(page.team)}</a></p>
{nav}
</header>
<main id="main">
{body}
</main>
<footer class="site">
<p>Times are UTC. Built {_time(page.generated_at)} from the incident issues by ops-actions.</p>
<p><a href="{root}{PAGE_FEED}">Atom feed</a> · <a href="{root}status.json">status.json</a> · \
<a href="{root}{CALENDAR}">Maintenance calendar</a></p>
{_feed_links(page, root)}
</footer>
</body>
</html>
"""


def _feed_links(page: Page, root: str) -> str:
    """The footer's line of each component's feed."""
    paths = component_feed_paths([component.name for component in page.components])
    links = ", ".join(f'<a href="{root}{paths[name]}">{escape(name)}</a>' for name in paths)
    return f"<p>Feeds per component: {links}</p>" if links else ""


def _updates(updates: Sequence[PublicUpdate]) -> str:
    """The public updates, newest first."""
    if not updates:
        return '<p class="none">No public update yet.</p>'
    items = "".join(
        f'<li><p class="when">{_time(u.at)} · <strong>{escape(u.status.capitalize())}</strong></p>'
        f'<div class="text">{markdown_html(u.markdown)}</div></li>'
        for u in reversed(updates)
    )
    return f'<ol class="updates" reversed>{items}</ol>'


def _service_name(page: Page, incident: PublicIncident) -> str | None:
    """The name of the incident's service, escaped, on a page of several services (None on one)."""
    if not page.services:
        return None
    names = {section.service.id: section.service.name for section in page.services}
    return escape(names[incident.service]) if incident.service in names else "not narrowed down yet"


def _open_incident(playbook: Playbook, page: Page, incident: PublicIncident) -> str:
    anchor = f"incident-{incident.number}"
    service = _service_name(page, incident)
    return (
        f'<article class="incident" aria-labelledby="{anchor}">'
        f'<h3 id="{anchor}"><a href="{incident_path(incident)}">{escape(incident.title)}</a></h3>'
        f'<p class="meta">{_level(incident_level(playbook, incident, incident.severity))} · '
        f"{escape(incident.status.capitalize())} · since {_time(incident.started_at)} · "
        f"{f'Service: {service} · ' if service else ''}Affects: {_components(incident)}</p>"
        f"{_updates(incident.updates)}</article>"
    )


def _history(components: Sequence[ComponentView], heading: str = "h3") -> str:
    """Each component's 90 days; ``heading`` its name's tag (one lower under a service's heading)."""
    rows = []
    for component in components:
        had_incidents = any(day.level != "operational" for day in component.days)
        summary = escape(", ".join(figure_phrases(component))) if had_incidents else "No incidents"
        cells = "".join(
            f'<span class="day day-{day.level}" title="{day.date}: {day.level}, {day.minutes} min"></span>'
            if day.level != "operational"
            else '<span class="day"></span>'
            for day in component.days
        )
        rows.append(
            f'<li><{heading}>{escape(component.name)}</{heading}><p class="summary">{summary}</p>'
            f'<div class="days" aria-hidden="true">{cells}</div>'
            f'<p class="axis" aria-hidden="true"><span>{HISTORY_DAYS} days ago</span>'
            "<span>Today</span></p></li>"
        )
    return f'<ul class="history">{"".join(rows)}</ul>'


def _past(playbook: Playbook, incidents: Sequence[PublicIncident]) -> str:
    if not incidents:
        return f'<p class="none">No incidents in the last {HISTORY_DAYS} days.</p>'
    items = "".join(
        f'<li><a href="{incident_path(i)}">{escape(i.title)}</a> '
        f"{_level(incident_level(playbook, i, i.worst_severity))} · {_time(i.started_at)} · "
        f"lasted {duration(i.started_at, i.ended_at)}</li>"
        for i in incidents
    )
    return f'<ul class="past">{items}</ul>'


def _window(page: Page, window: MaintenanceWindow) -> str:
    anchor = window_anchor(window)
    names = {section.service.id: section.service.name for section in page.services}
    services = ", ".join(escape(names.get(s, s)) for s in window.services)
    said = f'<p class="text">{escape(window.public)}</p>' if window.public else ""
    return (
        f'<li id="{anchor}"><h4>{escape(window.title)}</h4>'
        f'<p class="meta">{_time(iso(window.start))} to {_time(iso(window.end))} · '
        f"{f'Services: {services} · ' if services and page.services else ''}"
        f"Affects: {window_scope(window)}</p>{said}</li>"
    )


def _maintenance(page: Page) -> str:
    """The maintenance section: the windows in progress, scheduled, then completed (newest first)."""
    moment = parse_time(page.generated_at)
    groups = []
    for phase, heading in PHASE_HEADINGS:
        windows = [w for w in page.maintenance if w.status_at(moment) == phase]
        if phase == "completed":
            windows.reverse()
        if windows:
            items = "".join(_window(page, window) for window in windows)
            groups.append(f'<h3>{heading}</h3><ul class="maintenance">{items}</ul>')
    return (
        '<section id="maintenance" aria-labelledby="maintenance-title">'
        f'<h2 id="maintenance-title">Maintenance</h2>{"".join(groups)}</section>'
    )


def _component_levels(components: Sequence[ComponentView]) -> str:
    items = "".join(
        f'<li><span class="component">{escape(c.name)}</span> {_level(c.level)}</li>' for c in components
    )
    return f'<ul class="components">{items}</ul>'


def _by_service(playbook: Playbook, page: Page) -> tuple[str, str, str]:
    """The page of several services grouped: each service's components, history and past incidents
    under its name (the incidents of no service under "Other incidents")."""
    components, history, past = [], [], []
    for section in page.services:
        name, anchor = escape(section.service.name), f"service-{section.service.id}"
        components.append(
            f'<section aria-labelledby="{anchor}"><h3 id="{anchor}">{name} {_level(section.page.level)}</h3>'
            f"{_component_levels(section.page.components)}</section>"
        )
        history.append(f"<h3>{name}</h3>{_history(section.page.components, 'h4')}")
        own = [i for i in section.page.past_incidents if i.service == section.service.id]
        past.append(f"<h3>{name}</h3>{_past(playbook, own)}")
    other = [i for i in page.other_incidents if not i.open]
    if other:
        past.append(f"<h3>Other incidents</h3>{_past(playbook, other)}")
    return "".join(components), "".join(history), "".join(past)


def index_html(playbook: Playbook, page: Page) -> str:
    count = len(page.open_incidents)
    said = f"{counted(count, 'open incident')}." if count else "No open incidents."
    if page.last_checked_at:
        said += f" Last automated check: {_time(page.last_checked_at)}."
    if page.services:
        title, (components, history, past) = "Services", _by_service(playbook, page)
    else:
        title, components = "Components", _component_levels(page.components)
        history, past = _history(page.components), _past(playbook, page.past_incidents)
    body = [
        f"<h1>{escape(page.team)} status</h1>",
        f'<section class="now now-{page.level}" aria-labelledby="now-title">'
        f'<h2 id="now-title">{BANNERS[page.level]}</h2><p>{said}</p></section>',
        f'<section aria-labelledby="components-title"><h2 id="components-title">{title}</h2>'
        f"{components}</section>",
    ]
    if page.open_incidents:
        incidents = "".join(_open_incident(playbook, page, i) for i in page.open_incidents)
        body.append(
            '<section aria-labelledby="open-title"><h2 id="open-title">Open incidents</h2>'
            f"{incidents}</section>"
        )
    if page.maintenance:
        body.append(_maintenance(page))
    body += [
        f'<section aria-labelledby="history-title"><h2 id="history-title">Last {HISTORY_DAYS} days</h2>'
        f"{history}</section>",
        f'<section aria-labelledby="past-title"><h2 id="past-title">Past incidents</h2>{past}</section>',
    ]
    return _document(page, title=f"{page.team} status", body="\n".join(body), root="")


def incident_html(playbook: Playbook, page: Page, incident: PublicIncident) -> str:
    level = incident_level(
        playbook, incident, incident.severity if incident.open else incident.worst_severity
    )
    service = _service_name(page, incident)
    facts = [
        ("Status", escape(incident.status.capitalize())),
        ("Impact", _level(level)),
        *([("Service", service)] if service else []),
        ("Affects", _components(incident)),
        ("Started", _time(incident.started_at)),
    ]
    if incident.ended_at:
        facts += [
            ("Ended", _time(incident.ended_at)),
            ("Duration", duration(incident.started_at, incident.ended_at)),
        ]
    listed = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in facts)
    body = [
        '<p class="back"><a href="../index.html">Back to the status page</a></p>',
        f"<h1>{escape(incident.title)}</h1>",
        f'<dl class="facts">{listed}</dl>',
    ]
    if incident.summary:
        body.append(
            '<section aria-labelledby="summary-title"><h2 id="summary-title">Summary</h2>'
            f'<div class="text">{markdown_html(incident.summary)}</div></section>'
        )
    body.append(
        '<section aria-labelledby="updates-title"><h2 id="updates-title">Updates</h2>'
        f"{_updates(incident.updates)}</section>"
    )
    return _document(page, title=f"{incident.title} · {page.team} status", body="\n".join(body), root="../")


def static_file(name: str) -> str:
    """The stylesheet, the script or the icon, as shipped in the package."""
    return (
        resources.files("ops_actions").joinpath(f"templates/status_page/{name}").read_text(encoding="utf-8")
    )


def _json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def site_files(playbook: Playbook, page: Page) -> dict[str, str]:
    """Every file of the site by its path relative to the site's root."""
    files = {
        "index.html": index_html(playbook, page),
        "status.json": _json(status_document(playbook, page)),
        CALENDAR: maintenance_ics(page),
    }
    for feed in page_feeds(page):
        files[feed.path] = feed_xml(page, feed)
    documents = {**service_documents(playbook, page), **api_documents(playbook, page)}
    for path, document in documents.items():
        files[path] = _json(document)
    for incident in page.incidents:
        files[incident_path(incident)] = incident_html(playbook, page, incident)
    for name in STATIC:
        files[name] = static_file(name)
    return {path: xml_chars(content) for path, content in files.items()}
