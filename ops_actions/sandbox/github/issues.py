"""Route handlers for issues (assignees, lock, sub-issues) and their comments and reactions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ops_actions.sandbox.github.model import (
    LOCK_REASONS,
    MAX_BODY_CHARS,
    MAX_TITLE_CHARS,
    REACTION_CONTENTS,
    JSONDict,
    _ApiError,
    _Comment,
    _error,
    _Issue,
    _parse_time,
    _Reaction,
    _Request,
    _Response,
    _validation,
)
from ops_actions.sandbox.github.request_helpers import _RequestHelpers, _too_long


def _logins_from(value: Any) -> list[str] | None:
    if not isinstance(value, list):
        return None
    logins: list[str] = []
    for item in value:
        if isinstance(item, str):
            logins.append(item)
        elif isinstance(item, dict) and isinstance(item.get("login"), str):
            logins.append(item["login"])
        else:
            return None
    return logins


class _IssueRoutes(_RequestHelpers):
    """``R/issues...`` (except labels) and ``R/issues/comments/...``."""

    # -- request helpers ----------------------------------------------------------------------

    def _comment_or_404(self, request: _Request) -> _Comment:
        comment = self._comments.get(int(request.params["comment_id"]))
        if comment is None:
            raise _ApiError(_error(404, "Not Found", request.docs))
        return comment

    def _check_text(self, request: _Request, resource: str, body: JSONDict) -> None:
        text = body.get("body")
        if text is not None and not isinstance(text, str):
            raise _ApiError(
                _validation(request.docs, {"resource": resource, "code": "invalid", "field": "body"})
            )
        if isinstance(text, str) and len(text) > MAX_BODY_CHARS:
            raise _ApiError(_validation(request.docs, _too_long(resource, "body", MAX_BODY_CHARS)))

    def _check_title(self, request: _Request, title: Any) -> str:
        if not isinstance(title, str | int) or (isinstance(title, str) and not title.strip()):
            raise _ApiError(
                _validation(request.docs, {"resource": "Issue", "code": "missing_field", "field": "title"})
            )
        text = str(title)
        if len(text) > MAX_TITLE_CHARS:
            raise _ApiError(_validation(request.docs, _too_long("Issue", "title", MAX_TITLE_CHARS)))
        return text

    # -- handlers: issues ---------------------------------------------------------------------

    def _filtered_issues(self, request: _Request) -> list[_Issue]:
        query = request.query
        state = query.get("state", "open")
        if state not in ("open", "closed", "all"):
            raise _ApiError(
                _validation(request.docs, {"resource": "Issue", "code": "invalid", "field": "state"})
            )
        wanted_labels = [name.strip().lower() for name in query.get("labels", "").split(",") if name.strip()]
        wanted_ids: list[int] = []
        for name in wanted_labels:
            lid = self._label_by_name.get(name)
            if lid is None:
                return []
            wanted_ids.append(lid)
        creator = query.get("creator")
        assignee = query.get("assignee")
        since: datetime | None = None
        if "since" in query:
            try:
                since = _parse_time(query["since"])
            except ValueError:
                raise _ApiError(
                    _validation(request.docs, {"resource": "Issue", "code": "invalid", "field": "since"})
                ) from None
        found: list[_Issue] = []
        for issue in self._issues.values():
            if state not in ("all", issue.state) or issue.deleted or issue.transferred_to is not None:
                continue
            if wanted_ids and not all(lid in issue.labels for lid in wanted_ids):
                continue
            if creator is not None and issue.user.lower() != creator.lower():
                continue
            if assignee is not None and not self._assignee_matches(issue, assignee):
                continue
            if since is not None and issue.updated_at < since:
                continue
            found.append(issue)
        return self._sort_issues(found, query.get("sort", "created"), query.get("direction", "desc"))

    @staticmethod
    def _assignee_matches(issue: _Issue, assignee: str) -> bool:
        if assignee == "none":
            return not issue.assignees
        if assignee == "*":
            return bool(issue.assignees)
        return assignee.lower() in (login.lower() for login in issue.assignees)

    def _h_list_issues(self, request: _Request) -> _Response:
        page, headers = self._paginate(request, self._filtered_issues(request))
        return _Response(200, [self._issue_json(issue, full=False) for issue in page], headers)

    def _h_create_issue(self, request: _Request) -> _Response:
        body = self._body_object(request)
        title = self._check_title(request, body.get("title"))
        self._check_text(request, "Issue", body)
        labels = self._labels_or_422(request, body.get("labels", []))
        self._check_label_names(request, labels)
        assignees = _logins_from(body.get("assignees", [])) or []
        if isinstance(body.get("assignee"), str):
            assignees.insert(0, body["assignee"])
        if "assignees" in self.rules:
            # A new issue has no participants but its author: anyone else must be a collaborator,
            # else the whole create is refused (api.github.com: 422, errors[].field "assignees").
            refused = [login for login in assignees if not self._assignable(login, None, author=self._login)]
            if refused:
                raise _ApiError(
                    _validation(
                        request.docs,
                        {"value": refused[0], "resource": "Issue", "field": "assignees", "code": "invalid"},
                    )
                )
        issue = self._new_issue(title, body.get("body") or "", self._login, labels, assignees, self.now())
        self._emit_issue("opened", issue)
        self._emit_label_changes(issue, [])
        data = self._issue_json(issue, full=True)
        return _Response(201, data, {"Location": data["url"]})

    def _assignable(self, login: str, issue: _Issue | None, *, author: str) -> bool:
        """GitHub's rule ("Assigning issues and pull requests to other GitHub users"): collaborators
        (here: anyone given a role other than none; a read role stands for an organization member with
        read access) and the issue's participants (its author and commenters)."""
        if self._permissions.get(login, "none") != "none" and login != self.owner:
            return True
        if login.lower() == author.lower():
            return True
        return issue is not None and any(
            self._comments[cid].user.lower() == login.lower() for cid in issue.comment_ids
        )

    def _refuse_if_locked(self, request: _Request, issue: _Issue) -> None:
        """App tokens (GITHUB_TOKEN included) may not comment on or edit a locked issue: 403 with the
        message api.github.com sends for a comment (Upptime's uptime-monitor#189 saw the same for a
        close), which the emulator also uses for edits."""
        caller = self._caller
        if issue.locked and "locks" in self.rules and caller is not None and caller.is_app:
            raise _ApiError(_error(403, "Unable to create comment because issue is locked.", request.docs))

    def _h_get_issue(self, request: _Request) -> _Response:
        issue = self._issue_or_404(request)
        return _Response(200, self._issue_json(issue, full=True), last_modified=issue.updated_at)

    def _h_update_issue(self, request: _Request) -> _Response:
        issue = self._issue_or_404(request)
        self._refuse_if_locked(request, issue)
        body = self._body_object(request, required=False)
        if "title" in body:
            issue.title = self._check_title(request, body["title"])
        self._check_text(request, "Issue", body)
        state = body.get("state")
        if state is not None and state not in ("open", "closed"):
            raise _ApiError(
                _validation(request.docs, {"resource": "Issue", "code": "invalid", "field": "state"})
            )
        reason = body.get("state_reason")
        if reason is not None and reason not in ("completed", "not_planned", "reopened", "duplicate"):
            raise _ApiError(
                _validation(request.docs, {"resource": "Issue", "code": "invalid", "field": "state_reason"})
            )
        labels = self._labels_or_422(request, body["labels"]) if "labels" in body else None
        self._check_label_names(request, labels or [])
        assignees = _logins_from(body["assignees"]) if "assignees" in body else None
        if "assignees" in body and assignees is None:
            raise _ApiError(
                _validation(request.docs, {"resource": "Issue", "code": "invalid", "field": "assignees"})
            )
        now = self.now()
        before = (issue.title, issue.body, issue.state, list(issue.labels))
        if "body" in body:
            issue.body = body["body"] or ""
        if state == "closed" and issue.state == "open":
            issue.state, issue.closed_at, issue.closed_by = "closed", now, self._login
            issue.state_reason = reason or "completed"
        elif state == "open" and issue.state == "closed":
            issue.state, issue.closed_at, issue.closed_by = "open", None, None
            issue.state_reason = "reopened"
        elif "state_reason" in body and issue.state == "closed" and reason is not None:
            issue.state_reason = reason
        if labels is not None:
            issue.labels = []
            for name in labels:
                self._attach_label(issue, name)
        if assignees is not None:
            issue.assignees = list(dict.fromkeys(assignees))
        if "assignee" in body:
            issue.assignees = [body["assignee"]] if isinstance(body["assignee"], str) else []
        issue.updated_at = now
        if (issue.title, issue.body) != before[:2]:
            # GitHub's issues "edited" webhook says what changed: changes.title.from and
            # changes.body.from hold "the previous version" (docs: webhook issue properties).
            fields = {"title": before[0], "body": before[1]}
            changes = {name: {"from": old} for name, old in fields.items() if getattr(issue, name) != old}
            self._emit_issue("edited", issue, changes=changes)
        self._emit_label_changes(issue, before[3])
        if issue.state != before[2]:
            self._emit_issue("closed" if issue.state == "closed" else "reopened", issue)
        return _Response(200, self._issue_json(issue, full=True))

    def _h_add_assignees(self, request: _Request) -> _Response:
        issue = self._issue_or_404(request)
        body = self._body_object(request, required=False)
        logins = _logins_from(body.get("assignees", []))
        if logins is None:
            raise _ApiError(
                _validation(request.docs, {"resource": "Issue", "code": "invalid", "field": "assignees"})
            )
        if "assignees" in self.rules:
            # api.github.com answers 201 and silently leaves out whoever cannot be assigned.
            logins = [login for login in logins if self._assignable(login, issue, author=issue.user)]
        issue.assignees = list(dict.fromkeys([*issue.assignees, *logins]))
        issue.updated_at = self.now()
        return _Response(201, self._issue_json(issue, full=True))

    def _h_lock(self, request: _Request) -> _Response:
        issue = self._issue_or_404(request)
        body = request.body if isinstance(request.body, dict) else {}
        reason = body.get("lock_reason")
        if reason is not None and reason not in LOCK_REASONS:
            raise _ApiError(
                _validation(request.docs, {"resource": "Issue", "code": "invalid", "field": "lock_reason"})
            )
        issue.locked, issue.lock_reason = True, reason
        issue.updated_at = self.now()
        return _Response(204)

    def _h_unlock(self, request: _Request) -> _Response:
        issue = self._issue_or_404(request)
        issue.locked, issue.lock_reason = False, None
        issue.updated_at = self.now()
        return _Response(204)

    def _h_list_sub_issues(self, request: _Request) -> _Response:
        parent = self._issue_or_404(request)
        page, headers = self._paginate(request, self._children(parent.number))
        return _Response(200, [self._issue_json(issue, full=False) for issue in page], headers)

    def _h_add_sub_issue(self, request: _Request) -> _Response:
        parent = self._issue_or_404(request)
        body = self._body_object(request)
        sub_id = body.get("sub_issue_id")
        if not isinstance(sub_id, int) or isinstance(sub_id, bool):
            raise _ApiError(
                _validation(request.docs, {"resource": "Issue", "code": "invalid", "field": "sub_issue_id"})
            )
        number = self._issue_by_id.get(sub_id)
        if number is None:
            raise _ApiError(_error(404, "Not Found", request.docs))
        child = self._issues[number]
        if child.number == parent.number:
            raise _ApiError(
                _validation(
                    request.docs,
                    {
                        "resource": "Issue",
                        "code": "custom",
                        "message": "An issue cannot be a sub-issue of itself",
                    },
                )
            )
        one_parent = {
            "resource": "Issue",
            "code": "custom",
            "field": "parent",
            "message": "Sub issue may only have one parent",
        }
        if child.parent == parent.number:
            # GitHub refuses the same child twice; both of its rules show in errors[] (GraphQL joins
            # them: "Issue may not contain duplicate sub-issues and Sub issue may only have one parent").
            duplicate = {**one_parent, "message": "Issue may not contain duplicate sub-issues"}
            raise _ApiError(_validation(request.docs, duplicate, one_parent))
        if child.parent is not None and body.get("replace_parent") is not True:
            raise _ApiError(_validation(request.docs, one_parent))
        if child.parent is not None:
            self._sub_issues[child.parent].remove(child.number)
        self._sub_issues.setdefault(parent.number, []).append(child.number)
        child.parent = parent.number
        now = self.now()
        child.updated_at = parent.updated_at = now
        data = self._issue_json(parent, full=True)
        return _Response(201, data, {"Location": f"{data['url']}/sub_issues"})

    # -- handlers: comments and reactions -----------------------------------------------------

    def _h_list_comments(self, request: _Request) -> _Response:
        issue = self._issue_or_404(request)
        comments = [self._comments[cid] for cid in issue.comment_ids]
        if "since" in request.query:
            try:
                since = _parse_time(request.query["since"])
            except ValueError:
                raise _ApiError(
                    _validation(
                        request.docs, {"resource": "IssueComment", "code": "invalid", "field": "since"}
                    )
                ) from None
            comments = [c for c in comments if c.updated_at >= since]
        page, headers = self._paginate(request, comments)
        return _Response(200, [self._comment_json(c) for c in page], headers)

    def _h_create_comment(self, request: _Request) -> _Response:
        issue = self._issue_or_404(request)
        self._refuse_if_locked(request, issue)
        body = self._body_object(request)
        if not isinstance(body.get("body"), str) or not body["body"]:
            raise _ApiError(
                _validation(
                    request.docs, {"resource": "IssueComment", "code": "missing_field", "field": "body"}
                )
            )
        self._check_text(request, "IssueComment", body)
        comment = self._new_comment(issue, body["body"], self._login, self.now())
        self._emit_comment(issue, comment)
        data = self._comment_json(comment)
        return _Response(201, data, {"Location": data["url"]})

    def _h_get_comment(self, request: _Request) -> _Response:
        comment = self._comment_or_404(request)
        return _Response(200, self._comment_json(comment), last_modified=comment.updated_at)

    def _h_update_comment(self, request: _Request) -> _Response:
        comment = self._comment_or_404(request)
        self._refuse_if_locked(request, self._issues[comment.issue_number])
        body = self._body_object(request)
        if not isinstance(body.get("body"), str):
            raise _ApiError(
                _validation(
                    request.docs, {"resource": "IssueComment", "code": "missing_field", "field": "body"}
                )
            )
        self._check_text(request, "IssueComment", body)
        comment.body = body["body"]
        comment.updated_at = self.now()
        return _Response(200, self._comment_json(comment))

    def _h_delete_comment(self, request: _Request) -> _Response:
        """204 No Content; the issue's comment count drops with it."""
        comment = self._comment_or_404(request)
        del self._comments[comment.id]
        self._reactions.pop(comment.id, None)
        self._issues[comment.issue_number].comment_ids.remove(comment.id)
        return _Response(204)

    def _h_create_reaction(self, request: _Request) -> _Response:
        comment = self._comment_or_404(request)
        content = self._body_object(request).get("content")
        if content not in REACTION_CONTENTS:
            raise _ApiError(
                _validation(request.docs, {"resource": "Reaction", "code": "invalid", "field": "content"})
            )
        reactions = self._reactions.setdefault(comment.id, [])
        for reaction in reactions:
            if reaction.user == self._login and reaction.content == content:
                return _Response(200, self._reaction_json(reaction))
        reaction = _Reaction(next(self._ids["reaction"]), comment.id, self._login, content, self.now())
        reactions.append(reaction)
        return _Response(201, self._reaction_json(reaction))
