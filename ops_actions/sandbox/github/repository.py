"""Route handlers for the API root, the authenticated user, the repository and a collaborator's permission."""

from __future__ import annotations

from ops_actions.sandbox.github.model import PERMISSIONS, _error, _iso, _Request, _Response
from ops_actions.sandbox.github.request_helpers import _RequestHelpers

NO_PUSH_ACCESS = "Must have push access to view collaborator permission."
"""GitHub's 403 to a token without push access (as api.github.com words it)."""
PUSH_ROLES = frozenset({"write", "maintain", "admin"})


class _RepositoryRoutes(_RequestHelpers):
    """``GET /``, ``GET /user``, ``GET R``, ``GET R/collaborators/{user}/permission``."""

    # -- handlers: meta -----------------------------------------------------------------------

    def _h_root(self, request: _Request) -> _Response:
        api = self._api
        search = "{&page,per_page,sort,order}"
        return _Response(
            200,
            {
                "current_user_url": f"{api}/user",
                "current_user_authorizations_html_url": (
                    f"{self._html}/settings/connections/applications{{/client_id}}"
                ),
                "authorizations_url": f"{api}/authorizations",
                "code_search_url": f"{api}/search/code?q={{query}}{search}",
                "commit_search_url": f"{api}/search/commits?q={{query}}{search}",
                "emails_url": f"{api}/user/emails",
                "emojis_url": f"{api}/emojis",
                "events_url": f"{api}/events",
                "feeds_url": f"{api}/feeds",
                "followers_url": f"{api}/user/followers",
                "following_url": f"{api}/user/following{{/target}}",
                "gists_url": f"{api}/gists{{/gist_id}}",
                "hub_url": f"{api}/hub",
                "issue_search_url": f"{api}/search/issues?q={{query}}{search}",
                "issues_url": f"{api}/issues",
                "keys_url": f"{api}/user/keys",
                "label_search_url": (
                    f"{api}/search/labels?q={{query}}&repository_id={{repository_id}}{{&page,per_page}}"
                ),
                "notifications_url": f"{api}/notifications",
                "organization_url": f"{api}/orgs/{{org}}",
                "organization_repositories_url": f"{api}/orgs/{{org}}/repos{{?type,page,per_page,sort}}",
                "organization_teams_url": f"{api}/orgs/{{org}}/teams",
                "public_gists_url": f"{api}/gists/public",
                "rate_limit_url": f"{api}/rate_limit",
                "repository_url": f"{api}/repos/{{owner}}/{{repo}}",
                "repository_search_url": f"{api}/search/repositories?q={{query}}{search}",
                "current_user_repositories_url": f"{api}/user/repos{{?type,page,per_page,sort}}",
                "starred_url": f"{api}/user/starred{{/owner}}{{/repo}}",
                "starred_gists_url": f"{api}/gists/starred",
                "topic_search_url": f"{api}/search/topics?q={{query}}{{&page,per_page}}",
                "user_url": f"{api}/users/{{user}}",
                "user_organizations_url": f"{api}/user/orgs",
                "user_repositories_url": f"{api}/users/{{user}}/repos{{?type,page,per_page,sort}}",
                "user_search_url": f"{api}/search/users?q={{query}}{search}",
            },
        )

    def _h_user(self, request: _Request) -> _Response:
        """The login the token acts as. An app's token, the Actions job token among them, has no user:
        GitHub answers 403 "Resource not accessible by integration" (what api.github.com sends, e.g.
        actions/create-github-app-token#258); a user's token gets the private-user shape."""
        if self._login.endswith("[bot]"):
            return _error(403, "Resource not accessible by integration", request.docs)
        created = _iso(self._created_at)
        private = {
            "name": None,
            "company": None,
            "blog": "",
            "location": None,
            "email": None,
            "hireable": None,
            "bio": None,
            "twitter_username": None,
            "public_repos": 0,
            "public_gists": 0,
            "followers": 0,
            "following": 0,
            "created_at": created,
            "updated_at": created,
            "private_gists": 0,
            "total_private_repos": 0,
            "owned_private_repos": 0,
            "disk_usage": 0,
            "collaborators": 0,
            "two_factor_authentication": True,
        }
        return _Response(200, {**self._user_json(self._login), **private})

    def _h_repo(self, request: _Request) -> _Response:
        return _Response(200, self._repo_json(), last_modified=self._created_at)

    # -- handlers: collaborators --------------------------------------------------------------

    def _h_permission(self, request: _Request) -> _Response:
        """A user's role. GitHub: "The authenticated user must have push access to the repository to
        use this endpoint"; otherwise 403 (``_has_push_access``)."""
        if "permissions" in self.rules and not self._has_push_access():
            return _error(403, NO_PUSH_ACCESS, request.docs)
        login = request.params["username"]
        role = self._permissions.get(login, "read")
        legacy = {"maintain": "write", "triage": "read"}.get(role, role)
        ranks = PERMISSIONS[::-1]  # none < read < triage < write < maintain < admin
        rank = ranks.index(role)
        user = {
            **self._user_json(login),
            "permissions": {
                "admin": rank >= ranks.index("admin"),
                "maintain": rank >= ranks.index("maintain"),
                "push": rank >= ranks.index("write"),
                "triage": rank >= ranks.index("triage"),
                "pull": rank >= ranks.index("read"),
            },
            "role_name": role,
        }
        return _Response(200, {"permission": legacy, "role_name": role, "user": user})

    def _has_push_access(self) -> bool:
        """Whether the request's token has push access: a person's token by the person's role (write or
        above); a job token unless it is read-only (every permission at most read, like a fork's pull
        request's); the emulator's own token always."""
        caller = self._caller
        if caller is not None and caller.person:
            return self._permissions.get(caller.login, "read") in PUSH_ROLES
        if caller is None or caller.permissions is None:
            return True
        return "write" in caller.permissions.values()
