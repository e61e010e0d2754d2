"""``ops-actions incident``: open, update, re-grade, assign, restate, tick, merge, split, resolve
and mark as planned incidents (GitHub issues labelled 'incident').

Each command reads its options, calls the incident service of its GitHubContext (the operations are
:mod:`ops_actions.flows.incidents` and the pure transitions of :mod:`ops_actions.incident`), and
prints the outcome and hands it to Actions (outputs, job summary).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ops_actions.cli.options import github_command
from ops_actions.cli.root import job_summary, run_output, say
from ops_actions.errors import ExitCode, OpsError

if TYPE_CHECKING:
    from ops_actions.cli.root import GitHubContext
    from ops_actions.flows.incidents import Outcome


@click.group()
def incident() -> None:
    """Open and update incidents (GitHub issues labelled 'incident').

    \b
    Example:
      ops-actions incident open --title "Checkout failing" --severity 1 --impact "All payments"
    """


def _report_outcome(outcome: Outcome, *, summary_title: str) -> None:
    """Print the outcome and hand it to Actions (outputs, job summary)."""
    say(f"{outcome.message}: {outcome.url}")
    run_output().outputs(
        {
            "incident-number": str(outcome.number),
            "incident-url": outcome.url,
            "severity": outcome.state.severity,
        }
    )
    job_summary(summary_title, [f"#{outcome.number} {outcome.url}: {outcome.message}"])


@incident.command("open")
@github_command
@click.option(
    "--title", required=True, envvar="OPS_INCIDENT_TITLE", help="Short title; the issue is [SEV-N] title."
)
@click.option(
    "--severity",
    envvar="OPS_INCIDENT_SEVERITY",
    help="1, 2, 3 or SEV-N, a floor: a worse one in --from-report wins (default: the report's, "
    "else the lowest).",
)
@click.option("--impact", default="", envvar="OPS_INCIDENT_IMPACT", help="Who is affected, how many.")
@click.option("--summary", default="", envvar="OPS_INCIDENT_SUMMARY", help="What is known so far.")
@click.option("--key", help="Dedupe key (default: from the title); one open incident per key.")
@click.option(
    "--component", "components", multiple=True, help="Affected component (repeatable), from the scope."
)
@click.option(
    "--from-report",
    envvar="OPS_INCIDENT_FROM_REPORT",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A triage JSON report whose table and branch steps go into the issue.",
)
def incident_open(
    ctx: GitHubContext,
    title: str,
    severity: str | None,
    impact: str,
    summary: str,
    key: str | None,
    components: tuple[str, ...],
    from_report: Path | None,
) -> None:
    """Open an incident issue, or update the open one with the same dedupe key.

    Every option also reads an environment variable (OPS_INCIDENT_TITLE, OPS_INCIDENT_SEVERITY,
    OPS_INCIDENT_IMPACT, OPS_INCIDENT_SUMMARY, OPS_INCIDENT_FROM_REPORT): that is how a workflow
    passes its inputs without expanding them into a script.

    \b
    Example:
      ops-actions incident open --title "Checkout failing" --severity 1 \\
        --impact "All card payments" --summary "Stripe webhooks return 400"
    """
    from ops_actions.incident.causes import firing_causes
    from ops_actions.incident.operation_keys import operation_key
    from ops_actions.incident.severity_follow import opening_severity
    from ops_actions.incident.state import slug
    from ops_actions.triage.report_file import load_report

    playbook = ctx.loaded.playbook
    report = load_report(from_report, playbook) if from_report else None
    how = _opened_how(ctx)
    chosen, note = opening_severity(
        playbook,
        person=playbook.severities.parse(severity) if severity else None,
        triage=report.severity if report else None,
        fired=[o.id for o in report.fired] if report else [],
        how=how,
        by=ctx.config.actor,
    )
    dedupe = key or slug(title)
    links = [("Workflow run", ctx.config.run_url)] if ctx.config.run_url else []
    outcome = ctx.incidents.open(
        key=dedupe,
        title=title,
        severity=chosen,
        impact=impact,
        summary=summary,
        operation=operation_key(ctx.config.run_id, "open", dedupe),
        report=report,
        links=links,
        playbook_sha256=ctx.loaded.sha256,
        components=components,
        causes=firing_causes(playbook, report.fired) if report else (),
        detected_by={"how": how, "by": ctx.config.actor or ""},
        severity_note=note,
    )
    _report_outcome(outcome, summary_title="Incident")


def _opened_how(ctx: GitHubContext) -> str:
    """How `incident open` was started: the Open incident button (a workflow_dispatch run), or the CLI."""
    return "button" if run_output().in_actions and ctx.config.event_name == "workflow_dispatch" else "cli"


@incident.command("update")
@github_command
@click.argument("number", type=int)
@click.option(
    "--status", required=True, help="investigating, mitigating or resolved (the playbook's statuses)."
)
@click.option("--next", "next_update", help="When the next update is due, e.g. 30m or 1h.")
@click.option("--message", default="", help="What changed (the team's: never on the status page).")
@click.option(
    "--public",
    default="",
    help="The update's text on the status page (without it the page says only the new status).",
)
def incident_update(
    ctx: GitHubContext,
    number: int,
    status: str,
    next_update: str | None,
    message: str,
    public: str,
) -> None:
    """Post a status update in the playbook's template and swap the status label.

    \b
    Example:
      ops-actions incident update 42 --status mitigating --next 30m --message "Rolled back"
    """
    from ops_actions.flows.incident_operations import post_status_update
    from ops_actions.incident.clock import parse_minutes
    from ops_actions.incident.operation_keys import operation_key

    minutes = parse_minutes(next_update) if next_update else None
    key = operation_key(ctx.config.run_id, "status", number, status, minutes, message, public)
    outcome = post_status_update(
        ctx.incidents,
        number,
        key=key,
        status=status,
        next_minutes=minutes,
        message=message,
        by=ctx.config.actor,
        public=public,
    )
    _report_outcome(outcome, summary_title="Status update")


@incident.command("severity")
@github_command
@click.argument("number", type=int)
@click.argument("severity")
@click.option("--reason", default="", help="Why the severity changed.")
def incident_severity(
    ctx: GitHubContext,
    number: int,
    severity: str,
    reason: str,
) -> None:
    """Change an incident's severity (title, label and history follow).

    \b
    Example:
      ops-actions incident severity 42 1 --reason "Payments down for all users"
    """
    from ops_actions.flows.incident_operations import set_severity
    from ops_actions.incident.operation_keys import operation_key

    key = operation_key(ctx.config.run_id, "severity", number, severity, reason)
    outcome = set_severity(
        ctx.incidents, number, key=key, severity=severity, reason=reason, by=ctx.config.actor
    )
    _report_outcome(outcome, summary_title="Severity")


@incident.command("assign")
@github_command
@click.argument("number", type=int)
@click.argument("owner")
def incident_assign(
    ctx: GitHubContext,
    number: int,
    owner: str,
) -> None:
    """Make someone the incident's owner (assignee); this acknowledges the incident.

    \b
    Example:
      ops-actions incident assign 42 @octocat
    """
    from ops_actions.flows.incident_operations import set_owner
    from ops_actions.incident.operation_keys import operation_key

    key = operation_key(ctx.config.run_id, "owner", number, owner)
    outcome = set_owner(ctx.incidents, number, key=key, owner=owner, by=ctx.config.actor)
    _report_outcome(outcome, summary_title="Owner")


@incident.command("impact")
@github_command
@click.argument("number", type=int)
@click.argument("impact")
def incident_impact(
    ctx: GitHubContext,
    number: int,
    impact: str,
) -> None:
    """Restate who is affected and how much.

    \b
    Example:
      ops-actions incident impact 42 "About 30% of checkouts fail"
    """
    from ops_actions.flows.incident_operations import set_impact
    from ops_actions.incident.operation_keys import operation_key

    key = operation_key(ctx.config.run_id, "impact", number, impact)
    outcome = set_impact(ctx.incidents, number, key=key, impact=impact, by=ctx.config.actor)
    _report_outcome(outcome, summary_title="Impact")


@incident.command("public-title")
@github_command
@click.argument("number", type=int)
@click.argument("title")
def incident_public_title(ctx: GitHubContext, number: int, title: str) -> None:
    """Set the incident's title on the status page (by default one derived from its components,
    such as "Degraded performance of billing"; the issue's own title never reaches the page).

    \b
    Example:
      ops-actions incident public-title 42 "Card payments failing"
    """
    from ops_actions.flows.incident_operations import set_public_title
    from ops_actions.incident.operation_keys import operation_key

    key = operation_key(ctx.config.run_id, "public-title", number, title)
    outcome = set_public_title(ctx.incidents, number, key=key, title=title, by=ctx.config.actor)
    _report_outcome(outcome, summary_title="Public title")


@incident.command("check")
@github_command
@click.argument("number", type=int)
@click.argument("item")
def incident_check(ctx: GitHubContext, number: int, item: str) -> None:
    """Tick a manual item of the resolution checklist, recorded with who (GITHUB_ACTOR) and when.

    \b
    Example:
      ops-actions incident check 42 manual-signup-login
    """
    from ops_actions.flows.incident_operations import tick_manual_check
    from ops_actions.incident.operation_keys import operation_key

    who = ctx.config.actor
    if not who:
        raise OpsError("a manual check records who ticked it: set GITHUB_ACTOR", ExitCode.USAGE)
    key = operation_key(ctx.config.run_id, "check", number, item)
    outcome = tick_manual_check(ctx.incidents, number, key=key, item=item, by=who, via="the CLI")
    _report_outcome(outcome, summary_title="Checklist")


@incident.command("merge")
@github_command
@click.argument("number", type=int)
@click.argument("other", type=int)
def incident_merge(ctx: GitHubContext, number: int, other: int) -> None:
    """Fold incident OTHER into NUMBER (causes, alerts, links; the worse severity); OTHER is closed.

    \b
    Example:
      ops-actions incident merge 42 43
    """
    from ops_actions.flows.incident_operations import merge_incidents
    from ops_actions.incident.operation_keys import operation_key

    key = operation_key(ctx.config.run_id, "merge", number, other)
    outcome = merge_incidents(ctx.incidents, number, other=other, key=key, by=ctx.config.actor)
    _report_outcome(outcome, summary_title="Merged")


@incident.command("split")
@github_command
@click.argument("number", type=int)
@click.argument("cause")
def incident_split(ctx: GitHubContext, number: int, cause: str) -> None:
    """Move one of the incident's causes (its body lists them) into a new incident, linked both ways.

    \b
    Example:
      ops-actions incident split 42 B
    """
    from ops_actions.flows.incident_operations import split_cause
    from ops_actions.incident.operation_keys import operation_key

    key = operation_key(ctx.config.run_id, "split", number, cause)
    outcome = split_cause(ctx.incidents, number, cause=cause, key=key, by=ctx.config.actor)
    _report_outcome(outcome, summary_title="Split")


@incident.command("resolve")
@github_command
@click.argument("number", type=int)
@click.option("--force", is_flag=True, help="Resolve although automatic checklist items do not hold yet.")
@click.option("--reason", default="", help="Why --force is right (required with it; recorded).")
def incident_resolve(
    ctx: GitHubContext,
    number: int,
    force: bool,
    reason: str,
) -> None:
    """Close the incident with its timeline and durations, then file the postmortem.

    Refuses (exit 6), saying what is missing, until the checklist holds: the automatically
    verified items (metrics normal long enough, Backend Live Smoke passed) and the manual ones a
    person ticked (in the issue, /check or `incident check`); --force --reason overrides.

    \b
    Example:
      ops-actions incident resolve 42
      ops-actions incident resolve 42 --force --reason "smoke runner down; checked by hand"
    """
    from ops_actions.flows.incident_operations import resolve_incident
    from ops_actions.incident.operation_keys import operation_key

    if force and not reason.strip():
        raise OpsError("--force needs --reason: the override is recorded on the timeline")
    key = operation_key(ctx.config.run_id, "resolve", number)
    outcome, filed = resolve_incident(
        ctx.postmortems(),
        number,
        key=key,
        by=ctx.config.actor,
        force_reason=reason.strip() if force else None,
    )
    _report_outcome(outcome, summary_title="Resolved")
    for line in filed.lines:
        say(f"{line}: {filed.url}")


@incident.command("planned")
@github_command
@click.argument("number", type=int)
@click.option(
    "--window", default="", help="The maintenance window it belongs to (its id; adhoc-N for an ad hoc one)."
)
def incident_planned(ctx: GitHubContext, number: int, window: str) -> None:
    """Mark an incident, open or past, as planned maintenance: the 'planned' label and a timeline
    entry; `report` leaves it out of the response figures and lists it as maintenance.

    \b
    Example:
      ops-actions incident planned 42 --window db-upgrade
    """
    from ops_actions.flows.incident_operations import mark_incident_planned
    from ops_actions.incident.operation_keys import operation_key

    key = operation_key(ctx.config.run_id, "planned", number, window)
    outcome = mark_incident_planned(ctx.incidents, number, key=key, window=window, by=ctx.config.actor)
    _report_outcome(outcome, summary_title="Planned")
