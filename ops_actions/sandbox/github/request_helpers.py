"""What the route handlers share: pagination, the request body, issue lookup, label lists, issue order."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from ops_actions.sandbox.github.model import JSONDict, _ApiError, _error, _Issue, _Request, _validation
from ops_actions.sandbox.github.shapes import _Shapes

_T = TypeVar("_T")


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


class _RequestHelpers(_Shapes):
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
        issue = self._issues.get(int(request.params["number"]))
        if issue is None:
            raise _ApiError(_error(404, "Not Found", request.docs))
        return issue

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
