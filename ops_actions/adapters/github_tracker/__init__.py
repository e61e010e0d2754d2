"""The GitHub tracker: incidents as GitHub issues, over PyGithub (the only package that imports it).

One module per part: ``records`` (the issues, runs and comments handed back, made from PyGithub's
objects), ``refusals`` (GitHub's refusals read: messages, failed fields, rate limits, the one-line
explanation), ``session`` (one repository over one client: the retry policy, the pacing of writes,
the login), ``workflows`` (the Actions operations), ``tracker`` (the tracker: issues, comments,
labels, over the two before) and ``dry_run`` (the tracker that prints its writes instead). PyGithub
is loaded here, before any module of the package imports a name of it, so that it loads without
cryptography (see below); the CLI, the demo, bench/ and the tests import the tracker from here.
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

from ops_actions.adapters.github_tracker.dry_run import DryRunGitHubTracker
from ops_actions.adapters.github_tracker.session import ACTIONS_BOT
from ops_actions.adapters.github_tracker.tracker import GitHubTracker

__all__ = ["ACTIONS_BOT", "DryRunGitHubTracker", "GitHubTracker"]
