"""``ops-actions playbook``: validate, render and schema, the commands that need no backend or GitHub."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ops_actions.cli.root import loaded_playbook, say


@click.group()
def playbook() -> None:
    """Check, print and describe the playbook.

    \b
    Example:
      ops-actions playbook render > RUNBOOK.md
    """


@playbook.command("validate")
@click.argument(
    "path", required=False, envvar="OPS_PLAYBOOK", type=click.Path(path_type=Path, dir_okay=False)
)
def playbook_validate(path: Path | None) -> None:
    """Check a playbook: schema, cross-references and conditions; exit 2 when invalid.

    PATH defaults to OPS_PLAYBOOK, then ./playbook.yaml, then the bundled one, as for every
    command. Each problem is printed as PATH:LINE:COL: message (at key.path).

    \b
    Example:
      ops-actions playbook validate playbook.yaml
    """
    loaded = loaded_playbook(path)
    services = loaded.playbook.services
    say(
        f"{loaded.source}: valid ({len(loaded.playbook.probes)} probes, {len(loaded.playbook.rules)} rules, "
        f"{len(loaded.playbook.decision_tree)} branches"
        + (f", {len(services)} services: {', '.join(s.id for s in services)})" if services else ")")
    )


@playbook.command("render")
@click.argument(
    "path", required=False, envvar="OPS_PLAYBOOK", type=click.Path(path_type=Path, dir_okay=False)
)
@click.option("--service", help="Render the runbook of this service (its view of the playbook).")
def playbook_render(path: Path | None, service: str | None) -> None:
    """Print the playbook as a Markdown runbook (PATH: as for validate).

    \b
    Example:
      ops-actions playbook render playbook.yaml --service worker > RUNBOOK-worker.md
    """
    from ops_actions.playbook.runbook import render_runbook

    loaded = loaded_playbook(path)
    say(render_runbook(loaded.for_service(service).playbook if service else loaded.playbook), nl=False)


@playbook.command("schema")
def playbook_schema() -> None:
    """Print the playbook's JSON Schema (for editors and other validators).

    \b
    Example:
      ops-actions playbook schema > playbook.schema.json
    """
    from ops_actions.playbook import schema

    say(json.dumps(schema(), indent=2))
