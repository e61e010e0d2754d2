"""``ops-actions relay``: serve monitors' webhooks and turn each into the alert's repository_dispatch."""

from __future__ import annotations

import os

import click

from ops_actions.cli.options import github_connection_options
from ops_actions.cli.root import github_config, github_tracker, run_output, say
from ops_actions.errors import ExitCode, OpsError

# Shorter shared secrets are refused: the relay may face the internet.
MIN_SECRET_LENGTH = 16


@click.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 in a container)."
)
@click.option(
    "--port", type=click.IntRange(1, 65535), default=8080, show_default=True, help="Port to listen on."
)
@github_connection_options
def relay(
    host: str, port: int, repo: str | None, github_token: str | None, github_api_url: str | None
) -> None:
    """Relay Alertmanager, Grafana and PagerDuty Events v2 webhooks to the alert workflow.

    Each POST carrying the shared secret (OPS_RELAY_SECRET, as `Authorization: Bearer <secret>`
    or as the body's HMAC-SHA256 in `X-Ops-Signature-256: sha256=<hex>`) becomes one
    repository_dispatch 'ops-alert' on the repository, with the token from GITHUB_TOKEN (it needs
    contents: write there, or a fine-grained token's Contents permission). It keeps no state.
    Needs the relay extra: pip install 'ops-actions[relay]'.

    \b
    Example:
      OPS_RELAY_SECRET=... GITHUB_TOKEN=... ops-actions relay --repo octo-org/backend --host 0.0.0.0
    """
    from ops_actions.adapters.alert_relay import RelayConfig, relay_app
    from ops_actions.incident.alerts import ALERT_EVENT

    try:
        import uvicorn
    except ImportError:
        raise OpsError(
            "the relay needs its extra: pip install 'ops-actions[relay]'", ExitCode.USAGE
        ) from None
    secret = os.environ.get("OPS_RELAY_SECRET", "")
    if len(secret) < MIN_SECRET_LENGTH:
        raise OpsError(f"set OPS_RELAY_SECRET to a secret of at least {MIN_SECRET_LENGTH} characters")
    run_output().secret(secret)
    tracker = github_tracker(github_config(github_api_url, repo, github_token))
    config = RelayConfig(
        secret=secret, dispatch=lambda payload: tracker.repository_dispatch(ALERT_EVENT, payload)
    )
    say(f"relaying to {tracker.repository} on http://{host}:{port}/")
    try:
        uvicorn.run(relay_app(config), host=host, port=port, log_level="warning", access_log=False)
    finally:
        tracker.close()
