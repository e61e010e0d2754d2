"""``ops-actions report``: incidents by severity and component, response times, postmortems and
action items over a period, as Markdown (also the job summary) or JSON."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING

import click

from ops_actions.cli.options import whole_playbook_command
from ops_actions.cli.root import run_output, say, utc_now
from ops_actions.errors import OpsError

if TYPE_CHECKING:
    from ops_actions.cli.root import GitHubContext


@click.command()
@whole_playbook_command
@click.option(
    "--since", default="90d", show_default=True, help="Period: incidents opened in the last N days (Nd)."
)
@click.option(
    "--by",
    type=click.Choice(["service"]),
    help="Also the figures of each service, in all and by severity (a playbook of several services).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON instead of Markdown.")
def report(
    ctx: GitHubContext,
    since: str,
    by: str | None,
    as_json: bool,
) -> None:
    """Incidents by severity and component, response times, postmortems and action items.

    Times to acknowledge, mitigate and resolve are given as median and p90 (nearest rank); time
    to mitigate runs until metrics were normal again.
    The Markdown also goes to the job summary inside Actions. --service ID counts that service's
    incidents only; --by service adds each service's figures (the incidents with no service label
    as "No service").

    \b
    Example:
      ops-actions report --since 30d --json
      ops-actions report --by service
    """
    from ops_actions.flows.postmortems import collect_records
    from ops_actions.incident.figures import build_report, report_markdown

    if not (since.endswith("d") and since[:-1].isdigit() and int(since[:-1]) > 0):
        raise OpsError(f"--since {since!r}: give a number of days such as 90d")
    if by and not ctx.loaded.playbook.services:
        raise OpsError(f"--by {by}: the playbook declares no services")
    now = utc_now()
    start = now - timedelta(days=int(since[:-1]))
    incidents, postmortems = collect_records(ctx.tracker, ctx.incidents, since=start)
    figures = build_report(
        ctx.loaded.playbook, incidents, postmortems, since=start, now=now, grouped=by == "service"
    )
    markdown = report_markdown(figures)
    say(json.dumps(figures, indent=2) if as_json else markdown)
    run_output().summary(markdown)
