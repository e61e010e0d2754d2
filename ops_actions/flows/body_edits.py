"""A person edited an incident's body: the manual checklist boxes they ticked or unticked count
when they have write access (the collaborator-permission API, as for slash commands).

GitHub's REST API keeps no record of who edited an issue body (the issue events and timeline
list no body edits); the ``issues`` ``edited`` webhook does: ``sender`` is the editor and
``changes.body.from`` the body before. The commands workflow takes that event; edits made with
the workflow's own token start no workflow, so the tool's redraws never come back here.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ops_actions.errors import OpsError
from ops_actions.flows.incidents import IncidentService
from ops_actions.flows.slash_commands import is_bot, unreadable_permission
from ops_actions.flows.tracker_protocols import CommandTracker
from ops_actions.incident.resolution_gate import box_changes, refuse_ticks, set_check
from ops_actions.incident.slash_registry import may_command
from ops_actions.playbook.model import INCIDENT_LABEL


@dataclass(frozen=True)
class BodyEdit:
    """The parts of an ``issues`` ``edited`` payload a checklist tick needs."""

    action: str
    number: int
    labels: tuple[str, ...]
    before: str | None
    after: str
    editor: str
    editor_is_bot: bool

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> BodyEdit:
        """Validate the payload's shape; OpsError names the first field that is wrong."""
        try:
            issue, sender = payload["issue"], payload["sender"]
            changes = payload.get("changes") or {}
            before = (changes.get("body") or {}).get("from")
            edit = cls(
                action=str(payload["action"]),
                number=int(issue["number"]),
                labels=tuple(str(label["name"]) for label in issue.get("labels") or []),
                before=before if isinstance(before, str) else None,
                after=issue["body"] if isinstance(issue.get("body"), str) else "",
                editor=str(sender["login"]),
                editor_is_bot=is_bot(sender),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise OpsError(f"not an issues event payload (missing or bad {error})") from None
        return edit


class BodyEdits:
    """Counts the checklist boxes of one body edit."""

    def __init__(self, *, tracker: CommandTracker, incidents: IncidentService) -> None:
        self.tracker = tracker
        self.incidents = incidents

    def handle(self, edit: BodyEdit) -> list[str]:
        """Record the ticks of a person with write access; note and redraw anyone else's."""
        if edit.action != "edited" or edit.before is None:
            return ["ignored: not an edit of the issue body"]
        if INCIDENT_LABEL not in edit.labels:
            return [f"ignored: issue #{edit.number} is not labelled {INCIDENT_LABEL}"]
        if edit.editor_is_bot or self.incidents.by_tool(edit.editor):
            return ["ignored: an edit by a bot or by the tool itself"]
        playbook = self.incidents.playbook
        changed = box_changes(playbook, edit.before, edit.after)
        if not changed:
            return ["ignored: no manual checklist box changed"]
        permission = self.tracker.permission(edit.editor)
        if permission is None:
            return [unreadable_permission(edit.editor)]
        if not may_command(permission):
            return self._refuse(edit, changed, permission)
        digest = hashlib.sha256("\x1f".join((edit.editor, edit.before, edit.after)).encode("utf-8"))
        key = f"edit-{edit.number}-{digest.hexdigest()[:16]}"
        clock = self.incidents.clock
        lines = []
        for item_id, checked in changed.items():
            item_key = f"{key}-{item_id}"
            tick = functools.partial(
                set_check,
                playbook,
                item_id=item_id,
                checked=checked,
                by=edit.editor,
                via="ticked in the issue",
                now=clock(),
                key=item_key,
            )
            lines.append(self.incidents.apply(edit.number, item_key, tick).message)
        return lines

    def _refuse(self, edit: BodyEdit, changed: Mapping[str, bool], permission: str) -> list[str]:
        """Note and redraw a refused change once per person, box and direction, then stay silent.

        Whoever may edit the body can toggle a box as often as they like, and every toggle starts
        the workflow: keyed by person, box and direction (not by the body, which each redraw
        changes), a refusal costs at most two notes per box and person, and nothing after that.
        """
        lines = []
        for item_id, checked in changed.items():
            item_key = (
                f"refused-tick-{edit.number}-{edit.editor.lower()}-{item_id}-{'on' if checked else 'off'}"
            )
            refusal = functools.partial(
                refuse_ticks,
                changed={item_id: checked},
                by=edit.editor,
                permission=permission,
                now=self.incidents.clock(),
                key=item_key,
            )
            told = self.incidents.apply(edit.number, item_key, refusal).action == "unchanged"
            lines.append(
                f"refused: {edit.editor} has {permission} permission; {item_id} not counted"
                + (" (told before; nothing written)" if told else "")
            )
        return lines
