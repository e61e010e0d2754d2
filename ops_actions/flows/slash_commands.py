"""Run the slash commands of one issue comment: authorize, acknowledge, apply in order, reply.

The comment is the status log: 👀 once the commenter is authorized, then 👍 when every command
worked or 👎 with a reply that gives the usage line. Only collaborators with write access are
obeyed (the collaborator-permission API, not ``author_association``, which under-reports org
members). Anyone who can comment starts the workflow, so a refusal costs little: one reply and 👎
per person and issue, then nothing but two reads. Comments the tool wrote itself (under a
personal token its comments are not a bot's) never run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ops_actions.errors import OpsError
from ops_actions.flows.incidents import Incidents, Outcome, marker_keys, marker_of
from ops_actions.flows.postmortems import Postmortems
from ops_actions.flows.regroup import Regrouper
from ops_actions.flows.remediation import Remediator
from ops_actions.flows.tracker_protocols import CommandTracker
from ops_actions.incident.labels import INCIDENT_LABEL
from ops_actions.incident.resolution_gate import set_check
from ops_actions.incident.slash_grammar import Command, CommandError, help_text, may_command, parse_comment
from ops_actions.incident.transitions import change_impact, change_severity, update_status
from ops_actions.text.markdown import encode_marker, inert


def is_bot(user: Mapping[str, Any]) -> bool:
    """Whether a payload's user is a bot (an app, or an account named like one)."""
    return user.get("type") == "Bot" or str(user["login"]).endswith("[bot]")


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
        incidents: Incidents,
        remediator: Remediator,
        postmortems: Postmortems,
    ) -> None:
        self.tracker = tracker
        self.incidents = incidents
        self.remediator = remediator
        self.postmortems = postmortems
        self.regroup = Regrouper(incidents)

    def ignored_because(self, event: CommentEvent) -> str | None:
        """Why this comment is not for us, or None."""
        if event.action != "created":
            return f"comment {event.action}, not created"
        if event.is_pull_request:
            return "a comment on a pull request"
        if INCIDENT_LABEL not in event.labels:
            return f"issue #{event.number} is not labelled {INCIDENT_LABEL}"
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
                results.append(self._run(item, key, event))
            except OpsError as error:
                problems.append(f"- `/{item.name}`: {inert(error.message)}")
                results.append(f"/{item.name}: {error.message}")
        if problems:
            self._reply(event, "Some commands were not carried out:\n\n" + "\n".join(problems))
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
        self._reply(
            event,
            "Sorry, incident commands need write access to this repository "
            f"(yours: {permission}). Nothing was changed, and further commands of yours here are ignored.",
            key=key,
        )
        self.tracker.add_reaction(event.number, event.comment_id, "-1")
        return line

    def _reply(
        self, event: CommentEvent, text: str, *, purpose: str = "reply", key: str | None = None
    ) -> None:
        key = key or f"comment-{event.comment_id}-{purpose}"
        body = f"{text}\n\n<sub>In reply to {event.author}'s comment.</sub>"
        marker = encode_marker("reply", {"key": key})
        self.tracker.comment(event.number, f"{body}\n\n{marker}\n", marker=marker_of(key))

    def _run(self, command: Command, key: str, event: CommentEvent) -> str:
        """One valid command; returns what it did."""
        number, by, clock, playbook = (
            event.number,
            event.author,
            self.incidents.clock,
            self.incidents.playbook,
        )
        args = command.args
        outcome: Outcome
        if command.name == "status":
            minutes = int(args["next_minutes"]) if "next_minutes" in args else None
            outcome = self.incidents.apply(
                number,
                key,
                lambda s: update_status(
                    playbook,
                    s,
                    status=args["status"],
                    next_minutes=minutes,
                    message=args["text"],
                    now=clock(),
                    by=by,
                    key=key,
                ),
            )
        elif command.name == "sev":
            outcome = self.incidents.apply(
                number,
                key,
                lambda s: change_severity(
                    playbook, s, severity=args["severity"], reason=args["reason"], now=clock(), by=by, key=key
                ),
                title=True,
            )
        elif command.name == "owner":
            outcome = self.incidents.assign(number, key, args["owner"], by=by)
        elif command.name == "impact":
            outcome = self.incidents.apply(
                number, key, lambda s: change_impact(s, impact=args["impact"], now=clock(), by=by, key=key)
            )
        elif command.name == "help":
            self._reply(event, "Incident commands:\n\n" + help_text(), purpose="help")
            return "/help: replied with the command list"
        elif command.name in {"deploy", "rollback", "smoke"}:
            done = self.remediator.dispatch(
                command.name, incident=number, ref=args.get("ref"), key=key, by=by
            )
            return f"/{command.name}: {'already dispatched' if done.already else 'dispatched'}: {done.url}"
        elif command.name == "check":
            outcome = self.incidents.apply(
                number,
                key,
                lambda s: set_check(
                    playbook, s, item_id=args["item"], checked=True, by=by, via="/check", now=clock(), key=key
                ),
            )
        elif command.name == "merge":
            outcome = self.regroup.merge(number, int(args["number"]), key=key, by=by)
        elif command.name == "split":
            outcome = self.regroup.split(number, args["cause"], key=key, by=by)
        elif command.name == "resolve":
            force_reason = args.get("reason") if args.get("force") else None
            outcome, filed = self.postmortems.resolve(number, key, by=by, force_reason=force_reason)
            return f"/resolve: {outcome.message}; {'; '.join(filed.lines)}"
        elif command.name == "postmortem":
            result = self.postmortems.create(number)
            return f"/postmortem: {'; '.join(result.lines)}"
        else:
            raise OpsError(f"/{command.name} is not available here")
        return f"/{command.name}: {outcome.message}"
