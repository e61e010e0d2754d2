"""Two commands about alerts: ``ops-actions alert`` takes a monitor's alert (repository_dispatch
'ops-alert', what incident-alert.yml runs) and triages at once, then reconciles; ``ops-actions
send-alert`` raises or resolves one by posting that dispatch."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ops_actions.cli.options import backend_options, github_connection_options, github_options, verbose_option
from ops_actions.cli.root import (
    github_config,
    github_context,
    github_tracker,
    job_summary,
    mark_dry_run,
    say,
    verbose_marked,
)
from ops_actions.cli.triage import triage_then_reconcile
from ops_actions.errors import OpsError


@click.command()
@backend_options
@github_options
@click.option(
    "--route",
    is_flag=True,
    help=(
        "Only find the alert's service and print its entry of `ops-actions services --json` (the step "
        "output service): the job that then takes the alert runs with that service's environment."
    ),
)
def alert(
    route: bool,
    backend_url: str | None,
    backend_admin_token: str | None,
    report_dir: Path | None,
    history_file: Path,
    playbook_path: Path | None,
    service: str | None,
    repo: str | None,
    github_token: str | None,
    github_api_url: str | None,
    dry_run: bool,
) -> None:
    """Take an alert from a monitor (repository_dispatch 'ops-alert'): triage at once, then reconcile.

    Reads the event from GITHUB_EVENT_PATH (incident-alert.yml runs this). The payload may be
    ops-actions' own, an Alertmanager webhook body or a Grafana alerting webhook body; anything
    else is rejected (exit 2) before anything is written. On a playbook of several services the
    alert goes to its service (unless --service names one): our payload's service field, the
    alerts' common 'service' label, else the one service that has its component; none found is
    exit 2, naming the services. A resolved alert never closes an
    incident: it goes on the timeline and starts the 'normal for N min' clock.

    \b
    Example:
      GITHUB_EVENT_PATH=dispatch.json ops-actions alert --backend-url https://api.example.com
      GITHUB_EVENT_PATH=dispatch.json ops-actions alert --route

    To raise or resolve an alert yourself, see send-alert.
    """
    from ops_actions.adapters import actions_runtime as actions
    from ops_actions.incident.alerts import ALERT_EVENT, alert_service, parse_payload

    event = actions.read_event()
    if event.get("action") != ALERT_EVENT:
        raise OpsError(
            f"not an '{ALERT_EVENT}' repository_dispatch event (event type {event.get('action')!r})"
        )
    payload = event.get("client_payload")
    if route:
        _route(playbook_path, service, payload)
        return
    ctx = github_context(
        playbook_path,
        repo,
        github_token,
        github_api_url,
        dry_run,
        service=service,
        route=lambda playbook: alert_service(playbook, payload),
    )
    incoming = parse_payload(ctx.loaded.playbook, payload)
    say(f"alert {incoming.status}: {incoming.title} [{incoming.severity}] from {incoming.source}")
    _, _, lines = triage_then_reconcile(
        ctx, backend_url, backend_admin_token, report_dir, history_file, alert=incoming
    )
    for line in lines:
        say(line)
    job_summary(f"Alert: {incoming.title}", lines)


def _route(playbook_path: Path | None, service: str | None, payload: object) -> None:
    """Print the alert's service entry and hand it to the workflow (exit 2 when none is found)."""
    from ops_actions.cli.root import loaded_playbook, run_output
    from ops_actions.cli.services import service_entries
    from ops_actions.incident.alerts import alert_service

    playbook = loaded_playbook(playbook_path).playbook
    found = service or alert_service(playbook, payload) or ""
    entries = {entry["id"]: entry for entry in service_entries(playbook)}
    if found not in entries:
        raise OpsError(f"--service {found!r}: not one of the playbook's services: {', '.join(entries)}")
    line = json.dumps(entries[found], separators=(",", ":"))
    run_output().outputs({"service": line})
    say(line)


@click.command("send-alert")
@click.option("--title", help="What is wrong (our payload shape).")
@click.option("--severity", help="The monitor's severity (e.g. critical) or a playbook severity.")
@click.option("--component", help="The affected component.")
@click.option("--dedupe-key", help="The same key means the same cause (default: the title).")
@click.option("--link", help="A link back to the alert.")
@click.option("--status", type=click.Choice(["firing", "resolved"]), default="firing", show_default=True)
@click.option("--source", default="script", show_default=True, help="Who raises the alert.")
@click.option(
    "--payload-file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Send a webhook body as is (Alertmanager, Grafana) instead of the options above.",
)
@github_connection_options
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print the request in one line instead of sending it (-v: the exact request).",
)
@verbose_option
def send_alert(
    title: str | None,
    severity: str | None,
    component: str | None,
    dedupe_key: str | None,
    link: str | None,
    status: str,
    source: str,
    payload_file: Path | None,
    repo: str | None,
    github_token: str | None,
    github_api_url: str | None,
    dry_run: bool,
) -> None:
    """Raise (or resolve) an alert: POST the repository_dispatch for monitors without templates.

    The alert workflow then takes it with `ops-actions alert`.

    \b
    Example:
      ops-actions send-alert --title "Checkout 5xx above 5%" --severity critical --component billing
      ops-actions send-alert --payload-file alertmanager-body.json --dry-run
    """
    from ops_actions.incident.alerts import ALERT_EVENT, client_payload

    if payload_file is not None:
        try:
            body = json.loads(payload_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise OpsError(f"{payload_file}: not a JSON file ({type(error).__name__})") from None
        if not isinstance(body, dict):
            raise OpsError(f"{payload_file}: the webhook body must be a JSON object")
        payload = client_payload(body)
    elif title:
        fields = {
            "title": title,
            "severity": severity,
            "component": component,
            "dedupe_key": dedupe_key,
            "link": link,
            "status": status,
            "source": source,
        }
        payload = {name: value for name, value in fields.items() if value is not None}
    else:
        raise OpsError("give --title (and the other options) or --payload-file")
    config = github_config(github_api_url, repo, github_token or ("dry-run" if dry_run else None))
    request = {"event_type": ALERT_EVENT, "client_payload": payload}
    if dry_run:
        from ops_actions.adapters.github_tracker.dry_run import short, summary_line

        mark_dry_run()
        if payload_file is not None:
            what = f"send {payload_file.name} as an {ALERT_EVENT}"
        else:
            what = f"{'raise' if status == 'firing' else 'resolve'} the alert {short(title or '')}"
        say(summary_line("POST", f"{config.api_url}/repos/{config.repository}/dispatches", what))
        if not verbose_marked():
            return
        say("Accept: application/vnd.github+json")
        say("Authorization: Bearer ${GITHUB_TOKEN}")
        say(json.dumps(request, indent=2, ensure_ascii=False))
        return
    tracker = github_tracker(config)
    try:
        tracker.repository_dispatch(ALERT_EVENT, payload)
    finally:
        tracker.close()
    say(f"alert sent to {config.repository} ({status})")
