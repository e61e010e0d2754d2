"""What the sandbox backend can play, as plain names: CLI choices that need no server loaded."""

from __future__ import annotations

SCENARIOS: tuple[str, ...] = (
    "healthy",
    "db-down",
    "worker-stalled",
    "webhook-failing",
    "job-regression",
    "slow",
    "flaky",
    "malformed",
    "unauthorized",
    "hostile",
)

APIS: tuple[str, ...] = ("reference", "search")
"""The API flavours the sandbox can play: the reference backend's ops API, or a search service's."""
