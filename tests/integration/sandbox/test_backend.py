"""The sandbox backend, exercised over real HTTP on 127.0.0.1."""

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from ops_actions.sandbox.backend import SCENARIOS, SandboxBackend, serve
from tests.support.fixtures.backend import ADMIN_TOKEN
from tests.support.polling import eventually

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
JSON_TYPE = "application/json; charset=utf-8"


@pytest.fixture
def client(backend: SandboxBackend) -> Iterator[httpx.Client]:
    """An httpx client aimed at the backend fixture."""
    with httpx.Client(base_url=backend.url, timeout=5.0) as http:
        yield http


def body_of(response: httpx.Response) -> Any:
    """The decoded JSON body, after checking the content type and the Content-Length."""
    assert response.headers["content-type"] == JSON_TYPE
    assert int(response.headers["content-length"]) == len(response.content)
    return response.json()


def parse_utc(stamp: str) -> datetime:
    """A timestamp the sandbox wrote: ISO 8601 UTC with a trailing Z."""
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def metrics(client: httpx.Client) -> Any:
    """GET /api/ops/metrics with the admin token and return the 200 body."""
    response = client.get("/api/ops/metrics", headers=AUTH)
    assert response.status_code == 200
    return body_of(response)


# -- scenarios --------------------------------------------------------------------------------


def test_ready_is_ok_without_auth(client: httpx.Client) -> None:
    """A healthy backend answers /api/ready with 200 and no credentials."""
    response = client.get("/api/ready")
    assert response.status_code == 200
    assert body_of(response) == {"status": "ok"}


def test_the_canaries_pass_and_fail_with_their_scenarios(
    backend: SandboxBackend, client: httpx.Client
) -> None:
    """The payments canary answers 200 (503 in payments-down); the job canary creates a synthetic
    job on POST with a JSON body (201, numbered), refuses GET (405) and a non-JSON body (400), and
    answers 503 in jobs-down. Both want the admin token."""
    payments = client.get("/api/ops/canary/payments", headers=AUTH)
    assert (payments.status_code, body_of(payments)["accepted"]) == (200, True)
    created = [client.post("/api/ops/canary/jobs", headers=AUTH, json={"kind": "canary"}) for _ in range(2)]
    assert [(r.status_code, body_of(r)["job_id"]) for r in created] == [
        (201, "canary_000001"),
        (201, "canary_000002"),
    ]
    assert client.get("/api/ops/canary/jobs", headers=AUTH).status_code == 405
    assert client.post("/api/ops/canary/jobs", headers=AUTH, content=b"[1]").status_code == 400
    assert client.get("/api/ops/canary/payments").status_code == 401
    backend.set_scenario("payments-down")
    failing = client.get("/api/ops/canary/payments", headers=AUTH)
    assert (failing.status_code, body_of(failing)["accepted"]) == (503, False)
    assert client.post("/api/ops/canary/jobs", headers=AUTH, json={}).status_code == 201
    backend.set_scenario("jobs-down")
    refused = client.post("/api/ops/canary/jobs", headers=AUTH, json={})
    assert (refused.status_code, body_of(refused)["created"]) == (503, False)
    assert client.get("/api/ops/canary/payments", headers=AUTH).status_code == 200


def test_healthy_metrics_have_the_reference_shape(client: httpx.Client) -> None:
    """Healthy metrics have exactly the reference keys, zero failures and a fresh heartbeat."""
    data = metrics(client)
    assert set(data) == {
        "db_ok",
        "worker",
        "queue_depth",
        "webhook_failed_last_hour",
        "jobs_failed_last_hour",
        "dead_letters_last_24h",
    }
    assert data["db_ok"] is True
    assert data["queue_depth"] == {"queued": 3, "running": 1}
    assert (data["webhook_failed_last_hour"], data["jobs_failed_last_hour"]) == (0, 0)
    assert data["dead_letters_last_24h"] == 0
    worker = data["worker"]
    assert set(worker) == {"running", "last_heartbeat_at", "recovered_last_summary", "flags"}
    assert worker["flags"] == {"MVP_WORKER_ENABLED": "true", "LEGACY_QUEUE_WORKER_ENABLED": "false"}
    assert worker["running"] is True
    age = datetime.now(UTC) - parse_utc(worker["last_heartbeat_at"])
    assert timedelta(seconds=4) <= age <= timedelta(seconds=10)
    summary = worker["recovered_last_summary"]
    assert summary["recovered"] == 0
    assert parse_utc(summary["at"]) < parse_utc(worker["last_heartbeat_at"])
    assert metrics(client)["queue_depth"] == {"queued": 3, "running": 1}


def test_db_down_degrades_ready_and_metrics(backend: SandboxBackend, client: httpx.Client) -> None:
    """In db-down, ready answers 503 degraded and metrics report db_ok false."""
    backend.set_scenario("db-down")
    response = client.get("/api/ready")
    assert response.status_code == 503
    assert body_of(response) == {"status": "degraded", "db": False}
    data = metrics(client)
    assert data["db_ok"] is False
    assert data["worker"]["running"] is True


def test_worker_stalled_heartbeat_is_old_and_queue_grows(
    backend: SandboxBackend, client: httpx.Client
) -> None:
    """In worker-stalled, the heartbeat is 15 minutes old and the queue grows by 25 per call from 40."""
    backend.set_scenario("worker-stalled")
    first, second, third = metrics(client), metrics(client), metrics(client)
    assert [m["queue_depth"]["queued"] for m in (first, second, third)] == [40, 65, 90]
    worker = first["worker"]
    assert worker["running"] is True
    assert worker["recovered_last_summary"]["recovered"] == 0
    age = datetime.now(UTC) - parse_utc(worker["last_heartbeat_at"])
    assert timedelta(seconds=899) <= age <= timedelta(seconds=910)
    assert client.get("/api/ready").status_code == 200
    backend.set_scenario("worker-stalled")
    assert metrics(client)["queue_depth"]["queued"] == 40


def test_webhook_failing_lists_seven_failed_events(backend: SandboxBackend, client: httpx.Client) -> None:
    """In webhook-failing, metrics count 7 failures and the events endpoint lists those 7."""
    backend.set_scenario("webhook-failing")
    assert metrics(client)["webhook_failed_last_hour"] == 7
    response = client.get("/api/ops/webhook-events", params={"status": "failed"}, headers=AUTH)
    assert response.status_code == 200
    items = body_of(response)["items"]
    assert len(items) == 7
    assert len({item["id"] for item in items}) == 7
    now = datetime.now(UTC)
    for item in items:
        assert set(item) == {"id", "type", "status", "error", "received_at"}
        assert item["id"].startswith("evt_")
        assert item["type"] == "checkout.session.completed"
        assert item["status"] == "failed"
        assert item["error"] == "No signatures found matching the expected signature for payload"
        assert timedelta(0) < now - parse_utc(item["received_at"]) < timedelta(hours=1)


def test_webhook_events_respect_the_status_query(backend: SandboxBackend, client: httpx.Client) -> None:
    """Asking for a status other than failed returns an empty list even while webhooks fail."""
    backend.set_scenario("webhook-failing")
    response = client.get("/api/ops/webhook-events", params={"status": "succeeded"}, headers=AUTH)
    assert response.status_code == 200
    assert body_of(response) == {"items": []}


def test_lists_are_empty_when_healthy(client: httpx.Client) -> None:
    """A healthy backend has no failed webhook events and no dead letters."""
    events = client.get("/api/ops/webhook-events?status=failed", headers=AUTH)
    letters = client.get("/api/ops/dead-letters", headers=AUTH)
    assert (events.status_code, letters.status_code) == (200, 200)
    assert body_of(events) == {"items": []}
    assert body_of(letters) == {"items": []}


def test_job_regression_reports_failures_and_dead_letters(
    backend: SandboxBackend, client: httpx.Client
) -> None:
    """In job-regression, 12 of 15 dead letters share one provider-timeout signature."""
    backend.set_scenario("job-regression")
    data = metrics(client)
    assert (data["jobs_failed_last_hour"], data["dead_letters_last_24h"]) == (12, 15)
    response = client.get("/api/ops/dead-letters", headers=AUTH)
    assert response.status_code == 200
    items = body_of(response)["items"]
    assert len(items) == 15
    assert all(set(item) == {"id", "job_id", "reason", "provider", "input", "failed_at"} for item in items)
    assert len({item["id"] for item in items}) == 15
    signature = ("provider timeout after 30s", "openai", "pdf-summary")
    shared = [item for item in items if (item["reason"], item["provider"], item["input"]) == signature]
    assert len(shared) == 12
    others = {item["reason"] for item in items} - {signature[0]}
    assert len(others) == 3
    now = datetime.now(UTC)
    assert all(timedelta(0) < now - parse_utc(item["failed_at"]) < timedelta(hours=24) for item in items)


def test_slow_scenario_delays_only_metrics(backend: SandboxBackend, client: httpx.Client) -> None:
    """In slow, metrics answer correctly only after slow_delay_s while ready stays fast."""
    backend.set_scenario("slow", slow_delay_s=0.3)
    assert backend.slow_delay_s == 0.3
    assert client.get("/api/ready").status_code == 200
    assert backend.waits == []
    data = metrics(client)
    assert backend.waits == [0.3]
    assert data["db_ok"] is True


def test_flaky_cycles_502_reset_200_per_endpoint(backend: SandboxBackend, client: httpx.Client) -> None:
    """In flaky, each endpoint cycles through 502, a dropped connection and 200, counting separately."""
    backend.set_scenario("flaky")
    assert client.get("/api/ops/metrics", headers=AUTH).status_code == 502
    with pytest.raises(httpx.TransportError):
        client.get("/api/ops/metrics", headers=AUTH)
    assert metrics(client)["db_ok"] is True
    assert client.get("/api/ops/metrics", headers=AUTH).status_code == 502
    assert client.get("/api/ready").status_code == 502
    with pytest.raises(httpx.TransportError):
        client.get("/api/ready")
    assert body_of(client.get("/api/ready")) == {"status": "ok"}


def test_malformed_metrics_have_wrong_types(backend: SandboxBackend, client: httpx.Client) -> None:
    """In malformed, metrics are 200 but with wrong types and missing fields."""
    backend.set_scenario("malformed")
    assert metrics(client) == {
        "db_ok": "yes",
        "queue_depth": "many",
        "worker": None,
        "webhook_failed_last_hour": -1,
    }


@pytest.mark.parametrize("path", ["/api/ops/webhook-events?status=failed", "/api/ops/dead-letters"])
def test_malformed_lists_are_not_json(backend: SandboxBackend, client: httpx.Client, path: str) -> None:
    """In malformed, the list endpoints claim JSON but send a body that does not parse."""
    backend.set_scenario("malformed")
    response = client.get(path, headers=AUTH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.content == b"{not json"


# -- auth -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Basic {ADMIN_TOKEN}"},
        {"Authorization": ADMIN_TOKEN},
    ],
    ids=["missing", "wrong-token", "wrong-scheme", "no-scheme"],
)
def test_ops_api_rejects_bad_credentials(client: httpx.Client, headers: dict[str, str]) -> None:
    """Missing or wrong credentials get 401 unauthorized on every ops endpoint."""
    for path in ("/api/ops/metrics", "/api/ops/webhook-events", "/api/ops/dead-letters"):
        response = client.get(path, headers=headers)
        assert response.status_code == 401
        assert body_of(response) == {"error": "unauthorized"}


def test_unauthorized_scenario_rejects_the_right_token(backend: SandboxBackend, client: httpx.Client) -> None:
    """In unauthorized, even the right token gets 401 while ready stays open."""
    backend.set_scenario("unauthorized")
    response = client.get("/api/ops/metrics", headers=AUTH)
    assert response.status_code == 401
    assert body_of(response) == {"error": "unauthorized"}
    assert client.get("/api/ready").status_code == 200


# -- scenario control -------------------------------------------------------------------------


def test_scenario_switch_over_http(backend: SandboxBackend, client: httpx.Client) -> None:
    """POST /_sandbox/scenario switches the scenario, and GET reports it."""
    response = client.post("/_sandbox/scenario", json={"scenario": "db-down", "slow_delay_s": 1.5})
    assert response.status_code == 200
    assert body_of(response) == {"scenario": "db-down"}
    assert backend.scenario == "db-down"
    assert backend.slow_delay_s == 1.5
    assert body_of(client.get("/_sandbox/scenario"))["scenario"] == "db-down"
    assert client.get("/api/ready").status_code == 503


def test_unknown_scenario_is_rejected(backend: SandboxBackend, client: httpx.Client) -> None:
    """An unknown scenario is a 400 listing the scenarios over HTTP and a ValueError in Python."""
    response = client.post("/_sandbox/scenario", json={"scenario": "on-fire"})
    assert response.status_code == 400
    answer = body_of(response)
    assert "on-fire" in answer["error"]
    assert answer["scenarios"] == list(SCENARIOS)
    with pytest.raises(ValueError, match="on-fire"):
        backend.set_scenario("on-fire")
    assert backend.scenario == "healthy"


# -- faults -----------------------------------------------------------------------------------


def test_status_fault_applies_times_then_stops(backend: SandboxBackend, client: httpx.Client) -> None:
    """A status fault answers the next `times` requests with that status, before auth, then clears."""
    backend.add_fault("/api/ops/metrics", "status", times=2, value=503)
    for _ in range(2):
        response = client.get("/api/ops/metrics")
        assert response.status_code == 503
        assert body_of(response) == {"error": "injected"}
    assert client.get("/api/ops/metrics").status_code == 401
    assert metrics(client)["db_ok"] is True


def test_reset_fault_drops_the_connection(backend: SandboxBackend, client: httpx.Client) -> None:
    """A reset fault drops the connection without an answer, once."""
    backend.add_fault("/api/ready", "reset")
    with pytest.raises(httpx.TransportError):
        client.get("/api/ready")
    assert client.get("/api/ready").status_code == 200


def test_delay_fault_answers_normally_after_waiting(backend: SandboxBackend, client: httpx.Client) -> None:
    """A delay fault waits `value` seconds and then gives the normal answer."""
    backend.add_fault("/api/ready", "delay", value=0.3)
    response = client.get("/api/ready")
    assert backend.waits == [0.3]
    assert body_of(response) == {"status": "ok"}


def test_huge_body_fault_streams_fifty_megabytes(backend: SandboxBackend, client: httpx.Client) -> None:
    """A huge-body fault announces at least 50 MB and starts streaming it at once."""
    backend.add_fault("/api/ops/metrics", "huge-body")
    with client.stream("GET", "/api/ops/metrics", headers=AUTH) as response:
        assert response.status_code == 200
        assert int(response.headers["content-length"]) >= 50_000_000
        first = next(response.iter_raw())
        assert first.startswith(b"{")
    assert metrics(client)["db_ok"] is True


def test_non_utf8_fault_sends_undecodable_json(backend: SandboxBackend, client: httpx.Client) -> None:
    """A non-utf8 fault sends JSON-typed bytes that are not valid UTF-8."""
    backend.add_fault("/api/ops/metrics", "non-utf8")
    response = client.get("/api/ops/metrics", headers=AUTH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.content == b'{"db_ok": "\xff\xfe"}'
    with pytest.raises(UnicodeDecodeError):
        response.content.decode("utf-8")


def test_invalid_json_fault(backend: SandboxBackend, client: httpx.Client) -> None:
    """An invalid-json fault sends a 200 whose body does not parse."""
    backend.add_fault("/api/ready", "invalid-json")
    response = client.get("/api/ready")
    assert response.status_code == 200
    assert response.content == b"{not json"


def test_slow_drip_fault_sends_the_body_byte_by_byte(backend: SandboxBackend, client: httpx.Client) -> None:
    """A slow-drip fault sends headers at once and then the normal body a byte every `value` seconds."""
    backend.add_fault("/api/ready", "slow-drip", value=0.01)
    expected = b'{"status": "ok"}'
    with client.stream("GET", "/api/ready") as response:
        assert response.status_code == 200
        assert int(response.headers["content-length"]) == len(expected)
        chunks = list(response.iter_raw())
    assert expected.startswith(chunks[0])
    assert b"".join(chunks) == expected
    assert backend.waits == [0.01] * (len(expected) - 1)


def test_fault_over_http_matches_the_path_and_ignores_the_query(
    backend: SandboxBackend, client: httpx.Client
) -> None:
    """POST /_sandbox/fault adds a fault that hits the exact path whatever its query string."""
    response = client.post(
        "/_sandbox/fault",
        json={"path": "/api/ops/webhook-events", "kind": "status", "times": 1, "value": 500},
    )
    assert response.status_code == 200
    assert client.get("/api/ops/webhook-events/other", headers=AUTH).status_code == 404
    assert client.get("/api/ops/webhook-events?status=failed", headers=AUTH).status_code == 500
    assert client.get("/api/ops/webhook-events?status=failed", headers=AUTH).status_code == 200
    assert body_of(client.get("/_sandbox/fault")) == {"faults": []}


def test_unknown_fault_kind_is_rejected(backend: SandboxBackend, client: httpx.Client) -> None:
    """An unknown fault kind is a ValueError in Python and a 400 over HTTP, and adds nothing."""
    with pytest.raises(ValueError, match="explode"):
        backend.add_fault("/api/ready", "explode")
    response = client.post("/_sandbox/fault", json={"path": "/api/ready", "kind": "explode"})
    assert response.status_code == 400
    assert "status" in body_of(response)["kinds"]
    assert backend.pending_faults() == []
    assert client.get("/api/ready").status_code == 200


# -- clock, sleep, routing, log ---------------------------------------------------------------


def test_injected_clock_moves_timestamps() -> None:
    """Timestamps come from the injected clock, so moving it moves the heartbeat."""
    now = [datetime(2026, 11, 27, 7, 0, 5, tzinfo=UTC)]
    with (
        SandboxBackend(admin_token=ADMIN_TOKEN, clock=lambda: now[0]) as backend,
        httpx.Client(base_url=backend.url, timeout=5.0) as client,
    ):
        worker = metrics(client)["worker"]
        assert worker["last_heartbeat_at"] == "2026-11-27T07:00:00Z"
        assert worker["recovered_last_summary"]["at"] == "2026-11-27T06:55:00Z"
        now[0] += timedelta(hours=1)
        assert metrics(client)["worker"]["last_heartbeat_at"] == "2026-11-27T08:00:00Z"
        backend.set_scenario("worker-stalled")
        assert metrics(client)["worker"]["last_heartbeat_at"] == "2026-11-27T07:45:05Z"


def test_sleep_endpoint_sleeps_without_auth(backend: SandboxBackend, client: httpx.Client) -> None:
    """GET /_sandbox/sleep?ms=N waits N ms and reports it; a bad N is a 400."""
    response = client.get("/_sandbox/sleep", params={"ms": 120})
    assert backend.waits == [0.12]
    assert body_of(response) == {"slept_ms": 120}
    assert client.get("/_sandbox/sleep", params={"ms": "soon"}).status_code == 400
    assert client.get("/_sandbox/sleep", params={"ms": -1}).status_code == 400


def test_unknown_paths_are_404(client: httpx.Client) -> None:
    """Unknown paths are 404 not found, behind auth under /api/ops/."""
    response = client.get("/nope")
    assert response.status_code == 404
    assert body_of(response) == {"error": "not found"}
    assert client.get("/api/ops/nope").status_code == 401
    assert client.get("/api/ops/nope", headers=AUTH).status_code == 404
    assert client.post("/api/ops/metrics", headers=AUTH).status_code == 405


def test_request_log_never_keeps_the_token(backend: SandboxBackend, client: httpx.Client) -> None:
    """The request log has method, path with query and headers, but never the token value."""
    client.get("/api/ops/webhook-events?status=failed", headers={**AUTH, "X-Trace": "abc"})
    client.get("/api/ready")
    client.post("/_sandbox/scenario", json={"scenario": "healthy"})
    logged = backend.requests
    assert [(r.method, r.path) for r in logged] == [
        ("GET", "/api/ops/webhook-events?status=failed"),
        ("GET", "/api/ready"),
        ("POST", "/_sandbox/scenario"),
    ]
    assert [r.authorization_present for r in logged] == [True, False, False]
    assert logged[0].headers["X-Trace"] == "abc"
    assert all("authorization" not in {name.lower() for name in r.headers} for r in logged)
    assert ADMIN_TOKEN not in repr(logged)
    backend.clear_requests()
    assert backend.requests == []


# -- concurrency and lifecycle ----------------------------------------------------------------


def test_serves_100_concurrent_requests(backend: SandboxBackend) -> None:
    """100 concurrent 3 s sleeps are served side by side: all 100 wait at once, none queues behind another."""
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    with (
        httpx.Client(base_url=backend.url, timeout=10.0, limits=limits) as http,
        ThreadPoolExecutor(max_workers=100) as pool,
    ):
        statuses = list(pool.map(lambda _: http.get("/_sandbox/sleep?ms=3000").status_code, range(100)))
    assert statuses == [200] * 100
    assert backend.most_waiting == 100


def test_stop_is_prompt_while_a_handler_sleeps(backend: SandboxBackend) -> None:
    """stop() cuts a sleeping handler short, and that client sees the connection drop."""
    outcome: list[BaseException | int] = []

    def call() -> None:
        try:
            with httpx.Client(timeout=15.0) as http:
                outcome.append(http.get(f"{backend.url}/_sandbox/sleep?ms=10000").status_code)
        except httpx.TransportError as exc:
            outcome.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    eventually(lambda: bool(backend.requests), "the sleeping request")
    backend.stop()
    caller.join(timeout=60)
    assert not caller.is_alive()
    assert len(outcome) == 1
    assert isinstance(outcome[0], httpx.TransportError)


def test_stop_closes_the_port(backend: SandboxBackend) -> None:
    """After stop() the port refuses connections and url is no longer available."""
    url = backend.url
    backend.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/api/ready", timeout=2.0)
    with pytest.raises(RuntimeError):
        _ = backend.url
    backend.stop()


def test_serve_returns_cleanly_on_keyboard_interrupt() -> None:
    """serve() serves until KeyboardInterrupt, then closes the port and returns normally."""
    seen: dict[str, Any] = {}

    def on_ready(url: str) -> None:
        seen["url"] = url
        with httpx.Client(timeout=5.0) as http:
            seen["status"] = http.get(f"{url}/api/ready").status_code
        raise KeyboardInterrupt

    serve(host="127.0.0.1", port=0, scenario="db-down", admin_token=ADMIN_TOKEN, on_ready=on_ready)
    assert seen["status"] == 503
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{seen['url']}/api/ready", timeout=2.0)


def test_fields_set_replace_values_in_a_routes_json_answers(
    backend: SandboxBackend, client: httpx.Client
) -> None:
    """A rehearsal's signal values: dotted fields written into the answers of one path, whatever the
    scenario, created where missing; a 5xx answer is left as it is; a new scenario keeps them until
    cleared."""
    backend.set_fields("/api/ops/metrics", {"worker.running": False, "queue_depth.queued": 500, "extra.n": 1})
    answer = metrics(client)
    assert answer["worker"]["running"] is False and answer["worker"]["flags"]  # the rest kept
    assert answer["queue_depth"] == {"queued": 500, "running": 1}
    assert answer["extra"] == {"n": 1}
    assert body_of(client.get("/api/ready")) == {"status": "ok"}, "another path is not touched"
    backend.set_scenario("db-down")
    assert metrics(client)["db_ok"] is False and metrics(client)["queue_depth"]["queued"] == 500
    backend.set_fields("/api/ready", {"status": "fine"})
    assert client.get("/api/ready").json() == {"status": "degraded", "db": False}, "a 503 is kept"
    backend.clear_fields()
    assert metrics(client)["queue_depth"]["queued"] == 3


def test_the_sandbox_webhooks_record_what_they_receive(backend: SandboxBackend, client: httpx.Client) -> None:
    """POST /_sandbox/hook/NAME keeps each JSON object under NAME, in order; anything else is refused."""
    assert client.post("/_sandbox/hook/internal-channel", json={"text": "opened"}).status_code == 200
    assert client.post("/_sandbox/hook/status-page", json={"event": "opened"}).status_code == 200
    assert client.post("/_sandbox/hook/status-page", content=b"[1]").status_code == 400
    assert client.get("/_sandbox/hook/status-page").status_code == 405
    assert backend.hooks == [("internal-channel", {"text": "opened"}), ("status-page", {"event": "opened"})]
