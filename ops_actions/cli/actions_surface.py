"""The Actions surface: what the incident workflows run. ``watch`` (the scheduled triage and
reconcile), ``command`` (the slash commands of an issue comment, or the checklist boxes of an issue
edit) and ``action`` (the composite action's entry: runs OPS_COMMAND with OPS_ARGS)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ops_actions.cli.group import run
from ops_actions.cli.options import backend_options, github_command, github_connection_options, github_options
from ops_actions.cli.root import github_context, job_summary, said_with_budget, say
from ops_actions.cli.triage import triage_then_reconcile
from ops_actions.errors import OpsError

if TYPE_CHECKING:
    from ops_actions.cli.root import GitHubContext


@click.command()
@backend_options
@github_command
def watch(
    ctx: GitHubContext,
    backend_url: str | None,
    backend_admin_token: str | None,
    report_dir: Path | None,
    history_file: Path,
) -> None:
    """Triage, then reconcile with GitHub: open, follow and remind (the scheduled workflow runs this).

    Opens an incident when rules fire and none is open; on the open one, appends a snapshot when
    something changed, notes once when metrics have been normal long enough to resolve, and
    reminds once when the promised status update is overdue. The last line (and the job summary's)
    gives the GitHub requests the run used and the rate limit left; below the reserve (the larger
    of 100 requests and 10 % of the limit) the recently-closed listing and the postmortem
    reminders wait for a later run, each with its line; opening and following incidents never wait.

    \b
    Example:
      ops-actions watch --backend-url https://api.example.com --history-file .ops-actions-state.json
    """
    from ops_actions.flows.triage import remind_hourly

    setup, done, lines = triage_then_reconcile(
        ctx, backend_url, backend_admin_token, report_dir, history_file
    )
    lines += remind_hourly(setup, done, ctx.postmortems())
    job_summary("Watch", said_with_budget(lines, ctx.tracker))


class _SlashCommandHelp(click.Command):
    """A command whose help text names the registered slash commands where it says
    ``{slash_commands}``, read from the registry when the help is printed (not when the CLI loads)."""

    _template: str | None = None

    @property
    def help(self) -> str | None:
        from ops_actions.incident.slash_registry import usage_list

        return self._template and self._template.replace("{slash_commands}", usage_list())

    @help.setter
    def help(self, text: str | None) -> None:
        self._template = text


@click.command("command", cls=_SlashCommandHelp)
@github_options
def command_(
    playbook_path: Path | None,
    service: str | None,
    repo: str | None,
    github_token: str | None,
    github_api_url: str | None,
    dry_run: bool,
) -> None:
    """Run the slash commands of the issue comment that triggered this workflow (GITHUB_EVENT_PATH).

    Commands: {slash_commands}. Only users with write access are obeyed. An issues 'edited' event
    instead counts the manual checklist boxes its editor ticked or unticked in the body (with
    write access only); an issues 'opened' event of the "Maintenance window" issue form starts
    its window (with write access only), links it and closes the request.

    \b
    Example:
      GITHUB_EVENT_PATH=comment.json ops-actions command --dry-run
    """
    from ops_actions.adapters import actions_runtime as actions
    from ops_actions.flows.body_edits import BodyEdit, BodyEdits
    from ops_actions.flows.slash_commands import CommentEvent, RequestEvent, SlashCommands, handle_request

    payload = actions.read_event()
    # A bad payload fails before any setup. An issue's edit carries no comment, nor an issue opened
    # from the maintenance form; all else is a comment's.
    body_edit = payload.get("action") == "edited" and "comment" not in payload
    opened = payload.get("action") == "opened" and "comment" not in payload
    event: BodyEdit | CommentEvent | RequestEvent = (
        BodyEdit.from_payload(payload)
        if body_edit
        else RequestEvent.from_payload(payload)
        if opened
        else CommentEvent.from_payload(payload)
    )
    ctx = github_context(
        playbook_path,
        repo,
        github_token,
        github_api_url,
        dry_run,
        service=service,
        issue=event.number,
        issue_labels=event.labels,
    )
    if isinstance(event, BodyEdit):
        lines = BodyEdits(tracker=ctx.tracker, incidents=ctx.incidents).handle(event)
        title = f"Checklist edit on #{event.number}"
    else:
        slash = SlashCommands(
            tracker=ctx.tracker,
            incidents=ctx.incidents,
            remediator=ctx.remediator(),
            postmortems=ctx.postmortems(),
        )
        if isinstance(event, RequestEvent):
            lines, title = handle_request(slash, event), f"Maintenance request #{event.number}"
        else:
            lines, title = slash.handle(event), f"Commands on #{event.number}"
    for line in lines:
        say(line)
    job_summary(title, lines)


# The composite action may run these commands (and their subcommands), nothing else.
@click.command()
@click.option(
    "--workflow",
    "workflows",
    multiple=True,
    default=("incident-triage.yml", "incident-status-page.yml", "incident-schedules.yml"),
    show_default=True,
    help="A scheduled workflow of the tool to keep enabled (repeat for several).",
)
@github_connection_options
def schedules(
    workflows: tuple[str, ...], repo: str | None, github_token: str | None, github_api_url: str | None
) -> None:
    """Keep the scheduled workflows running in a quiet repository.

    GitHub disables a public repository's scheduled workflows after 60 days without activity.
    From 45 quiet days this enables them again (the job needs actions: write) and opens one
    issue labelled ops-actions:schedules that tells the team; before that it only reads.
    incident-schedules.yml runs it daily, and lists itself among the workflows it keeps.

    \b
    Example:
      ops-actions schedules --workflow incident-triage.yml --workflow incident-status-page.yml
    """
    from ops_actions.cli.root import github_config, github_tracker, utc_now
    from ops_actions.flows.keepalive import keep_schedules_alive

    tracker = github_tracker(github_config(github_api_url, repo, github_token))
    try:
        found = keep_schedules_alive(tracker, workflows=workflows, now=utc_now())
    finally:
        tracker.close()
    lines = found.lines() or [f"schedules safe: {found.quiet_days} days since the last push"]
    for line in lines:
        say(line)
    job_summary("Schedules", lines)


ACTION_COMMANDS = frozenset(
    {
        "triage",
        "watch",
        "incident",
        "command",
        "remediate",
        "hotfix-branch",
        "guard",
        "postmortem",
        "alert",
        "report",
        "replay",
        "rehearse",
        "playbook",
        "status-page",
        "schedules",
        "services",
    }
)


@click.command("action")
def action_entry() -> int:
    """Entry point of the composite action: runs OPS_COMMAND with OPS_ARGS, after masking secrets.

    OPS_ARGS is split like a shell would (quotes group words) but nothing is executed; event data
    never goes there: commands read it from their own environment variables.

    \b
    Example:
      OPS_COMMAND="incident open" OPS_ARGS="--severity 2" OPS_INCIDENT_TITLE="Queue stuck" ops-actions action
    """
    import shlex

    # The run's output masked GITHUB_TOKEN and OPS_BACKEND_ADMIN_TOKEN before anything else.
    command = os.environ.get("OPS_COMMAND", "").split()
    if not command or command[0] not in ACTION_COMMANDS:
        raise OpsError(f"OPS_COMMAND must start with one of {', '.join(sorted(ACTION_COMMANDS))}")
    try:
        extra = shlex.split(os.environ.get("OPS_ARGS", ""))
    except ValueError as error:
        raise OpsError(f"OPS_ARGS cannot be split: {error}") from None
    return run([*command, *extra])
