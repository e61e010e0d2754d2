"""``ops-actions services``: the services of the playbook, for people and for a workflow's matrix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ops_actions.cli.options import github_connection_options, playbook_option
from ops_actions.cli.root import DEFAULT_HISTORY_FILE, loaded_playbook, run_output, say, service_history_file

if TYPE_CHECKING:
    from ops_actions.playbook import Playbook

# The cache prefix of a playbook of one service: the one its installations have saved under.
ONE_SERVICE_CACHE_PREFIX = "ops-actions-state-"


@click.command()
@playbook_option
@click.option(
    "--json", "as_json", is_flag=True, help="Print the list as JSON (a workflow's matrix), one line."
)
@click.option(
    "--status",
    is_flag=True,
    help=(
        "Each service's state instead: its open incidents, their severity and, inside a run, its watch "
        "job's result, as one table (also the job summary); sets the step output status-page."
    ),
)
@github_connection_options
def services(
    playbook_path: Path | None,
    as_json: bool,
    status: bool,
    repo: str | None,
    github_token: str | None,
    github_api_url: str | None,
) -> None:
    """List the services of the playbook: what each job of the scheduled triage's matrix works on.

    A playbook without `services:` is one service, listed with an empty id (commands then need no
    --service). Each entry gives what a job needs: the id to pass as --service, the GitHub
    environment holding its backend secret and URL, its watch history file and the prefix of its
    Actions cache. Inside Actions the JSON is also the step output `services`.

    \b
    With --status (the scheduled triage's last job, after the matrix): one table of every service's
    state, from the open incidents (one listing) and the run's jobs (one listing, inside a run); the
    step output status-page is "true" when a service's watch changed an incident the page shows.

    \b
    Example:
      ops-actions services --json
      ops-actions services --status
    """
    if status:
        _status(loaded_playbook(playbook_path).playbook, repo, github_token, github_api_url)
        return
    entries = service_entries(loaded_playbook(playbook_path).playbook)
    line = json.dumps(entries, separators=(",", ":"))
    run_output().outputs({"services": line})
    if as_json:
        say(line)
        return
    for entry in entries:
        shown = entry["id"] or "(one service, no --service needed)"
        environment = entry["environment"] or "-"
        say(f"{shown}: {entry['name']}, environment {environment}, history {entry['history_file']}")


def service_entries(playbook: Playbook) -> list[dict[str, str]]:
    """One entry per service, in the playbook's order; one with an empty id for a playbook of one.

    A service's cache prefix ends in a dot, which no id holds, so ``worker``'s never restores the
    cache of ``worker-2``.
    """
    if not playbook.services:
        return [
            {
                "id": "",
                "name": playbook.name,
                "environment": "",
                "history_file": DEFAULT_HISTORY_FILE.as_posix(),
                "cache_prefix": ONE_SERVICE_CACHE_PREFIX,
                "report_dir": playbook.report_dir,
            }
        ]
    return [
        {
            "id": service.id,
            "name": service.name,
            "environment": service.environment,
            "history_file": service_history_file(DEFAULT_HISTORY_FILE, service.id).as_posix(),
            "cache_prefix": f"ops-actions-state.{service.id}.",
            "report_dir": playbook.for_service(service.id).report_dir,
        }
        for service in playbook.services
    ]


def _status(
    playbook: Playbook, repo: str | None, github_token: str | None, github_api_url: str | None
) -> None:
    """Print and summarise each service's state; tell the workflow whether to publish the page."""
    from ops_actions.cli.root import github_config, github_tracker
    from ops_actions.incident.service_states import (
        OpenIncident,
        page_changed,
        service_states,
        states_table,
    )
    from ops_actions.playbook.model import INCIDENT_LABEL

    config = github_config(github_api_url, repo, github_token)
    tracker = github_tracker(config)
    try:
        incidents = [
            OpenIncident(issue.number, issue.labels) for issue in tracker.open_incidents((INCIDENT_LABEL,))
        ]
        jobs = tracker.run_jobs(int(config.run_id)) if config.run_id else []
    finally:
        tracker.close()
    table = states_table(service_states(playbook, incidents, jobs))
    changed = page_changed(jobs)
    run_output().outputs({"status-page": "true" if changed else "false"})
    run_output().summary(f"## Services\n\n{table}")
    say(table)
