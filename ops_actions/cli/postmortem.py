"""``ops-actions postmortem``: create the incident's postmortem, sync its action items as
sub-issues, remind about overdue ones (the flows are :mod:`ops_actions.flows.postmortems`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ops_actions.cli.options import whole_playbook_command
from ops_actions.cli.root import job_summary, say
from ops_actions.errors import OpsError

if TYPE_CHECKING:
    from ops_actions.cli.root import GitHubContext


@click.group()
def postmortem() -> None:
    """Postmortems: create from the incident, sync action items, remind.

    \b
    Example:
      ops-actions postmortem create 42
    """


def _event_issue_number() -> int:
    """The issue number of the event that started this workflow run."""
    from ops_actions.adapters import actions_runtime as actions

    event = actions.read_event()
    number = (event.get("issue") or {}).get("number")
    if not isinstance(number, int):
        raise OpsError("give an issue number, or run from an issues/issue_comment event")
    return number


@postmortem.command("create")
@whole_playbook_command
@click.argument("number", type=int, required=False)
def postmortem_create(
    ctx: GitHubContext,
    number: int | None,
) -> None:
    """Create the incident's postmortem issue (or refresh its facts), due 24 h after resolution.

    Without NUMBER, the incident is the issue of the triggering event (incident-postmortem.yml, on a
    close): a close that skipped the resolution is undone instead, and a writer's close as not
    planned (a false alarm) gets none. An open incident never gets one.

    \b
    Example:
      ops-actions postmortem create 42
    """
    postmortems = ctx.postmortems()
    if number is None:
        result = postmortems.create(_event_issue_number(), asked=False)
    else:
        result = postmortems.create(number)
    for line in result.lines:
        say(f"{line}: {result.url}")
    job_summary("Postmortem", [f"#{result.number} {result.url}: {line}" for line in result.lines])


@postmortem.command("sync")
@whole_playbook_command
@click.argument("number", type=int, required=False)
def postmortem_sync(
    ctx: GitHubContext,
    number: int | None,
) -> None:
    """Turn preventive actions into sub-issues and keep their checkboxes in step both ways.

    NUMBER is the postmortem issue (or its incident); without it, the issue of the triggering
    event (incident-postmortem.yml, when a person edits a postmortem). Items need
    `— @owner — due YYYY-MM-DD`; the ones that lack them are reported in a comment.

    \b
    Example:
      ops-actions postmortem sync 57
    """
    result = ctx.postmortems().sync(number if number is not None else _event_issue_number())
    for line in result.lines:
        say(line)


@postmortem.command("remind")
@whole_playbook_command
def postmortem_remind(
    ctx: GitHubContext,
) -> None:
    """Remind, once a day, about overdue action items and postmortems still empty when due.

    The scheduled watch runs this at most once an hour.

    \b
    Example:
      ops-actions postmortem remind
    """
    for line in ctx.postmortems().remind() or ["nothing to remind"]:
        say(line)
