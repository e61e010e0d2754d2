"""The GitHub tracker: incidents as GitHub issues, over PyGithub (the only package that imports it).

``tracker`` holds the tracker and its dry-run variant. PyGithub is loaded here, before any module
of the package imports a name of it, so that it loads without cryptography (see below); the
flows, the CLI, the demo and the tests import the tracker from here.
"""

from __future__ import annotations

import sys

# PyGithub's Auth module imports PyJWT for GitHub App JWTs, and PyJWT imports cryptography when it
# is installed (PyGithub requires pyjwt[crypto]): a quarter of PyGithub's import time, for keys
# the tracker never signs with (it sends a token: Auth.Token). While PyGithub loads, cryptography
# looks absent, so PyJWT keeps only its HMAC algorithms; any later import finds it as usual.
if "cryptography" not in sys.modules and "jwt" not in sys.modules:
    sys.modules["cryptography"] = None  # type: ignore[assignment]  # what "not installed" looks like
    try:
        import github  # noqa: F401  (loaded now; the package's modules import its names)
    finally:
        del sys.modules["cryptography"]

from ops_actions.adapters.github_tracker.tracker import ACTIONS_BOT, DryRunTracker, Tracker

__all__ = ["ACTIONS_BOT", "DryRunTracker", "Tracker"]
