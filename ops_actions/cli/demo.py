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
def demo(scenario: str, output: Path, fast: bool) -> None:
    """Play a whole incident offline: detection, slash commands, redeploy, recovery, postmortem.

    Starts the sandbox backend and the GitHub emulator on free local ports (no network, no
    token), narrates each step, and writes the resulting issues as Markdown, with the triage
    reports, under the output folder.

    \b
    Example:
      ops-actions demo --scenario worker-stalled --fast
    """
    from ops_actions.demo import run_demo

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
