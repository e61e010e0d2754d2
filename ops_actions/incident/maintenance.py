"""What a maintenance window does, pure: the causes it holds, the reminders it pauses, the deploys
it freezes; an ad hoc window kept in an issue; an incident marked as planned.

A window holds a cause (no incident opens for it) while it is active and covers every component
of the cause's rules (:func:`ops_actions.playbook.maintenance.MaintenanceWindow.covers_all`): a
rule of a component outside it, or of no component, opens as usual, so a window never hides a
SEV-1 elsewhere. It pauses the overdue-update reminder and the no-owner escalation of an open
incident whose components it all covers. Triage goes on counting breaches inside the window, so a
rule still firing when the window ends opens its incident on the next run, with no new wait.

An ad hoc window is an issue labelled ``maintenance`` whose body the tool wrote: readable text,
then a hidden marker with the window (only the tool's own issues count, as every state block).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Final

from ops_actions.incident.causes import rule_components
from ops_actions.incident.clock import iso
from ops_actions.incident.slash_registry import FREEZE_FLAG
from ops_actions.incident.state import IncidentState
from ops_actions.incident.timeline import TimelineEvent
from ops_actions.playbook.maintenance import MaintenanceWindow, parse_utc
from ops_actions.playbook.model import Playbook
from ops_actions.text.markdown import encode_marker, find_markers, inert, section_source

# The label of an issue the "Maintenance window" issue form opened: a writer's request for a window.
REQUEST_LABEL: Final = "maintenance-request"
# What GitHub writes under an issue form's heading left empty.
_NO_RESPONSE: Final = "_No response_"
_FREEZE_TICKED = re.compile(r"^\s*- \[[xX]\] Freeze deploys", re.MULTILINE)

# The kind of the hidden marker that keeps an ad hoc window in its issue's body.
WINDOW_MARKER: Final = "maintenance"
# An ad hoc window's id is this and its issue's number.
ADHOC_PREFIX: Final = "adhoc-"


def adhoc_id(number: int) -> str:
    return f"{ADHOC_PREFIX}{number}"


def window_fields(window: MaintenanceWindow) -> dict[str, Any]:
    """A window's fields as JSON (times in UTC), as its marker and ``maintenance list --json`` hold them."""
    return {
        "title": window.title,
        "start": iso(window.start),
        "end": iso(window.end),
        "components": list(window.components),
        "services": list(window.services),
        "public": window.public,
        "freeze_deploys": window.freeze_deploys,
    }


def window_payload(window: MaintenanceWindow, *, reason: str, by: str, key: str) -> dict[str, Any]:
    """What the hidden marker of an ad hoc window holds (its id is its issue's number, known later)."""
    return {"key": key, **window_fields(window), "reason": reason, "by": by}


def window_body(window: MaintenanceWindow, *, reason: str, by: str, key: str) -> str:
    """The body of an ad hoc window's issue: what people read, then the marker."""
    covers = ", ".join(window.components) or "every component"
    lines = [
        f"**Maintenance** by @{by}: {inert(reason)}",
        "",
        f"- From {iso(window.start)} to {iso(window.end)} (UTC)",
        f"- Covers: {inert(covers)}"
        + (f" of {inert(', '.join(window.services))}" if window.services else ""),
        f"- Deploys: {'frozen' if window.freeze_deploys else 'not frozen'}",
        "",
        "While it runs, rules on these components open no incident and the reminders of incidents "
        "that touch only them pause. End it early with `ops-actions maintenance end "
        "<number>`; the watch closes it once it is over.",
    ]
    marker = encode_marker(WINDOW_MARKER, window_payload(window, reason=reason, by=by, key=key))
    return "\n".join(lines) + "\n\n" + marker + "\n"


def _texts(value: object) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return None


def window_of_issue(number: int, body: str) -> MaintenanceWindow | None:
    """The ad hoc window an issue's body keeps (the last well-formed marker); None when there is none
    or it does not read as a window (a hand edit may leave anything)."""
    found = find_markers(body, WINDOW_MARKER)
    data: Mapping[str, Any] = found[-1] if found else {}
    start, end = (
        parse_utc(data[key]) if isinstance(data.get(key), str) else None for key in ("start", "end")
    )
    components, services = _texts(data.get("components")), _texts(data.get("services"))
    title, public = data.get("title"), data.get("public", "")
    if start is None or end is None or end <= start or components is None or services is None:
        return None
    if not isinstance(title, str) or not isinstance(public, str):
        return None
    return MaintenanceWindow(
        id=adhoc_id(number),
        title=title,
        start=start,
        end=end,
        components=components,
        services=services,
        public=public,
        freeze_deploys=data.get("freeze_deploys") is True,
        issue=number,
    )


def holding_window(
    windows: Sequence[MaintenanceWindow], components: Sequence[str], now: datetime
) -> MaintenanceWindow | None:
    """The first window active at ``now`` that covers all of these components."""
    return next((w for w in windows if w.active_at(now) and w.covers_all(components)), None)


def request_words(body: str) -> list[str]:
    """The words of ``/maintenance start`` that a "Maintenance window" issue form's body says (the
    form's headings: Duration, Components, Reason, Deploys), for the command's own parser."""

    def answer(heading: str) -> str:
        text = (section_source(body, heading) or "").strip()
        return "" if text == _NO_RESPONSE else text

    words = ["start", *answer("Duration").split()[:1]]
    components = answer("Components").split()
    words += ["component:", *components] if components else []
    reason = answer("Reason").split()
    words += ["reason:", *reason] if reason else []
    return [*words, FREEZE_FLAG] if _FREEZE_TICKED.search(answer("Deploys")) else words


def held_causes(
    playbook: Playbook,
    causes: Sequence[str],
    fired: Sequence[str],
    windows: Sequence[MaintenanceWindow],
    now: datetime,
    *,
    alert: tuple[str, str] | None = None,
) -> dict[str, MaintenanceWindow]:
    """The causes a window holds now, each with the (first) window: every rule of the cause that
    ``fired`` has all its components covered by an active window. ``alert``: the cause and the
    component of the alert that started the run, held like a rule of that component."""
    held = {}
    for cause in causes:
        parts = [rule_components(playbook, r) for r in fired if playbook.rule(r).cause == cause]
        if alert is not None and alert[0] == cause:
            parts.append((alert[1],) if alert[1] else ())
        found = [holding_window(windows, components, now) for components in parts]
        if found and all(found):
            held[cause] = next(window for window in found if window is not None)
    return held


def held_line(what: str, window: MaintenanceWindow) -> str:
    """What the watch says of a cause a window holds."""
    return f"{what}: held by maintenance {window.id} until {iso(window.end)} (no incident opens)"


def freezing_windows(windows: Sequence[MaintenanceWindow], now: datetime) -> list[MaintenanceWindow]:
    """The active windows that freeze deploys."""
    return [window for window in windows if window.freeze_deploys and window.active_at(now)]


_ADHOC_ID = re.compile(rf"^{ADHOC_PREFIX}[1-9][0-9]{{0,9}}$")


def unknown_window(playbook: Playbook, window: str) -> str | None:
    """Why a window id a writer names is none (None when it is one): the playbook's windows, and
    ad hoc ones, ``adhoc-<issue>``, even closed ones (a retroactive mark names a past window)."""
    if not window or window in {w.id for w in playbook.maintenance} or _ADHOC_ID.match(window):
        return None
    declared = ", ".join(w.id for w in playbook.maintenance) or "none"
    return f"no maintenance window {window!r}: the playbook's are {declared}; ad hoc ones are adhoc-<issue>"


def mark_planned(
    state: IncidentState, *, window: str, by: str, now: datetime, key: str
) -> tuple[IncidentState, TimelineEvent]:
    """A writer says the incident was planned work (``window``: the window's id, "" for none)."""
    at = iso(now)
    new = replace(state, planned={"by": by, "at": at, "window": window})
    named = f" (maintenance {inert(window)})" if window else ""
    body = (
        f"**Planned**: @{by} marked this incident as planned maintenance{named}. It is left out of "
        "the response figures of `ops-actions report` and listed there as maintenance."
    )
    return new, TimelineEvent(key, "planned", at, f"marked planned{named}", body, state.key)
