"""The relay as an ASGI application: a monitor's webhook in, one ``repository_dispatch`` out.

Alertmanager posts a fixed body and cannot call ``repository_dispatch`` (which needs
``event_type``, a ``client_payload`` and a token), so the relay stands between. It keeps no state:
each request is checked, turned into a client_payload
(:func:`ops_actions.incident.alert_relay.relayed_payload`) and dispatched, and the answer says what
happened. In order, a request is refused: 405 unless it is a POST, 413 when its body is larger than
the intake takes (by its Content-Length, or once read past it), 401 unless it carries the shared
secret (``Authorization: Bearer <secret>``) or the body's HMAC-SHA256 made with it
(``X-Ops-Signature-256: sha256=<hex>``), 400 for a body that is not JSON, 422 for a body that is no
alert, 502 when GitHub refuses the dispatch. 202 means dispatched (or, for a PagerDuty acknowledge,
nothing to dispatch). ``GET /healthz`` answers 200 for a container's health check. No answer
repeats the secret, the token or the body.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ops_actions.errors import OpsError
from ops_actions.incident.alert_relay import NotAnAlert, relayed_payload
from ops_actions.incident.alerts import MAX_PAYLOAD_BYTES

Scope = Mapping[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
SIGNATURE_HEADER = "x-ops-signature-256"


@dataclass(frozen=True)
class RelayConfig:
    """What the relay needs: the shared secret, and how to dispatch one client_payload (blocking;
    run in a worker thread)."""

    secret: str = field(repr=False)
    dispatch: Callable[[dict[str, Any]], None]
    max_bytes: int = MAX_PAYLOAD_BYTES


def relay_app(config: RelayConfig) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """The ASGI application serving ``config``."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        status, answer = await _answer(config, scope, receive)
        body = json.dumps(answer).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


async def _answer(config: RelayConfig, scope: Scope, receive: Receive) -> tuple[int, dict[str, Any]]:
    if scope["method"] == "GET" and scope["path"] == "/healthz":
        return 200, {"ok": True}
    if scope["method"] != "POST":
        return 405, {"error": "POST a monitor's webhook body"}
    headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > config.max_bytes:
        return 413, {"error": f"the body is larger than {config.max_bytes} bytes"}
    body = await _body(receive, config.max_bytes)
    if body is None:
        return 413, {"error": f"the body is larger than {config.max_bytes} bytes"}
    if not _authentic(config.secret, headers, body):
        return 401, {"error": "no valid secret: send Authorization: Bearer <secret> or X-Ops-Signature-256"}
    try:
        payload = relayed_payload(json.loads(body))
    except ValueError as error:  # NotAnAlert, and JSON that does not parse
        reason = str(error) if isinstance(error, NotAnAlert) else "the body is not JSON"
        return (422 if isinstance(error, NotAnAlert) else 400), {"error": reason}
    if payload is None:
        return 202, {"dispatched": False, "reason": "an acknowledge: nothing to dispatch"}
    try:
        await asyncio.to_thread(config.dispatch, payload)
    except OpsError as error:
        return 502, {"error": error.message}
    return 202, {"dispatched": True}


async def _body(receive: Receive, limit: int) -> bytes | None:
    """The request body, or None once it grows past ``limit`` (the rest is not read)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _authentic(secret: str, headers: Mapping[str, str], body: bytes) -> bool:
    """The shared secret as a bearer token, or the body's HMAC-SHA256 under it; compared in constant time."""
    bearer = headers.get("authorization", "")
    if bearer.startswith("Bearer ") and hmac.compare_digest(bearer[7:].encode(), secret.encode()):
        return True
    signature = headers.get(SIGNATURE_HEADER, "")
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return bool(signature) and hmac.compare_digest(signature.encode(), expected.encode())


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
