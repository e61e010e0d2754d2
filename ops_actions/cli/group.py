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


# The commands workflows run, which people rarely type: --help lists them last, apart.
WORKFLOW_ENTRY_POINTS = ("watch", "alert", "command", "action", "schedules", "hotfix-branch", "guard")


class _TableOrderGroup(click.Group):
    """A group whose --help lists the commands people type first, in the command table's order, and
    the workflows' entry points after them, under their own heading."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        def rows(names: list[str]) -> list[tuple[str, str]]:
            limit = formatter.width - 6 - max(len(name) for name in names)
            return [(name, self.commands[name].get_short_help_str(limit)) for name in names]

        typed = [name for name in self.list_commands(ctx) if name not in WORKFLOW_ENTRY_POINTS]
        run_by_workflows = [name for name in WORKFLOW_ENTRY_POINTS if name in self.commands]
        for heading, names in (("Commands", typed), ("Run by the workflows", run_by_workflows)):
            if names:
                with formatter.section(heading):
                    formatter.write_dl(rows(names))


@click.group(
    cls=_TableOrderGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
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
