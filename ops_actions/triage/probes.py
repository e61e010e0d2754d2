"""Send the playbook's probes to the backend, all at once, over one httpx client.

This is triage's only I/O. Whatever the backend does (time out, refuse, reset, answer 5xx or
401, send 50 MB or bytes that are not UTF-8) comes back as a :class:`ProbeResult` with a reason,
never as an exception. How a body is read per the probe's format is :mod:`ops_actions.playbook.formats`.
"""

from __future__ import annotations

import asyncio
import base64
import random
import time
from collections.abc import Mapping, Sequence
from typing import Any, Final

import httpx

from ops_actions.incident.triage_report import ProbeResult
from ops_actions.playbook import formats
from ops_actions.playbook.model import Auth, Probe

MAX_BODY_BYTES: Final = 1_000_000
MAX_ATTEMPTS: Final = 3
BACKOFF_BASE_S: Final = 0.1
RETRYABLE_STATUS: Final = range(500, 600)
# Methods a retry cannot repeat the effect of; a POST (a canary job) is retried only when it never left.
SAFE_METHODS: Final = frozenset({"GET", "HEAD"})


class _BodyTooLarge(Exception):
    """The answer was larger than MAX_BODY_BYTES."""


async def _read_capped(response: httpx.Response) -> bytes:
    """Read at most MAX_BODY_BYTES of a streamed answer."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _describe(error: httpx.HTTPError, timeout_s: float) -> str:
    """A short reason for a transport failure, without URLs or headers."""
    if isinstance(error, httpx.TimeoutException):
        return f"timed out after {timeout_s:g} s"
    if isinstance(error, httpx.ConnectError):
        return "connection refused or host unreachable"
    if isinstance(error, httpx.RemoteProtocolError):
        return "connection closed without a complete answer"
    if isinstance(error, httpx.ReadError):
        return "connection reset while reading the answer"
    return f"transport error ({type(error).__name__})"


def _retryable(error: httpx.HTTPError, method: str) -> bool:
    """Connect failures and answers cut off before they began (for a POST: connect failures only);
    never timeouts."""
    if method not in SAFE_METHODS:
        return isinstance(error, httpx.ConnectError)
    return isinstance(error, httpx.ConnectError | httpx.RemoteProtocolError | httpx.ReadError)


async def _probe_once(
    client: httpx.AsyncClient, probe: Probe, base_url: str, headers: dict[str, str]
) -> tuple[int | None, Any, str | None, bool]:
    """One attempt: (status, body, error, retryable)."""
    timeout = httpx.Timeout(probe.timeout_s)
    request = client.build_request(
        probe.method, base_url + probe.path, headers=headers, timeout=timeout, json=probe.body
    )
    try:
        response = await asyncio.wait_for(client.send(request, stream=True), timeout=probe.timeout_s)
        try:
            raw = await asyncio.wait_for(_read_capped(response), timeout=probe.timeout_s)
        finally:
            await response.aclose()
    except _BodyTooLarge:
        return None, None, f"the answer is larger than {MAX_BODY_BYTES} bytes (capped)", False
    except TimeoutError:
        return None, None, f"timed out after {probe.timeout_s:g} s", False
    except httpx.HTTPError as error:
        return None, None, _describe(error, probe.timeout_s), _retryable(error, probe.method)
    status = response.status_code
    body, problem = formats.decode(probe.format, status, response.headers.get("content-type", ""), raw)
    # A 5xx whose body was read is the answer (a failing health check), not a transient error.
    safe = probe.method in SAFE_METHODS
    return status, body, problem, safe and status in RETRYABLE_STATUS and problem is not None


def auth_headers(auth: Auth, credentials: Mapping[str, str]) -> tuple[dict[str, str], str | None]:
    """The headers that authenticate a probe, or the reason they cannot be built (nothing is sent)."""
    if auth.kind == "none" or auth.env is None:
        return {}, None
    secret = credentials.get(auth.env, "")
    if not secret:
        return {}, f"no credential configured (set {auth.env})"
    if any(char in secret for char in "\r\n\0"):
        return {}, f"the credential in {auth.env} holds a line break or NUL"
    if auth.kind == "bearer":
        return {"Authorization": f"Bearer {secret}"}, None
    if auth.kind == "header" and auth.header:
        return {auth.header: secret}, None
    if ":" not in secret:
        return {}, f"the credential in {auth.env} is not user:password"
    return {"Authorization": "Basic " + base64.b64encode(secret.encode("utf-8")).decode("ascii")}, None


async def run_probe(
    client: httpx.AsyncClient, probe: Probe, *, base_url: str, credentials: Mapping[str, str]
) -> ProbeResult:
    """Run one probe with bounded, jittered retries on connect errors and unreadable 5xx answers."""
    headers, problem = auth_headers(probe.auth, credentials)
    if problem:
        return ProbeResult(probe.id, None, 0.0, 0, error=problem)
    headers["Accept"] = probe.answer_format.accept
    started = time.perf_counter()
    attempt = 0
    while True:
        attempt += 1
        status, body, error, retryable = await _probe_once(client, probe, base_url, headers)
        if not retryable or attempt >= MAX_ATTEMPTS:
            break
        await asyncio.sleep(BACKOFF_BASE_S * (2 ** (attempt - 1)) * random.uniform(0.5, 1.5))
    latency_ms = (time.perf_counter() - started) * 1000
    return ProbeResult(probe.id, status, round(latency_ms, 1), attempt, body=body, error=error)


def new_client() -> httpx.AsyncClient:
    """A client for probes: no connection limit of its own (:func:`probe_all` bounds how many run at
    once), no redirects followed; each request carries its probe's own timeout."""
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    return httpx.AsyncClient(limits=limits, follow_redirects=False)


async def probe_all(
    client: httpx.AsyncClient,
    probes: Sequence[Probe],
    *,
    base_url: str,
    credentials: Mapping[str, str],
    concurrency: int,
) -> list[ProbeResult]:
    """Run the probes over ``client``, at most ``concurrency`` at once (the playbook's
    ``triage.max_concurrent_probes``); results come back in the probes' order.

    The bound keeps a big playbook's CPU linear: with every probe in flight at once, the connection
    pool holds one connection per probe and looks through all of them for every request.
    ``credentials`` maps the environment variable names the probes' auth names to their values.
    """
    base = base_url.rstrip("/")
    gate = asyncio.Semaphore(concurrency)

    async def gated(probe: Probe) -> ProbeResult:
        async with gate:
            return await run_probe(client, probe, base_url=base, credentials=credentials)

    return list(await asyncio.gather(*(gated(probe) for probe in probes)))


def run_probes(
    probes: Sequence[Probe], *, base_url: str, credentials: Mapping[str, str], concurrency: int
) -> list[ProbeResult]:
    """:func:`probe_all` on a client of its own, for one round (the CLI shares one per command)."""

    async def once() -> list[ProbeResult]:
        async with new_client() as client:
            return await probe_all(
                client, probes, base_url=base_url, credentials=credentials, concurrency=concurrency
            )

    return asyncio.run(once())
