"""The events each write produces, recorded as GitHub would deliver them to workflows.

One record per event GitHub sends for a change: ``issues`` (opened, edited, closed, reopened, labeled,
unlabeled), ``issue_comment`` (created), ``workflow_dispatch`` and ``repository_dispatch``, each with a
payload shaped like the webhook's (``tests/data/github-webhooks``) and whether it was made with a
job's GITHUB_TOKEN. GitHub starts no workflow for an event made with GITHUB_TOKEN except
``workflow_dispatch`` and ``repository_dispatch`` ("Triggering a workflow from a workflow"); the
record keeps the flag and leaves that rule to whoever runs the workflows.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

from ops_actions.sandbox.github.model import BOT_LOGIN, JSONDict, _Comment, _Issue
from ops_actions.sandbox.github.permissions import _Permissions


class _Events(_Permissions):
    """Records events; the Python API reads them with :meth:`events`."""

    def events(self, *, since: int = 0) -> list[JSONDict]:
        """Events recorded from index ``since`` on, oldest first: ``event`` (the workflow trigger
        name), ``action``, ``payload``, ``github_token`` (made with a GITHUB_TOKEN), ``sender``, and for
        a workflow dispatch ``workflow`` (file) and ``run_id``."""
        with self._lock:
            return copy.deepcopy(self._events[since:])

    def _emit(
        self, event: str, action: str | None, payload: JSONDict, *, sender: str | None = None, **extra: object
    ) -> None:
        """Record one event made by the request being answered, or (seeding) by ``sender``."""
        caller = self._caller if sender is None else None
        login = caller.login if caller is not None else sender or self.actor
        # The default token acting as github-actions[bot] plays a GITHUB_TOKEN too.
        github_token = (caller is not None and caller.job) or login == BOT_LOGIN
        body: JSONDict = {**({"action": action} if action else {}), **payload}
        body["repository"] = self._minimal_repo_json()
        body["sender"] = self._user_json(login)
        self._events.append(
            {
                "event": event,
                "action": action,
                "payload": body,
                "github_token": github_token,
                "sender": login,
                **extra,
            }
        )

    def _emit_issue(
        self, action: str, issue: _Issue, *, sender: str | None = None, **payload: object
    ) -> None:
        self._emit("issues", action, {"issue": self._issue_json(issue, full=False), **payload}, sender=sender)

    def _emit_label_changes(self, issue: _Issue, before: Sequence[int], *, sender: str | None = None) -> None:
        """``labeled`` for each label added since ``before``, ``unlabeled`` for each removed."""
        for lid in issue.labels:
            if lid not in before:
                self._emit_issue("labeled", issue, sender=sender, label=self._label_json(self._labels[lid]))
        for lid in before:
            if lid not in issue.labels and lid in self._labels:
                self._emit_issue("unlabeled", issue, sender=sender, label=self._label_json(self._labels[lid]))

    def _emit_comment(self, issue: _Issue, comment: _Comment, *, sender: str | None = None) -> None:
        payload = {"issue": self._issue_json(issue, full=False), "comment": self._comment_json(comment)}
        self._emit("issue_comment", "created", payload, sender=sender)
