"""Status updates to chat and status pages: Slack-compatible incoming webhooks and generic JSON.

A target's URL comes from the environment variable the playbook names (a secret). Each send is
retried with back-off on connection errors, 429 and 5xx; a target that still fails is reported
back for the timeline and never stops the incident command. A target whose variable is unset
is switched off, and the run says so (``not_notified``). What a message holds is
:mod:`ops_actions.incident.notification`'s.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, TypeVar

import httpx

from ops_actions.adapters.config import checked_url
from ops_actions.incident.notification import Notice, not_notified, notice, slack_message, webhook_message
from ops_actions.incident.state import IncidentState, public_held
from ops_actions.incident.transitions import CONFIRMED
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


def outgoing(
    targets: Sequence[NotifyTarget],
    item: Notice,
    *,
    always: bool,
    environ: Mapping[str, str],
) -> tuple[list[tuple[str, str, Mapping[str, Any]]], list[NotifyTarget]]:
    """What an update sends: (target, its URL, the JSON) for every target that wants it and is on; and
    the targets that want it but are off (their URL secret is not set)."""
    messages: list[tuple[str, str, Mapping[str, Any]]] = []
    off = []
    for target in targets:
        if not target.wants(item.severity, item.event, always=always):
            continue
        address = environ.get(target.url_env, "")
        if not address:
            off.append(target)
            continue
        body = slack_message(item) if target.kind == "slack" else webhook_message(item)
        messages.append((target.id, address, body))
    return messages, off


async def deliver(
    messages: Sequence[tuple[str, str, Mapping[str, Any]]],
    *,
    client: httpx.AsyncClient,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> list[Delivery]:
    """Send each message in turn; never raises for a target's failure."""
    return [
        await send_with_retries(name, address, json.dumps(body).encode(), client=client, sleep=sleep)
        for name, address, body in messages
    ]


async def send_with_retries(
    name: str,
    address: str,
    content: bytes,
    *,
    client: httpx.AsyncClient,
    sleep: Callable[[float], Awaitable[None]],
    headers: Mapping[str, str] | None = None,
) -> Delivery:
    """POST a JSON body with retries on connection errors, 429 and 5xx (at most ``ATTEMPTS``); the
    URL (a secret) never reaches the detail."""
    sent_headers = {"Content-Type": "application/json", **(headers or {})}
    detail = ""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            response = await client.post(address, content=content, headers=sent_headers, timeout=TIMEOUT_S)
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


def audience_of(playbook: Playbook, kind: str, state: IncidentState) -> list[NotifyTarget]:
    """The targets an update may reach: while an incident rests on unreachability from the runner
    alone and the playbook waits for a second signal, only the internal ones; the confirmation
    (``confirmed``) goes to the public ones that waited, and only if they did."""
    if kind == CONFIRMED:
        waited = playbook.unreachable_public == "wait"
        return [target for target in playbook.notify if target.audience == "public" and waited]
    held = public_held(playbook, state)
    return [target for target in playbook.notify if not (held and target.audience == "public")]


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
    unset: Callable[[str], None] = lambda line: None,
) -> Callable[[str, IncidentState, str], list[Delivery]] | None:
    """The hook lifecycle calls after opened/status/severity/resolved events; None without targets.

    The updates go out over the command's one HTTP client (``client()`` gives it, made when a
    target is first sent to), on its event loop (``run``). What is sent passes ``redact`` (known
    secrets out). A target the update is for whose URL secret is not set gets one line through
    ``unset`` (the job summary), so a missing secret is seen, not silent.
    """
    if not playbook.notify:
        return None

    def announce(kind: str, state: IncidentState, url: str) -> list[Delivery]:
        targets = audience_of(playbook, kind, state)
        # A confirmation is the opening the public targets waited for.
        event = "opened" if kind == CONFIRMED else kind
        item = notice(playbook, state, event=event, url=url, now=clock(), redact=redact)
        always = playbook.severity(state.severity).policy.immediate_status_update
        messages, off = outgoing(targets, item, always=always, environ=environ)
        for target in off:
            unset(not_notified(state.severity, target))
        return run(deliver(messages, client=client())) if messages else []

    return announce
