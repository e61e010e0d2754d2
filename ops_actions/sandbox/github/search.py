"""The route handler for issue search (``GET /search/issues``) and its query language."""

from __future__ import annotations

import re
from collections.abc import Callable

from ops_actions.sandbox.github.model import _ApiError, _Issue, _Request, _Response, _validation
from ops_actions.sandbox.github.request_helpers import _RequestHelpers

_SEARCH_TOKEN = re.compile(r'(-?)([a-z_]+):("[^"]*"|\S+)|"([^"]*)"|(\S+)')


def _negated(check: Callable[[_Issue], bool]) -> Callable[[_Issue], bool]:
    return lambda issue: not check(issue)


class _SearchRoutes(_RequestHelpers):
    """``GET /search/issues``: qualifiers, phrases and words over titles and bodies."""

    # -- handlers: search ---------------------------------------------------------------------

    def _h_search(self, request: _Request) -> _Response:
        q = request.query.get("q", "").strip()
        if not q:
            raise _ApiError(
                _validation(request.docs, {"resource": "Search", "field": "q", "code": "missing"})
            )
        matches = self._search(q)
        sort = request.query.get("sort")
        reverse = request.query.get("order", "desc") != "asc"
        if sort in ("created", "updated", "comments"):
            matches = self._sort_issues(matches, sort, "desc" if reverse else "asc")
        else:
            matches.sort(key=lambda i: (i.updated_at, i.number), reverse=True)
        page, headers = self._paginate(request, matches[:1000])
        items = [{**self._issue_json(issue, full=False), "score": 1.0} for issue in page]
        return _Response(
            200,
            {
                "total_count": len(matches),
                "incomplete_results": False,
                "search_type": "lexical",
                "items": items,
            },
            headers,
        )

    def _search(self, q: str) -> list[_Issue]:
        terms: list[str] = []
        checks: list[Callable[[_Issue], bool]] = []
        fields = ("title", "body")
        for negate, key, raw_value, phrase, word in _SEARCH_TOKEN.findall(q):
            if phrase or word:
                terms.append((phrase or word).lower())
                continue
            value = raw_value.strip('"')
            check = self._qualifier(key, value)
            if key == "in":
                fields = tuple(part for part in value.split(",") if part in ("title", "body")) or fields
                continue
            if check is None:  # an unknown qualifier is plain text, as on GitHub
                terms.append(f"{key}:{value}".lower())
                continue
            checks.append(_negated(check) if negate else check)

        def text_of(issue: _Issue) -> str:
            return " ".join(issue.title if f == "title" else issue.body for f in fields).lower()

        return [
            issue
            for issue in self._issues.values()
            if not issue.deleted
            and issue.transferred_to is None
            and all(check(issue) for check in checks)
            and all(term in text_of(issue) for term in terms)
        ]

    def _qualifier(self, key: str, value: str) -> Callable[[_Issue], bool] | None:
        lowered = value.lower()
        if key == "repo":
            return lambda issue: lowered == self.full_name.lower()
        if key in ("is", "type", "state"):
            if lowered in ("issue", "pr", "pull-request"):
                return lambda issue: issue.is_pr == (lowered != "issue")
            if lowered in ("open", "closed"):
                return lambda issue: issue.state == lowered
            if lowered == "locked":
                return lambda issue: issue.locked
            return lambda issue: False
        if key == "label":
            return lambda issue: any(self._labels[lid].name.lower() == lowered for lid in issue.labels)
        if key == "author":
            return lambda issue: issue.user.lower() == lowered
        if key == "assignee":
            return lambda issue: lowered in (login.lower() for login in issue.assignees)
        if key == "no":
            return lambda issue: not (issue.labels if lowered == "label" else issue.assignees)
        if key == "in":
            return lambda issue: True
        return None
