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
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON instead of Markdown.")
def report(
    ctx: GitHubContext,
    since: str,
    as_json: bool,
) -> None:
    """Incidents by severity and component, response times, postmortems and action items.

    Times to acknowledge, mitigate and resolve are given as median and p90 (nearest rank); time
    to mitigate runs until metrics were normal again.
    The Markdown also goes to the job summary inside Actions.

    \b
    Example:
      ops-actions report --since 30d --json
    """
    from ops_actions.flows.postmortems import collect_records
    from ops_actions.incident.figures import build_report, report_markdown

    if not (since.endswith("d") and since[:-1].isdigit() and int(since[:-1]) > 0):
        raise OpsError(f"--since {since!r}: give a number of days such as 90d")
    now = utc_now()
    start = now - timedelta(days=int(since[:-1]))
    incidents, postmortems = collect_records(ctx.tracker, ctx.incidents, since=start)
    figures = build_report(ctx.loaded.playbook, incidents, postmortems, since=start, now=now)
    markdown = report_markdown(figures)
    say(json.dumps(figures, indent=2) if as_json else markdown)
    run_output().summary(markdown)
