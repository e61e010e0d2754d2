"""``ops-actions maintenance``: start, end and list maintenance windows (the playbook's, reviewed
like code, and ad hoc ones: issues labelled 'maintenance'); docs/maintenance.md says what a window
does and does not do."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import click

from ops_actions.cli.options import github_command, whole_playbook_command
from ops_actions.cli.root import job_summary, run_output, say, utc_now

if TYPE_CHECKING:
    from datetime import datetime

    from ops_actions.cli.root import GitHubContext
    from ops_actions.playbook.maintenance import MaintenanceWindow


@click.group()
def maintenance() -> None:
    """Maintenance windows: while one runs, rules on its components open no incident.

    \b
    Example:
      ops-actions maintenance start --for 2h --component billing --reason "Stripe API upgrade"
    """


def window_line(window: MaintenanceWindow, now: datetime) -> str:
    """One window as the list prints it."""
    from ops_actions.incident.clock import iso

    covers = ", ".join(window.components) or "every component"
    services = f" of {', '.join(window.services)}" if window.services else ""
    issue = f" #{window.issue}" if window.issue is not None else " (playbook)"
    freeze = "; deploys frozen" if window.freeze_deploys else ""
    return (
        f"{window.id}{issue}: {window.status_at(now)}, {iso(window.start)} → {iso(window.end)}, "
        f"{covers}{services}{freeze}: {window.title}"
    )


def window_dict(window: MaintenanceWindow, now: datetime) -> dict[str, Any]:
    """One window as ``list --json`` prints it."""
    from ops_actions.incident.maintenance import window_fields

    return {"id": window.id, **window_fields(window), "status": window.status_at(now), "issue": window.issue}


@maintenance.command("start")
@github_command
@click.option("--for", "length", required=True, help="How long from now: 90m, 2h, 1h30m (at most 7 days).")
@click.option(
    "--component",
    "components",
    multiple=True,
    help="A component it covers (repeatable; none: every component of the service).",
)
@click.option("--reason", required=True, help="Why: the issue says it.")
@click.option("--title", default="", help="Its title (default: from the components).")
@click.option("--freeze-deploys", is_flag=True, help="Refuse deploys while it runs, as a deploy freeze does.")
def maintenance_start(
    ctx: GitHubContext,
    length: str,
    components: tuple[str, ...],
    reason: str,
    title: str,
    freeze_deploys: bool,
) -> None:
    """Start an ad hoc window now: an issue labelled 'maintenance', closed when it ends.

    With --service it covers that service only. Unknown components and an empty reason are refused
    (exit 2) before anything is written.

    \b
    Example:
      ops-actions maintenance start --for 2h --component billing --reason "Stripe API upgrade"
    """
    from ops_actions.flows.maintenance import WindowRequest, check_request, start_window
    from ops_actions.incident.clock import parse_minutes
    from ops_actions.incident.operation_keys import operation_key

    request = WindowRequest(
        minutes=parse_minutes(length),
        components=components,
        reason=reason,
        by=ctx.config.actor or "",
        title=title,
        freeze_deploys=freeze_deploys,
    )
    playbook = ctx.loaded.playbook
    check_request(playbook, request)
    if not request.by:  # a local run names no actor: the token's login starts it
        request = replace(request, by=ctx.tracker.login())
    key = operation_key(ctx.config.run_id, "maintenance-start", length, components, reason)
    issue, window = start_window(ctx.tracker, playbook, request, now=utc_now(), key=key)
    line = window_line(window, utc_now())
    say(f"maintenance started: {line}: {issue.html_url}")
    run_output().outputs({"maintenance-id": window.id, "maintenance-issue": str(issue.number)})
    job_summary("Maintenance", [f"started {line}: {issue.html_url}"])


@maintenance.command("end")
@github_command
@click.argument("number", type=int)
def maintenance_end(ctx: GitHubContext, number: int) -> None:
    """End ad hoc window #NUMBER now and close its issue (a playbook window ends when its end says).

    \b
    Example:
      ops-actions maintenance end 57
    """
    from ops_actions.flows.maintenance import end_window

    window = end_window(ctx.tracker, number, now=utc_now())
    line = window_line(window, utc_now())
    say(f"maintenance ended: {line}")
    job_summary("Maintenance", [f"ended {line}"])


@maintenance.command("list")
@whole_playbook_command
@click.option("--json", "as_json", is_flag=True, help="Print the windows as JSON.")
def maintenance_list(ctx: GitHubContext, as_json: bool) -> None:
    """List the windows, the playbook's and the open ad hoc ones, with their status (scheduled,
    in_progress, completed): running ones first (one GitHub listing).

    \b
    Example:
      ops-actions maintenance list --json
    """
    from ops_actions.flows.maintenance import known_windows

    now = utc_now()
    windows = known_windows(ctx.tracker, ctx.loaded.playbook, now)
    if as_json:
        say(json.dumps([window_dict(w, now) for w in windows], indent=2))
        return
    for window in windows:
        say(window_line(window, now))
    if not windows:
        say("no maintenance windows")
