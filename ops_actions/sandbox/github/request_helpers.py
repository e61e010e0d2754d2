"""What the route handlers share: pagination, the request body, issue lookup, label lists, issue order."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from ops_actions.sandbox.github.events import _Events
from ops_actions.sandbox.github.model import (
    MAX_LABEL_NAME_CHARS,
    JSONDict,
    _ApiError,
    _error,
    _Issue,
    _operation_of,
    _Request,
    _Response,
    _validation,
)

_T = TypeVar("_T")
# The issue routes whose OpenAPI description declares 301 for a transferred issue; the others answer
# 404, what GitHub answers a token that cannot read the repository the issue moved to.
_MOVED_OPERATIONS = frozenset(
    {
        "issues/issues#get-an-issue",
        "issues/issues#update-an-issue",
        "issues/labels#list-labels-for-an-issue",
        "issues/labels#add-labels-to-an-issue",
        "issues/labels#set-labels-for-an-issue",
        "issues/labels#remove-a-label-from-an-issue",
    }
)


def _too_long(resource: str, field_name: str, limit: int) -> JSONDict:
    return {
        "resource": resource,
        "code": "custom",
        "field": field_name,
        "message": f"{field_name} is too long (maximum is {limit} characters)",
    }


def _label_names_from(value: Any) -> list[str] | None:
    """Label names from any body form GitHub accepts: names, ``{"name": ...}`` objects, one string."""
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        return None
    names: list[str] = []
    for item in value:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            names.append(item["name"])
        else:
            return None
    return names


class _RequestHelpers(_Events):
    """The base of the route handler mixins."""

    # -- internal: request helpers ------------------------------------------------------------

    def _paginate(self, request: _Request, items: Sequence[_T]) -> tuple[list[_T], dict[str, str]]:
        per_page = self._int_query(request, "per_page", 30, low=1, high=100)
        page = self._int_query(request, "page", 1, low=1, high=None)
        last = max(1, math.ceil(len(items) / per_page))
        chunk = list(items[(page - 1) * per_page : page * per_page])
        if last == 1 and page == 1:
            return chunk, {}
        kept = [(k, v) for k, v in request.pairs if k != "page"]

        def link(number: int, rel: str) -> str:
            return f'<{self._api}{request.path}?{urlencode([*kept, ("page", str(number))])}>; rel="{rel}"'

        links: list[str] = []
        if page > 1:
            links.append(link(page - 1, "prev"))
        if page < last:
            links.extend([link(page + 1, "next"), link(last, "last")])
        if page > 1:
            links.append(link(1, "first"))
        return chunk, {"Link": ", ".join(links)}

    @staticmethod
    def _int_query(request: _Request, name: str, default: int, *, low: int, high: int | None) -> int:
        try:
            value = int(request.query.get(name, default))
        except ValueError:
            value = default
        value = max(low, value)
        return value if high is None else min(high, value)

    def _body_object(self, request: _Request, *, required: bool = True) -> JSONDict:
        body = request.body
        if body is None and not required:
            return {}
        if not isinstance(body, dict):
            raise _ApiError(
                _error(400, "Invalid request.\n\nFor 'links/0/schema', nil is not an object.", request.docs)
            )
        return body

    def _issue_or_404(self, request: _Request) -> _Issue:
        """The issue of the path; 410 once deleted, 301 (or 404) once moved to another repository."""
        issue = self._issues.get(int(request.params["number"]))
        if issue is None:
            raise _ApiError(_error(404, "Not Found", request.docs))
        if issue.deleted:
            raise _ApiError(_error(410, "This issue was deleted", request.docs))
        if issue.transferred_to is not None:
            if _operation_of(request.docs) not in _MOVED_OPERATIONS:
                raise _ApiError(_error(404, "Not Found", request.docs))
            repo, _, number = issue.transferred_to.partition("#")
            url = f"{self._api}/repos/{repo}/issues/{number}"
            body = {"message": "Moved Permanently", "url": url, "documentation_url": request.docs}
            raise _ApiError(_Response(301, body, {"Location": url}))
        return issue

    def _check_label_names(self, request: _Request, names: Sequence[str]) -> None:
        """Label names are at most 50 characters (also when adding a label creates it)."""
        if "label-limits" not in self.rules:
            return
        for name in names:
            if len(name) > MAX_LABEL_NAME_CHARS:
                raise _ApiError(_validation(request.docs, _too_long("Label", "name", MAX_LABEL_NAME_CHARS)))

    def _labels_or_422(self, request: _Request, value: Any) -> list[str]:
        names = _label_names_from(value)
        if names is None:
            raise _ApiError(
                _validation(request.docs, {"resource": "Label", "code": "invalid", "field": "labels"})
            )
        return names

    @staticmethod
    def _sort_issues(issues: list[_Issue], sort: str, direction: str) -> list[_Issue]:
        def key(issue: _Issue) -> tuple[Any, int]:
            if sort == "updated":
                return issue.updated_at, issue.number
            if sort == "comments":
                return len(issue.comment_ids), issue.number
            return issue.created_at, issue.number

        return sorted(issues, key=key, reverse=direction != "asc")
