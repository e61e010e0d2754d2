"""A GitHub REST API emulator: a real HTTP server on 127.0.0.1 with in-memory state.

The package holds the emulator (:mod:`.emulator`); only the tests, ``ops_actions/demo.py`` and
``ops_actions/cli.py`` import it, and only the names re-exported here.
"""

from ops_actions.sandbox.github.emulator import (
    CONTROL_PREFIX,
    FAULT_KINDS,
    MAX_BODY_CHARS,
    PERMISSIONS,
    Exchange,
    GitHubEmulator,
    RecordedRequest,
    serve,
)

__all__ = [
    "CONTROL_PREFIX",
    "FAULT_KINDS",
    "MAX_BODY_CHARS",
    "PERMISSIONS",
    "Exchange",
    "GitHubEmulator",
    "RecordedRequest",
    "serve",
]
