"""Postmortems against the tracker: create (or refresh), sync action items, remind.

The postmortem issue links its incident and the incident links it back. Action items become
sub-issues (or plain linked issues where the sub-issues API is missing), assigned to their owner,
and their checkboxes follow the issues' state both ways. Problems in a hand-edited body are
reported in a comment, never raised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from ops_actions.errors import OpsError
from ops_actions.flows.incidents import IncidentService, Outcome
from ops_actions.flows.tracker_protocols import IssueView, IssueWithId, PostmortemTracker
from ops_actions.incident.clock import iso, parse_time
from ops_actions.incident.figures import IncidentRecord, PostmortemRecord
from ops_actions.incident.labels import issue_title, service_labels, service_of
from ops_actions.incident.new_issue import NewIssue
from ops_actions.incident.operation_keys import marker_of
from ops_actions.incident.postmortem import (
    ACTION_EXAMPLE,
    ACTION_FORM,
    ACTION_LABEL,
    POSTMORTEM_LABEL,
    PostmortemState,
    action_items,
    due_at,
    empty_sections,
    generated_block,
    postmortem_body,
    read_postmortem_state,
    sync_plan,
    with_postmortem_state,
)
from ops_actions.incident.state import IncidentState
from ops_actions.incident.timeline import TimelineEvent, compile_timeline
from ops_actions.text.markdown import encode_marker, refresh_generated, set_task

MAX_PROBLEMS_SHOWN = 20


@dataclass(frozen=True)
class Result:
    number: int
    url: str
    lines: list[str]


class Postmortems:
    """Postmortem commands for one playbook and tracker."""

    def __init__(
        self, *, tracker: PostmortemTracker, incidents: IncidentService, clock: Callable[[], datetime]
    ) -> None:
        self.tracker = tracker
        self.incidents = incidents
        self.playbook = incidents.playbook
        self.clock = clock

    def create(self, incident_number: int, *, asked: bool = True) -> Result:
        """Create the incident's postmortem, or refresh the facts of the existing one.

        Never for an open incident (OpsError, exit 2). An incident closed as not planned (a false
        alarm) gets one only when ``asked`` (``/postmortem``, or a number given on the command line),
        not from the workflow that runs whenever an incident closes.
        """
        settled, own = self.incidents.read_timeline(incident_number)
        issue, state = settled.issue, settled.state
        if issue.state == "open" and settled.done is not None and not asked:
            # The close that started incident-postmortem.yml skipped the gate: undone, no postmortem.
            return Result(issue.number, issue.html_url, [settled.done])
        if issue.state == "open":
            raise OpsError(
                f"#{incident_number} is still open: its postmortem follows the resolution (/resolve)"
            )
        if state.false_alarm is not None and not asked:
            return Result(
                issue.number,
                issue.html_url,
                [
                    f"#{incident_number} was closed as not planned (a false alarm): no postmortem; "
                    "ask for one with /postmortem"
                ],
            )
        return self._file(issue, state, own)

    def _file(self, issue: IssueView, state: IncidentState, own: Sequence[str] | None = None) -> Result:
        """File the postmortem (or refresh it); ``own``: the tool's comments on the incident, if read."""
        incident_number = issue.number
        if own is None:
            own = self.incidents.own_comments(issue.number, issue=issue)
        now = self.clock()
        due = due_at(self.playbook, state, now)
        entries = compile_timeline(state, own)
        generated = generated_block(
            self.playbook,
            number=incident_number,
            state=state,
            entries=entries,
            due=due,
            author=issue.author,
            by_tool=self.incidents.by_tool(issue.author),
        )
        existing = self._find(issue, state)
        if existing is not None:
            body = refresh_generated(existing.body, generated)
            if body != existing.body:
                self.tracker.edit_issue(existing.number, body=body)
            self._link(issue, state, existing)
            return Result(existing.number, existing.html_url, [f"postmortem #{existing.number} refreshed"])
        pm_state = PostmortemState(incident=incident_number, due=iso(due))
        owners = [state.owner] if state.owner else []
        created = self.tracker.create_issue(
            NewIssue(
                title=f"Postmortem: {issue_title(state)} (#{incident_number})",
                body=postmortem_body(self.playbook, generated, pm_state),
                labels=[POSTMORTEM_LABEL, *service_labels(issue.labels)],
                assignees=owners,
                marker=f'"incident":{incident_number},',
                find_labels=[POSTMORTEM_LABEL],
            )
        )
        self._link(issue, state, created)
        line = f"postmortem #{created.number} created, due {iso(due)}{_unassigned(owners, created)}"
        return Result(created.number, created.html_url, [line])

    def resolve(
        self, number: int, key: str, *, by: str | None, force_reason: str | None = None
    ) -> tuple[Outcome, Result]:
        """Resolve the incident, then file its postmortem in the same run.

        A close made with a workflow's GITHUB_TOKEN starts no workflow (GitHub's rule), so the
        ``issues: closed`` workflow never sees it; that workflow files the postmortem for an incident
        a person closes by hand. Creating is idempotent, so both paths never make two.
        """
        outcome = self.incidents.resolve(number, key, by=by, force_reason=force_reason)
        return outcome, self._file(self.tracker.issue(number), outcome.state)

    def _find(self, incident: IssueView, state: IncidentState) -> IssueWithId | None:
        """The incident's postmortem: from its state, else by the marker (a crash between two writes);
        only an issue the tool wrote counts (anyone may open an issue and label it).

        The marker is looked for among the postmortems updated since the incident was opened (by
        GitHub's clock, the one ``since`` compares with): its postmortem came later, so the older
        ones, however many, are never read.
        """
        if state.postmortem:
            found = self.tracker.issue(state.postmortem)
            if POSTMORTEM_LABEL in found.labels and self.incidents.by_tool(found.author):
                return found
        for candidate in self.tracker.issues([POSTMORTEM_LABEL], state="all", since=incident.created_at):
            if not self.incidents.by_tool(candidate.author):
                continue
            pm = read_postmortem_state(candidate.body)
            if pm is not None and pm.incident == incident.number:
                return candidate
        return None

    def _link(self, incident: IssueView, state: IncidentState, postmortem: IssueView) -> None:
        """Record the postmortem on the incident's timeline and state (once)."""
        key = f"postmortem-{postmortem.number}"
        if state.postmortem == postmortem.number and state.has_applied(key):
            return

        def link(current: IncidentState) -> tuple[IncidentState, TimelineEvent]:
            new = replace(current)
            new.postmortem = postmortem.number
            text = f"**Postmortem**: #{postmortem.number} (due {due_text(postmortem.body)})"
            return new, TimelineEvent(
                key, "postmortem", iso(self.clock()), f"postmortem #{postmortem.number}", text, current.key
            )

        self.incidents.apply_to(incident, state, key, link)

    def _postmortem(self, number: int) -> tuple[IssueWithId, PostmortemState]:
        """The postmortem issue for a number (an incident's number leads to its postmortem)."""
        issue = self.tracker.issue(number)
        if POSTMORTEM_LABEL not in issue.labels:
            state = self.incidents.state_of(issue)
            if not state.postmortem:
                raise OpsError(
                    f"#{number} has no postmortem yet; run: ops-actions postmortem create {number}"
                )
            issue = self.tracker.issue(state.postmortem)
        pm = read_postmortem_state(issue.body)
        if pm is None:
            pm = PostmortemState(incident=0, due=iso(self.clock()))
        return issue, pm

    def sync(self, number: int) -> Result:
        """Turn action items into sub-issues and keep their checkboxes in step, both ways.

        Each new item's issue number is saved in the postmortem before the next write, so a sync
        that stops midway (GitHub refused something) leaves nothing for the next one to duplicate,
        and the next one attaches what is not a sub-issue yet. Without a sub-issues API (GitHub
        Enterprise Server before 3.20) the items are linked issues.
        """
        issue, pm = self._postmortem(number)
        items, problems = action_items(issue.body, self.playbook)
        listed = self.tracker.sub_issues(issue.number)
        children = {child.number: child for child in listed or ()}
        known = {
            int(entry["number"]): children.get(int(entry["number"]))
            or self.tracker.issue(int(entry["number"]))
            for entry in pm.items.values()
            if isinstance(entry.get("number"), int)
        }
        lines: list[str] = []
        if listed is None:
            lines.append("no sub-issues API on this GitHub: the action items are linked issues")
        else:
            for child_number, child in known.items():
                if child_number not in children:
                    self.tracker.add_sub_issue(issue.number, child.id)
                    lines.append(f"#{child_number} attached as a sub-issue")
        closed = {child_number: child.state == "closed" for child_number, child in known.items()}
        body = saved = issue.body
        for action, item, entry in sync_plan(items, pm.items, closed):
            if action == "create":
                owner = item.owner or ""
                child = self._create_item(issue, item.action, owner, str(item.due), item.key)
                lines.append(f"#{child.number} created for '{item.action[:60]}'{_unassigned([owner], child)}")
                if item.task.checked:
                    self.tracker.edit_issue(child.number, state="closed", state_reason="completed")
                pm.items[item.key] = {
                    "number": child.number,
                    "checked": item.task.checked,
                    "action": item.action[:200],
                }
                saved = with_postmortem_state(body, pm)
                self.tracker.edit_issue(issue.number, body=saved)  # before any other write
                if listed is not None:
                    self.tracker.add_sub_issue(issue.number, child.id)
                continue
            if action in {"close", "reopen"}:
                self.tracker.edit_issue(
                    entry["number"],
                    state="closed" if action == "close" else "open",
                    state_reason="completed" if action == "close" else "reopened",
                )
                entry["checked"] = action == "close"
                lines.append(f"#{entry['number']} {action}d to match the postmortem")
            elif action in {"tick", "untick"}:
                body = set_task(body, item.task, checked=action == "tick")
                entry["checked"] = action == "tick"
                lines.append(f"'{item.action[:60]}' {action}ed to match #{entry['number']}")
            pm.items[item.key] = {**entry, "action": item.action[:200]}
        shown = problems[:MAX_PROBLEMS_SHOWN]
        report = "\n".join(f"- {problem}" for problem in shown)
        if len(problems) > len(shown):
            report += f"\n- … and {len(problems) - len(shown)} more"
        if problems and report != pm.reported:
            key = f"postmortem-{issue.number}-problems-{len(pm.reported)}-{len(report)}"
            note = (
                f"**Some action items could not be synced.** Write each as `{ACTION_FORM}`, e.g. "
                f"`{ACTION_EXAMPLE}` (the dashes may be —, – , -- or -; the deadline may follow "
                "`due` or `by`):\n\n" + report + "\n\n" + encode_marker("note", {"key": key})
            )
            self.tracker.comment(issue.number, note, marker=marker_of(key))
            lines.append(f"{len(problems)} problem(s) reported")
        pm.reported = report if problems else ""
        new_body = with_postmortem_state(body, pm)
        if new_body != saved:
            self.tracker.edit_issue(issue.number, body=new_body)
        return Result(issue.number, issue.html_url, lines or ["action items already in sync"])

    def _create_item(
        self, postmortem: IssueWithId, action: str, owner: str, due: str, key: str
    ) -> IssueWithId:
        marker = encode_marker("action", {"postmortem": postmortem.number, "item": key})
        body = f"From postmortem #{postmortem.number}.\n\n**Owner:** @{owner} · **Due:** {due}\n\n{marker}\n"
        return self.tracker.create_issue(
            NewIssue(
                title=f"Action: {action[:200]}",
                body=body,
                labels=[ACTION_LABEL, *service_labels(postmortem.labels)],
                assignees=[owner],
                marker=f'"item":"{key}"',
                find_labels=[ACTION_LABEL],
            )
        )

    def remind(self) -> list[str]:
        """Once a day per postmortem: overdue action items, and postmortems still empty when due. On a
        service's view only that service's postmortems (each service's watch of a matrix reminds its own)."""
        today = self.clock().date().isoformat()
        now = self.clock()
        lines = []
        service = self.playbook.service
        labels = [POSTMORTEM_LABEL, service.label] if service else [POSTMORTEM_LABEL]
        for issue in self.tracker.issues(labels, state="open"):
            pm = read_postmortem_state(issue.body) if self.incidents.by_tool(issue.author) else None
            if pm is None:
                continue
            notes = []
            items, _ = action_items(issue.body, self.playbook)
            for item in items:
                if item.task.checked or item.due is None or item.due.isoformat() >= today:
                    continue
                if pm.reminders.get(item.key) == today:
                    continue
                pm.reminders[item.key] = today
                owner = f"@{item.owner}" if item.owner else "(no owner)"
                notes.append(f"- {owner}: '{item.action[:80]}' was due {item.due.isoformat()}")
            empty = empty_sections(issue.body, self.playbook)
            if empty and now >= parse_time(pm.due) and pm.reminders.get("empty") != today:
                pm.reminders["empty"] = today
                notes.append(f"- The postmortem was due {pm.due} and is still empty: {', '.join(empty)}")
            if not notes:
                continue
            key = f"remind-{issue.number}-{today}"
            text = "**Reminder**\n\n" + "\n".join(notes) + "\n\n" + encode_marker("note", {"key": key})
            self.tracker.comment(issue.number, text, marker=marker_of(key))
            self.tracker.edit_issue(issue.number, body=with_postmortem_state(issue.body, pm))
            lines.append(f"postmortem #{issue.number}: reminded ({len(notes)} item(s))")
        return lines


def _unassigned(wanted: Sequence[str], issue: IssueView) -> str:
    """A note naming whoever GitHub did not assign (only collaborators and participants can be)."""
    missing = [login for login in wanted if login and login not in issue.assignees]
    return f" (GitHub could not assign {', '.join('@' + login for login in missing)})" if missing else ""


def due_text(body: str) -> str:
    """The due date a postmortem body records."""
    pm = read_postmortem_state(body)
    return pm.due if pm else "?"


def collect_records(
    tracker: PostmortemTracker, incidents: IncidentService, *, since: datetime
) -> tuple[Iterator[IncidentRecord], Iterator[PostmortemRecord]]:
    """Incidents and postmortems from GitHub for a report: two listings of the issues updated since
    ``since``, and the comments only of the incidents whose figures their listing does not show
    (see :meth:`IncidentService.recorded_state`).

    Both are generators, read one list page at a time as :func:`~ops_actions.incident.figures.build_report`
    takes them (incidents first, then postmortems): the report holds the records it counts, never
    the issues (nor their bodies) of the whole history.
    """

    def incident_records() -> Iterator[IncidentRecord]:
        # One service's view lists its label's incidents only; the whole playbook lists them all.
        for issue in tracker.issues(incidents.playbook.incident_labels, state="all", since=since):
            state = incidents.recorded_state(issue)
            if issue.state == "closed" and issue.closed_at and not state.resolved_at:
                state = replace(state, resolved_at=iso(issue.closed_at))  # closed by hand: it ended then
            yield IncidentRecord(issue.number, state, service_of(issue.labels))

    def postmortem_records() -> Iterator[PostmortemRecord]:
        for issue in tracker.issues([POSTMORTEM_LABEL], state="all", since=since):
            pm = read_postmortem_state(issue.body)
            if pm is None:
                continue
            items, _ = action_items(issue.body, incidents.playbook)
            yield PostmortemRecord(issue.number, pm.incident, parse_time(pm.due), issue.closed_at, items)

    return incident_records(), postmortem_records()
