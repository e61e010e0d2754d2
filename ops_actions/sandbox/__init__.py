"""Local stand-ins for the outside systems, for tests and the demo only: never used in production.

``backend`` (a package) simulates the reference ops API, and a search and a messaging service's,
with scenarios and faults; ``github`` emulates GitHub's REST API as strictly as the tests need;
``server`` is their shared threaded HTTP server; ``catalog`` names the backend's scenarios and API
flavours without loading a server. Only the tests, :mod:`ops_actions.demo` and
:mod:`ops_actions.cli` import this package.
"""
