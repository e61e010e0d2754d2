"""``ops-actions init``: scaffold a repository (playbook.yaml and the incident workflows), or move an
installed one to another pin with --upgrade (the plans are :mod:`ops_actions.scaffold`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ops_actions.cli.root import say
from ops_actions.errors import OpsError

if TYPE_CHECKING:
    from ops_actions.playbook import Playbook


@click.command()
@click.argument("directory", required=False, type=click.Path(path_type=Path, file_okay=False), default=Path())
@click.option("--action-ref", help="This action, pinned: OWNER/ops-actions@<40-hex commit SHA>.")
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
@click.option(
    "--service",
    "services",
    multiple=True,
    metavar="ID[=NAME]",
    help="Write a playbook of several services: one --service per service (repeat it), each with its "
    "own GitHub environment ops-<id> [default: one service, no services: list].",
)
@click.option(
    "--add-service",
    metavar="ID",
    help="Add one service to the playbook.yaml there is (nothing else is written or changed).",
)
@click.option("--name", help="With --add-service: the service's name people read [default: from its id].")
def init(
    directory: Path,
    action_ref: str | None,
    force: bool,
    upgrade: bool,
    target: str | None,
    services: tuple[str, ...],
    add_service: str | None,
    name: str | None,
) -> None:
    """Scaffold a repository: playbook.yaml (to edit) and the incident workflows using this action.

    Refuses to overwrite changed workflows without --force, then lists the secrets, variables and
    permissions still to set. playbook.yaml and the example backend-*.yml workflows are yours once
    written: a changed one is kept, with --force too. --upgrade moves an installed repository to
    another version: it rewrites only the action pin of the incident workflows there are, and the
    schema, and prints what changed; playbook.yaml and the example workflows are left alone.
    --service (repeated) writes a playbook of several services; --add-service adds one to the
    playbook there is, inserting its entry and keeping every other line (docs/services.md).

    \b
    Example:
      ops-actions init . --action-ref octo-org/ops-actions@0123456789abcdef0123456789abcdef01234567
      ops-actions init . --service "api=Billing API" --service "worker=Job worker" --action-ref ...
      ops-actions init . --add-service search --name "Search API"
      ops-actions init . --upgrade --action-ref octo-org/ops-actions@89abcdef0123456789abcdef0123456789abcdef
    """
    from ops_actions.scaffold import (
        PAGES,
        PERMISSIONS,
        github_target,
        plan,
        plan_upgrade,
        secrets_to_set,
        write,
    )

    if add_service is not None:
        if action_ref or force or upgrade or target or services:
            raise OpsError("--add-service changes playbook.yaml only: give it alone (with --name)")
        _add_service(directory, add_service, name)
        return
    if name is not None:
        raise OpsError("--name names the service of --add-service; with init, write --service ID=NAME")
    if action_ref is None:
        raise OpsError("init needs --action-ref OWNER/NAME@<40-hex commit SHA> (or --add-service ID)")
    github = target or github_target(os.environ.get("GITHUB_API_URL", ""))

    if upgrade and (force or services):
        raise OpsError(
            "--upgrade never overwrites anything but the pin and the schema: drop --force and --service"
        )
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
    planned = plan(
        directory,
        action_ref,
        github=github,
        services=[_id_and_name(item) for item in services],
        server_url=os.environ.get("GITHUB_SERVER_URL") or None,
    )
    if services and planned[0].status == "changed":
        raise OpsError(
            f"{planned[0].path} is yours already (changed): add each service to it with "
            "ops-actions init --add-service ID --name NAME"
        )
    written = write(planned, force=force)
    for item in planned:
        if item in written:
            say(f"{'written':>10}  {item.path}")
            say(item.diff(), nl=False)
        elif item.status == "changed":
            say(f"{'kept':>10}  {item.path} (yours: changed, never overwritten; delete it for the example)")
        else:
            say(f"{'up to date':>10}  {item.path}")
    # The services as the written playbook declares them (their environments), none for one service.
    _say_secrets(secrets_to_set(_loaded(planned[0].content).services if services else ()))
    say("\nPermissions the workflows request (each job asks only for these; contents: read besides):")
    for workflow, permissions, why in PERMISSIONS:
        say(f"  {workflow:<24} {permissions:<30} {why}")
    say(f"\nSwitch GitHub Pages on: {PAGES}.")
    say("\nThen: ops-actions playbook validate playbook.yaml, and commit.")


def _id_and_name(option: str) -> tuple[str, str | None]:
    """``ID[=NAME]`` of a --service option."""
    service_id, _, name = option.partition("=")
    return service_id.strip(), name.strip() or None


def _loaded(playbook_text: str) -> Playbook:
    """The playbook init writes, as the tool will read it."""
    from ops_actions.playbook import parse_playbook

    return parse_playbook(playbook_text, source="playbook.yaml")


def _say_secrets(to_set: list[tuple[str, str, str, str]]) -> None:
    """What to set, by where: the repository's settings, then each service's environment."""
    places = dict.fromkeys(where for where, *_ in to_set)
    for place in places:
        if place == "repository":
            say("\nStill to set in the repository's settings:")
        else:
            say(f"\nStill to set in the GitHub {place} (Settings → Environments → New environment):")
        for _, kind, secret, why in (item for item in to_set if item[0] == place):
            say(f"  {kind:<8} {secret}: {why}")


def _add_service(directory: Path, service_id: str, name: str | None) -> None:
    """``init --add-service``: the entry inserted into playbook.yaml, checked, then written."""
    from ops_actions.playbook.service_entry import add_service
    from ops_actions.scaffold import PLAYBOOK_PATH, SERVICE_SECRETS, Planned, secrets_to_set

    path = directory / PLAYBOOK_PATH
    if not path.is_file():
        raise OpsError(f"no {path}: run ops-actions init there first")
    before = path.read_text(encoding="utf-8")
    added = add_service(before, source=str(path), service_id=service_id, name=name)
    path.write_text(added.text, encoding="utf-8")
    service = next(item for item in added.playbook.services if item.id == service_id)
    say(f"{'added':>10}  service {service.id} ({service.name}) to {path}")
    say(Planned(path, added.text, "changed", before).diff(), nl=False)
    _say_secrets([item for item in secrets_to_set([service]) if item[2] in SERVICE_SECRETS])
    if added.created_list:
        say(
            f"\n{path} had no services: list, so {service.id} is its existing backend (it inherits the "
            "playbook's backend, probes and rules). Before the next scheduled watch:\n"
            f"  - add the label {service.label} to each open incident (gh issue edit N --add-label "
            f"{service.label}): the watch of {service.id} follows only the incidents that carry it;\n"
            f"  - move the repository's OPS_BACKEND_URL and OPS_BACKEND_ADMIN_TOKEN into the environment "
            f"{service.environment}: a service's job sees the repository's values where its environment "
            "sets none, and would probe this backend;\n"
            "  - then add the new service: ops-actions init --add-service ID --name NAME."
        )
    say("\nThen: ops-actions playbook validate playbook.yaml, review the diff, and commit.")
