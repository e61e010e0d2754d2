"""The option decorators several commands share: the playbook, the backend to triage, GitHub.

``github_command`` also builds the command's GitHubContext from the GitHub options (through the
composition root) and hands it to the command as ``ctx``, so a GitHub command receives the objects
it works with, not the options they were made from.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ops_actions.cli.root import DEFAULT_HISTORY_FILE, github_context, mark_verbose

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
playbook_option = click.option(
    "--playbook",
    "playbook_path",
    envvar="OPS_PLAYBOOK",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Playbook file (default: ./playbook.yaml, else the bundled one) [env: OPS_PLAYBOOK].",
)

verbose_option = click.option(
    "-v",
    "--verbose",
    is_flag=True,
    envvar="OPS_VERBOSE",
    expose_value=False,
    # Read when parsed, before the command runs: the composition root hands it to the dry-run tracker.
    callback=lambda _context, _param, value: mark_verbose(bool(value)),
    help="With --dry-run: after each write's one-line summary, its full request [env: OPS_VERBOSE].",
)

service_option = click.option(
    "--service",
    envvar="OPS_SERVICE",
    help=(
        "The service to work on, for a playbook of several (see `ops-actions services`); an existing "
        "incident's own service:<id> label names it otherwise [env: OPS_SERVICE]."
    ),
)


def history_file_option(command: Callable[..., T]) -> Callable[..., T]:
    """--history-file, the watch history, handed to the command as ``history_file``. --state-file, its
    name before, still works (workflows written for it keep running) and is hidden from --help;
    given both, --history-file wins."""

    @functools.wraps(command)
    def with_history_file(*args: Any, history_file: Path, state_file: Path | None, **options: Any) -> T:
        named = click.get_current_context().get_parameter_source("history_file")
        if state_file is not None and named is click.core.ParameterSource.DEFAULT:
            history_file = state_file
        return command(*args, history_file=history_file, **options)

    file_type = click.Path(path_type=Path, dir_okay=False)
    alias = click.option("--state-file", type=file_type, hidden=True, help="The old name of --history-file.")
    return click.option(
        "--history-file",
        type=file_type,
        default=DEFAULT_HISTORY_FILE,
        show_default=True,
        help=(
            "Snapshots of earlier triage runs, for trends and consecutive breaches (a service's own: "
            ".ops-actions-state.<service>.json by default)."
        ),
    )(alias(with_history_file))


def backend_options(command: Callable[..., T]) -> Callable[..., T]:
    """Options of the commands that triage the backend."""
    decorators: list[Callable[[Callable[..., T]], Callable[..., T]]] = [
        click.option(
            "--backend-url",
            help="Backend base URL (default: the env var the playbook names, then OPS_BACKEND_URL).",
        ),
        click.option(
            "--backend-admin-token",
            help="Admin token (default: the env var the playbook names, OPS_BACKEND_ADMIN_TOKEN).",
        ),
        click.option(
            "--report-dir",
            type=click.Path(path_type=Path, file_okay=False),
            help=(
                "Where the JSON report goes (default: the playbook's triage.report_dir; "
                "the bundled one's is backend/reports)."
            ),
        ),
        history_file_option,
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def folder_option(name: str, default: str, help_text: str) -> Callable[[F], F]:
    """An option naming the folder a command writes into, with its default shown."""
    return click.option(
        name,
        type=click.Path(path_type=Path, file_okay=False),
        default=Path(default),
        show_default=True,
        help=help_text,
    )


def github_connection_options(command: F) -> F:
    """Which repository, as whom, on which server: the options every command that talks to GitHub takes."""
    decorators = [
        click.option("--repo", help="OWNER/NAME [env: GITHUB_REPOSITORY]."),
        click.option("--github-token", help="Token [env: GITHUB_TOKEN]."),
        click.option("--github-api-url", help="API base URL [env: GITHUB_API_URL]."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def github_options(command: F) -> F:
    """The connection options, the playbook and --dry-run: what the incident commands take."""
    decorators = [
        playbook_option,
        service_option,
        github_connection_options,
        click.option(
            "--dry-run",
            is_flag=True,
            envvar="OPS_DRY_RUN",
            help="Print one line per API call it would make (-v: with the full bodies); write nothing "
            "[env: OPS_DRY_RUN].",
        ),
        verbose_option,
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def github_command(command: Callable[..., T], *, whole: bool = False) -> Callable[..., T]:
    """The GitHub options, and the GitHubContext built from them handed to the command as ``ctx``: for
    one service's view of the playbook (--service, else the one an incident argument ``number`` is
    ``incident_number`` is labelled with); ``whole``: the whole playbook unless --service is given."""

    @functools.wraps(command)
    def with_context(
        *,
        playbook_path: Path | None,
        service: str | None,
        repo: str | None,
        github_token: str | None,
        github_api_url: str | None,
        dry_run: bool,
        **options: Any,
    ) -> T:
        number = options.get("number", options.get("incident_number"))
        ctx = github_context(
            playbook_path,
            repo,
            github_token,
            github_api_url,
            dry_run,
            service=service,
            issue=number if isinstance(number, int) else None,
            whole=whole,
        )
        return command(ctx, **options)

    return github_options(with_context)


def whole_playbook_command(command: Callable[..., T]) -> Callable[..., T]:
    """Like :func:`github_command`, for commands that see every service: the page, the report."""
    return github_command(command, whole=True)
