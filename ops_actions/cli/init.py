"""``ops-actions init``: scaffold a repository (playbook.yaml and the incident workflows), or move an
installed one to another pin with --upgrade (the plans are :mod:`ops_actions.scaffold`)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ops_actions.cli.root import say
from ops_actions.errors import OpsError


@click.command()
@click.argument("directory", required=False, type=click.Path(path_type=Path, file_okay=False), default=Path())
@click.option(
    "--action-ref", required=True, help="This action, pinned: OWNER/ops-actions@<40-hex commit SHA>."
)
@click.option(
    "--force", is_flag=True, help="Overwrite workflows and the schema that differ (never a changed playbook)."
)
@click.option(
    "--upgrade",
    is_flag=True,
    help="Move the pin in the incident workflows to --action-ref and refresh the schema; print the diff.",
)
@click.option(
    "--target",
    type=click.Choice(["github.com", "ghes"]),
    help="The GitHub the workflows run on (ghes: GitHub Enterprise Server, which refuses job keys it "
    "does not document) [default: from GITHUB_API_URL: github.com for its API or none, else ghes].",
)
def init(directory: Path, action_ref: str, force: bool, upgrade: bool, target: str | None) -> None:
    """Scaffold a repository: playbook.yaml (to edit) and the incident workflows using this action.

    Refuses to overwrite changed workflows without --force, then lists the secrets, variables and
    permissions still to set. playbook.yaml and the example backend-*.yml workflows are yours once
    written: a changed one is kept, with --force too. --upgrade moves an installed repository to
    another version: it rewrites only the action pin of the incident workflows there are, and the
    schema, and prints what changed; playbook.yaml and the example workflows are left alone.

    \b
    Example:
      ops-actions init . --action-ref octo-org/ops-actions@0123456789abcdef0123456789abcdef01234567
      ops-actions init . --upgrade --action-ref octo-org/ops-actions@89abcdef0123456789abcdef0123456789abcdef
    """
    from ops_actions.scaffold import PAGES, PERMISSIONS, SECRETS, github_target, plan, plan_upgrade, write

    github = target or github_target(os.environ.get("GITHUB_API_URL", ""))

    if upgrade and force:
        raise OpsError("--upgrade never overwrites anything but the pin and the schema: drop --force")
    if upgrade:
        upgraded = plan_upgrade(directory, action_ref, github=github)
        written = write(upgraded.planned, force=True)
        for item in upgraded.planned:
            say(f"{'updated' if item in written else 'up to date':>10}  {item.path}")
            say(item.diff(), nl=False)
        for note in upgraded.notes:
            say(f"{'kept':>10}  {note}")
        say("\nThen: ops-actions playbook validate playbook.yaml, review the diff, and commit.")
        return
    planned = plan(directory, action_ref, github=github)
    written = write(planned, force=force)
    for item in planned:
        if item in written:
            say(f"{'written':>10}  {item.path}")
            say(item.diff(), nl=False)
        elif item.status == "changed":
            say(f"{'kept':>10}  {item.path} (yours: changed, never overwritten; delete it for the example)")
        else:
            say(f"{'up to date':>10}  {item.path}")
    say("\nStill to set in the repository's settings:")
    for kind, name, why in SECRETS:
        say(f"  {kind:<8} {name}: {why}")
    say("\nPermissions the workflows request (each job asks only for these; contents: read besides):")
    for workflow, permissions, why in PERMISSIONS:
        say(f"  {workflow:<24} {permissions:<30} {why}")
    say(f"\nSwitch GitHub Pages on: {PAGES}.")
    say("\nThen: ops-actions playbook validate playbook.yaml, and commit.")
