"""The sandbox backend: a real local HTTP server that plays a team's backend API, with failure scenarios.

Tests and the demo run triage over real HTTP against it: :class:`SandboxBackend` (``start()`` /
``stop()`` or ``with``), or :func:`serve` until Ctrl-C. A scenario (:data:`SCENARIOS`) decides
what the API reports; one-shot faults (:data:`FAULT_KINDS`) break single requests at the
transport level; the API it plays (:data:`APIS`) is the reference ops API, a search service's or
a messaging service's. Only the standard library is imported, so it starts instantly.

One module per part: ``sandbox_backend`` (the backend: lifecycle, state, which route answers),
``reference``, ``search`` and ``messaging`` (one simulated API each, its routes and scenarios),
``routes`` (the request, reply and route types they share), ``faults``, ``control`` (the
``/_sandbox/`` routes) and ``http_server`` (the server and its request handler). The package
imports only the standard library and the rest of :mod:`ops_actions.sandbox`; tests, the demo and
the CLI import it from here.
"""

from ops_actions.sandbox.backend.control import MAX_SLEEP_MS
from ops_actions.sandbox.backend.faults import FAULT_KINDS, HUGE_BODY_BYTES
from ops_actions.sandbox.backend.routes import JSON_CONTENT_TYPE, RecordedRequest
from ops_actions.sandbox.backend.sandbox_backend import SandboxBackend, serve
from ops_actions.sandbox.catalog import APIS, SCENARIOS

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
