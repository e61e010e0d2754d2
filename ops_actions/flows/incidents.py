"""Incident commands carried out against a tracker: find, open, update, resolve, idempotently.

The decisions are :mod:`ops_actions.incident.transitions`'s; this module reads what it needs from the
tracker, applies a transition, and writes the timeline comment before the state, so a failure
in between leaves an entry that a re-run finds by its marker instead of a lost one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Final

from ops_actions.errors import ExitCode, OpsError
from ops_actions.flows.closes import Settled, settle_close
from ops_actions.flows.timelines import TimelineReader
from ops_actions.flows.tracker_protocols import Delivered, IncidentTracker, IssueView
from ops_actions.incident.clock import iso
from ops_actions.incident.issue_body import incident_body, merged_body, refreshed_body
from ops_actions.incident.labels import (
    AUTO_LABEL_COLOR,
    incident_title,
    issue_title,
    label_specs,
    labels_for,
    repaired_title,
)
from ops_actions.incident.new_issue import NewIssue
from ops_actions.incident.opening import fill_opening, opening_marker
from ops_actions.incident.operation_keys import marker_of
from ops_actions.incident.resolution_gate import missing_for_resolution
from ops_actions.incident.state import IncidentState, state_fits_playbook
from ops_actions.incident.state_block import read_state, rebuild_state, replay, state_delta, with_state
from ops_actions.incident.timeline import TimelineEvent
from ops_actions.incident.transitions import CONFIRMED, assign_owner, new_incident, owner_login, resolve
from ops_actions.incident.triage_report import TriageReport
from ops_actions.playbook.model import INCIDENT_LABEL, Playbook
from ops_actions.text.markdown import MARKER_PREFIX, find_markers, inert

# How often a save re-reads and saves again when others wrote to the issue meanwhile.
CONVERGE_ROUNDS: Final = 3
# (event kind, incident state, issue URL) -> one result per target the update was routed to
Announcer = Callable[[str, IncidentState, str], Sequence[Delivered]]
# CONFIRMED: a second signal came for an incident that rested on unreachability alone; the public
# targets that waited hear of it now (adapters/notify.py).
ANNOUNCED_KINDS = frozenset({"opened", "status", "severity", "resolved", CONFIRMED})


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


class IncidentService:
    """Incident commands for one playbook and tracker."""

    def __init__(
        self,
        tracker: IncidentTracker,
        playbook: Playbook,
        *,
        clock: Callable[[], datetime],
        rerun: bool = False,
        announce: Announcer | None = None,
        timelines: TimelineReader | None = None,
    ) -> None:
        self.tracker = tracker
        # Shared by every flow of the process: a timeline read once is read again only from since=.
        self.timelines = timelines or TimelineReader(tracker)
        self.playbook = playbook
        self.clock = clock
        self.announce = announce
        # On a re-run, a comment may exist from the first attempt even though the state never saw it.
        self.rerun = rerun

    # -- reading ----------------------------------------------------------------------------

    def by_tool(self, author: str) -> bool:
        """Whether the tool wrote it: only markers and state blocks the token's own identity wrote count."""
        return author == self.tracker.login()

    def block(self, issue: IssueView) -> IncidentState | None:
        """The issue's state block when the tool wrote the issue and the block fits the playbook."""
        if not self.by_tool(issue.author):
            return None  # the author of an issue can edit its body: a block there proves nothing
        state = read_state(issue.body)
        return state if state is not None and state_fits_playbook(self.playbook, state) else None

    def state_of(self, issue: IssueView, own: Sequence[str] | None = None) -> IncidentState:
        """The issue's state block (with what the timeline has that the block lacks replayed), or a
        state rebuilt from labels, assignees and the tool's own markers.

        ``own``: the tool's comments on the issue, when the caller has read them already.
        """
        state = self.block(issue)
        if state is not None:
            if issue.comments <= state.comments_seen:
                return state
            unseen = (
                None if own is not None else self.timelines.after_cursor(issue, state.comments_read_until)
            )
            if unseen is None:
                bodies = self.own_comments(issue.number, issue=issue) if own is None else own
                cursor = self.timelines.read_until(issue.number) or state.comments_read_until
            else:
                bodies, cursor = unseen  # a save that failed or raced: only after the block's read
            replayed = replay(
                self.playbook, state, [m for body in bodies for m in find_markers(body, "event")]
            )
            replayed.comments_read_until = cursor
            return replayed
        rebuilt = self.rebuilt(issue, self.own_comments(issue.number, issue=issue) if own is None else own)
        rebuilt.comments_read_until = self.timelines.read_until(issue.number)
        return rebuilt

    def rebuilt(self, issue: IssueView, own: Sequence[str]) -> IncidentState:
        """A state rebuilt from labels, assignees, the tool's own opening body and its comments ``own``."""
        opening = [issue.body] if self.by_tool(issue.author) else []
        return rebuild_state(
            self.playbook,
            title=issue.title,
            labels=issue.labels,
            assignees=issue.assignees,
            created_at=issue.created_at,
            marked_texts=[*opening, *own],
        )

    def recorded_state(self, issue: IssueView) -> IncidentState:
        """The state for a report's figures, from what the listing shows wherever it can.

        The tool's own block is taken as it is: every command saves it after its timeline comment,
        so newer comments are people's (the usual case), or an entry whose save failed, which the
        incident's next command replays and saves. An issue whose body holds no marker at all was
        never saved by the tool, so none of the tool's entries are in its timeline: it is rebuilt
        from its labels alone. Only the rest (a block in an issue someone else opened, a block that
        does not parse) has its comments read, as :meth:`state_of` does.
        """
        state = self.block(issue)
        if state is not None:
            return state
        if MARKER_PREFIX not in issue.body:
            return self.rebuilt(issue, [])
        return self.state_of(issue)

    def own_comments(self, number: int, *, settle: bool = True, issue: IssueView | None = None) -> list[str]:
        """Bodies of the comments the tool wrote, oldest first: the only ones trusted for markers (a job
        token is github-actions[bot] in every workflow of the repository, so its form counts too).
        ``settle``: commands that may write delete repeats; ``issue``: as just read (see
        :meth:`ops_actions.flows.timelines.TimelineReader.own_bodies`)."""
        delete = (lambda comment_id: self.tracker.delete_comment(number, comment_id)) if settle else None
        return self.timelines.own_bodies(number, issue, delete=delete)

    def find_open(
        self, key: str, listed: Sequence[IssueView] | None = None, *, settle: bool = True
    ) -> list[tuple[IssueView, IncidentState]]:
        """Open incidents with this dedupe key, oldest (lowest number) first (``listed``: already read).

        With ``settle``, a second open incident of the key (a create GitHub carried out late) is
        closed as a duplicate of the first, so only the first is returned.
        """
        found = []
        for issue in self.tracker.open_incidents(self.playbook.incident_labels) if listed is None else listed:
            block = self.block(issue)
            if block is not None and block.key != key:
                continue  # no transition changes a key, so its timeline cannot: no need to read it
            state = self.state_of(issue)
            if state.key == key:
                found.append((issue, state))
        found.sort(key=lambda pair: pair[0].number)
        if settle:
            for duplicate, _ in found[1:]:
                self.close_duplicate(duplicate, found[0][0].number)
            return found[:1]
        return found

    def close_duplicate(self, issue: IssueView, winner: int) -> None:
        """Close an incident as a duplicate of #winner; without the incident label it neither counts as
        open nor triggers a postmortem."""
        self.tracker.comment(
            issue.number,
            f"Duplicate of #{winner}: another run opened the same incident at the same time.",
            marker=marker_of(f"duplicate-of-{winner}"),
        )
        self.tracker.edit_issue(
            issue.number, labels=["duplicate"], state="closed", state_reason="not_planned"
        )

    def read(self, number: int, *, settle: bool = True) -> tuple[IssueView, IncidentState]:
        """Incident #number and its state, with ``settle`` after a close that skipped the gate was
        settled (:func:`ops_actions.flows.closes.settle_close`); OpsError when the issue is not an
        incident."""
        issue = self._incident(number)
        if not settle:
            return issue, self.state_of(issue)
        settled = settle_close(self, issue, self.state_of(issue))
        return settled.issue, settled.state

    def read_timeline(self, number: int) -> tuple[Settled, list[str]]:
        """Like :meth:`read`, with the tool's own comments (a postmortem's timeline), read once
        (again only when settling the close wrote to the timeline)."""
        issue = self._incident(number)
        own = self.own_comments(issue.number, issue=issue)
        settled = settle_close(self, issue, self.state_of(issue, own))
        if settled.done is not None:
            own = self.own_comments(issue.number, issue=settled.issue)
        return settled, own

    def _incident(self, number: int) -> IssueView:
        issue = self.tracker.issue(number)
        if issue.is_pull_request:
            # Anyone with triage access can label a pull request; /merge would close it.
            raise OpsError(f"#{number} is a pull request, not an incident", ExitCode.USAGE)
        if INCIDENT_LABEL not in issue.labels:
            raise OpsError(
                f"issue #{number} is not an incident (no '{INCIDENT_LABEL}' label)", ExitCode.USAGE
            )
        return issue

    def require_open(self, issue: IssueView, state: IncidentState, action: str) -> None:
        """Refuse to act on a closed or resolved incident (exit 2): checked before anything is written."""
        if issue.state == "open" and state.status != self.playbook.statuses[-1]:
            return
        shown = "closed" if issue.state != "open" else state.status
        raise OpsError(
            f"incident #{issue.number} is {shown}: {action} refused (reopen it, or open a new incident)",
            ExitCode.USAGE,
        )

    def stale(self, issue: IssueView, state: IncidentState) -> bool:
        """Whether the issue does not show ``state`` yet: its block lacks what the timeline has (a save
        that failed or raced), so title, labels and assignees may lag too."""
        shown = read_state(issue.body)
        return shown is None or _kept(shown) != _kept(state)

    # -- writing ----------------------------------------------------------------------------

    def _post(self, issue: IssueView, event: TimelineEvent) -> None:
        """Post a timeline comment unless a re-run finds it already posted (by the tool itself)."""
        if self.rerun and any(
            marker_of(event.key) in body for body in self.own_comments(issue.number, issue=issue)
        ):
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
        repair: bool = False,
        reopen: bool = False,
    ) -> None:
        """Write the state block and the labels; ``repair`` also brings the title's severity, the
        assignee and a resolved incident's closing in line with the state; ``reopen`` reopens the
        issue.

        When others wrote to the issue meanwhile (its comment count grew past ours), it is read
        again and what they wrote is replayed in timeline order and saved, so title, labels and the
        block end agreeing with the timeline.
        """
        final = self.playbook.statuses[-1]
        for _ in range(CONVERGE_ROUNDS):
            state.comments_seen = issue.comments + posted
            merged, state.body_written = merged_body(self.playbook, state, issue.body)
            body = refreshed_body(self.playbook, state, merged, self.clock())
            closing = close or (repair and state.status == final and issue.state == "open")
            opening = reopen and issue.state != "open"
            new_title = (
                issue_title(state) if title else repaired_title(issue.title, state) if repair else None
            )
            saved = self.tracker.edit_issue(
                issue.number,
                body=body,
                labels=labels_for(self.playbook, state, issue.labels),
                title=new_title,
                state="closed" if closing else "open" if opening else None,
                state_reason="completed" if closing else "reopened" if opening else None,
            )
            self._fix_labels(saved)
            if repair and state.owner and state.owner not in saved.assignees:
                self.tracker.assign(issue.number, [state.owner])
            if saved.comments <= state.comments_seen:
                return
            latest = self.state_of(saved)
            if _kept(latest) == _kept(state):
                return
            issue, state, posted, title, repair = saved, latest, 0, False, True

    def apply(
        self,
        number: int,
        key: str,
        transition: Callable[[IncidentState], tuple[IncidentState, TimelineEvent]],
        *,
        title: bool = False,
        close: bool = False,
        refused_when_closed: str | None = None,
    ) -> Outcome:
        """Run a transition on incident #number once per key: comment first, then state.

        ``refused_when_closed``: the action's name, when it is refused (exit 2, nothing written) on
        a closed or resolved incident, as every update people make is: whatever it says would reach
        the status page after "resolved". A re-run of an operation that was done still finds it done.
        """
        issue, state = self.read(number)
        if refused_when_closed and not state.has_applied(key):
            self.require_open(issue, state, refused_when_closed)
        return self.apply_to(issue, state, key, transition, title=title, close=close)

    def apply_to(
        self,
        issue: IssueView,
        state: IncidentState,
        key: str,
        transition: Callable[[IncidentState], tuple[IncidentState, TimelineEvent]],
        *,
        title: bool = False,
        close: bool = False,
    ) -> Outcome:
        """Like :meth:`apply`, for an incident already read (the watch lists them anyway)."""
        number = issue.number
        if state.has_applied(key):
            if self.stale(issue, state):
                # Replayed from its comment: the earlier run's save failed; finish it now.
                self._save(issue, state, repair=True)
            return Outcome(number, issue.html_url, "unchanged", f"#{number}: already done ({key})", state)
        repair = self.stale(issue, state)
        person_opened = not self.by_tool(issue.author)
        # A person opened it and can rename it at will: the public title is the one it had when a
        # writer last ran a command on it (this one), kept in the tool's own entry.
        confirmed = (
            replace(state, title=incident_title(self.playbook, issue.title)) if person_opened else state
        )
        new, event = transition(confirmed)
        delta = state_delta(state, new)
        if person_opened:
            delta["set"] = {**delta.get("set", {}), "title": new.title}
        event = replace(event, delta=delta)
        new.mark_applied(key)
        self._post(issue, event)
        self._save(issue, new, title=title, close=close, posted=1, repair=repair)
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
        note = TimelineEvent(
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
        detected_by: Mapping[str, str] | None = None,
        runner_view: str | None = None,
        severity_note: str | None = None,
        inputs: Sequence[dict[str, object]] = (),
    ) -> Outcome:
        """Open an incident, or update the open one with the same dedupe key.

        ``causes``: what it is opened for (see incident/causes.py); ``related``: the open incidents
        its body links to (the watch links it in theirs); ``detected_by``: how it was opened
        (``how``: triage, alert, button or cli; ``source``, ``by``); ``runner_view``: what the runner
        saw, when the incident rests on unreachability alone (kept in the opening marker too, so a
        rebuilt state still holds customers back); ``severity_note``: why it opens with the severity
        it has, when a person's and the triage's differ (a timeline comment).
        """
        now = self.clock()
        existing = self.find_open(key, listed)
        if existing:
            issue, state = existing[0]
            if state.has_applied(operation):
                # A re-run of the opening: the note it did not get to post, once.
                self._note_severity(issue, state, severity_note, f"{operation}:severity")
                return Outcome(
                    issue.number, issue.html_url, "unchanged", f"#{issue.number} is already open", state
                )
            event = TimelineEvent(
                key=operation,
                kind="retriggered",
                at=iso(now),
                summary="triggered again",
                body=f"**Triggered again** while open: {inert(title)}",
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
            detected_by=detected_by,
            inputs=inputs,
        )
        state.mark_applied(operation)
        fill_opening(
            self.playbook,
            state,
            report=report,
            components=components,
            alerts=alerts,
            causes=causes,
            related=related,
            runner_view=runner_view,
        )
        visible = incident_body(self.playbook, state, report=report, links=links, now=now)
        visible += "\n" + opening_marker(operation, state)
        body, state.body_written = merged_body(self.playbook, state, visible)
        body = with_state(body, state)
        created = self.tracker.create_issue(
            NewIssue(
                title=issue_title(state),
                body=body,
                labels=labels_for(self.playbook, state),
                marker=marker_of(operation),
                find_labels=self.playbook.incident_labels,
            )
        )
        self._fix_labels(created)
        outcome = self._settle_race(key, created, state)
        if outcome.action == "opened":
            self._notify(created, "opened", state, operation)
            self._note_severity(created, state, severity_note, f"{operation}:severity")
        return outcome

    def _note_severity(self, issue: IssueView, state: IncidentState, note: str | None, key: str) -> None:
        """Post the opening's severity note once (its key says it was posted)."""
        if note is not None and not state.has_applied(key):
            event = TimelineEvent(
                key, "severity-note", iso(self.clock()), "severity at opening", note, state.key
            )
            self.record(issue, state, replace(state), [event])

    def _settle_race(self, key: str, created: IssueView, state: IncidentState) -> Outcome:
        """When two runs opened the same key at once, the lowest number wins; the other closes itself
        (only itself: the rival run settles its own)."""
        rivals = self.find_open(key, settle=False)
        winner = rivals[0][0] if rivals else created
        if winner.number == created.number:
            return Outcome(created.number, created.html_url, "opened", f"opened #{created.number}", state)
        self.close_duplicate(created, winner.number)
        return Outcome(
            winner.number,
            winner.html_url,
            "updated",
            f"#{winner.number} was opened by a concurrent run",
            state,
        )

    def record(
        self,
        issue: IssueView,
        before: IncidentState,
        after: IncidentState,
        events: Sequence[TimelineEvent],
        *,
        reopen: bool = False,
    ) -> list[TimelineEvent]:
        """Post the events not yet applied, then save the state once if anything changed (and with
        ``reopen``, reopen the issue); a new severity retitles the issue, and announced events (a
        raised severity) are notified."""
        fresh = [event for event in events if not before.has_applied(event.key)]
        if fresh:  # the whole change rides on the last event, so a replay applies it once
            fresh[-1] = replace(fresh[-1], delta=state_delta(before, after))
        repair = self.stale(issue, before)
        for event in fresh:
            after.mark_applied(event.key)
            self._post(issue, event)
        if fresh or after != before or repair or reopen:
            retitle = after.severity != before.severity
            self._save(issue, after, posted=len(fresh), repair=repair, title=retitle, reopen=reopen)
        for event in fresh:
            self._notify(issue, event.kind, after, event.key)
        return fresh

    def assign(self, number: int, key: str, owner: str, *, by: str | None) -> Outcome:
        """Assign the owner on GitHub, then record it on the timeline: the timeline names an owner
        only once GitHub assigned them (it silently leaves out whoever cannot be assigned)."""
        issue, state = self.read(number)
        login = owner_login(owner)
        if not state.has_applied(key):
            self.require_open(issue, state, "owner change")
            assigned = self.tracker.assign(number, [login])
            if login.lower() not in (name.lower() for name in assigned):
                raise OpsError(
                    f"GitHub did not assign @{login} to #{number}: only collaborators and people who "
                    "took part in the issue can be assigned, so the owner is unchanged",
                    ExitCode.GITHUB,
                )
        return self.apply_to(
            issue, state, key, lambda s: assign_owner(s, owner=login, now=self.clock(), by=by, key=key)
        )

    def resolve(self, number: int, key: str, *, by: str | None, force_reason: str | None = None) -> Outcome:
        """Close with the compiled timeline and durations, once the automatic checklist items hold.

        ``force_reason`` overrides what is missing; the override is recorded in the final comment.
        """
        issue, state = self.read(number)
        if not state.has_applied(key):  # a re-run of the same resolve finds it done, below
            self.require_open(issue, state, "resolve")
        missing = missing_for_resolution(self.playbook, state, self.clock())
        if missing and not force_reason and not state.has_applied(key):
            raise OpsError(
                f"#{number} cannot be resolved yet: missing "
                + "; ".join(missing)
                + ". Override with --force --reason (or /resolve force <reason>).",
                ExitCode.REFUSED,
            )
        bodies = self.own_comments(issue.number, issue=issue)
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


def _kept(state: IncidentState) -> IncidentState:
    """The state without the block's reading bookkeeping (what it saw of the timeline, and until when)."""
    return replace(state, comments_seen=0, comments_read_until=None)
