"""The probe formats: one registry entry per ``format`` a probe may declare, and how each reads an answer.

An entry (:class:`ProbeFormat`) holds everything that depends on the format: its name (the
playbook schema's enum, which a test keeps equal to :data:`PROBE_FORMATS`), the Accept header
triage and the runbook's manual commands send, the kind of body it decodes to (``json``: queries
read it; ``text``: regexes read it, line by line), and the decoder. Adding a format is one entry
here, its name in ``schema.json`` and an example answer in :mod:`ops_actions.docs`'s query reference;
``tests/unit/playbook/test_formats.py`` checks that the three agree.

Decoders are pure: :mod:`ops_actions.triage.probes` hands in the status, the content type and the
bytes, and gets back the body (parsed JSON, or text) or the reason it cannot be read.

* ``json``: a 2xx answer's JSON, as always.
* ``health+json``: the IETF "Health Check Response Format for HTTP APIs"
  (draft-inadarei-api-health-check-06, media type ``application/health+json``). Its section 3.1
  says a failing service answers 4xx-5xx *with* the document, so a 5xx answer that carries one is
  read, and its ``status`` says ``fail``. 4xx answers stay errors: 401, 403, 404 and 429 are about
  the request, and a gateway's ``{"status": "error"}`` must not read as a failing service. The same
  section lists the aliases ``ok``/``up`` (pass) and ``error``/``down`` (fail) of Node's Terminus
  and Spring Boot (which writes them upper case); they are normalised, at the top and in every
  check, so rules compare with ``pass``/``warn``/``fail`` only.
* ``text``: a 2xx answer's text; a 5xx answer's too when it is ``text/plain``, as Kubernetes sends
  a failing ``/readyz?verbose`` (500, ``[-]etcd failed: reason withheld``). A proxy's 502 page is
  HTML: reading it would make every check look failed when the truth is that nothing answered.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

BodyKind = Literal["json", "text"]
"""What a decoded body is: parsed JSON (read by queries) or text (read by regexes)."""
Decoder = Callable[[int, str, bytes], tuple[Any, str | None]]
"""(status, content type, raw bytes) -> (the body, or None and the reason it cannot be used)."""

HEALTH_STATUSES: Final = ("pass", "warn", "fail")
_HEALTH_ALIASES: Final = {
    **dict.fromkeys(("pass", "ok", "up"), "pass"),
    "warn": "warn",
    **dict.fromkeys(("fail", "error", "down"), "fail"),
}
_REASONS: Final = {401: "unauthorized (check the probe's credential)", 403: "forbidden"}


@dataclass(frozen=True)
class ProbeFormat:
    """One answer format a probe may declare (``probes[].format``)."""

    name: str
    accept: str
    """The Accept header a probe of this format sends (triage, and the runbook's commands by hand)."""
    body_kind: BodyKind
    """What the decoded body is, and so which signal source reads it (``json`` or ``text``)."""
    decode: Decoder


def decode(probe_format: str, status: int, content_type: str, raw: bytes) -> tuple[Any, str | None]:
    """The answer's body in the probe's format, or (None, the reason it cannot be used)."""
    return PROBE_FORMATS[probe_format].decode(status, content_type, raw)


def _http_reason(status: int) -> str:
    reason = _REASONS.get(status, "")
    return f"HTTP {status}" + (f" {reason}" if reason else "")


def _utf8(raw: bytes) -> tuple[str | None, str | None]:
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as error:
        return None, f"the answer is not UTF-8 (byte {error.start})"


def _json(raw: bytes) -> tuple[Any, str | None]:
    text, problem = _utf8(raw)
    if text is None:
        return None, problem
    try:
        return json.loads(text), None
    except json.JSONDecodeError as error:
        return None, f"the answer is not valid JSON ({error.msg} at line {error.lineno} column {error.colno})"


def _plain_json(status: int, content_type: str, raw: bytes) -> tuple[Any, str | None]:
    if not 200 <= status < 300:
        return None, _http_reason(status)
    return _json(raw) if raw else (None, None)


def _health(status: int, content_type: str, raw: bytes) -> tuple[Any, str | None]:
    if status < 200 or 400 <= status < 500:
        return None, _http_reason(status)
    body, problem = _json(raw) if raw else (None, "the answer is empty")
    document = health_document(body) if problem is None else None
    if document is not None:
        return document, None
    if not 200 <= status < 400:
        return None, _http_reason(status)
    shown = ", ".join(HEALTH_STATUSES)
    return None, problem or f"the answer is not a health+json document (no status {shown})"


def health_document(body: Any) -> dict[str, Any] | None:
    """The body with every status normalised to pass/warn/fail, or None when it is not a health document."""
    if not isinstance(body, dict) or not isinstance(body.get("status"), str):
        return None
    status = _HEALTH_ALIASES.get(body["status"].lower())
    if status is None:
        return None
    checks = body.get("checks")
    if isinstance(checks, dict):
        for results in checks.values():
            for result in results if isinstance(results, list) else ():
                if isinstance(result, dict) and isinstance(result.get("status"), str):
                    result["status"] = _HEALTH_ALIASES.get(result["status"].lower(), result["status"])
    return {**body, "status": status}


def _text(status: int, content_type: str, raw: bytes) -> tuple[Any, str | None]:
    plain = content_type.split(";", 1)[0].strip().lower() == "text/plain"
    if not (200 <= status < 300 or (status >= 500 and plain)):
        return None, _http_reason(status)
    return _utf8(raw)


PROBE_FORMATS: Final[Mapping[str, ProbeFormat]] = {
    entry.name: entry
    for entry in (
        ProbeFormat("json", "application/json", "json", _plain_json),
        ProbeFormat("health+json", "application/health+json, application/json;q=0.9", "json", _health),
        ProbeFormat("text", "text/plain", "text", _text),
    )
}
"""Every probe format by name, in the order the reference documents them."""
DEFAULT_FORMAT: Final = "json"
"""The format of a probe that declares none (the schema's default too)."""
