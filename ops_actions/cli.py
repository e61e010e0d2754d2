"""The ``ops-actions`` command line: parse options, build the real clients, call the library, print.

Commands stay thin. Heavy imports (PyGithub, httpx) happen inside the commands that need
them, so ``--help`` and the playbook commands start fast.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ops_actions import __version__, actions
from ops_actions.errors import ExitCode, OpsError
from ops_actions.playbook import Playbook, PlaybookError, load_playbook, parse_playbook, read_playbook_source
from ops_actions.sandbox.backend import SCENARIOS

if TYPE_CHECKING:
    from ops_actions.playbook.model import Probe

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


# --- triage ---------------------------------------------------------------------------------


def _backend_settings(
    playbook: Playbook, backend_url: str | None, admin_token: str | None
) -> tuple[str, str | None]:
    """The backend URL and admin token, from options or the environment variables the playbook names."""
    url = backend_url or os.environ.get(playbook.url_env)
    if not url:
        raise OpsError(f"no backend URL: pass --backend-url or set {playbook.url_env}", ExitCode.USAGE)
    if not url.startswith(("http://", "https://")):
        raise OpsError("the backend URL must start with http:// or https://", ExitCode.USAGE)
    return url, admin_token or os.environ.get(playbook.admin_token_env) or None


@cli.command()
@click.option("--backend-url", envvar="OPS_BACKEND_URL", help="Backend base URL [env: OPS_BACKEND_URL].")
@click.option(
    "--backend-admin-token",
    help="Admin token (default: the environment variable the playbook names, OPS_BACKEND_ADMIN_TOKEN).",
)
@click.option(
    "--playbook", "playbook_path", type=click.Path(path_type=Path, dir_okay=False), help=PLAYBOOK_HELP
)
@click.option(
    "--report-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("reports"),
    show_default=True,
)
@click.option(
    "--state-file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path(".ops-actions-state.json"),
    show_default=True,
    help="Snapshots of earlier runs, for trends and consecutive breaches.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the JSON report instead of the table.")
@click.option(
    "--fail-on", metavar="SEVERITY", help="Exit 5 when the severity is this one or worse, e.g. SEV-2."
)
def triage(
    backend_url: str | None,
    backend_admin_token: str | None,
    playbook_path: Path | None,
    report_dir: Path,
    state_file: Path,
    as_json: bool,
    fail_on: str | None,
) -> int:
    """Probe the backend, decide severity and decision-tree branches, write the JSON report.

    Exit codes: 0 done, 2 bad options or playbook, 3 backend unreachable, 5 --fail-on reached.

    \b
    Example:
      ops-actions triage --backend-url https://api.example.com --fail-on SEV-2
    """
    from ops_actions import probes, render, state
    from ops_actions import triage as triage_core

    source, data = read_playbook_source(playbook_path)
    loaded = parse_playbook(data, source=source)
    if fail_on is not None and fail_on not in {s.id for s in loaded.severities}:
        known = ", ".join(s.id for s in loaded.severities)
        raise OpsError(f"--fail-on {fail_on!r} is not a severity of the playbook ({known})")
    url, token = _backend_settings(loaded, backend_url, backend_admin_token)
    if token and actions.in_actions():
        click.echo(actions.mask(token))
    history, warning = state.load_snapshots(state_file)
    if warning:
        click.echo(f"ops-actions: warning: {warning}", err=True)

    def send(batch: Sequence[Probe]) -> list[probes.ProbeResult]:
        return probes.run_probes(batch, base_url=url, admin_token=token)

    report = triage_core.triage(
        loaded,
        send=send,
        clock=_now,
        history=history,
        backend_url=url,
        playbook_path=source,
        playbook_sha256=triage_core.content_hash(data),
    )
    path = triage_core.write_report(report, report_dir, now=_now())
    state.save_snapshots(state_file, [*history, triage_core.snapshot_of(report)])
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(render.triage_text(loaded, report, str(path)), nl=False)
    actions.set_outputs({"severity": report.severity or "", "report-path": str(path)})
    actions.add_summary("## Triage\n\n" + render.triage_markdown(loaded, report))
    if not report.backend_reachable:
        _error_line(f"backend unreachable: no probe got an answer from {report.backend_url}")
        return int(ExitCode.BACKEND_UNREACHABLE)
    if fail_on and report.severity and loaded.severity(report.severity).rank <= loaded.severity(fail_on).rank:
        return int(ExitCode.SEVERITY)
    return int(ExitCode.OK)


def _now() -> datetime:
    """The current time in UTC (the one place the CLI reads the clock)."""
    return datetime.now(UTC)


# --- sandbox --------------------------------------------------------------------------------


@cli.group()
def sandbox() -> None:
    """Local stand-ins for the backend and GitHub, for tests, the demo and dry runs.

    \b
    Example:
      ops-actions sandbox backend --port 8080 --scenario db-down
    """


@sandbox.command("backend")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, help="Port (0 picks a free one).")
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
def sandbox_backend(host: str, port: int, scenario: str, admin_token: str) -> None:
    """Serve the reference backend ops API with a failure scenario until Ctrl-C.

    \b
    Example:
      ops-actions sandbox backend --port 8080 --scenario worker-stalled
      curl -X POST localhost:8080/_sandbox/scenario -d '{"scenario": "healthy"}'
    """
    from ops_actions.sandbox.backend import serve

    serve(
        host=host,
        port=port,
        scenario=scenario,
        admin_token=admin_token,
        on_ready=lambda url: click.echo(f"sandbox backend on {url} (scenario {scenario}); Ctrl-C stops it"),
    )
