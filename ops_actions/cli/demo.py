"""``ops-actions demo``: a whole incident played offline over the sandbox backend and the GitHub
emulator (the story itself is :mod:`ops_actions.demo`)."""

from __future__ import annotations

from pathlib import Path

import click

from ops_actions.cli.options import folder_option
from ops_actions.cli.root import loaded_playbook, say
from ops_actions.sandbox.catalog import SCENARIOS


@click.command()
@click.option(
    "--scenario",
    default="worker-stalled",
    show_default=True,
    type=click.Choice([name for name in SCENARIOS if name != "healthy"]),
    help="The failure the sandbox backend plays.",
)
@folder_option("--output", "demo-output", "Where the demo writes its triage reports.")
@click.option("--fast", is_flag=True, help="Skip the narration pauses.")
@click.option(
    "--services",
    is_flag=True,
    help="Play two services in one repository instead: the watch of each, one with its database down.",
)
def demo(scenario: str, output: Path, fast: bool, services: bool) -> None:
    """Play a whole incident offline: detection, slash commands, redeploy, recovery, postmortem.

    Starts the sandbox backend and the GitHub emulator on free local ports (no network, no
    token), narrates each step, and writes the resulting issues as Markdown, with the triage
    reports, under the output folder. --services plays the playbook with two services added
    (api, worker): the watch runs for each; the worker's database goes down; one incident opens,
    labelled service:worker (--scenario does not apply).

    \b
    Example:
      ops-actions demo --scenario worker-stalled --fast
      ops-actions demo --services --fast
    """
    from ops_actions.demo import run_demo

    if services:
        _services_demo(output, fast)
        return
    loaded = loaded_playbook(None)
    run_demo(
        loaded.playbook,
        playbook_path=loaded.source,
        playbook_sha256=loaded.sha256,
        scenario=scenario,
        output=output,
        say=say,
        fast=fast,
    )


def _services_demo(output: Path, fast: bool) -> None:
    """The playbook the demo reads (checked as every command checks it), played with two services."""
    from ops_actions.playbook import read_playbook_source
    from ops_actions.services_demo import run_services_demo

    loaded = loaded_playbook(None)
    _, data = read_playbook_source(None)
    run_services_demo(data.decode("utf-8"), source=loaded.source, output=output, say=say, fast=fast)
