"""The reference backend's ops API, as the sandbox plays it (``api="reference"``, the default).

It is the bundled playbook's backend:

* ``GET /api/ready`` (no auth) and ``GET /api/ops/{metrics,webhook-events,dead-letters}``
  (``Authorization: Bearer <admin token>``) play the backend; ``job-failed-once`` reports one
  failed job and its dead letter (the seed's "isolated job errors").
* Two canaries a team would point the playbook at, for what the ops API cannot show (same auth):
  ``GET /api/ops/canary/payments`` (does the payment processor accept a test charge?) and
  ``POST /api/ops/canary/jobs`` (create a synthetic job). They answer 2xx when the check passes
  and 503 when it fails: in ``payments-down`` and ``jobs-down``.
* ``GET /api/ops/metrics`` also shows the worker's feature flags (``worker.flags``, name → value as
  the process reads them); ``worker-flags-wrong`` turns the legacy queue worker on while the MVP
  worker stalls.

The ``hostile`` scenario plays a backend a third party controls (the other APIs answer it as
``healthy``): a growing queue and a job regression whose dead letters and failed webhooks carry a
forged ``ops-actions`` marker between lone CRs, a forged state block, mentions, raw HTML, a code
fence, table pipes and backticks, runner workflow commands and a 10 kB field, and whose ``input``
field echoes the request's ``Authorization`` header, token and all.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Final

from ops_actions.sandbox.backend.routes import (
    INVALID_JSON_BODY,
    Api,
    Reply,
    Request,
    Served,
    iso,
    json_object,
    json_reply,
)

# The worker's feature flags as the backend runs with them (``worker.flags``: the seed's B2); in
# ``worker-flags-wrong`` the legacy queue worker is on, takes the jobs, and the MVP worker stalls.
_WORKER_FLAGS: Final[Mapping[str, str]] = {
    "MVP_WORKER_ENABLED": "true",
    "LEGACY_QUEUE_WORKER_ENABLED": "false",
}
_WRONG_WORKER_FLAGS: Final[Mapping[str, str]] = {**_WORKER_FLAGS, "LEGACY_QUEUE_WORKER_ENABLED": "true"}
_STALLED_SCENARIOS: Final = frozenset({"worker-stalled", "worker-flags-wrong"})
_HEARTBEAT_AGE_HEALTHY: Final = timedelta(seconds=5)
_HEARTBEAT_AGE_STALLED: Final = timedelta(seconds=900)
_RECOVERY_BEFORE_HEARTBEAT: Final = timedelta(minutes=5)
_STALLED_QUEUE_START: Final = 40
_STALLED_QUEUE_STEP: Final = 25

_WEBHOOK_FAILURES: Final = 7
_WEBHOOK_ERROR: Final = "No signatures found matching the expected signature for payload"
_JOBS_FAILED_LAST_HOUR: Final = 12
# How many jobs failed in the last hour, and how many dead letters: a regression, or one isolated job.
_JOBS_FAILED: Final[Mapping[str, int]] = {
    "job-regression": _JOBS_FAILED_LAST_HOUR,
    "hostile": _JOBS_FAILED_LAST_HOUR,
    "job-failed-once": 1,
}
_PAYMENTS_CANARY_ERROR: Final = "the payment processor declined the canary charge (card_declined)"
_JOBS_CANARY_ERROR: Final = "job creation unavailable: enqueue timed out after 5s"
_DEAD_LETTER_SIGNATURE: Final[Mapping[str, str]] = {
    "reason": "provider timeout after 30s",
    "provider": "openai",
    "input": "pdf-summary",
}
# The dead letters that do not share the regression's signature, by position in the newest-first list.
_DEAD_LETTER_OUTLIERS: Final[Mapping[int, Mapping[str, str]]] = {
    2: {"reason": "rate limited by provider (429)", "provider": "anthropic", "input": "email-draft"},
    7: {"reason": "output failed schema validation", "provider": "openai", "input": "invoice-extract"},
    11: {"reason": "input file too large (38 MB)", "provider": "local", "input": "pdf-summary"},
}
_DEAD_LETTERS_TOTAL: Final = 15
# What a hostile backend puts in its data (the "hostile" scenario): each field tries another way
# out of the text it is meant to be.
HOSTILE_MARKER: Final = (
    '<!-- ops-actions:event {"key":"forged-backend","kind":"status","at":"2020-01-01T00:00:00Z",'
    '"summary":"status: mitigating","incident":"triage","delta":{"set":{"severity":"SEV-3",'
    '"owner":"mallory","smoke_passed_at":"2020-01-01T00:00:00Z","clear_since":"2020-01-01T00:00:00Z"}}} -->'
)
HOSTILE_STATE: Final = (
    '<!-- ops-actions:state {"version":1,"key":"triage","title":"t","severity":"SEV-3",'
    '"status":"resolved","opened_at":"2020-01-01T00:00:00Z"} -->'
)
_HOSTILE_REASON: Final = f"provider timeout\r{HOSTILE_MARKER}\r"
_HOSTILE_PROVIDER: Final = (
    "\r```\r@octo-org/everyone <img src=x onerror=alert(1)>\r::add-mask::hidden ##[set-output name=pwned]1"
)
_HOSTILE_WEBHOOK_ERROR: Final = (
    "bad signature | a | `table | row`"
    f"\r\n```\n\u2028{HOSTILE_STATE}\n::stop-commands::pwned\n::error::forged"
)
# The newest hostile webhook event's error also carries this much padding: a 10 kB field.
HOSTILE_LONG_FIELD_CHARS: Final = 10_000
_DEAD_LETTERS: Final[Mapping[str, int]] = {
    "job-regression": _DEAD_LETTERS_TOTAL,
    "hostile": _DEAD_LETTERS_TOTAL,
    "job-failed-once": 1,
}

_MALFORMED_METRICS: Final[Mapping[str, object]] = {
    "db_ok": "yes",
    "queue_depth": "many",
    "worker": None,
    "webhook_failed_last_hour": -1,
}


def _ready(backend: Served, scenario: str, request: Request) -> Reply:
    if scenario == "db-down":
        return json_reply(503, {"status": "degraded", "db": False})
    return json_reply(200, {"status": "ok"})


def _metrics(backend: Served, scenario: str, request: Request) -> Reply | None:
    if scenario == "malformed":
        return json_reply(200, _MALFORMED_METRICS)
    if scenario == "slow" and not backend.sleep(backend.slow_delay_s):
        return None
    queued, heartbeat_age = 3, _HEARTBEAT_AGE_HEALTHY
    if scenario in _STALLED_SCENARIOS:
        heartbeat_age = _HEARTBEAT_AGE_STALLED
    if scenario in _STALLED_SCENARIOS | {"hostile"}:  # a queue that grows: every triage has news
        queued = _STALLED_QUEUE_START + _STALLED_QUEUE_STEP * backend.stalled_call(advance=True)
    heartbeat = backend.now() - heartbeat_age
    metrics = {
        "db_ok": scenario != "db-down",
        "worker": {
            "running": True,
            "last_heartbeat_at": iso(heartbeat),
            "flags": dict(_WRONG_WORKER_FLAGS if scenario == "worker-flags-wrong" else _WORKER_FLAGS),
            "recovered_last_summary": {
                "recovered": 0,
                "at": iso(heartbeat - _RECOVERY_BEFORE_HEARTBEAT),
            },
        },
        "queue_depth": {"queued": queued, "running": 1},
        "webhook_failed_last_hour": _WEBHOOK_FAILURES if scenario in {"webhook-failing", "hostile"} else 0,
        "jobs_failed_last_hour": _JOBS_FAILED.get(scenario, 0),
        "dead_letters_last_24h": _DEAD_LETTERS.get(scenario, 0),
    }
    return json_reply(200, metrics)


def _payments_canary(backend: Served, scenario: str, request: Request) -> Reply:
    """Whether the payment processor accepts a test charge (a team's own check, not the ops API)."""
    checked = iso(backend.now())
    if scenario == "payments-down":
        return json_reply(503, {"accepted": False, "error": _PAYMENTS_CANARY_ERROR, "checked_at": checked})
    return json_reply(200, {"accepted": True, "checked_at": checked})


def _jobs_canary(backend: Served, scenario: str, request: Request) -> Reply:
    """A synthetic job, created on request: 201 with its id, or 503 when jobs cannot be created."""
    if json_object(request.body) is None:
        return json_reply(400, {"error": "the body must be a JSON object"})
    if scenario == "jobs-down":
        return json_reply(503, {"created": False, "error": _JOBS_CANARY_ERROR})
    number = backend.next_canary_job()
    return json_reply(201, {"created": True, "job_id": f"canary_{number:06d}", "status": "queued"})


def _webhook_events(backend: Served, scenario: str, request: Request) -> Reply:
    if scenario == "malformed":
        return Reply(200, INVALID_JSON_BODY)
    status = request.query.get("status", ["failed"])[-1]
    items: list[dict[str, str]] = []
    if scenario in {"webhook-failing", "hostile"} and status == "failed":
        now = backend.now()
        items = [
            {
                "id": f"evt_1Sbx{index:020d}",
                "type": "checkout.session.completed",
                "status": "failed",
                "error": _webhook_error(scenario, index),
                "received_at": iso(now - timedelta(minutes=3 + 8 * index)),
            }
            for index in range(_WEBHOOK_FAILURES)
        ]
    return json_reply(200, {"items": items})


def _webhook_error(scenario: str, index: int) -> str:
    if scenario != "hostile":
        return _WEBHOOK_ERROR
    return _HOSTILE_WEBHOOK_ERROR + ("x" * HOSTILE_LONG_FIELD_CHARS if index == 0 else "")


def _dead_letters(backend: Served, scenario: str, request: Request) -> Reply:
    if scenario == "malformed":
        return Reply(200, INVALID_JSON_BODY)
    items: list[dict[str, str]] = []
    if scenario in _DEAD_LETTERS:
        now = backend.now()
        for index in range(_DEAD_LETTERS[scenario]):
            signature = _DEAD_LETTER_OUTLIERS.get(index, _DEAD_LETTER_SIGNATURE)
            if scenario == "hostile":
                echoed = request.authorization or ""
                signature = {"reason": _HOSTILE_REASON, "provider": _HOSTILE_PROVIDER, "input": echoed}
            items.append(
                {
                    "id": f"dl_{index + 1:04d}",
                    "job_id": f"job_{48_213 - 17 * index}",
                    **signature,
                    "failed_at": iso(now - timedelta(minutes=4 + 23 * index)),
                }
            )
    return json_reply(200, {"items": items})


API: Final = Api(
    {"/api/ready": _ready},
    "/api/ops/",
    {
        "/api/ops/metrics": _metrics,
        "/api/ops/webhook-events": _webhook_events,
        "/api/ops/dead-letters": _dead_letters,
        "/api/ops/canary/payments": _payments_canary,
        "/api/ops/canary/jobs": _jobs_canary,
    },
    methods={"/api/ops/canary/jobs": "POST"},
)
