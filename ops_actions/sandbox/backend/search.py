"""A search/indexing service's API, as the sandbox plays it (``api="search"``,
``examples/search-team/playbook.yaml``).

* ``GET /healthz`` (no auth) and ``GET /internal/{stats,index-errors}`` (admin token as a Bearer
  token, as in the reference API).
* Scenarios: ``db-down`` turns the cluster red, ``worker-stalled`` makes the indexer lag grow on
  every stats call, ``job-regression`` reports index errors most of which share one cause;
  ``webhook-failing``, ``job-failed-once``, ``payments-down``, ``jobs-down`` and ``hostile`` have no
  counterpart here and answer as ``healthy``; ``slow``, ``flaky``, ``malformed`` and
  ``unauthorized`` behave as in the reference API.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Final

from ops_actions.sandbox.backend.routes import INVALID_JSON_BODY, Api, Reply, Request, Served, iso, json_reply

_SEARCH_LAG_HEALTHY_S: Final = 4
_SEARCH_BACKLOG_HEALTHY: Final = 12
_SEARCH_STALLED_LAG_START_S: Final = 120
_SEARCH_STALLED_LAG_STEP_S: Final = 90
_SEARCH_STALLED_BACKLOG_START: Final = 500
_SEARCH_STALLED_BACKLOG_STEP: Final = 250
_SEARCH_NODES: Final = 3
_SEARCH_RED_UNASSIGNED_SHARDS: Final = 14
_SEARCH_INDEX_ERRORS_TOTAL: Final = 15
_SEARCH_INDEX_ERRORS_LIMIT: Final = 100
_SEARCH_INDEX_ERROR_SIGNATURE: Final[Mapping[str, str]] = {
    "index": "products-v7",
    "error_type": "mapper_parsing_exception",
    "reason": "failed to parse field [price] of type [scaled_float]",
}
# The index errors that do not share the regression's cause, by position in the newest-first list.
_SEARCH_INDEX_ERROR_OUTLIERS: Final[Mapping[int, Mapping[str, str]]] = {
    2: {
        "index": "products-v7",
        "error_type": "version_conflict_engine_exception",
        "reason": "version conflict, current version [8] is higher than the one provided [7]",
    },
    7: {
        "index": "suggest-v3",
        "error_type": "illegal_argument_exception",
        "reason": "document contains at least one immense term in field [title]",
    },
    11: {
        "index": "products-v7",
        "error_type": "es_rejected_execution_exception",
        "reason": "rejected execution of bulk request (queue capacity 200)",
    },
}
_MALFORMED_STATS: Final[Mapping[str, object]] = {
    "cluster": "red?",
    "indexer": {"running": "yes", "lag_seconds": "a lot", "backlog": -5},
    "errors": None,
}


def _healthz(backend: Served, scenario: str, request: Request) -> Reply:
    if scenario == "db-down":
        return json_reply(503, {"status": "red"})
    return json_reply(200, {"status": "green"})


def _stats(backend: Served, scenario: str, request: Request) -> Reply | None:
    if scenario == "malformed":
        return json_reply(200, _MALFORMED_STATS)
    if scenario == "slow" and not backend.sleep(backend.slow_delay_s):
        return None
    lag, backlog = _SEARCH_LAG_HEALTHY_S, _SEARCH_BACKLOG_HEALTHY
    if scenario == "worker-stalled":
        calls = backend.stalled_call(advance=True)
        lag = _SEARCH_STALLED_LAG_START_S + _SEARCH_STALLED_LAG_STEP_S * calls
        backlog = _SEARCH_STALLED_BACKLOG_START + _SEARCH_STALLED_BACKLOG_STEP * calls
    red = scenario == "db-down"
    errors = _SEARCH_INDEX_ERRORS_TOTAL if scenario == "job-regression" else 0
    stats = {
        "cluster": {
            "status": "red" if red else "green",
            "nodes": _SEARCH_NODES - 1 if red else _SEARCH_NODES,
            "unassigned_shards": _SEARCH_RED_UNASSIGNED_SHARDS if red else 0,
        },
        "indexer": {
            "running": True,
            "lag_seconds": lag,
            "backlog": backlog,
            # The last commit is as old as the lag: a stalled indexer commits nothing.
            "last_commit_at": iso(backend.now() - timedelta(seconds=lag)),
        },
        "errors": {"last_15m": errors, "last_24h": errors},
    }
    return json_reply(200, stats)


def _index_errors(backend: Served, scenario: str, request: Request) -> Reply:
    if scenario == "malformed":
        return Reply(200, INVALID_JSON_BODY)
    raw = request.query.get("limit", [str(_SEARCH_INDEX_ERRORS_LIMIT)])[-1]
    limit = int(raw) if raw.isascii() and raw.isdigit() else 0
    if not 1 <= limit <= _SEARCH_INDEX_ERRORS_LIMIT:
        message = f"limit must be an integer from 1 to {_SEARCH_INDEX_ERRORS_LIMIT}, got {raw!r}"
        return json_reply(400, {"error": message})
    errors: list[dict[str, str]] = []
    if scenario == "job-regression":
        now = backend.now()
        for index in range(_SEARCH_INDEX_ERRORS_TOTAL):
            cause = _SEARCH_INDEX_ERROR_OUTLIERS.get(index, _SEARCH_INDEX_ERROR_SIGNATURE)
            errors.append(
                {
                    "id": f"ierr_{index + 1:04d}",
                    "document_id": f"sku-{48_213 - 17 * index}",
                    **cause,
                    "at": iso(now - timedelta(seconds=30 + 55 * index)),
                }
            )
    return json_reply(200, {"data": {"errors": errors[:limit]}, "total": len(errors)})


API: Final = Api(
    {"/healthz": _healthz},
    "/internal/",
    {"/internal/stats": _stats, "/internal/index-errors": _index_errors},
)
