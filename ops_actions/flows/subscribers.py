"""Subscriber webhooks after an incident change: what the page now shows of it, to every subscriber.

The hook runs where notifications run, after the incident's own writes (the comment and the saved
state are on GitHub before anyone is told), for each change that publishes the page (opened,
confirmed, status, severity, resolved). It reads the incident issue afresh and its timeline since
it was last read, and the open incidents (their state blocks alone: the page's status needs only
their severities), and builds the page's model twice, just before the change and just after, from
the same public view the page is built from (:func:`ops_actions.flows.status_page.public_view`):
an incident the page leaves off (internal, held back while only the runner saw it, a false alarm)
tells no subscriber, and no text reaches one that the page does not show. The payloads are
:mod:`ops_actions.status_page.statuspage_webhooks`'s; sending and signing are
:mod:`ops_actions.adapters.subscribers`'s. A subscriber that fails comes back as a failed delivery,
which the incident's timeline notes once (:meth:`ops_actions.flows.incidents.IncidentService._notify`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from ops_actions.flows.incidents import Announcer, IncidentService
from ops_actions.flows.maintenance import known_windows
from ops_actions.flows.status_page import public_view
from ops_actions.flows.tracker_protocols import Delivered
from ops_actions.incident.state import IncidentState
from ops_actions.incident.transitions import CONFIRMED
from ops_actions.status_page.model import Page, build_page
from ops_actions.status_page.public import PublicIncident, page_settings
from ops_actions.status_page.statuspage_webhooks import Payload, change_payloads

# Sends the payloads to every subscriber that is on; gives back the failures.
Send = Callable[[Sequence[Payload]], Sequence[Delivered]]


def _number(url: str) -> int | None:
    """The issue's number from its address (``…/issues/N``): the hook is handed the URL alone."""
    tail = url.rstrip("/").rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else None


def _before(shown: PublicIncident, kind: str, state: IncidentState) -> PublicIncident | None:
    """The incident as the page showed it just before the change (None: it was not there yet).
    Only what sets a component's status matters: whether it is open, and its severity."""
    if kind in {"opened", CONFIRMED}:
        return None
    if kind == "resolved":
        return replace(shown, open=True, ended_at=None)
    if kind == "severity" and len(state.severity_history) > 1:
        previous = state.severity_history[-2].get("severity")
        return replace(shown, severity=previous) if isinstance(previous, str) else shown
    return shown


def change_payloads_for(
    incidents: IncidentService, number: int, kind: str, state: IncidentState, *, repository: str
) -> list[Payload]:
    """The payloads of one change of incident ``number`` (none when the page does not show it)."""
    playbook = incidents.playbook
    issue = incidents.tracker.issue(number)
    shown = public_view(incidents, issue, incidents.own_comments(number, settle=False, issue=issue), {})
    if shown is None:
        return []
    others = [
        view
        for other in incidents.tracker.open_incidents(playbook.incident_labels)
        if other.number != number and (view := public_view(incidents, other, [], {})) is not None
    ]
    team = page_settings(playbook).team or repository.split("/", 1)[-1]
    now = incidents.clock()

    windows = known_windows(incidents.tracker, playbook, now)

    def page(views: Sequence[PublicIncident]) -> Page:
        return build_page(
            playbook, views, team=team, repository=repository, now=now, last_checked_at=None, windows=windows
        )

    before = _before(shown, kind, state)
    return change_payloads(
        playbook,
        page([*others, *([before] if before else [])]),
        page([*others, shown]),
        shown,
        event=kind,
    )


def subscriber_announcer(
    incidents: IncidentService, *, repository: str, send: Send | None
) -> Announcer | None:
    """The hook that tells the subscribers of each change; None without a status page, or when no
    subscriber is on (``send`` None)."""
    if send is None or incidents.playbook.status_page is None:
        return None

    def announce(kind: str, state: IncidentState, url: str) -> list[Delivered]:
        number = _number(url)
        if number is None:
            return []
        payloads = change_payloads_for(incidents, number, kind, state, repository=repository)
        return list(send(payloads)) if payloads else []

    return announce
