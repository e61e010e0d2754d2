"""The ``ops-actions`` command line: parse options, build the real clients, call the library, print.

Commands stay thin. Heavy imports (PyGithub, httpx) happen inside the commands that need
them, so ``--help`` and the playbook commands start fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ops_actions import __version__, actions
from ops_actions.errors import ExitCode, OpsError
from ops_actions.playbook import PlaybookError, load_playbook, parse_playbook, read_playbook_source

PLAYBOOK_HELP = "Playbook file (default: ./playbook.yaml, else the bundled one)."


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="ops-actions")
def cli() -> None:
    """Run an incident-response playbook: triage, incidents as GitHub issues, remediation.

    \b
    Example:
      ops-actions playbook validate playbook.yaml
    """


def main() -> None:
    """Console entry point: one-line errors and documented exit codes, never a traceback."""
    sys.exit(run(sys.argv[1:]))


def run(argv: list[str]) -> int:
    """Run the CLI and turn every failure into a message and an exit code."""
    try:
        result = cli.main(args=argv, prog_name="ops-actions", standalone_mode=False)
    except click.exceptions.ClickException as error:
        error.show()
        return error.exit_code
    except click.exceptions.Abort:
        click.echo("ops-actions: aborted", err=True)
        return int(ExitCode.INTERNAL)
    except PlaybookError as error:
        _report_playbook_error(error)
        return int(ExitCode.USAGE)
    except OpsError as error:
        _error_line(error.message)
        return int(error.exit_code)
    except Exception as error:  # noqa: BLE001 - the promise is a one-line reason, never a traceback
        _error_line(f"internal error: {type(error).__name__}: {error}")
        return int(ExitCode.INTERNAL)
    return result if isinstance(result, int) else int(ExitCode.OK)


def _error_line(message: str) -> None:
    """Print one error line (and an Actions annotation when inside a job)."""
    line = " ".join(message.split())
    click.echo(f"ops-actions: error: {line}", err=True)
    if actions.in_actions():
        click.echo(actions.annotation("error", line))


def _report_playbook_error(error: PlaybookError) -> None:
    """Each problem on its own line; in Actions, also an annotation at the spot."""
    for problem, line in zip(error.problems, error.lines(), strict=True):
        click.echo(line, err=True)
        if actions.in_actions():
            click.echo(
                actions.annotation(
                    "error", problem.message, file=error.source, line=problem.line, col=problem.column
                )
            )


# --- playbook -------------------------------------------------------------------------------


@cli.group()
def playbook() -> None:
    """Check, print and describe the playbook.

    \b
    Example:
      ops-actions playbook render > RUNBOOK.md
    """


@playbook.command("validate")
@click.argument("path", required=False, type=click.Path(path_type=Path, dir_okay=False))
def playbook_validate(path: Path | None) -> None:
    """Check a playbook: schema, cross-references and conditions; exit 2 when invalid.

    Each problem is printed as PATH:LINE:COL: message (at key.path).

    \b
    Example:
      ops-actions playbook validate playbook.yaml
    """
    source, data = read_playbook_source(path)
    loaded = parse_playbook(data, source=source)
    click.echo(
        f"{source}: valid ({len(loaded.probes)} probes, {len(loaded.rules)} rules, "
        f"{len(loaded.decision_tree)} branches)"
    )


@playbook.command("render")
@click.argument("path", required=False, type=click.Path(path_type=Path, dir_okay=False))
def playbook_render(path: Path | None) -> None:
    """Print the playbook as a Markdown runbook.

    \b
    Example:
      ops-actions playbook render playbook.yaml > RUNBOOK.md
    """
    from ops_actions.playbook.runbook import render_runbook

    click.echo(render_runbook(load_playbook(path)), nl=False)


@playbook.command("schema")
def playbook_schema() -> None:
    """Print the playbook's JSON Schema (for editors and other validators).

    \b
    Example:
      ops-actions playbook schema > playbook.schema.json
    """
    from ops_actions.playbook import schema

    click.echo(json.dumps(schema(), indent=2))
