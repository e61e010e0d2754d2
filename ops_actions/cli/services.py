"""``ops-actions services``: the services of the playbook, for people and for a workflow's matrix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ops_actions.cli.options import playbook_option
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
def services(playbook_path: Path | None, as_json: bool) -> None:
    """List the services of the playbook: what each job of the scheduled triage's matrix works on.

    A playbook without `services:` is one service, listed with an empty id (commands then need no
    --service). Each entry gives what a job needs: the id to pass as --service, the GitHub
    environment holding its backend secret and URL, its watch history file and the prefix of its
    Actions cache. Inside Actions the JSON is also the step output `services`.

    \b
    Example:
      ops-actions services --json
    """
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
