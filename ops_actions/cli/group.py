"""The ``ops-actions`` Click group with its global options, and the entry points that run it.

``main`` is the console script (pyproject.toml) and ``python -m ops_actions``; ``run`` runs one
command line inside a run scope (the composition root's output and HTTP client) and turns every
failure into a one-line message and a documented exit code, never a traceback. The commands are
attached to the group in ``ops_actions/cli/__init__.py``.
"""

from __future__ import annotations

import io
import sys
from typing import TYPE_CHECKING

import click

from ops_actions import __version__
from ops_actions.cli.root import dry_run_marked, error_line, run_in_progress, run_output, run_scope, say
from ops_actions.errors import ExitCode, OpsError

if TYPE_CHECKING:
    from ops_actions.playbook import PlaybookError


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
    for stream in (sys.stdout, sys.stderr):
        # A Windows console or pipe in a legacy code page cannot print every character (→, emoji);
        # replace those rather than fail.
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
    sys.exit(run(sys.argv[1:]))


def run(argv: list[str]) -> int:
    """Run the CLI and turn every failure into a message and an exit code."""
    if run_in_progress():  # the outermost run owns the output and the client; `action` runs a command inside
        return _run(argv)
    with run_scope():
        code = _run(argv)
        if dry_run_marked() and code == ExitCode.OK:
            say("dry run: nothing was written")
        return code


def _run(argv: list[str]) -> int:
    try:
        result = cli.main(args=argv, prog_name="ops-actions", standalone_mode=False)
    except click.exceptions.ClickException as error:
        shown = io.StringIO()
        error.show(file=shown)
        say(shown.getvalue(), err=True, nl=False)
        return error.exit_code
    except click.exceptions.Abort:
        say("ops-actions: aborted", err=True)
        return int(ExitCode.INTERNAL)
    except OpsError as error:
        error_line(error.message)
        return int(error.exit_code)
    except Exception as error:  # noqa: BLE001 - the promise is a one-line reason, never a traceback
        from ops_actions.playbook import PlaybookError  # not at import: --help needs no YAML parser

        if isinstance(error, PlaybookError):
            _report_playbook_error(error)
            return int(ExitCode.USAGE)
        error_line(f"internal error: {type(error).__name__}: {error}")
        return int(ExitCode.INTERNAL)
    return result if isinstance(result, int) else int(ExitCode.OK)


def _report_playbook_error(error: PlaybookError) -> None:
    """Each problem on its own line; in Actions, also an annotation at the spot."""
    for problem, line in zip(error.problems, error.lines(), strict=True):
        say(line, err=True)
        run_output().annotate(
            "error", problem.message, file=error.source, line=problem.line, col=problem.column
        )
