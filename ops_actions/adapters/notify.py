"""Status updates to chat and status pages: Slack-compatible incoming webhooks and generic JSON.

A target's URL comes from the environment variable the playbook names (a secret). Each send is
retried with back-off on connection errors, 429 and 5xx; a target that still fails is reported
back for the timeline and never stops the incident command. A target whose variable is unset
is switched off.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import httpx

from ops_actions.incident.state import IncidentState, issue_title, parse_time, status_line
from ops_actions.playbook.model import NotifyTarget, Playbook

ATTEMPTS: Final = 3
TIMEOUT_S: Final = 10.0


@dataclass(frozen=True)
class Delivery:
    """How one target fared."""

    target: str
    ok: bool
    detail: str


def payload(
    target: NotifyTarget, *, event: str, severity: str, text: str, url: str, title: str
) -> dict[str, Any]:
    """The JSON a target receives: Slack's ``text`` (with a link), or a plain structured object."""
    if target.kind == "slack":
        return {"text": f"{text}\n<{url}|{title}>"}
    return {"event": event, "severity": severity, "title": title, "text": text, "incident_url": url}


def deliver(
    targets: Sequence[NotifyTarget],
    *,
    event: str,
    severity: str,
    always: bool,
    text: str,
    url: str,
    title: str,
    environ: Mapping[str, str],
    client: httpx.Client,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Delivery]:
    """Send an update to every target that wants it; never raises for a target's failure."""
    results = []
    for target in targets:
        if not target.wants(severity, event, always=always):
            continue
        address = environ.get(target.url_env, "")
        if not address:
            continue  # a target whose URL secret is not set is switched off

        body = payload(target, event=event, severity=severity, text=text, url=url, title=title)
        results.append(_send(target.id, address, body, client, sleep))
    return results


def _send(
    name: str, address: str, body: dict[str, Any], client: httpx.Client, sleep: Callable[[float], None]
) -> Delivery:
    """POST with retries on connection errors, 429 and 5xx; the URL (a secret) never reaches the detail."""
    detail = ""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            response = client.post(address, json=body, timeout=TIMEOUT_S)
        except httpx.HTTPError as error:
            detail = f"{type(error).__name__}"
        else:
            if response.is_success:
                return Delivery(name, True, f"delivered (HTTP {response.status_code})")
            detail = f"HTTP {response.status_code}"
            if response.status_code != 429 and response.status_code < 500:
                break
        if attempt < ATTEMPTS:
            sleep(0.5 * 2 ** (attempt - 1) * random.uniform(0.8, 1.2))
    return Delivery(name, False, f"failed after {attempt} attempt(s): {detail}")


def announcer(
    playbook: Playbook, *, environ: Mapping[str, str], clock: Callable[[], datetime]
) -> Callable[[str, IncidentState, str], list[Delivery]] | None:
    """The hook lifecycle calls after opened/status/severity/resolved events; None without targets."""
    if not playbook.notify:
        return None

    def announce(kind: str, state: IncidentState, url: str) -> list[Delivery]:
        now = clock()
        minutes = None
        if state.next_update_due:
            minutes = max(int((parse_time(state.next_update_due) - now).total_seconds() // 60), 0)
        text = status_line(playbook, state, now=now, next_minutes=minutes)
        always = playbook.severity(state.severity).policy.immediate_status_update
        with httpx.Client() as client:
            return deliver(
                playbook.notify,
                event=kind,
                severity=state.severity,
                always=always,
                text=text,
                url=url,
                title=issue_title(state),
                environ=environ,
                client=client,
            )

    return announce
