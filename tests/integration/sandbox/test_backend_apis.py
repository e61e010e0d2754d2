"""The sandbox backend's simulated APIs (ops_actions/sandbox/backend/): the search and messaging teams' APIs
beside the reference one."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from ops_actions.sandbox.backend import SandboxBackend, serve
from tests.support.fixtures.backend import ADMIN_TOKEN, MESSAGING_CREDENTIALS


def test_search_api_serves_only_its_own_routes(search_backend: SandboxBackend) -> None:
    """The search flavour answers /healthz and /internal/* behind the admin token, not /api/*."""
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with httpx.Client(base_url=search_backend.url, timeout=5.0) as http:
        assert http.get("/healthz").json() == {"status": "green"}
        assert http.get("/internal/stats").status_code == 401
        assert http.get("/internal/stats", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert http.get("/internal/stats", headers=auth).json()["cluster"]["status"] == "green"
        assert http.get("/internal/nope").status_code == 401
        assert http.get("/internal/nope", headers=auth).status_code == 404
        assert http.post("/internal/stats", headers=auth).status_code == 405
        assert http.get("/internal/index-errors?limit=0", headers=auth).status_code == 400
        assert http.get("/api/ready").status_code == 404
        assert http.get("/api/ops/metrics", headers=auth).status_code == 404
    assert search_backend.api == "search"


def test_reference_api_is_unchanged_by_default(backend: SandboxBackend) -> None:
    """Without api=..., the sandbox plays the reference API and knows nothing of /healthz."""
    assert backend.api == "reference"
    with httpx.Client(base_url=backend.url, timeout=5.0) as http:
        assert http.get("/healthz").status_code == 404
        assert http.get("/internal/stats").status_code == 404
        assert http.get("/api/ready").status_code == 200


def test_unknown_api_is_rejected() -> None:
    """An API name outside APIS is a ValueError naming it."""
    with pytest.raises(ValueError, match="elastic"):
        SandboxBackend(api="elastic", admin_token=ADMIN_TOKEN)


def test_serve_plays_the_search_api() -> None:
    """serve(api="search") serves the search flavour in the chosen scenario until interrupted."""
    seen: dict[str, Any] = {}

    def on_ready(url: str) -> None:
        with httpx.Client(timeout=5.0) as http:
            response = http.get(f"{url}/healthz")
        seen["answer"] = (response.status_code, response.json())
        raise KeyboardInterrupt

    serve(
        host="127.0.0.1", port=0, scenario="db-down", admin_token=ADMIN_TOKEN, on_ready=on_ready, api="search"
    )
    assert seen["answer"] == (503, {"status": "red"})


def test_the_sandbox_checks_each_credential_style(messaging_backend: SandboxBackend) -> None:
    """X-API-Key on /v1/stats, basic auth on /v1/admin/*; the wrong style or value is 401."""
    good_basic = "Basic " + base64.b64encode(MESSAGING_CREDENTIALS.encode()).decode()
    bad_basic = "Basic " + base64.b64encode(b"ops-triage:wrong").decode()
    with httpx.Client(base_url=messaging_backend.url, timeout=5.0) as http:
        assert http.get("/v1/stats", headers={"X-API-Key": ADMIN_TOKEN}).status_code == 200
        assert http.get("/v1/stats", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).status_code == 401
        assert http.get("/v1/stats", headers={"X-API-Key": "wrong"}).status_code == 401
        admin = "/v1/admin/failed-deliveries"
        assert http.get(admin, headers={"Authorization": good_basic}).json() == {"failed": [], "total": 0}
        denied = http.get(admin, headers={"Authorization": bad_basic})
        assert denied.status_code == 401
        assert denied.headers["WWW-Authenticate"].startswith("Basic realm=")
        assert http.get(admin, headers={"X-API-Key": ADMIN_TOKEN}).status_code == 401
        assert http.get(admin + "?limit=0", headers={"Authorization": good_basic}).status_code == 400
        health = http.get("/health")
        assert health.headers["Content-Type"] == "application/health+json"
        assert http.get("/readyz").text == "ok"
