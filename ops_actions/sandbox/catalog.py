"""What the sandbox backend can play, as plain names: CLI choices that need no server loaded."""

from __future__ import annotations

SCENARIOS: tuple[str, ...] = (
    "healthy",
    "db-down",
    "worker-stalled",
    "worker-flags-wrong",
    "webhook-failing",
    "job-regression",
    "job-failed-once",
    "payments-down",
    "jobs-down",
    "slow",
    "flaky",
    "malformed",
    "unauthorized",
    "hostile",
)

APIS: tuple[str, ...] = ("reference", "search", "messaging")
"""The API flavours the sandbox can play: the reference backend's ops API, a search service's, or a
delivery service's that speaks health+json, Kubernetes' /readyz text, X-API-Key and basic auth."""
