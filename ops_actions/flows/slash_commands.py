"""Run the slash commands of one issue comment: authorize, acknowledge, apply in order, reply.

The comment is the status log: 👀 once the commenter is authorized, then 👍 when every command
worked or 👎 with a reply that gives the usage line. Only collaborators with write access are
obeyed (the collaborator-permission API, not ``author_association``, which under-reports org
members). Anyone who can comment starts the workflow, so a refusal costs little: one reply and 👎
per person and issue, then nothing but two reads. Comments the tool wrote itself (under a
personal token its comments are not a bot's) never run.

:data:`SLASH_OPERATIONS` binds each command of the registry
(:mod:`ops_actions.incident.slash_registry`) to the operation it runs, most of them from
:mod:`ops_actions.flows.incident_operations`, which the ``incident`` CLI subcommands call too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from ops_actions.errors import OpsError
from ops_actions.flows.incident_operations import (
    mark_incident_planned,
    merge_incidents,
    post_status_update,
    resolve_incident,
    set_impact,
    set_owner,
    set_public_title,
    set_severity,
    split_cause,
    tick_manual_check,
)
from ops_actions.flows.incidents import IncidentService, Outcome
from ops_actions.flows.maintenance import WindowRequest, end_window, start_window
from ops_actions.flows.postmortems import Postmortems
from ops_actions.flows.remediation import Remediator
from ops_actions.flows.tracker_protocols import CommandTracker
from ops_actions.incident.clock import iso
from ops_actions.incident.maintenance import REQUEST_LABEL, request_words
from ops_actions.incident.operation_keys import marker_keys, marker_of
from ops_actions.incident.slash_grammar import Command, CommandError, parse_comment
from ops_actions.incident.slash_registry import SLASH_COMMANDS, PlaybookTerms, help_text, may_command
from ops_actions.playbook.maintenance import MAINTENANCE_LABEL
from ops_actions.playbook.model import INCIDENT_LABEL
from ops_actions.text.markdown import encode_marker, inert


def is_bot(user: Mapping[str, Any]) -> bool:
    """Whether a payload's user is a bot (an app, or an account named like one)."""
    return user.get("type") == "Bot" or str(user["login"]).endswith("[bot]")


def unreadable_permission(login: str) -> str:
    """The line for a person whose permission GitHub would not tell the token: nothing they asked for
    is done (never obeyed on a guess), and the team reads what to fix."""
    return (
        f"refused: GitHub would not tell {login}'s permission to this token (403: it needs push access "
        "to the repository); nothing was done"
    )


@dataclass(frozen=True)
class CommentEvent:
    """The parts of an ``issue_comment`` payload the commands need."""

    action: str
    number: int
    labels: tuple[str, ...]
    is_pull_request: bool
    comment_id: int
    body: str
    author: str
    author_is_bot: bool

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> CommentEvent:
        """Validate the payload's shape; OpsError names the first field that is wrong."""
        try:
            issue, comment = payload["issue"], payload["comment"]
            user = comment["user"]
            event = cls(
                action=str(payload["action"]),
                number=int(issue["number"]),
                labels=tuple(str(label["name"]) for label in issue.get("labels") or []),
                is_pull_request=bool(issue.get("pull_request")),
                comment_id=int(comment["id"]),
                body=comment["body"] if isinstance(comment.get("body"), str) else "",
                author=str(user["login"]),
                author_is_bot=is_bot(user),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise OpsError(f"not an issue_comment event payload (missing or bad {error})") from None
        return event


class SlashCommands:
    """Carries out one comment's commands against an incident."""

    def __init__(
        self,
        *,
        tracker: CommandTracker,
        incidents: IncidentService,
        remediator: Remediator,
        postmortems: Postmortems,
    ) -> None:
        self.tracker = tracker
        self.incidents = incidents
        self.remediator = remediator
        self.postmortems = postmortems

    def ignored_because(self, event: CommentEvent) -> str | None:
        """Why this comment is not for us, or None."""
        if event.action != "created":
            return f"comment {event.action}, not created"
        if event.is_pull_request:
            return "a comment on a pull request"
        if INCIDENT_LABEL not in event.labels and MAINTENANCE_LABEL not in event.labels:
            return f"issue #{event.number} is not labelled {INCIDENT_LABEL} or {MAINTENANCE_LABEL}"
        if event.author_is_bot:
            return "a comment by a bot"
        return None

    def handle(self, event: CommentEvent) -> list[str]:
        """Run the comment's commands; returns one line per command for the log and job summary."""
        reason = self.ignored_because(event)
        if reason:
            return [f"ignored: {reason}"]
        playbook = self.incidents.playbook
        parsed = parse_comment(event.body, statuses=playbook.statuses, severities=playbook.severities)
        if not parsed:
            return ["ignored: no slash command in the comment"]
        if self.incidents.by_tool(event.author):
            return ["ignored: a comment the tool wrote itself"]
        permission = self.tracker.permission(event.author)
        if permission is None:
            return [unreadable_permission(event.author)]
        if not may_command(permission):
            return [self._refuse(event, permission)]
        self.tracker.add_reaction(event.number, event.comment_id, "eyes")
        results: list[str] = []
        problems: list[str] = []
        for index, item in enumerate(parsed):
            if isinstance(item, CommandError):
                problems.append(self._problem(item))
                results.append(f"line {item.line}: {item.message}")
                continue
            key = f"comment-{event.comment_id}-{index}"
            try:
                results.append(self._run(CommandRun(item, key, event, self), permission))
            except OpsError as error:
                problems.append(f"- `/{item.name}`: {inert(error.message)}")
                results.append(f"/{item.name}: {error.message}")
        if problems:
            self.reply(event, "Some commands were not carried out:\n\n" + "\n".join(problems))
        self.tracker.add_reaction(event.number, event.comment_id, "-1" if problems else "+1")
        return results

    @staticmethod
    def _problem(error: CommandError) -> str:
        shown = inert(error.text).replace("`", "'")
        usage = f" Usage: `{error.usage}`" if error.usage and "  " not in error.usage else ""
        listing = "\n\n" + help_text() if "  " in error.usage else ""
        return f"- line {error.line} `{shown}`: {inert(error.message)}.{usage}{listing}"

    def _refuse(self, event: CommentEvent, permission: str) -> str:
        """Tell someone without write access once per issue that nothing changed; after that, stay silent."""
        line = f"refused: {event.author} has {permission} permission"
        key = f"refused-{event.author.lower()}"
        if any(key in marker_keys(body) for body in self.incidents.own_comments(event.number)):
            return f"{line} (told before; no reply)"
        self.reply(
            event,
            "Sorry, incident commands need write access to this repository "
            f"(yours: {permission}). Nothing was changed, and further commands of yours here are ignored.",
            key=key,
        )
        self.tracker.add_reaction(event.number, event.comment_id, "-1")
        return line

    def reply(
        self, event: CommentEvent, text: str, *, purpose: str = "reply", key: str | None = None
    ) -> None:
        key = key or f"comment-{event.comment_id}-{purpose}"
        body = f"{text}\n\n<sub>In reply to {event.author}'s comment.</sub>"
        marker = encode_marker("reply", {"key": key})
        self.tracker.comment(event.number, f"{body}\n\n{marker}\n", marker=marker_of(key))

    @staticmethod
    def _run(run: CommandRun, permission: str) -> str:
        """One valid command, if the commenter may run it; returns what it did."""
        name = run.command.name
        if permission not in SLASH_COMMANDS[name].permissions:
            who = SLASH_COMMANDS[name].who_may()
            raise OpsError(f"/{name} is for {who} permission only (yours: {permission})")
        operation = SLASH_OPERATIONS.get(name)
        if INCIDENT_LABEL not in run.event.labels and name not in _ON_ANY_ISSUE:
            raise OpsError(
                f"/{name} works on incident issues; a maintenance window's issue takes /maintenance"
            )
        if operation is None:
            raise OpsError(f"/{name} is not available here")
        return operation(run)


@dataclass(frozen=True)
class CommandRun:
    """One valid command of a comment being run: its operation key, the comment, and the services."""

    command: Command
    key: str
    event: CommentEvent
    slash: SlashCommands

    @property
    def args(self) -> dict[str, str]:
        return self.command.args

    @property
    def number(self) -> int:
        """The incident the comment is on."""
        return self.event.number

    @property
    def by(self) -> str:
        """Who wrote the command."""
        return self.event.author

    @property
    def incidents(self) -> IncidentService:
        return self.slash.incidents

    def said(self, outcome: Outcome) -> str:
        """The log line of a command whose operation returned this outcome."""
        return f"/{self.command.name}: {outcome.message}"


# A command's operation, bound to its arguments: runs it and returns the line for the log and summary.
Operation = Callable[[CommandRun], str]


def _status(run: CommandRun) -> str:
    args = run.args
    minutes = int(args["next_minutes"]) if "next_minutes" in args else None
    return run.said(
        post_status_update(
            run.incidents,
            run.number,
            key=run.key,
            status=args["status"],
            next_minutes=minutes,
            message=args["text"],
            by=run.by,
            public=args.get("public", ""),
        )
    )


def _public_title(run: CommandRun) -> str:
    title = run.args["title"]
    return run.said(set_public_title(run.incidents, run.number, key=run.key, title=title, by=run.by))


def _severity(run: CommandRun) -> str:
    severity, reason = run.args["severity"], run.args["reason"]
    return run.said(
        set_severity(run.incidents, run.number, key=run.key, severity=severity, reason=reason, by=run.by)
    )


def _owner(run: CommandRun) -> str:
    return run.said(set_owner(run.incidents, run.number, key=run.key, owner=run.args["owner"], by=run.by))


def _impact(run: CommandRun) -> str:
    return run.said(set_impact(run.incidents, run.number, key=run.key, impact=run.args["impact"], by=run.by))


def _dispatch(run: CommandRun) -> str:
    """/deploy, /rollback and /smoke: the playbook's workflow of that role (/rollback --hotfix asks it
    for the hotfix branch too)."""
    name = run.command.name
    done = run.slash.remediator.dispatch(
        name,
        incident=run.number,
        ref=run.args.get("ref"),
        key=run.key,
        by=run.by,
        hotfix=run.args.get("hotfix") == "true",
    )
    line = f"/{name}: {'already dispatched' if done.already else 'dispatched'}: {done.url}"
    if done.hotfix_branch:
        line += f"; the run opens {done.hotfix_branch} once the rollback succeeded"
    return line


def _check(run: CommandRun) -> str:
    item = run.args["item"]
    return run.said(
        tick_manual_check(run.incidents, run.number, key=run.key, item=item, by=run.by, via="/check")
    )


def _merge(run: CommandRun) -> str:
    other = int(run.args["number"])
    return run.said(merge_incidents(run.incidents, run.number, other=other, key=run.key, by=run.by))


def _split(run: CommandRun) -> str:
    return run.said(split_cause(run.incidents, run.number, cause=run.args["cause"], key=run.key, by=run.by))


def _resolve(run: CommandRun) -> str:
    force_reason = run.args.get("reason") if run.args.get("force") else None
    outcome, filed = resolve_incident(
        run.slash.postmortems, run.number, key=run.key, by=run.by, force_reason=force_reason
    )
    return f"/resolve: {outcome.message}; {'; '.join(filed.lines)}"


def _postmortem(run: CommandRun) -> str:
    result = run.slash.postmortems.create(run.number)
    return f"/postmortem: {'; '.join(result.lines)}"


def _planned(run: CommandRun) -> str:
    window = run.args["window"]
    return run.said(mark_incident_planned(run.incidents, run.number, key=run.key, window=window, by=run.by))


def window_request(args: Mapping[str, str], by: str) -> WindowRequest:
    """The window ``/maintenance start``'s parsed arguments ask for."""
    return WindowRequest(
        minutes=int(args["minutes"]),
        components=tuple(c for c in args["components"].split(",") if c),
        reason=args["reason"],
        by=by,
        title=args["title"],
        freeze_deploys=args.get("freeze_deploys") == "true",
    )


def _maintenance(run: CommandRun) -> str:
    """/maintenance start …: an ad hoc window from now; /maintenance end [#N]: end one now (this
    issue's own window when no number is given)."""
    args, tracker, playbook = run.args, run.slash.tracker, run.incidents.playbook
    now = run.incidents.clock()
    if args["action"] == "end":
        window = end_window(tracker, int(args.get("number", run.number)), now=now)
        return f"/maintenance: ended {window.id} at {iso(window.end)}"
    request = window_request(args, run.by)
    issue, window = start_window(tracker, playbook, request, now=now, key=run.key)
    return f"/maintenance: started {window.id} until {iso(window.end)}: {issue.html_url}"


def _help(run: CommandRun) -> str:
    run.slash.reply(run.event, "Incident commands:\n\n" + help_text(), purpose="help")
    return "/help: replied with the command list"


# Each registered slash command's operation (a test keeps the names the registry's).
SLASH_OPERATIONS: Final[dict[str, Operation]] = {
    "status": _status,
    "public-title": _public_title,
    "sev": _severity,
    "owner": _owner,
    "impact": _impact,
    "deploy": _dispatch,
    "rollback": _dispatch,
    "smoke": _dispatch,
    "check": _check,
    "merge": _merge,
    "split": _split,
    "resolve": _resolve,
    "postmortem": _postmortem,
    "planned": _planned,
    "maintenance": _maintenance,
    "help": _help,
}
# What a comment on a maintenance window's issue may run.
_ON_ANY_ISSUE: Final = frozenset({"maintenance", "help"})


@dataclass(frozen=True)
class RequestEvent:
    """The parts of an ``issues`` ``opened`` payload of the "Maintenance window" issue form."""

    number: int
    labels: tuple[str, ...]
    body: str
    sender: str
    sender_is_bot: bool

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> RequestEvent:
        """Validate the payload's shape; OpsError names the first field that is wrong."""
        try:
            issue, sender = payload["issue"], payload["sender"]
            return cls(
                number=int(issue["number"]),
                labels=tuple(str(label["name"]) for label in issue.get("labels") or []),
                body=issue["body"] if isinstance(issue.get("body"), str) else "",
                sender=str(sender["login"]),
                sender_is_bot=is_bot(sender),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise OpsError(f"not an issues event payload (missing or bad {error})") from None


def handle_request(slash: SlashCommands, event: RequestEvent) -> list[str]:
    """A "Maintenance window" form's issue: a writer's starts the window as ``/maintenance start``
    would (the form's answers read by its parser), linked in a reply, and the request is closed;
    anyone else's gets one reply and nothing else."""
    if REQUEST_LABEL not in event.labels or event.sender_is_bot:
        return [f"ignored: issue #{event.number} is no {REQUEST_LABEL} of a person"]
    tracker, playbook = slash.tracker, slash.incidents.playbook
    permission = tracker.permission(event.sender)
    if permission is None:
        return [unreadable_permission(event.sender)]
    key = f"maintenance-request-{event.number}"

    def reply(text: str) -> None:
        marker = encode_marker("reply", {"key": key})
        tracker.comment(event.number, f"{text}\n\n{marker}\n", marker=marker_of(key))

    if not may_command(permission):
        reply(f"Sorry, maintenance windows need write access to this repository (yours: {permission}).")
        return [f"refused: {event.sender} has {permission} permission"]
    command = SLASH_COMMANDS["maintenance"]
    try:
        args = command.arguments(
            request_words(event.body), PlaybookTerms(playbook.statuses, playbook.severities)
        )
        issue, window = start_window(
            tracker, playbook, window_request(args, event.sender), now=slash.incidents.clock(), key=key
        )
    except (ValueError, OpsError) as error:
        problem = error.message if isinstance(error, OpsError) else str(error)
        reply(f"No window was started: {inert(problem)}. Edit nothing here; open a new request.")
        return [f"maintenance request #{event.number}: {problem}"]
    reply(f"Started maintenance {window.id} until {iso(window.end)}: #{issue.number}.")
    tracker.edit_issue(event.number, state="closed", state_reason="completed")
    return [
        f"maintenance request #{event.number}: started {window.id} until {iso(window.end)}: {issue.html_url}"
    ]
