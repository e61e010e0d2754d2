"""Incident commands carried out against a tracker: find, open, update, resolve, idempotently.

The decisions are :mod:`ops_actions.incident.state`'s; this module reads what it needs from the
tracker, applies a transition, and writes the timeline comment before the state, so a failure
in between leaves an entry that a re-run finds by its marker instead of a lost one.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from ops_actions.errors import ExitCode, OpsError
from ops_actions.incident.render import incident_body, refresh_body
from ops_actions.incident.state import (
    AUTO_LABEL_COLOR,
    INCIDENT_LABEL,
    Event,
    IncidentState,
    LabelSpec,
    assign_owner,
    freezing_branches,
    iso,
    issue_title,
    label_specs,
    labels_for,
    missing_for_resolution,
    new_incident,
    read_state,
    rebuild_state,
    replay,
    resolve,
    state_delta,
    text_of,
    with_state,
)
from ops_actions.incident.triage_report import TriageReport
from ops_actions.playbook.model import Playbook
from ops_actions.text.markdown import encode_marker, find_markers


class IssueView(Protocol):
    """What lifecycle reads of an issue."""

    @property
    def number(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def body(self) -> str: ...
    @property
    def labels(self) -> tuple[str, ...]: ...
    @property
    def assignees(self) -> tuple[str, ...]: ...
    @property
    def state(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def html_url(self) -> str: ...
    @property
    def label_details(self) -> Sequence[LabelView]: ...
    @property
    def comments(self) -> int: ...
    @property
    def author(self) -> str: ...


class LabelView(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def color(self) -> str: ...
    @property
    def description(self) -> str: ...


class CommentView(Protocol):
    @property
    def body(self) -> str: ...
    @property
    def author(self) -> str: ...


class IncidentTracker(Protocol):
    """The tracker operations lifecycle needs (``adapters.github_tracker.Tracker`` provides them)."""

    def open_incidents(self, label: str) -> Sequence[IssueView]: ...
    def issue(self, number: int) -> IssueView: ...
    def create_issue(
        self,
        *,
        title: str,
        body: str,
        labels: Sequence[str],
        marker: str,
        find_label: str,
        assignees: Sequence[str] = (),
    ) -> IssueView: ...
    def edit_issue(
        self,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        labels: Sequence[str] | None = None,
        state: str | None = None,
        state_reason: str | None = None,
    ) -> IssueView: ...
    def update_label(self, spec: LabelSpec) -> None: ...
    def comments(self, number: int) -> Sequence[CommentView]: ...
    def comment(self, number: int, body: str, *, marker: str) -> int: ...
    def assign(self, number: int, logins: Sequence[str]) -> None: ...


class Delivered(Protocol):
    """How one notification target fared (``ops_actions.adapters.notify.Delivery``)."""

    @property
    def target(self) -> str: ...
    @property
    def ok(self) -> bool: ...
    @property
    def detail(self) -> str: ...


# (event kind, incident state, issue URL) -> one result per target the update was routed to
Announcer = Callable[[str, IncidentState, str], Sequence[Delivered]]
ANNOUNCED_KINDS = frozenset({"opened", "status", "severity", "resolved"})


def chain(*announcers: Announcer | None) -> Announcer | None:
    """One announcer that calls each given one in turn (None when none is given)."""
    present = [announce for announce in announcers if announce is not None]
    if not present:
        return None

    def announce(kind: str, state: IncidentState, url: str) -> list[Delivered]:
        return [delivery for each in present for delivery in each(kind, state, url)]

    return announce


@dataclass(frozen=True)
class Outcome:
    """What a command did, for the terminal, outputs and the job summary."""

    number: int
    url: str
    action: str
    message: str
    state: IncidentState


def operation_key(run_id: str | None, kind: str, *parts: object) -> str:
    """An idempotency key: stable across re-runs of one workflow run, unique for local runs.

    The arguments are hashed, so a long message makes no long key.
    """
    scope = f"run-{run_id}" if run_id else f"local-{uuid.uuid4().hex[:12]}"
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode("utf-8")).hexdigest()[:16]
    return f"{scope}:{kind}:{digest}"


def marker_of(key: str) -> str:
    """The text that proves an operation's comment or issue exists (its key, JSON-quoted)."""
    return f'"{key}"'


class Incidents:
    """Incident commands for one playbook and tracker."""

    def __init__(
        self,
        tracker: IncidentTracker,
        playbook: Playbook,
        *,
        clock: Callable[[], datetime],
        rerun: bool = False,
        announce: Announcer | None = None,
    ) -> None:
        self.tracker = tracker
        self.playbook = playbook
        self.clock = clock
        self.announce = announce
        # On a re-run, a comment may exist from the first attempt even though the state never saw it.
        self.rerun = rerun

    # -- reading ----------------------------------------------------------------------------

    def state_of(self, issue: IssueView, own: Sequence[str] | None = None) -> IncidentState:
        """The issue's state block (with any event a concurrent writer's save overwrote replayed
        from the comments), or a state rebuilt from labels and comments.

        ``own``: the tool's comments on the issue, when the caller has read them already.
        """
        state = read_state(issue.body)
        if state is not None:
            if issue.comments > state.comments_seen:
                bodies = self.own_comments(issue) if own is None else own
                return replay(state, [m for body in bodies for m in find_markers(body, "event")])
            return state
        return rebuild_state(
            self.playbook,
            number=issue.number,
            title=issue.title,
            labels=issue.labels,
            assignees=issue.assignees,
            created_at=issue.created_at,
            marked_texts=[issue.body, *(self.own_comments(issue) if own is None else own)],
        )

    def own_comments(self, issue: IssueView) -> list[str]:
        """Bodies of the comments the tool wrote: those by the account that opened the incident.

        Only these are trusted for event markers; anyone who may comment could paste one.
        """
        return [c.body for c in self.tracker.comments(issue.number) if c.author == issue.author]

    def find_open(
        self, key: str, listed: Sequence[IssueView] | None = None
    ) -> list[tuple[IssueView, IncidentState]]:
        """Open incidents with this dedupe key, oldest (lowest number) first (``listed``: already read)."""
        found = []
        for issue in self.tracker.open_incidents(INCIDENT_LABEL) if listed is None else listed:
            state = self.state_of(issue)
            if state.key == key:
                found.append((issue, state))
        return sorted(found, key=lambda pair: pair[0].number)

    def read_incident(self, number: int) -> tuple[IssueView, IncidentState]:
        """Issue #number and its state; OpsError (usage) when it is not an incident."""
        issue = self.tracker.issue(number)
        if INCIDENT_LABEL not in issue.labels:
            raise OpsError(
                f"issue #{number} is not an incident (no '{INCIDENT_LABEL}' label)", ExitCode.USAGE
            )
        return issue, self.state_of(issue)

    # -- writing ----------------------------------------------------------------------------

    def _post(self, issue: IssueView, event: Event) -> None:
        """Post a timeline comment unless a re-run finds it already posted (by the tool itself)."""
        if self.rerun and any(marker_of(event.key) in body for body in self.own_comments(issue)):
            return
        self.tracker.comment(issue.number, event.markdown(), marker=marker_of(event.key))

    def _fix_labels(self, issue: IssueView) -> None:
        """Labels GitHub created on the fly (grey, no description) get the playbook's colours."""
        specs = label_specs(self.playbook)
        for label in issue.label_details:
            spec = specs.get(label.name)
            if spec and label.color == AUTO_LABEL_COLOR and not label.description:
                self.tracker.update_label(spec)

    def _save(
        self,
        issue: IssueView,
        state: IncidentState,
        *,
        title: bool = False,
        close: bool = False,
        posted: int = 0,
    ) -> None:
        state.comments_seen = issue.comments + posted
        body = refresh_body(with_state(issue.body, state), self.playbook, state, self.clock())
        saved = self.tracker.edit_issue(
            issue.number,
            body=body,
            labels=labels_for(self.playbook, state),
            title=issue_title(state) if title else None,
            state="closed" if close else None,
            state_reason="completed" if close else None,
        )
        self._fix_labels(saved)

    def apply(
        self,
        number: int,
        key: str,
        transition: Callable[[IncidentState], tuple[IncidentState, Event]],
        *,
        title: bool = False,
        close: bool = False,
    ) -> Outcome:
        """Run a transition on incident #number once per key: comment first, then state."""
        issue, state = self.read_incident(number)
        return self.apply_to(issue, state, key, transition, title=title, close=close)

    def apply_to(
        self,
        issue: IssueView,
        state: IncidentState,
        key: str,
        transition: Callable[[IncidentState], tuple[IncidentState, Event]],
        *,
        title: bool = False,
        close: bool = False,
    ) -> Outcome:
        """Like :meth:`apply`, for an incident already read (the watch lists them anyway)."""
        number = issue.number
        if state.has_applied(key):
            saved = read_state(issue.body)
            if saved is None or not saved.has_applied(key):
                # Replayed from its comment: the earlier run's save failed; finish it now.
                self._save(issue, state)
            return Outcome(number, issue.html_url, "unchanged", f"#{number}: already done ({key})", state)
        new, event = transition(state)
        event = replace(event, delta=state_delta(state, new))
        new.mark_applied(key)
        self._post(issue, event)
        self._save(issue, new, title=title, close=close, posted=1)
        self._notify(issue, event.kind, new, key)
        return Outcome(number, issue.html_url, event.kind, f"#{number}: {event.summary}", new)

    def _notify(self, issue: IssueView, kind: str, state: IncidentState, key: str) -> None:
        """Route an update to the playbook's notify targets; a failing target is noted, never fatal."""
        if self.announce is None or kind not in ANNOUNCED_KINDS:
            return
        failed = [d for d in self.announce(kind, state, issue.html_url) if not d.ok]
        if not failed:
            return
        lines = "\n".join(f"- `{d.target}`: {d.detail}" for d in failed)
        note = Event(
            f"{key}:notify",
            "notify-failed",
            iso(self.clock()),
            "notification failed",
            f"**Notification not delivered** ({kind}):\n\n{lines}",
            state.key,
        )
        self._post(issue, note)

    def open(
        self,
        *,
        key: str,
        title: str,
        severity: str,
        impact: str,
        summary: str,
        operation: str,
        report: TriageReport | None = None,
        links: Sequence[tuple[str, str]] = (),
        detected_at: datetime | None = None,
        playbook_sha256: str = "",
        snapshot: dict[str, object] | None = None,
        listed: Sequence[IssueView] | None = None,
        components: Sequence[str] = (),
        alerts: dict[str, str] | None = None,
        causes: Sequence[str] = (),
        related: Sequence[int] = (),
    ) -> Outcome:
        """Open an incident, or update the open one with the same dedupe key.

        ``causes``: what it is opened for (see incident/causes.py); ``related``: the open incidents
        its body links to (``link`` adds it to theirs).
        """
        now = self.clock()
        existing = self.find_open(key, listed)
        if existing:
            issue, state = existing[0]
            if state.has_applied(operation):
                return Outcome(
                    issue.number, issue.html_url, "unchanged", f"#{issue.number} is already open", state
                )
            event = Event(
                key=operation,
                kind="retriggered",
                at=iso(now),
                summary="triggered again",
                body=f"**Triggered again** while open: {text_of(title)}",
                incident=key,
            )
            state.mark_applied(operation)
            self._post(issue, event)
            self._save(issue, state, posted=1)
            return Outcome(
                issue.number,
                issue.html_url,
                "updated",
                f"#{issue.number} was already open; updated it",
                state,
            )
        state = new_incident(
            self.playbook,
            key=key,
            title=title,
            severity=severity,
            impact=impact,
            summary=summary,
            now=now,
            detected_at=detected_at,
            playbook_sha256=playbook_sha256,
            snapshot=snapshot,
        )
        state.mark_applied(operation)
        unknown = sorted(set(components) - set(self.playbook.components))
        if unknown:
            known = ", ".join(self.playbook.components)
            raise OpsError(f"unknown component(s) {', '.join(unknown)}; the playbook's scope has {known}")
        found = {c for branch in report.branches for c in branch.components} if report else set()
        state.components = sorted(found | set(components))
        state.alerts = dict(alerts or {})
        state.causes = list(causes)
        state.related = list(related)
        freezing = freezing_branches(self.playbook, [b.id for b in report.branches]) if report else []
        if freezing:
            reason = "branch " + ", ".join(f"{b}) {self.playbook.branch(b).title}" for b in freezing)
            state.freeze = {"since": state.opened_at, "reason": reason}
        opened = encode_marker(
            "event",
            {"key": operation, "kind": "opened", "at": state.opened_at, "summary": "opened", "incident": key},
        )
        body = with_state(
            incident_body(self.playbook, state, report=report, links=links, now=now) + "\n" + opened, state
        )
        created = self.tracker.create_issue(
            title=issue_title(state),
            body=body,
            labels=labels_for(self.playbook, state),
            marker=marker_of(operation),
            find_label=INCIDENT_LABEL,
        )
        self._fix_labels(created)
        outcome = self._settle_race(key, created, state)
        if outcome.action == "opened":
            self._notify(created, "opened", state, operation)
        return outcome

    def _settle_race(self, key: str, created: IssueView, state: IncidentState) -> Outcome:
        """When two runs opened the same key at once, the lowest number wins; the other closes itself."""
        rivals = self.find_open(key)
        winner = rivals[0][0] if rivals else created
        if winner.number == created.number:
            return Outcome(created.number, created.html_url, "opened", f"opened #{created.number}", state)
        self.tracker.comment(
            created.number,
            f"Duplicate of #{winner.number}: another run opened the same incident at the same time.",
            marker=marker_of(f"duplicate-of-{winner.number}"),
        )
        # Without the incident label the duplicate neither counts as open nor triggers a postmortem.
        self.tracker.edit_issue(
            created.number, labels=["duplicate"], state="closed", state_reason="not_planned"
        )
        return Outcome(
            winner.number,
            winner.html_url,
            "updated",
            f"#{winner.number} was opened by a concurrent run",
            state,
        )

    def record(
        self, issue: IssueView, before: IncidentState, after: IncidentState, events: Sequence[Event]
    ) -> list[Event]:
        """Post the events not yet applied, then save the state once if anything changed; a new
        severity retitles the issue, and announced events (a raised severity) are notified."""
        fresh = [event for event in events if not before.has_applied(event.key)]
        if fresh:  # the whole change rides on the last event, so a replay applies it once
            fresh[-1] = replace(fresh[-1], delta=state_delta(before, after))
        for event in fresh:
            after.mark_applied(event.key)
            self._post(issue, event)
        if fresh or after != before:
            self._save(issue, after, posted=len(fresh), title=after.severity != before.severity)
        for event in fresh:
            self._notify(issue, event.kind, after, event.key)
        return fresh

    def assign(self, number: int, key: str, owner: str, *, by: str | None) -> Outcome:
        """Assign the owner on GitHub and record it on the timeline."""
        outcome = self.apply(
            number, key, lambda s: assign_owner(s, owner=owner, now=self.clock(), by=by, key=key)
        )
        if outcome.action != "unchanged" and outcome.state.owner:
            self.tracker.assign(number, [outcome.state.owner])
        return outcome

    def resolve(self, number: int, key: str, *, by: str | None, force_reason: str | None = None) -> Outcome:
        """Close with the compiled timeline and durations, once the automatic checklist items hold.

        ``force_reason`` overrides what is missing; the override is recorded in the final comment.
        """
        issue, state = self.read_incident(number)
        missing = missing_for_resolution(self.playbook, state, self.clock())
        if missing and not force_reason:
            raise OpsError(
                f"#{number} cannot be resolved yet: missing "
                + "; ".join(missing)
                + ". Override with --force --reason (or /resolve force <reason>).",
                ExitCode.REFUSED,
            )
        bodies = self.own_comments(issue)
        override = (force_reason, missing) if missing and force_reason else None
        return self.apply_to(
            issue,
            state,
            key,
            lambda s: resolve(
                self.playbook, s, now=self.clock(), by=by, key=key, comment_bodies=bodies, override=override
            ),
            close=True,
        )
