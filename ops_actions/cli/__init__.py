"""The ``ops-actions`` command line, the top floor: Click, the composition root, printing.

``group`` holds the Click group with its global options and the entry points (``main``, the console
script; ``run``, one command line to an exit code); ``root`` is the composition root, which builds
the real objects from the environment (the run's output, the HTTP client, the playbook, the GitHub
tracker and the services over it) and hands them down by keyword; ``options`` holds the option
decorators several commands share. Every other module is one command group, attached to the group
below. Commands stay thin: read options, call a flow, print, set outputs, exit. Modules here may
import every floor; heavy libraries (PyGithub, httpx, jsonschema, the sandbox servers) only inside
the command that needs them, so ``ops-actions --help`` loads none of them.
"""

from __future__ import annotations

from ops_actions.cli import (
    actions_surface,
    alert,
    demo,
    incident,
    init,
    maintenance,
    playbook,
    postmortem,
    rehearse,
    relay,
    remediation,
    replay,
    report,
    sandbox,
    services,
    status_page,
    triage,
)
from ops_actions.cli.group import cli, main, run

# The command table: `ops-actions --help` lists these in this order, the ones people type first
# (the workflows' entry points after them, see group.WORKFLOW_ENTRY_POINTS).
for command in (
    init.init,
    playbook.playbook,
    demo.demo,
    triage.triage,
    rehearse.rehearse,
    incident.incident,
    maintenance.maintenance,
    remediation.remediate,
    postmortem.postmortem,
    report.report,
    replay.replay,
    status_page.status_page,
    services.services,
    alert.send_alert,
    relay.relay,
    sandbox.sandbox,
    actions_surface.watch,
    alert.alert,
    actions_surface.command_,
    actions_surface.action_entry,
    actions_surface.schedules,
    remediation.hotfix_branch,
    remediation.guard,
):
    cli.add_command(command)

__all__ = ["cli", "main", "run"]
