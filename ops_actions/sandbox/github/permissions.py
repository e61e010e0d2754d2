"""Per-token permissions: the tokens the emulator knows, which permission each route needs, and the 403
a token without it gets.

The table is GitHub's "Permissions required for GitHub Apps" / "Permissions required for fine-grained
personal access tokens" for the operations the emulator serves, keyed by the operation's docs page
(``issues/comments#create-an-issue-comment``). A job's GITHUB_TOKEN holds exactly its ``permissions:``
plus ``metadata: read``, which GitHub always grants. A refused request is answered as api.github.com
answers it: 403 ``{"message": "Resource not accessible by integration", ...}`` with the
``X-Accepted-GitHub-Permissions`` header naming what would have worked (GitHub changelog 2023-08-10:
sets separated by ``;``).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Final

from ops_actions.sandbox.github.model import BOT_LOGIN, _error, _operation_of, _Response, _Token
from ops_actions.sandbox.github.shapes import _Shapes

ACCESS_LEVELS: Final = ("none", "read", "write")
JOB_PERMISSIONS: Final = (
    "actions",
    "attestations",
    "checks",
    "contents",
    "deployments",
    "discussions",
    "id-token",
    "issues",
    "metadata",
    "models",
    "packages",
    "pages",
    "pull-requests",
    "security-events",
    "statuses",
)
"""The keys a workflow's ``permissions:`` may hold (GitHub's workflow syntax)."""

_READ, _WRITE = "read", "write"
ROUTE_PERMISSIONS: Final[Mapping[str, tuple[str, str] | None]] = {
    # No permission at all (GitHub: "these endpoints do not need a permission").
    "meta/meta#github-api-root": None,
    "rate-limit/rate-limit#get-rate-limit-status": None,
    # No permission either, but an installation token has no user: the handler answers its 403.
    "users/users#get-the-authenticated-user": None,
    # Metadata (always granted): the repository, collaborators' permissions, search.
    "repos/repos#get-a-repository": ("metadata", _READ),
    "collaborators/collaborators#get-repository-permissions-for-a-user": ("metadata", _READ),
    "search/search#search-issues-and-pull-requests": ("metadata", _READ),
    # Issues. GitHub also accepts "pull_requests" on these routes when the issue is a pull request;
    # the tool never works on pull requests, so only "issues" is modelled.
    "issues/issues#list-repository-issues": ("issues", _READ),
    "issues/issues#get-an-issue": ("issues", _READ),
    "issues/issues#create-an-issue": ("issues", _WRITE),
    "issues/issues#update-an-issue": ("issues", _WRITE),
    "issues/issues#lock-an-issue": ("issues", _WRITE),
    "issues/issues#unlock-an-issue": ("issues", _WRITE),
    "issues/assignees#add-assignees-to-an-issue": ("issues", _WRITE),
    "issues/comments#list-issue-comments": ("issues", _READ),
    "issues/comments#get-an-issue-comment": ("issues", _READ),
    "issues/comments#create-an-issue-comment": ("issues", _WRITE),
    "issues/comments#update-an-issue-comment": ("issues", _WRITE),
    "issues/comments#delete-an-issue-comment": ("issues", _WRITE),
    "reactions/reactions#create-reaction-for-an-issue-comment": ("issues", _WRITE),
    "issues/labels#list-labels-for-an-issue": ("issues", _READ),
    "issues/labels#add-labels-to-an-issue": ("issues", _WRITE),
    "issues/labels#set-labels-for-an-issue": ("issues", _WRITE),
    "issues/labels#remove-a-label-from-an-issue": ("issues", _WRITE),
    "issues/labels#list-labels-for-a-repository": ("issues", _READ),
    "issues/labels#get-a-label": ("issues", _READ),
    "issues/labels#create-a-label": ("issues", _WRITE),
    "issues/labels#update-a-label": ("issues", _WRITE),
    "issues/labels#delete-a-label": ("issues", _WRITE),
    "issues/sub-issues#list-sub-issues": ("issues", _READ),
    "issues/sub-issues#add-sub-issue": ("issues", _WRITE),
    # Actions: reading workflows, runs and jobs needs read; dispatching a workflow needs write.
    "actions/workflows#list-repository-workflows": ("actions", _READ),
    "actions/workflows#get-a-workflow": ("actions", _READ),
    "actions/workflows#create-a-workflow-dispatch-event": ("actions", _WRITE),
    "actions/workflows#enable-a-workflow": ("actions", _WRITE),
    "actions/workflow-runs#list-workflow-runs-for-a-workflow": ("actions", _READ),
    "actions/workflow-runs#list-workflow-runs-for-a-repository": ("actions", _READ),
    "actions/workflow-runs#get-a-workflow-run": ("actions", _READ),
    "actions/workflow-jobs#list-jobs-for-a-workflow-run": ("actions", _READ),
    # Contents: git refs, commits, and repository_dispatch (which needs contents: write).
    "git/refs#get-a-reference": ("contents", _READ),
    "git/refs#create-a-reference": ("contents", _WRITE),
    "commits/commits#get-a-commit": ("contents", _READ),
    "repos/repos#create-a-repository-dispatch-event": ("contents", _WRITE),
    # Deployments.
    "deployments/deployments#list-deployments": ("deployments", _READ),
}
_NOT_ACCESSIBLE: Final = "Resource not accessible by integration"


def holds(granted: Mapping[str, str], permission: str, level: str) -> bool:
    """Whether a job's ``permissions:`` grant ``permission`` at ``level`` (write includes read)."""
    if permission == "metadata":
        return True  # GitHub grants metadata: read to every GITHUB_TOKEN
    held = granted.get(permission, "none")
    return ACCESS_LEVELS.index(held) >= ACCESS_LEVELS.index(level)


class _Permissions(_Shapes):
    """Minting tokens, knowing who a token acts as, and refusing what its permissions do not cover."""

    # -- tokens -------------------------------------------------------------------------------

    def mint_job_token(self, permissions: Mapping[str, str]) -> str:
        """A GITHUB_TOKEN for a job with these ``permissions:`` (``{"issues": "write", ...}``).

        It acts as github-actions[bot], its events start no workflow except dispatches, and it
        shares the repository's 1,000 requests per hour with every other job token.
        """
        for name, level in permissions.items():
            if name not in JOB_PERMISSIONS or level not in ACCESS_LEVELS:
                raise ValueError(f"not a job permission: {name}: {level}")
        token = "ghs_" + secrets.token_hex(18)
        with self._lock:
            self._tokens[token] = _Token(BOT_LOGIN, dict(permissions), job=True)
        return token

    def user_token(self, login: str) -> str:
        """A personal access token of ``login`` (full access as that user): a person's own writes."""
        token = "ghp_" + secrets.token_hex(18)
        with self._lock:
            self._tokens[token] = _Token(login, None, person=True)
        return token

    def _token_for(self, credential: str) -> _Token | None:
        """The token a credential names; None when the emulator takes only known tokens and this isn't one."""
        known = self._tokens.get(credential)
        if known is not None:
            return known
        if self._token is None or credential == self._token:
            return _Token(self.actor, None)
        return None

    # -- the check ----------------------------------------------------------------------------

    def _refuse_unpermitted(self, token: _Token, docs: str) -> _Response | None:
        """403 when a job token lacks the route's permission (a route missing from the table: refused)."""
        if token.permissions is None or "permissions" not in self.rules:
            return None
        key = _operation_of(docs)
        if key in ROUTE_PERMISSIONS:
            needed = ROUTE_PERMISSIONS[key]
            if needed is None or holds(token.permissions, *needed):
                return None
            accepted = f"{needed[0]}={needed[1]}"
        else:
            accepted = "unknown"
        response = _error(403, _NOT_ACCESSIBLE, docs)
        response.headers["X-Accepted-GitHub-Permissions"] = accepted
        return response
