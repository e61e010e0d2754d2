"""Subscriber webhooks: Statuspage-shaped payloads POSTed to the endpoints the team lists, signed.

Each subscriber of the playbook's ``status_page.subscribers`` names two environment variables
(secrets): its URL, and the key its payloads are signed with. The body is signed with HMAC-SHA256
under that key, and the signature goes in ``X-Ops-Actions-Signature-256`` as ``sha256=<hex>`` (the
form of GitHub's ``X-Hub-Signature-256``); ``X-Ops-Actions-Delivery`` names the delivery, the same
in every attempt, so a receiver that got it once can drop a retry. Sending retries as notifications
do (:func:`ops_actions.adapters.notify.send_with_retries`, a bound of attempts); a subscriber that
still fails is reported back for the timeline and never stops the command. What a payload holds is
:mod:`ops_actions.status_page.statuspage_webhooks`'s.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import httpx

from ops_actions.adapters.config import checked_url
from ops_actions.adapters.notify import Delivery, send_with_retries
from ops_actions.errors import ExitCode, OpsError
from ops_actions.playbook.model import Playbook, Subscriber

SIGNATURE_HEADER: Final = "X-Ops-Actions-Signature-256"
DELIVERY_HEADER: Final = "X-Ops-Actions-Delivery"
# A signing key shorter than this is a typo or a placeholder, not a key.
MIN_KEY_LENGTH: Final = 16


@dataclass(frozen=True)
class Endpoint:
    """A subscriber that is on: its URL and signing key are set."""

    subscriber: Subscriber
    url: str
    key: str


def signature(key: str, body: bytes) -> str:
    """The header's value: ``sha256=`` and the hex HMAC-SHA256 of the raw body under the key."""
    return "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


def endpoints(playbook: Playbook, environ: Mapping[str, str]) -> list[Endpoint]:
    """The subscribers that are on, each checked: exit 2 before any write when a URL is not a valid
    URL, or is set without a signing key of at least ``MIN_KEY_LENGTH`` characters (an unsigned
    payload would be one anybody could forge). A subscriber whose URL is not set is off."""
    found = []
    for subscriber in playbook.status_page.subscribers if playbook.status_page else ():
        url = environ.get(subscriber.url_env, "")
        if not url:
            continue
        checked_url(url, f"the URL in {subscriber.url_env}")
        key = environ.get(subscriber.secret_env, "")
        if len(key) < MIN_KEY_LENGTH:
            raise OpsError(
                f"subscriber {subscriber.id}: {subscriber.url_env} is set but {subscriber.secret_env}, "
                f"the key its payloads are signed with, is {'too short' if key else 'not set'} "
                f"(at least {MIN_KEY_LENGTH} characters)",
                ExitCode.USAGE,
            )
        found.append(Endpoint(subscriber, url, key))
    return found


async def deliver(
    payloads: Sequence[tuple[str, Mapping[str, Any]]],
    targets: Sequence[Endpoint],
    *,
    client: httpx.AsyncClient,
    redact: Callable[[str], str] = str,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> list[Delivery]:
    """Send each (delivery id, payload) to each endpoint, signed, through ``redact`` (the known
    secrets out, should someone type one into an update); never raises for a subscriber's failure.
    A subscriber that fails one payload (after its attempts) is sent no more of this change, so an
    endpoint that is down costs one payload's attempts, not every payload's. Only the failures come
    back, one per subscriber, so the timeline notes each once."""
    failed = []
    for target in targets:
        name = f"subscriber {target.subscriber.id}"
        for index, (delivery, payload) in enumerate(payloads):
            body = redact(json.dumps(payload, ensure_ascii=False)).encode()
            headers = {
                SIGNATURE_HEADER: signature(target.key, body),
                DELIVERY_HEADER: delivery,
                "User-Agent": "ops-actions",
            }
            sent = await send_with_retries(
                name, target.url, body, client=client, sleep=sleep, headers=headers
            )
            if not sent.ok:
                missed = len(payloads) - index
                failed.append(
                    Delivery(name, False, f"{missed} of {len(payloads)} not delivered: {sent.detail}")
                )
                break
    return failed
