"""``ops-actions sandbox``: serve the simulated backend ops API or the GitHub REST emulator locally.

The servers are imported only when one is started, so ``--help`` loads neither.
"""

from __future__ import annotations

import contextlib
import errno
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import click

from ops_actions.cli.root import say
from ops_actions.errors import OpsError
from ops_actions.sandbox.catalog import APIS, SCENARIOS

F = TypeVar("F", bound=Callable[..., Any])


def port_option(default: int) -> Callable[[F], F]:
    """The port a sandbox server listens on (0 picks a free one)."""
    return click.option(
        "--port",
        default=default,
        show_default=True,
        type=click.IntRange(0, 65535),
        help="Port (0 picks a free one).",
    )


@click.group()
def sandbox() -> None:
    """Local stand-ins for the backend and GitHub, for tests, the demo and dry runs.

    \b
    Example:
      ops-actions sandbox backend --port 8080 --scenario db-down
    """


@sandbox.command("backend")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@port_option(8080)
@click.option(
    "--scenario",
    default="healthy",
    show_default=True,
    type=click.Choice(SCENARIOS),
    help="Failure scenario; switch at run time with POST /_sandbox/scenario.",
)
@click.option(
    "--admin-token",
    envvar="OPS_BACKEND_ADMIN_TOKEN",
    default="sandbox-admin-token",
    show_default=True,
    help="Token the ops API requires [env: OPS_BACKEND_ADMIN_TOKEN].",
)
@click.option(
    "--api",
    type=click.Choice(APIS),
    default="reference",
    show_default=True,
    help="Which backend to play: the reference ops API, or the API of examples/search-team or "
    "examples/messaging-team.",
)
def sandbox_backend(host: str, port: int, scenario: str, admin_token: str, api: str) -> None:
    """Serve the reference backend ops API with a failure scenario until Ctrl-C.

    \b
    Example:
      ops-actions sandbox backend --port 8080 --scenario worker-stalled
      curl -X POST localhost:8080/_sandbox/scenario -d '{"scenario": "healthy"}'
    """
    from ops_actions.sandbox.backend import serve

    with _listening(host, port):
        serve(
            host=host,
            port=port,
            scenario=scenario,
            admin_token=admin_token,
            api=api,
            on_ready=lambda url: say(
                f"sandbox backend on {url} ({api} API, scenario {scenario}); Ctrl-C stops it"
            ),
        )


@sandbox.command("github")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@port_option(8765)
@click.option("--repo", default="octo-org/backend", show_default=True, help="The one repository it serves.")
@click.option("--token", help="Accept only this token (default: any non-empty token).")
@click.option(
    "--ghes",
    metavar="VERSION",
    help="Play GitHub Enterprise Server VERSION, e.g. 3.19 (no sub-issues, no return_run_details).",
)
def sandbox_github(host: str, port: int, repo: str, token: str | None, ghes: str | None) -> None:
    """Serve a GitHub REST API emulator (issues, labels, comments, workflows) until Ctrl-C.

    Point the CLI at it with GITHUB_API_URL; its /_emulator/* endpoints seed and inspect it.

    \b
    Example:
      ops-actions sandbox github --port 8765 &
      GITHUB_API_URL=http://127.0.0.1:8765 GITHUB_REPOSITORY=octo-org/backend GITHUB_TOKEN=x \\
        ops-actions incident open --title "Checkout failing" --severity 1
    """
    from ops_actions.sandbox.github import serve

    with _listening(host, port):
        serve(
            host=host,
            port=port,
            repo=repo,
            token=token,
            ghes=ghes,
            on_ready=lambda url: say(f"GitHub emulator for {repo} on {url}; Ctrl-C stops it"),
        )


@contextlib.contextmanager
def _listening(host: str, port: int) -> Iterator[None]:
    """A server that cannot listen (the port in use, a privileged port, an unknown host) is a usage
    error that names the address, never a traceback. Ctrl-C stops the server, as its first line
    says, also when the process was started with SIGINT ignored (a background job of a
    non-interactive shell is): Python then installs no handler of its own."""
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.default_int_handler) if in_main_thread else None
    try:
        yield
    except OSError as error:
        in_use = {errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", errno.EADDRINUSE)}
        if error.errno in in_use:
            reason = "the port is in use (pick another --port; 0 picks a free one)"
        else:
            reason = error.strerror or type(error).__name__
        raise OpsError(f"cannot listen on {host}:{port}: {reason}") from None
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
