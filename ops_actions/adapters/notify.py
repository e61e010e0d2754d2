"""Status updates to chat and status pages: Slack-compatible incoming webhooks and generic JSON.

A target's URL comes from the environment variable the playbook names (a secret). Each send is
retried with back-off on connection errors, 429 and 5xx; a target that still fails is reported
back for the timeline and never stops the incident command. A target whose variable is unset
is switched off.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, TypeVar

import httpx

from ops_actions.adapters.config import checked_url
from ops_actions.incident.clock import parse_time
from ops_actions.incident.labels import issue_title
from ops_actions.incident.state import IncidentState
from ops_actions.incident.transitions import status_line
from ops_actions.playbook.model import NotifyTarget, Playbook

ATTEMPTS: Final = 3
TIMEOUT_S: Final = 10.0
T = TypeVar("T")
Runner = Callable[[Coroutine[Any, Any, T]], T]
"""Runs a coroutine to its end on the command's event loop (``asyncio.Runner.run``)."""


@dataclass(frozen=True)
class Delivery:
    """How one target fared."""

    target: str
    ok: bool
    detail: str


def slack_escaped(text: str) -> str:
    """Text Slack shows as it is: ``&``, ``<`` and ``>`` escaped, Slack's own rule
    (api.slack.com/reference/surfaces/formatting#escaping), so text from outside can form no
    ``<!channel>``, ``<@U123>`` or ``<https://phish|label>`` control sequence."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def payload(
    target: NotifyTarget,
    *,
    event: str,
    severity: str,
    text: str,
    url: str,
    title: str,
    slack_text: str,
) -> dict[str, Any]:
    """The JSON a target receives: Slack's ``text`` (``slack_text``, already escaped for Slack, and a
    link whose label is escaped too), or a plain structured object."""
    if target.kind == "slack":
        return {"text": f"{slack_text}\n<{url}|{slack_escaped(title)}>"}
    return {"event": event, "severity": severity, "title": title, "text": text, "incident_url": url}


def outgoing(
    targets: Sequence[NotifyTarget],
    *,
    event: str,
    severity: str,
    always: bool,
    text: str,
    url: str,
    title: str,
    environ: Mapping[str, str],
    slack_text: str,
) -> list[tuple[str, str, dict[str, Any]]]:
    """What an update sends: (target, its URL, the JSON) for every target that wants it and is on."""
    messages = []
    for target in targets:
        if not target.wants(severity, event, always=always):
            continue
        address = environ.get(target.url_env, "")
        if not address:
            continue  # a target whose URL secret is not set is switched off
        body = payload(
            target, event=event, severity=severity, text=text, url=url, title=title, slack_text=slack_text
        )
        messages.append((target.id, address, body))
    return messages


async def deliver(
    messages: Sequence[tuple[str, str, dict[str, Any]]],
    *,
    client: httpx.AsyncClient,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> list[Delivery]:
    """Send each message in turn; never raises for a target's failure."""
    return [await _send(name, address, body, client, sleep) for name, address, body in messages]


async def _send(
    name: str,
    address: str,
    body: dict[str, Any],
    client: httpx.AsyncClient,
    sleep: Callable[[float], Awaitable[None]],
) -> Delivery:
    """POST with retries on connection errors, 429 and 5xx; the URL (a secret) never reaches the detail."""
    detail = ""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            response = await client.post(address, json=body, timeout=TIMEOUT_S)
        except httpx.HTTPError as error:
            detail = f"{type(error).__name__}"
        else:
            if response.is_success:
                return Delivery(name, True, f"delivered (HTTP {response.status_code})")
            detail = f"HTTP {response.status_code}"
            if response.status_code != 429 and response.status_code < 500:
                break
        if attempt < ATTEMPTS:
            await sleep(0.5 * 2 ** (attempt - 1) * random.uniform(0.8, 1.2))
    return Delivery(name, False, f"failed after {attempt} attempt(s): {detail}")


def checked_targets(playbook: Playbook, environ: Mapping[str, str]) -> list[str]:
    """The webhook URLs the playbook's targets will use (secrets), each checked: exit 2 before any
    write when one is not a valid URL."""
    urls = [environ.get(target.url_env, "") for target in playbook.notify]
    return [
        checked_url(url, f"the URL in {target.url_env}")
        for url, target in zip(urls, playbook.notify, strict=True)
        if url
    ]


def announcer(
    playbook: Playbook,
    *,
    environ: Mapping[str, str],
    clock: Callable[[], datetime],
    client: Callable[[], httpx.AsyncClient],
    run: Runner[list[Delivery]],
    redact: Callable[[str], str] = str,
) -> Callable[[str, IncidentState, str], list[Delivery]] | None:
    """The hook lifecycle calls after opened/status/severity/resolved events; None without targets.

    The updates go out over the command's one HTTP client (``client()`` gives it, made when a
    target is first sent to), on its event loop (``run``). What is sent passes ``redact`` (known
    secrets out); Slack gets the title and impact escaped by Slack's rules, not GitHub's.
    """
    if not playbook.notify:
        return None

    def announce(kind: str, state: IncidentState, url: str) -> list[Delivery]:
        now = clock()
        minutes = None
        if state.next_update_due:
            minutes = max(int((parse_time(state.next_update_due) - now).total_seconds() // 60), 0)
        text = status_line(playbook, state, now=now, next_minutes=minutes)
        slack = status_line(playbook, state, now=now, next_minutes=minutes, escape=slack_escaped)
        always = playbook.severity(state.severity).policy.immediate_status_update
        messages = outgoing(
            playbook.notify,
            event=kind,
            severity=state.severity,
            always=always,
            text=redact(text),
            url=url,
            title=redact(issue_title(state)),
            slack_text=redact(slack),
            environ=environ,
        )
        return run(deliver(messages, client=client())) if messages else []

    return announce
