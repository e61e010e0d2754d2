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

from ops_actions.cli.root import github_context

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
playbook_option = click.option(
    "--playbook",
    "playbook_path",
    envvar="OPS_PLAYBOOK",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Playbook file (default: ./playbook.yaml, else the bundled one) [env: OPS_PLAYBOOK].",
)


state_file_option = click.option(
    "--state-file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path(".ops-actions-state.json"),
    show_default=True,
    help="Snapshots of earlier triage runs, for trends and consecutive breaches.",
)


def backend_options(command: F) -> F:
    """Options of the commands that triage the backend."""
    decorators = [
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
            help="Where the JSON report goes (default: the playbook's triage.report_dir, reports).",
        ),
        state_file_option,
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def github_options(command: F) -> F:
    """Options every command that talks to GitHub takes."""
    decorators = [
        playbook_option,
        click.option("--repo", help="OWNER/NAME [env: GITHUB_REPOSITORY]."),
        click.option("--github-token", help="Token [env: GITHUB_TOKEN]."),
        click.option("--github-api-url", help="API base URL [env: GITHUB_API_URL]."),
        click.option(
            "--dry-run",
            is_flag=True,
            envvar="OPS_DRY_RUN",
            help="Print the API calls and Markdown; write nothing [env: OPS_DRY_RUN].",
        ),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def github_command(command: Callable[..., T]) -> Callable[..., T]:
    """The GitHub options, and the GitHubContext built from them handed to the command as ``ctx``."""

    @functools.wraps(command)
    def with_context(
        *,
        playbook_path: Path | None,
        repo: str | None,
        github_token: str | None,
        github_api_url: str | None,
        dry_run: bool,
        **options: Any,
    ) -> T:
        return command(github_context(playbook_path, repo, github_token, github_api_url, dry_run), **options)

    return github_options(with_context)
