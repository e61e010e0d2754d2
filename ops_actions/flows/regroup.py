"""People regroup incidents: ``/merge #N`` folds incident N into this one, ``/split <cause>`` moves
a cause out into an incident of its own. Both incidents' timelines and bodies say so.

Validate, then write: both incidents are read and checked before the first comment. The
surviving incident is written first; a re-run finds each step done by its key.
"""

from __future__ import annotations

from ops_actions.errors import ExitCode, OpsError
from ops_actions.flows.incidents import IncidentService, Outcome
from ops_actions.incident.causes import absorb, cause_components, cause_name, last_severity_of, release
from ops_actions.incident.clock import iso
from ops_actions.incident.operation_keys import marker_of
from ops_actions.incident.state import slug
from ops_actions.incident.timeline import TimelineEvent


class Regrouper:
    """Merge and split incidents of one tracker."""

    def __init__(self, incidents: IncidentService) -> None:
        self.incidents = incidents
        self.playbook = incidents.playbook

    def merge(self, number: int, other: int, *, key: str, by: str | None) -> Outcome:
        """Fold open incident #other into #number; #other is closed as a duplicate of it."""
        if other == number:
            raise OpsError(f"#{number} cannot be merged into itself", ExitCode.USAGE)
        issue, state = self.incidents.read(number)
        source, merged = self.incidents.read(other)
        if not state.has_applied(key):
            self.incidents.require_open(issue, state, "merge")
        if source.state != "open" and not state.has_applied(key):
            raise OpsError(f"#{other} is closed; only an open incident can be merged", ExitCode.USAGE)
        now = self.incidents.clock
        outcome = self.incidents.apply_to(
            issue,
            state,
            key,
            lambda s: absorb(self.playbook, s, merged, number=other, this=number, now=now(), by=by, key=key),
            title=True,
        )
        if source.state == "open":
            tracker = self.incidents.tracker
            note = TimelineEvent(
                f"{key}:into",
                "merged",
                iso(now()),
                f"merged into #{number}",
                f"**Merged into #{number}**{f' by @{by}' if by else ''}: followed there from now on.",
                merged.key,
            )
            tracker.comment(other, note.markdown(), marker=marker_of(note.key))
            # Without the incident label the merged issue neither counts as open nor gets a postmortem.
            tracker.edit_issue(other, labels=["duplicate"], state="closed", state_reason="duplicate")
        return outcome

    def split(self, number: int, cause: str, *, key: str, by: str | None) -> Outcome:
        """Move one of #number's causes into a new incident, linked both ways."""
        issue, state = self.incidents.read(number)
        if not state.has_applied(f"{key}:split"):
            self.incidents.require_open(issue, state, "split")
        if cause not in state.causes:
            held = ", ".join(f"`{c}`" for c in state.causes) or "none"
            raise OpsError(f"#{number} does not follow cause {cause!r} (its causes: {held})", ExitCode.USAGE)
        if len(state.causes) == 1:
            raise OpsError(
                f"{cause!r} is #{number}'s only cause: there is nothing to split off", ExitCode.USAGE
            )
        opened = self.incidents.open(
            key=f"split-{number}-{slug(cause)}",
            title=cause_name(
                self.playbook, cause, state.snapshots[-1].get("fired", []) if state.snapshots else ()
            ),
            severity=last_severity_of(self.playbook, state, cause),
            impact="",
            summary=f"Split from #{number}{f' by @{by}' if by else ''}.",
            operation=key,
            components=cause_components(self.playbook, [cause]),
            causes=[cause],
            related=[number],
        )
        now = self.incidents.clock
        self.incidents.apply_to(
            issue,
            state,
            f"{key}:split",
            lambda s: release(
                self.playbook, s, cause=cause, to=opened.number, now=now(), by=by, key=f"{key}:split"
            ),
        )
        return opened
