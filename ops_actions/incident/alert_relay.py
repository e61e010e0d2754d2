"""What the relay forwards, pure: a monitor's webhook body -> the client_payload of one dispatch.

Alertmanager and Grafana bodies travel as they are (wrapped when over GitHub's 10 top-level keys,
as ``send-alert`` does), so alert intake reads them exactly as it reads them from a script. A
PagerDuty Events v2 event, which intake does not read, becomes ops-actions' own shape: its
summary the title, its severity the monitor's severity (the playbook's ``alerts.severities`` maps
it at intake), its dedup key the dedupe key. An ``acknowledge`` has no counterpart in an incident's
life here (a person takes an incident with ``/assign``): it is answered and not forwarded.
"""

from __future__ import annotations

from typing import Any

from ops_actions.incident.alerts import client_payload

PAGERDUTY_STATUSES = {"trigger": "firing", "resolve": "resolved"}


class NotAnAlert(ValueError):
    """A body the relay will not forward; the message says why, in one line."""


def relayed_payload(body: Any) -> dict[str, Any] | None:
    """The client_payload to dispatch for this webhook body; None for one that needs none (a
    PagerDuty acknowledge); NotAnAlert for a body that is no monitor's alert."""
    if not isinstance(body, dict):
        raise NotAnAlert("the body must be a JSON object")
    if isinstance(body.get("alerts"), list) and ("orgId" in body or body.get("version") == "4"):
        return client_payload(body)
    if "event_action" in body:
        return _pagerduty(body)
    raise NotAnAlert(
        "unknown body: expected an Alertmanager (version 4), Grafana (orgId) or PagerDuty Events v2 "
        "(event_action) webhook"
    )


def _pagerduty(body: dict[str, Any]) -> dict[str, Any] | None:
    action = body.get("event_action")
    if action == "acknowledge":
        return None
    if action not in PAGERDUTY_STATUSES:
        raise NotAnAlert("event_action must be trigger, acknowledge or resolve")
    details: dict[str, Any] = body["payload"] if isinstance(body.get("payload"), dict) else {}
    key = _line(body.get("dedup_key"))
    title = _line(details.get("summary")) or key
    if not title:
        raise NotAnAlert("a trigger needs payload.summary; a resolve needs dedup_key")
    if action == "resolve" and not key:
        raise NotAnAlert("a resolve needs the dedup_key of the trigger it resolves")
    found: dict[str, Any] = {
        "source": "pagerduty",
        "title": title,
        "dedupe_key": key or title,
        "status": PAGERDUTY_STATUSES[action],
    }
    if _line(details.get("severity")):
        found["severity"] = _line(details.get("severity"))
    if _line(details.get("component")):
        found["component"] = _line(details.get("component"))
    links: list[Any] = body["links"] if isinstance(body.get("links"), list) else []
    hrefs = [_line(link.get("href")) for link in links if isinstance(link, dict)]
    link = next((href for href in hrefs if href.startswith(("https://", "http://"))), "")
    if link:
        found["link"] = link
    return found


def _line(value: Any) -> str:
    """A text field as one stripped line ('' for anything else)."""
    return " ".join(value.split()) if isinstance(value, str) else ""
