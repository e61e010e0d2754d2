"""The sandbox backend: a real local HTTP server that plays a team's backend API, with failure scenarios.

Tests and the demo run triage over real HTTP against it: :class:`SandboxBackend` (``start()`` /
``stop()`` or ``with``), or :func:`serve` until Ctrl-C. A scenario (:data:`SCENARIOS`) decides
what the API reports; one-shot faults (:data:`FAULT_KINDS`) break single requests at the
transport level; the API it plays (:data:`APIS`) is the reference ops API, a search service's or
a messaging service's. Only the standard library is imported, so it starts instantly.
"""

from ops_actions.sandbox.backend.sandbox_backend import (
    APIS,
    FAULT_KINDS,
    HUGE_BODY_BYTES,
    JSON_CONTENT_TYPE,
    MAX_SLEEP_MS,
    SCENARIOS,
    RecordedRequest,
    SandboxBackend,
    serve,
)

__all__ = [
    "APIS",
    "FAULT_KINDS",
    "HUGE_BODY_BYTES",
    "JSON_CONTENT_TYPE",
    "MAX_SLEEP_MS",
    "SCENARIOS",
    "RecordedRequest",
    "SandboxBackend",
    "serve",
]
