"""The sandbox's "messaging" API (``api="messaging"``): a delivery service (email, SMS, push) of another team.

It serves the health formats teams already have (``examples/messaging-team/playbook.yaml``):

* ``GET /health``: the IETF health check format (draft-inadarei-api-health-check-06,
  ``application/health+json``): ``status`` pass/warn/fail and ``checks`` keyed
  ``component:measurement``, each a list of ``{componentId, componentType, observedValue,
  observedUnit, status, time}``. A failing service answers 503 with the document (section 3.1).
* ``GET /readyz[?verbose]``: Kubernetes' check list as text/plain (``[+]ping ok``,
  ``[-]postgres failed: reason withheld``, then ``readyz check passed|failed``), 500 when a check
  fails, as k8s.io/apiserver's healthz handler answers; without ``verbose`` a passing list is
  just ``ok``.
* ``GET /v1/stats``: JSON with hyphenated keys, behind an ``X-API-Key`` header.
* ``GET /v1/admin/failed-deliveries?limit=N``: the newest failed deliveries, behind HTTP basic auth.

Scenarios: ``db-down`` fails the postgres checks (health 503, readyz 500, stats 503),
``worker-stalled`` fails the delivery worker's readiness and grows the pending deliveries on every
stats call, ``webhook-failing`` counts failing receipt webhooks, ``job-regression`` fails
deliveries most of which share one cause; ``slow`` (the stats), ``flaky``, ``malformed`` and
``unauthorized`` behave as in the reference API; ``job-failed-once``, ``payments-down``,
``jobs-down`` and ``hostile`` answer as ``healthy``.

The answers are pure functions of the scenario, the time and the call counter; the routes at the
end hand those in from the backend.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from ops_actions.sandbox.backend.routes import INVALID_JSON_BODY, Api, Reply, Request, Served, json_reply

HEALTH_CONTENT_TYPE: Final = "application/health+json"
TEXT_CONTENT_TYPE: Final = "text/plain; charset=utf-8"
BASIC_USER: Final = "ops-triage"
FAILED_DELIVERIES_LIMIT: Final = 100

_READYZ_CHECKS: Final = ("ping", "postgres", "smtp-relay", "delivery-worker", "migrations")
_FAILING_CHECK: Final[Mapping[str, str]] = {"db-down": "postgres", "worker-stalled": "delivery-worker"}
_PENDING_HEALTHY: Final = 14
_PENDING_STALLED_START: Final = 400
_PENDING_STALLED_STEP: Final = 150
_WEBHOOK_FAILURES: Final = 9
_FAILED_DELIVERIES: Final = 23
_DELIVERY_CAUSE: Final[Mapping[str, str]] = {
    "channel": "email",
    "provider": "smtp-relay",
    "error-code": "421-4.7.0",
    "reason": "Try again later, closing connection (rate limited by the receiving server)",
}
# The failed deliveries that do not share the regression's cause, by position in the newest-first list.
_DELIVERY_OUTLIERS: Final[Mapping[int, Mapping[str, str]]] = {
    3: {"channel": "sms", "provider": "sms-gateway", "error-code": "30007", "reason": "carrier filtered"},
    9: {"channel": "push", "provider": "push-fcm", "error-code": "UNREGISTERED", "reason": "stale token"},
    15: {"channel": "sms", "provider": "sms-gateway", "error-code": "30003", "reason": "unreachable handset"},
    20: {"channel": "email", "provider": "smtp-relay", "error-code": "550-5.1.1", "reason": "no such user"},
}
_MALFORMED_HEALTH: Final[Mapping[str, object]] = {"healthy": "yes", "checks": "all good"}
_MALFORMED_STATS: Final[Mapping[str, object]] = {
    "deliveries": "lots",
    "providers": {"smtp-relay": "up"},
    "webhook-failures": "-1",
}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def health(scenario: str, now: datetime) -> tuple[int, dict[str, Any]]:
    """The health+json document and its HTTP status (503 when it says fail)."""
    if scenario == "malformed":
        return 200, dict(_MALFORMED_HEALTH)
    stamp = _iso(now)
    db_down = scenario == "db-down"

    def check(component: str, kind: str, value: object, unit: str | None, status: str) -> dict[str, Any]:
        result: dict[str, Any] = {"componentId": component, "componentType": kind, "observedValue": value}
        if unit:
            result["observedUnit"] = unit
        result.update(status=status, time=stamp)
        if status == "fail" and db_down:
            result["output"] = "connection refused (pg-primary:5432)"
        return result

    relay_2 = ("warn", 2900) if scenario == "job-regression" else ("pass", 41)
    queue = ("warn", 64) if scenario == "worker-stalled" else ("pass", 2)
    checks = {
        "postgres:responseTime": [
            check("pg-primary", "datastore", None if db_down else 4, "ms", "fail" if db_down else "pass")
        ],
        "postgres:connections": [
            check("pg-primary", "datastore", 0 if db_down else 12, None, "fail" if db_down else "pass")
        ],
        "smtp-relay:responseTime": [
            check("smtp-eu-1", "component", 38, "ms", "pass"),
            check("smtp-eu-2", "component", relay_2[1], "ms", relay_2[0]),
        ],
        "delivery-queue:utilization": [check("delivery-queue", "component", queue[1], "percent", queue[0])],
        "uptime": [check("messaging-api", "system", 1_209_600, "s", "pass")],
    }
    statuses = [result["status"] for results in checks.values() for result in results]
    overall = "fail" if "fail" in statuses else "warn" if "warn" in statuses else "pass"
    document = {
        "status": overall,
        "version": "2",
        "releaseId": "2.14.1",
        "serviceId": "messaging",
        "description": "Outbound email, SMS and push delivery",
        "checks": checks,
    }
    return (503 if overall == "fail" else 200), document


def readyz(scenario: str, *, verbose: bool) -> tuple[int, str]:
    """Kubernetes' readiness check list and its HTTP status (500 when a check fails)."""
    if scenario == "malformed":
        return 200, "<html><body>ready?</body></html>\n"
    failing = _FAILING_CHECK.get(scenario)
    if failing is None and not verbose:
        return 200, "ok"
    lines = [
        f"[-]{name} failed: reason withheld" if name == failing else f"[+]{name} ok"
        for name in _READYZ_CHECKS
    ]
    if failing is None:
        return 200, "\n".join([*lines, "readyz check passed"]) + "\n"
    return 500, "\n".join([*lines, "readyz check failed"]) + "\n"


def stats(scenario: str, now: datetime, stalled_calls: int) -> tuple[int, dict[str, Any]]:
    """The X-API-Key stats and their HTTP status; ``stalled_calls`` counts earlier stalled stats calls."""
    if scenario == "malformed":
        return 200, dict(_MALFORMED_STATS)
    if scenario == "db-down":
        return 503, {"error": "database unavailable"}
    pending, oldest = _PENDING_HEALTHY, timedelta(seconds=20)
    if scenario == "worker-stalled":
        pending = _PENDING_STALLED_START + _PENDING_STALLED_STEP * stalled_calls
        oldest = timedelta(minutes=10 + stalled_calls)
    regression = scenario == "job-regression"
    relay = {"state": "degraded", "error-rate": 0.18} if regression else {"state": "up", "error-rate": 0.002}
    return 200, {
        "deliveries": {
            "sent-last-hour": 4210,
            "failed-last-hour": _FAILED_DELIVERIES if regression else 0,
            "pending": pending,
            "oldest-pending-at": _iso(now - oldest),
        },
        "webhook-failures": _WEBHOOK_FAILURES if scenario == "webhook-failing" else 0,
        "providers": [
            {"name": "smtp-relay", "channel": "email", **relay},
            {"name": "sms-gateway", "channel": "sms", "state": "up", "error-rate": 0.0},
            {"name": "push-fcm", "channel": "push", "state": "up", "error-rate": 0.001},
        ],
    }


def failed_deliveries(scenario: str, now: datetime, limit: int) -> dict[str, Any]:
    """The newest failed deliveries (most share one cause in job-regression), at most ``limit``."""
    failed: list[dict[str, Any]] = []
    if scenario == "job-regression":
        for index in range(_FAILED_DELIVERIES):
            cause = _DELIVERY_OUTLIERS.get(index, _DELIVERY_CAUSE)
            failed.append(
                {
                    "id": f"dlv_{90_412 - 7 * index}",
                    **cause,
                    "failed_at": _iso(now - timedelta(seconds=40 + 95 * index)),
                }
            )
    return {"failed": failed[:limit], "total": len(failed)}


# -- the routes -------------------------------------------------------------------------------


def _serve_health(backend: Served, scenario: str, request: Request) -> Reply:
    status, document = health(scenario, backend.now())
    return Reply(status, json.dumps(document).encode("utf-8"), HEALTH_CONTENT_TYPE)


def _serve_readyz(backend: Served, scenario: str, request: Request) -> Reply:
    status, text = readyz(scenario, verbose="verbose" in request.query)
    # As k8s.io/apiserver's healthz handler answers: plain text that browsers must not sniff.
    nosniff = ("X-Content-Type-Options", "nosniff")
    return Reply(status, text.encode("utf-8"), TEXT_CONTENT_TYPE, (nosniff,))


def _serve_stats(backend: Served, scenario: str, request: Request) -> Reply | None:
    if scenario == "slow" and not backend.sleep(backend.slow_delay_s):
        return None
    calls = backend.stalled_call(advance=scenario == "worker-stalled")
    status, answer = stats(scenario, backend.now(), calls)
    return json_reply(status, answer)


def _serve_failed_deliveries(backend: Served, scenario: str, request: Request) -> Reply:
    if scenario == "malformed":
        return Reply(200, INVALID_JSON_BODY)
    raw = request.query.get("limit", [str(FAILED_DELIVERIES_LIMIT)])[-1]
    limit = int(raw) if raw.isascii() and raw.isdigit() else 0
    if not 1 <= limit <= FAILED_DELIVERIES_LIMIT:
        message = f"limit must be an integer from 1 to {FAILED_DELIVERIES_LIMIT}, got {raw!r}"
        return json_reply(400, {"error": message})
    return json_reply(200, failed_deliveries(scenario, backend.now(), limit))


API: Final = Api(
    {"/health": _serve_health, "/readyz": _serve_readyz},
    "/v1/",
    {"/v1/stats": _serve_stats, "/v1/admin/failed-deliveries": _serve_failed_deliveries},
    auth=(("/v1/admin/", "basic"), ("/v1/", "api-key")),
)
