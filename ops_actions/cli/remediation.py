"""``ops-actions remediate`` (dispatch Backend Deploy, the rollback or Backend Live Smoke, and follow
the run), ``ops-actions hotfix-branch`` (the rollback workflow's step that opens the hotfix branch)
and ``ops-actions guard`` (the deploy-freeze step); the flows are :mod:`ops_actions.flows.remediation`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ops_actions.cli.options import github_command
from ops_actions.cli.root import job_summary, run_output, say, utc_now
from ops_actions.errors import ExitCode, OpsError

if TYPE_CHECKING:
    from ops_actions.cli.root import GitHubContext


@click.command()
@github_command
@click.argument("role", type=click.Choice(["deploy", "rollback", "smoke"]))
@click.option(
    "--incident",
    "incident_number",
    type=click.IntRange(min=1),
    metavar="N",
    help="Incident whose timeline records the run.",
)
@click.option("--ref", help="deploy: the git ref to deploy; rollback: the SHA (default: last good deploy).")
@click.option("--wait", is_flag=True, help="Follow the run until it concludes, with a live progress line.")
@click.option("--timeout", help="With --wait: give up after this long, e.g. 20m (default: the playbook's).")
@click.option(
    "--poll-seconds", type=float, help="With --wait: seconds between reads (default: the playbook's)."
)
@click.option(
    "--hotfix-branch",
    is_flag=True,
    help="rollback: the rollback workflow also opens the playbook's hotfix branch once it succeeded.",
)
@click.option(
    "--override-reason",
    envvar="OPS_FREEZE_OVERRIDE_REASON",
    help="deploy: deploy during a freeze; the reason is recorded [env: OPS_FREEZE_OVERRIDE_REASON].",
)
def remediate(
    ctx: GitHubContext,
    role: str,
    incident_number: int | None,
    ref: str | None,
    wait: bool,
    timeout: str | None,
    poll_seconds: float | None,
    hotfix_branch: bool,
    override_reason: str | None,
) -> int:
    """Dispatch Backend Deploy, the rollback or Backend Live Smoke, and optionally follow the run.

    Every input is checked before anything is dispatched: the incident exists, is an incident
    and is open; the ref fits the role (a rollback goes to a commit SHA); --hotfix-branch goes
    with a rollback of an incident, and sets the rollback workflow's hotfix_branch input: its
    hotfix-branch job opens the branch (see hotfix-branch). The run link goes on the incident's
    timeline at once; with --wait the conclusion follows. Exit codes: 2 bad input, 4 dispatch
    failed, 6 deploy refused by a freeze, 7 the run failed or timed out.

    \b
    Example:
      ops-actions remediate rollback --incident 42 --wait --hotfix-branch
    """
    from ops_actions.incident.clock import parse_minutes
    from ops_actions.incident.operation_keys import operation_key

    remediation = ctx.loaded.playbook.remediation
    timeout_s = (parse_minutes(timeout) if timeout else remediation.timeout_minutes) * 60.0
    if poll_seconds is not None and not 0 < poll_seconds <= 3600:
        raise OpsError(f"--poll-seconds {poll_seconds:g}: give a number of seconds from 0 to 3600")
    remediator = ctx.remediator()
    key = operation_key(ctx.config.run_id, "remediate", role, incident_number, ref)
    dispatched = remediator.dispatch(
        role,
        incident=incident_number,
        ref=ref,
        key=key,
        by=ctx.config.actor,
        override_reason=override_reason,
        hotfix=hotfix_branch,
    )
    run_output().outputs({"run-url": dispatched.url})
    if dispatched.hotfix_branch:
        say(f"hotfix branch: {dispatched.hotfix_branch}, opened by the rollback run once it succeeded")
    if not wait or ctx.dry_run or not dispatched.run_id:
        return int(ExitCode.OK)
    poll = poll_seconds or float(remediation.poll_seconds)
    followed = remediator.follow(dispatched, incident=incident_number, timeout_s=timeout_s, poll_s=poll)
    say(f"{role} concluded: {followed.conclusion} ({followed.url})")
    job_summary(role, [f"{followed.conclusion}: {followed.url}"])
    return int(ExitCode.OK if followed.conclusion == "success" else ExitCode.REMEDIATION_FAILED)


@click.command("hotfix-branch")
@github_command
@click.option(
    "--incident",
    "incident_number",
    type=click.IntRange(min=1),
    required=True,
    envvar="OPS_HOTFIX_INCIDENT",
    metavar="N",
    help="The incident the branch is named after [env: OPS_HOTFIX_INCIDENT].",
)
@click.option(
    "--sha",
    required=True,
    envvar="OPS_HOTFIX_SHA",
    help="The full commit SHA the rollback went to [env: OPS_HOTFIX_SHA].",
)
def hotfix_branch(ctx: GitHubContext, incident_number: int, sha: str) -> int:
    """Open the playbook's hotfix branch (remediation.hotfix_branch) at the SHA a rollback went to.

    The example rollback workflow's hotfix-branch job runs it after a successful rollback that
    asked for the branch (/rollback --hotfix, remediate rollback --hotfix-branch); that job alone
    holds contents: write. The incident's timeline says what happened, once. The branch already
    at this SHA (a retried rollback) is no error; at another SHA it is left where it is, and the
    line says so. Exit codes: 2 bad input, 4 GitHub refused (403: the job lacks contents: write).

    \b
    Example:
      ops-actions hotfix-branch --incident 42 --sha 1f0c2e9d4b7a8c6e5f3a2b1c0d9e8f7a6b5c4d3e
    """
    line = ctx.remediator().open_hotfix_branch(incident_number, sha)
    say(line)
    job_summary("Hotfix branch", [line])
    return int(ExitCode.OK)


@click.command()
@github_command
@click.option(
    "--override-reason",
    envvar="OPS_FREEZE_OVERRIDE_REASON",
    help="Deploy despite the freeze; recorded on the incident [env: OPS_FREEZE_OVERRIDE_REASON].",
)
def guard(
    ctx: GitHubContext,
    override_reason: str | None,
) -> int:
    """Fail (exit 6) while an open incident or a maintenance window freezes deploys; a step for
    any deploy workflow.

    With an override reason the deploy goes on and the override is recorded on the incidents.

    \b
    Example:
      ops-actions guard --override-reason "hotfix for the outage itself"
    """
    from ops_actions.flows.remediation import (
        OVERRIDE_SYNTAX,
        active_freezes,
        maintenance_freeze,
        record_override,
    )

    frozen = active_freezes(ctx.incidents)
    window = maintenance_freeze(ctx.incidents, utc_now())
    if not frozen and not window:
        say("no deploy freeze: deploy may go on")
        return int(ExitCode.OK)
    held = [f"incident {', '.join(f'#{issue.number}' for issue, _ in frozen)}"] if frozen else []
    names = " and ".join([*held, *([window] if window else [])])
    if not override_reason or not override_reason.strip():
        raise OpsError(
            f"deploys are frozen by {names}; to deploy anyway, give a reason: "
            + OVERRIDE_SYNTAX.format(workflow=ctx.incidents.playbook.workflows["deploy"].name),
            ExitCode.REFUSED,
        )
    record_override(
        ctx.incidents,
        frozen,
        reason=override_reason.strip(),
        by=ctx.config.actor,
        run_url=ctx.config.run_url,
        key=f"guard-{ctx.config.run_id or 'local'}",
        now=utc_now(),
    )
    say(f"deploy freeze by {names} overridden: {override_reason.strip()}")
    return int(ExitCode.OK)
