"""The probe formats: one registry entry per ``format`` a probe may declare, and how each reads an answer.

An entry (:class:`ProbeFormat`) holds everything that depends on the format: its name (the
playbook schema's enum, which a test keeps equal to :data:`PROBE_FORMATS`), the Accept header
triage and the runbook's manual commands send, the kind of body it decodes to (``json``: queries
read it; ``text``: regexes read it, line by line), the decoder, and an example answer with signals
that read it (:mod:`ops_actions.docs` shows each in ``docs/playbook.md``, as triage reads it).
Adding a format is one entry here and its name in ``schema.json``'s enum, which stays a complete
file for editors; ``tests/unit/playbook/test_formats.py`` checks that they agree and says what to add
where (docs/development.md, "A new probe format").

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

from ops_actions.text.json_limits import MAX_JSON_DEPTH, problem_of

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
class FormatExample:
    """An answer in one format and signals that read it, as a playbook writes them; the generated
    query reference shows what each signal reads from it."""

    probe: str
    """The id of the probe that gets the answer (the reference's probe, and a valid playbook id)."""
    title: str
    """The reference's heading for the format (Markdown)."""
    status: int
    content_type: str
    body: str
    """The answer as sent, shown as it is."""
    signals: tuple[Mapping[str, str], ...]
    """Signals as a playbook's ``signals`` items (name, and field or regex, source, type)."""


@dataclass(frozen=True)
class ProbeFormat:
    """One answer format a probe may declare (``probes[].format``)."""

    name: str
    accept: str
    """The Accept header a probe of this format sends (triage, and the runbook's commands by hand)."""
    body_kind: BodyKind
    """What the decoded body is, and so which signal source reads it (``json`` or ``text``)."""
    decode: Decoder
    example: FormatExample
    """What docs/playbook.md shows of the format: an answer, and what signals read from it."""


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
        body = json.loads(text)
    except json.JSONDecodeError as error:
        return None, f"the answer is not valid JSON ({error.msg} at line {error.lineno} column {error.colno})"
    except RecursionError:
        return None, f"the answer is JSON nested deeper than {MAX_JSON_DEPTH} levels"
    # A bounded answer keeps the queries, the report and the history file from recursing without end.
    problem = problem_of(body)
    return (None, f"the answer is JSON {problem}") if problem is not None else (body, None)


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


_JSON_EXAMPLE: Final = FormatExample(
    "stats",
    "`format: json` (the default): a JMESPath query per signal",
    200,
    "application/json",
    json.dumps(
        {
            "queue_depth": {"queued": 42},
            "webhook-failures": 3,
            "workers": [{"id": "w1", "state": "running"}, {"id": "w2", "state": "stopped"}],
        },
        indent=2,
    ),
    (
        {"name": "queued", "field": "queue_depth.queued", "type": "count"},
        {"name": "webhook_failures", "field": '"webhook-failures"', "type": "count"},
        {"name": "first_worker", "field": "workers[0].state", "type": "text"},
        {"name": "workers_stopped", "field": "length(workers[?state=='stopped'])", "type": "count"},
        {"name": "stopped_worker", "field": "workers[?state=='stopped'].id | [0]", "type": "text"},
        {"name": "backlog", "field": "queue_depth.backlog", "type": "count"},
        {"name": "broken", "field": "length(queue_depth.backlog)", "type": "count"},
        {"name": "stats_ms", "source": "latency_ms"},
    ),
)
_HEALTH_EXAMPLE: Final = FormatExample(
    "health",
    "`format: health+json`: the IETF health check format, read from a 5xx answer too",
    503,
    "application/health+json",
    json.dumps(
        {
            "status": "fail",
            "checks": {
                "db:responseTime": [
                    {"componentId": "pg-1", "observedValue": 250, "observedUnit": "ms", "status": "warn"}
                ],
                "cache:connection": [{"componentId": "redis-1", "status": "down"}],
            },
        },
        indent=2,
    ),
    (
        {"name": "health", "field": "status", "type": "text"},
        {"name": "db_ms", "field": 'checks."db:responseTime"[0].observedValue', "type": "number"},
        {"name": "cache", "field": 'checks."cache:connection"[0].status', "type": "text"},
        {"name": "not_passing", "field": "length(checks.*[] | [?status!='pass'])", "type": "count"},
        {"name": "health_http", "source": "status_code"},
        {"name": "health_ok", "source": "status_ok"},
    ),
)
_TEXT_EXAMPLE: Final = FormatExample(
    "readyz",
    "`format: text`: a regex per signal, e.g. Kubernetes' `/readyz?verbose`",
    500,
    "text/plain; charset=utf-8",
    "[+]ping ok\n[+]etcd ok\n[-]informer-sync failed: reason withheld\nreadyz check failed\n",
    (
        {"name": "verdict", "regex": "^readyz check (passed|failed)$", "type": "text"},
        {"name": "failed_checks", "regex": "^\\[-\\]", "type": "count"},
        {"name": "etcd", "regex": "^\\[([+-])\\]etcd\\b", "type": "text"},
        {"name": "first_failed", "regex": "^\\[-\\](\\S+) failed", "type": "text"},
        {"name": "etcd_ok", "regex": "^\\[\\+\\]etcd ok$", "type": "boolean"},
        {"name": "webhooks", "regex": "^\\[([+-])\\]webhooks\\b", "type": "text"},
    ),
)

PROBE_FORMATS: Final[Mapping[str, ProbeFormat]] = {
    entry.name: entry
    for entry in (
        ProbeFormat("json", "application/json", "json", _plain_json, _JSON_EXAMPLE),
        ProbeFormat(
            "health+json",
            "application/health+json, application/json;q=0.9",
            "json",
            _health,
            _HEALTH_EXAMPLE,
        ),
        ProbeFormat("text", "text/plain", "text", _text, _TEXT_EXAMPLE),
    )
}
"""Every probe format by name, in the order the reference documents them."""
DEFAULT_FORMAT: Final = "json"
"""The format of a probe that declares none (the schema's default too)."""
