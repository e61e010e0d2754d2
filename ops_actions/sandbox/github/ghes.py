"""GitHub Enterprise Server mode (``GitHubEmulator(ghes="3.19")``): what an older server refuses.

- GHES up to 3.20 validates workflow and repository dispatch bodies against a fixed list of keys and
  answers 400 to any other, so the ``return_run_details`` field api.github.com added in 2025 is
  refused (GHES REST docs for "Create a workflow dispatch event" list only ``ref`` and ``inputs``).
- GHES 3.17 to 3.19 have no sub-issues REST API (its docs pages start with 3.20): the routes answer
  404 and issues carry no ``sub_issues_summary``.
- Error bodies link GHES's own docs (``docs.github.com/enterprise-server@3.19/rest/...``).

The emulator still serves at its root, not under ``/api/v3``: clients take the base URL as given.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from ops_actions.sandbox.github.model import _DOCS, _error, _operation_of, _Response
from ops_actions.sandbox.github.store import _Store

_VERSION = re.compile(r"^3\.(\d{1,2})$")
FIRST_WITH_SUB_ISSUES: Final = 20
LAST_WITH_STRICT_DISPATCH: Final = 20
# The body keys GHES accepts where it validates them strictly (its docs for these operations).
_PERMITTED_KEYS: Final = {
    "actions/workflows#create-a-workflow-dispatch-event": frozenset({"ref", "inputs"}),
    "repos/repos#create-a-repository-dispatch-event": frozenset({"event_type", "client_payload"}),
}
_SUB_ISSUE_OPERATIONS: Final = frozenset(
    {"issues/sub-issues#list-sub-issues", "issues/sub-issues#add-sub-issue"}
)


def ghes_minor(version: str | None) -> int | None:
    """The minor version of a GHES 3.x release (``"3.19"`` -> 19); None for api.github.com."""
    if version is None:
        return None
    found = _VERSION.match(version)
    if found is None:
        raise ValueError(f"ghes must look like '3.19', not {version!r}")
    return int(found[1])


def has_sub_issues(version: str | None) -> bool:
    """Whether this server has the sub-issues REST API."""
    minor = ghes_minor(version)
    return minor is None or minor >= FIRST_WITH_SUB_ISSUES


def docs_root(version: str | None) -> str:
    """Where the server's REST docs live (error bodies link them)."""
    return _DOCS if version is None else f"https://docs.github.com/enterprise-server@{version}/rest"


class _Ghes(_Store):
    """Refusals of an older GitHub Enterprise Server, checked before a route's handler runs."""

    def _ghes_refusal(self, docs: str, body: Any) -> _Response | None:
        minor = ghes_minor(self.ghes)
        if minor is None:
            return None
        operation = _operation_of(docs)
        if operation in _SUB_ISSUE_OPERATIONS and minor < FIRST_WITH_SUB_ISSUES:
            return _error(404, "Not Found", docs)
        permitted = _PERMITTED_KEYS.get(operation)
        if permitted is not None and minor <= LAST_WITH_STRICT_DISPATCH and isinstance(body, dict):
            unknown = sorted(set(body) - permitted)
            if unknown:
                return _error(
                    400, f"Invalid request.\n\n{json.dumps(unknown[0])} is not a permitted key.", docs
                )
        return None
