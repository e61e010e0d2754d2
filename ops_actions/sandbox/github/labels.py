"""Route handlers for an issue's labels and the repository's labels."""

from __future__ import annotations

import re

from ops_actions.sandbox.github.model import (
    _AUTO_LABEL_COLOR,
    MAX_LABEL_DESCRIPTION_CHARS,
    JSONDict,
    _ApiError,
    _error,
    _Issue,
    _Label,
    _Request,
    _Response,
    _validation,
)
from ops_actions.sandbox.github.request_helpers import _RequestHelpers, _too_long

_COLOR = re.compile(r"^[0-9a-fA-F]{6}$")


class _LabelRoutes(_RequestHelpers):
    """``R/issues/{n}/labels...`` and ``R/labels...``."""

    # -- handlers: labels ---------------------------------------------------------------------

    def _issue_labels_response(self, issue: _Issue) -> _Response:
        return _Response(200, [self._label_json(self._labels[lid]) for lid in issue.labels])

    def _h_issue_labels(self, request: _Request) -> _Response:
        issue = self._issue_or_404(request)
        labels = [self._labels[lid] for lid in issue.labels]
        page, headers = self._paginate(request, labels)
        return _Response(200, [self._label_json(label) for label in page], headers)

    def _label_body(self, request: _Request) -> list[str]:
        body = request.body
        value = body.get("labels", []) if isinstance(body, dict) else body if body is not None else []
        names = self._labels_or_422(request, value)
        self._check_label_names(request, names)
        return names

    def _h_add_labels(self, request: _Request) -> _Response:
        issue = self._issue_or_404(request)
        before = list(issue.labels)
        for name in self._label_body(request):
            self._attach_label(issue, name)
        issue.updated_at = self.now()
        self._emit_label_changes(issue, before)
        return self._issue_labels_response(issue)

    def _h_set_labels(self, request: _Request) -> _Response:
        issue = self._issue_or_404(request)
        names = self._label_body(request)
        before = list(issue.labels)
        issue.labels = []
        for name in names:
            self._attach_label(issue, name)
        issue.updated_at = self.now()
        self._emit_label_changes(issue, before)
        return self._issue_labels_response(issue)

    def _h_remove_label(self, request: _Request) -> _Response:
        issue = self._issue_or_404(request)
        label = self._label_named(request.params["name"])
        if label is None or label.id not in issue.labels:
            raise _ApiError(_error(404, "Label does not exist", request.docs))
        issue.labels.remove(label.id)
        issue.updated_at = self.now()
        self._emit_label_changes(issue, [*issue.labels, label.id])
        return self._issue_labels_response(issue)

    def _h_list_labels(self, request: _Request) -> _Response:
        page, headers = self._paginate(request, self._sorted_labels())
        return _Response(200, [self._label_json(label) for label in page], headers)

    def _check_label_fields(self, request: _Request, body: JSONDict) -> tuple[str | None, str | None]:
        color = body.get("color")
        if color is not None:
            color = str(color).removeprefix("#")
            if not _COLOR.match(color):
                raise _ApiError(
                    _validation(request.docs, {"resource": "Label", "code": "invalid", "field": "color"})
                )
        description = body.get("description")
        if description is not None and not isinstance(description, str):
            raise _ApiError(
                _validation(request.docs, {"resource": "Label", "code": "invalid", "field": "description"})
            )
        if description and "label-limits" in self.rules:
            if len(description) > MAX_LABEL_DESCRIPTION_CHARS:
                raise _ApiError(
                    _validation(request.docs, _too_long("Label", "description", MAX_LABEL_DESCRIPTION_CHARS))
                )
            if any(ord(char) > 0xFFFF for char in description):
                # api.github.com refuses characters beyond the Basic Multilingual Plane (emoji) here.
                raise _ApiError(
                    _validation(
                        request.docs, {"resource": "Label", "code": "invalid", "field": "description"}
                    )
                )
        return color, description

    def _h_create_label(self, request: _Request) -> _Response:
        body = self._body_object(request)
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _ApiError(
                _validation(request.docs, {"resource": "Label", "code": "missing_field", "field": "name"})
            )
        color, description = self._check_label_fields(request, body)
        self._check_label_names(request, [name])
        if self._label_named(name) is not None:
            raise _ApiError(
                _validation(request.docs, {"resource": "Label", "code": "already_exists", "field": "name"})
            )
        label = self._new_label(name, color or _AUTO_LABEL_COLOR, description)
        data = self._label_json(label)
        return _Response(201, data, {"Location": data["url"]})

    def _label_or_404(self, request: _Request) -> _Label:
        label = self._label_named(request.params["name"])
        if label is None:
            raise _ApiError(_error(404, "Not Found", request.docs))
        return label

    def _h_get_label(self, request: _Request) -> _Response:
        return _Response(200, self._label_json(self._label_or_404(request)), last_modified=self._created_at)

    def _h_update_label(self, request: _Request) -> _Response:
        label = self._label_or_404(request)
        body = self._body_object(request, required=False)
        color, description = self._check_label_fields(request, body)
        new_name = body.get("new_name")
        if new_name is not None:
            if not isinstance(new_name, str) or not new_name.strip():
                raise _ApiError(
                    _validation(request.docs, {"resource": "Label", "code": "invalid", "field": "new_name"})
                )
            self._check_label_names(request, [new_name])
            clash = self._label_named(new_name)
            if clash is not None and clash.id != label.id:
                raise _ApiError(
                    _validation(
                        request.docs, {"resource": "Label", "code": "already_exists", "field": "name"}
                    )
                )
            del self._label_by_name[label.name.lower()]
            label.name = new_name
            self._label_by_name[new_name.lower()] = label.id
        if color is not None:
            label.color = color
        if "description" in body:
            label.description = description
        return _Response(200, self._label_json(label))

    def _h_delete_label(self, request: _Request) -> _Response:
        label = self._label_or_404(request)
        del self._labels[label.id]
        del self._label_by_name[label.name.lower()]
        for issue in self._issues.values():
            if label.id in issue.labels:
                issue.labels.remove(label.id)
        return _Response(204)
