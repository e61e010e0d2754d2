"""The ``ops-actions`` command line: parse options, build the real clients, call the library, print.

Commands stay thin. Heavy imports (PyGithub, httpx) happen inside the commands that need
them, so ``--help`` and the playbook commands start fast.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import io
import json
import os
import sys
from collections.abc import Callable, Coroutine, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ops_actions import __version__
from ops_actions.errors import ExitCode, OpsError
from ops_actions.sandbox.catalog import APIS, SCENARIOS

if TYPE_CHECKING:
    from ops_actions.adapters.actions_runtime import Output
    from ops_actions.adapters.config import GitHubConfig
    from ops_actions.adapters.github_tracker import GitHubTracker
    from ops_actions.flows.incidents import Incidents, Outcome
    from ops_actions.flows.postmortems import Postmortems
    from ops_actions.flows.remediation import Remediator
    from ops_actions.incident.alerts import Alert
    from ops_actions.incident.triage_report import Snapshot, TriageReport
    from ops_actions.playbook import Playbook, PlaybookError, SchemaChecks
    from ops_actions.playbook.model import Probe
    from ops_actions.triage.history import LocalState

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
playbook_option = click.option(
    "--playbook",
    "playbook_path",
    envvar="OPS_PLAYBOOK",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Playbook file (default: ./playbook.yaml, else the bundled one) [env: OPS_PLAYBOOK].",
)


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


_OUTPUT: ContextVar[Output] = ContextVar("ops_actions_output")
_DRY_RUN: ContextVar[bool] = ContextVar("ops_actions_dry_run", default=False)


def _out() -> Output:
    """This run's output: every line the CLI prints, and everything it hands the runner, goes through it."""
    try:
        return _OUTPUT.get()
    except LookupError:
        _OUTPUT.set(_new_output())
        return _OUTPUT.get()


def _new_output() -> Output:
    """An output that knows the tokens of the environment (and masks them first, inside Actions)."""
    from ops_actions.adapters.actions_runtime import Output
    from ops_actions.text.redact import Secrets

    output = Output(Secrets())
    for name in ("GITHUB_TOKEN", "OPS_BACKEND_ADMIN_TOKEN"):
        output.secret(os.environ.get(name))
    return output


def _say(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Print through the run's output (the CLI prints nothing any other way)."""
    _out().say(text, err=err, nl=nl)


class _Http:
    """The command's one HTTP client (probes and notifications) and the event loop it lives on:
    one connection pool and one TLS context for the whole command, made when first needed."""

    def __init__(self) -> None:
        import asyncio

        from ops_actions.triage.probes import new_client

        self.runner = asyncio.Runner()
        self.client = new_client()

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(work)

    def close(self) -> None:
        self.runner.run(self.client.aclose())
        self.runner.close()


_HTTP: ContextVar[_Http | None] = ContextVar("ops_actions_http", default=None)


def _http() -> _Http:
    """This run's HTTP client, made on first use and closed when the run ends."""
    http = _HTTP.get()
    if http is None:
        http = _Http()
        _HTTP.set(http)
    return http


def run(argv: list[str]) -> int:
    """Run the CLI and turn every failure into a message and an exit code."""
    try:
        _OUTPUT.get()
    except LookupError:  # the outermost run owns the output and the client; `action` runs a command inside
        reset, dry = _OUTPUT.set(_new_output()), _DRY_RUN.set(False)
        try:
            code = _run(argv)
            if _DRY_RUN.get() and code == ExitCode.OK:
                _say("dry run: nothing was written")
            return code
        finally:
            http = _HTTP.get()
            if http is not None:
                http.close()
                _HTTP.set(None)
            _OUTPUT.reset(reset)
            _DRY_RUN.reset(dry)
    return _run(argv)


def _run(argv: list[str]) -> int:
    try:
        result = cli.main(args=argv, prog_name="ops-actions", standalone_mode=False)
    except click.exceptions.ClickException as error:
        shown = io.StringIO()
        error.show(file=shown)
        _say(shown.getvalue(), err=True, nl=False)
        return error.exit_code
    except click.exceptions.Abort:
        _say("ops-actions: aborted", err=True)
        return int(ExitCode.INTERNAL)
    except OpsError as error:
        _error_line(error.message)
        return int(error.exit_code)
    except Exception as error:  # noqa: BLE001 - the promise is a one-line reason, never a traceback
        from ops_actions.playbook import PlaybookError  # not at import: --help needs no YAML parser

        if isinstance(error, PlaybookError):
            _report_playbook_error(error)
            return int(ExitCode.USAGE)
        _error_line(f"internal error: {type(error).__name__}: {error}")
        return int(ExitCode.INTERNAL)
    return result if isinstance(result, int) else int(ExitCode.OK)


def _summary(title: str, lines: Sequence[str]) -> None:
    """A job-summary section: a heading and one list item per line, every line made inert (they carry
    titles, alert fields and GitHub's messages)."""
    from ops_actions.text.markdown import inert

    _out().summary(
        f"## {inert(title, cell=True)}\n\n" + "\n".join(f"- {inert(line, cell=True)}" for line in lines)
    )


def _error_line(message: str) -> None:
    """Print one error line; inside a job also an annotation and a job-summary entry (what went wrong)."""
    line = " ".join(message.split())
    _say(f"ops-actions: error: {line}", err=True)
    _out().annotate("error", line)
    if _out().in_actions:
        _summary("ops-actions: error", [line])


def _report_playbook_error(error: PlaybookError) -> None:
    """Each problem on its own line; in Actions, also an annotation at the spot."""
    for problem, line in zip(error.problems, error.lines(), strict=True):
        _say(line, err=True)
        _out().annotate("error", problem.message, file=error.source, line=problem.line, col=problem.column)


# --- playbook -------------------------------------------------------------------------------


@cli.group()
def playbook() -> None:
    """Check, print and describe the playbook.

    \b
    Example:
      ops-actions playbook render > RUNBOOK.md
    """


@playbook.command("validate")
@click.argument(
    "path", required=False, envvar="OPS_PLAYBOOK", type=click.Path(path_type=Path, dir_okay=False)
)
def playbook_validate(path: Path | None) -> None:
    """Check a playbook: schema, cross-references and conditions; exit 2 when invalid.

    PATH defaults to OPS_PLAYBOOK, then ./playbook.yaml, then the bundled one, as for every
    command. Each problem is printed as PATH:LINE:COL: message (at key.path).

    \b
    Example:
      ops-actions playbook validate playbook.yaml
    """
    loaded = _load(path)
    _say(
        f"{loaded.source}: valid ({len(loaded.playbook.probes)} probes, {len(loaded.playbook.rules)} rules, "
        f"{len(loaded.playbook.decision_tree)} branches)"
    )


@playbook.command("render")
@click.argument(
    "path", required=False, envvar="OPS_PLAYBOOK", type=click.Path(path_type=Path, dir_okay=False)
)
def playbook_render(path: Path | None) -> None:
    """Print the playbook as a Markdown runbook (PATH: as for validate).

    \b
    Example:
      ops-actions playbook render playbook.yaml > RUNBOOK.md
    """
    from ops_actions.playbook.runbook import render_runbook

    _say(render_runbook(_load(path).playbook), nl=False)


@playbook.command("schema")
def playbook_schema() -> None:
    """Print the playbook's JSON Schema (for editors and other validators).

    \b
    Example:
      ops-actions playbook schema > playbook.schema.json
    """
    from ops_actions.playbook import schema

    _say(json.dumps(schema(), indent=2))


# --- triage ---------------------------------------------------------------------------------


def _backend_settings(
    playbook: Playbook, backend_url: str | None, admin_token: str | None
) -> tuple[str, str | None]:
    """The backend URL and admin token: options, then the environment variables the playbook names,
    then the composite action's OPS_BACKEND_URL / OPS_BACKEND_ADMIN_TOKEN. Both are secrets from here on
    (the token, and any credentials in the URL)."""
    from ops_actions.adapters.config import checked_url

    url = backend_url or os.environ.get(playbook.url_env) or os.environ.get("OPS_BACKEND_URL")
    if not url:
        raise OpsError(f"no backend URL: pass --backend-url or set {playbook.url_env}", ExitCode.USAGE)
    url = checked_url(url, "the backend URL")  # its message never repeats the URL
    _out().url_secrets(url)
    token = (
        admin_token or os.environ.get(playbook.admin_token_env) or os.environ.get("OPS_BACKEND_ADMIN_TOKEN")
    )
    _out().secret(token)
    return url, token or None


state_file_option = click.option(
    "--state-file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path(".ops-actions-state.json"),
    show_default=True,
    help="Snapshots of earlier triage runs, for trends and consecutive breaches.",
)


def _probe_credentials(playbook: Playbook, admin_token: str | None) -> dict[str, str]:
    """The credentials the probes' auth names, by environment variable; the admin token as resolved."""
    found = {name: os.environ.get(name, "") for name in playbook.credential_envs()}
    if playbook.admin_token_env in found:
        found[playbook.admin_token_env] = admin_token or ""
    return {name: value for name, value in found.items() if value}


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


@dataclass(frozen=True)
class LoadedPlaybook:
    """A validated playbook with the name and hash reports and incidents record."""

    playbook: Playbook
    source: str
    sha256: str


def _schema_checks() -> SchemaChecks | None:
    """The record of playbooks that passed the schema check, in the user's cache folder."""
    from ops_actions.adapters.config import cache_dir
    from ops_actions.playbook import SchemaChecks

    directory = cache_dir()
    return SchemaChecks(directory) if directory is not None else None


def _load(path: Path | None) -> LoadedPlaybook:
    """Read and validate the playbook. Its name and hash are then the command's first line (on stderr,
    so stdout stays the command's own: JSON, a runbook) and go into the job summary; an invalid
    playbook's errors name the file themselves."""
    from ops_actions.incident.triage_report import content_hash
    from ops_actions.playbook import parse_playbook, read_playbook_source
    from ops_actions.playbook.reading import BUNDLED_SOURCE
    from ops_actions.text.markdown import inert

    source, data = read_playbook_source(path)
    playbook = parse_playbook(data, source=source, checks=_schema_checks())
    loaded = LoadedPlaybook(playbook, source, content_hash(data))
    which = f"{source} (the bundled seed playbook)" if source == BUNDLED_SOURCE and path is None else source
    _say(f"playbook: {which}, sha256 {loaded.sha256[:12]}", err=True)
    _out().summary(f"Playbook: {inert(which, cell=True)}, sha256 `{loaded.sha256[:12]}`")
    return loaded


@dataclass
class TriageRun:
    """One triage as the CLI ran it: the report, where it was written, and the history before it."""

    playbook: Playbook
    report: TriageReport
    path: Path
    history: list[Snapshot]
    local: LocalState


def _run_triage(
    loaded: LoadedPlaybook,
    backend_url: str | None,
    backend_admin_token: str | None,
    report_dir: Path | None,
    state_file: Path,
    *,
    alert_firing: bool = False,
    dry_run: bool = False,
) -> TriageRun:
    """Probe, decide, write the report and the state file (a dry run writes neither: its snapshot
    would change the next real run's trends), and hand the figures to Actions.

    ``alert_firing``: a firing alert started this run, which confirms the flap-controlled rules.
    """
    from ops_actions.incident.triage_report import ProbeResult, snapshot_of
    from ops_actions.incident.triage_text import triage_markdown
    from ops_actions.triage import probes
    from ops_actions.triage.engine import triage as run_triage
    from ops_actions.triage.history import load_state, save_state
    from ops_actions.triage.report_file import write_report

    url, token = _backend_settings(loaded.playbook, backend_url, backend_admin_token)
    credentials = _probe_credentials(loaded.playbook, token)
    for secret in credentials.values():
        # A basic-auth credential is user:password; the password alone is a secret too.
        for part in {secret, secret.partition(":")[2]} - {""}:
            _out().secret(part)
    local, warning = load_state(state_file)
    if warning:
        _say(f"ops-actions: warning: {warning}", err=True)
    history = list(local.snapshots)

    def send(batch: Sequence[Probe]) -> list[ProbeResult]:
        http = _http()
        return http.run(probes.probe_all(http.client, batch, base_url=url, credentials=credentials))

    report = run_triage(
        loaded.playbook,
        send=send,
        clock=_now,
        history=history,
        backend_url=url,
        playbook_path=loaded.source,
        playbook_sha256=loaded.sha256,
        alert_firing=alert_firing,
    )
    folder = report_dir or Path(loaded.playbook.report_dir)
    local.snapshots.append(snapshot_of(report))
    if dry_run:
        path = folder
        _say(f"[dry-run] would write the report to {folder}/ and the snapshot to {state_file}")
        _out().outputs({"severity": report.severity or ""})
    else:
        path = write_report(report, folder, now=_now(), redact=_out().secrets.redact)
        save_state(state_file, local, redact=_out().secrets.redact)
        _out().outputs({"severity": report.severity or "", "report-path": str(path)})
    _out().summary("## Triage\n\n" + triage_markdown(loaded.playbook, report))
    if not report.backend_reachable:
        _error_line(f"backend unreachable: no probe got an answer from {report.backend_url}")
    return TriageRun(loaded.playbook, report, path, history, local)


@cli.command()
@backend_options
@playbook_option
@click.option("--json", "as_json", is_flag=True, help="Print the JSON report instead of the table.")
@click.option(
    "--fail-on", metavar="SEVERITY", help="Exit 5 when the severity is this one or worse: SEV-2, or 2."
)
def triage(
    backend_url: str | None,
    backend_admin_token: str | None,
    report_dir: Path | None,
    state_file: Path,
    playbook_path: Path | None,
    as_json: bool,
    fail_on: str | None,
) -> int:
    """Probe the backend, decide severity and decision-tree branches, write the JSON report.

    Exit codes: 0 done, 2 bad options or playbook, 3 backend unreachable, 5 --fail-on reached.

    \b
    Example:
      ops-actions triage --backend-url https://api.example.com --fail-on SEV-2
    """
    from ops_actions.incident.triage_text import triage_text

    loaded = _load(playbook_path)
    if fail_on is not None:
        try:
            fail_on = loaded.playbook.severities.parse(fail_on)
        except OpsError as error:
            raise OpsError(f"--fail-on: {error.message}") from None
    done = _run_triage(loaded, backend_url, backend_admin_token, report_dir, state_file)
    report = done.report
    if as_json:
        _say(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        _say(triage_text(done.playbook, report, str(done.path)), nl=False)
    if not report.backend_reachable:
        return int(ExitCode.BACKEND_UNREACHABLE)
    rank = done.playbook.severities.rank
    if fail_on and report.severity and rank(report.severity) <= rank(fail_on):
        return int(ExitCode.SEVERITY)
    return int(ExitCode.OK)


def _now() -> datetime:
    """The current time in UTC: the one place the CLI reads the clock.

    OPS_ACTIONS_NOW (ISO 8601) replaces it, so tests and rehearsals can let minutes pass.
    """
    pinned = os.environ.get("OPS_ACTIONS_NOW")
    if not pinned:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(pinned)
    except ValueError:
        raise OpsError(f"OPS_ACTIONS_NOW={pinned!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise OpsError("OPS_ACTIONS_NOW needs a time zone, e.g. 2026-11-27T10:00:00Z")
    return moment.astimezone(UTC)


# --- sandbox --------------------------------------------------------------------------------


def port_option(default: int) -> Callable[[F], F]:
    """The port a sandbox server listens on (0 picks a free one)."""
    return click.option(
        "--port",
        default=default,
        show_default=True,
        type=click.IntRange(0, 65535),
        help="Port (0 picks a free one).",
    )


@cli.group()
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
            on_ready=lambda url: _say(
                f"sandbox backend on {url} ({api} API, scenario {scenario}); Ctrl-C stops it"
            ),
        )


@contextlib.contextmanager
def _listening(host: str, port: int) -> Iterator[None]:
    """A server that cannot listen (the port in use, a privileged port, an unknown host) is a usage
    error that names the address, never a traceback."""
    try:
        yield
    except OSError as error:
        in_use = {errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", errno.EADDRINUSE)}
        if error.errno in in_use:
            reason = "the port is in use (pick another --port; 0 picks a free one)"
        else:
            reason = error.strerror or type(error).__name__
        raise OpsError(f"cannot listen on {host}:{port}: {reason}") from None


# --- demo -----------------------------------------------------------------------------------


@cli.command()
@click.option(
    "--scenario",
    default="worker-stalled",
    show_default=True,
    type=click.Choice([name for name in SCENARIOS if name != "healthy"]),
    help="The failure the sandbox backend plays.",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("demo-output"),
    show_default=True,
    help="Where the demo writes its triage reports.",
)
@click.option("--fast", is_flag=True, help="Skip the narration pauses.")
def demo(scenario: str, output: Path, fast: bool) -> None:
    """Play a whole incident offline: detection, slash commands, redeploy, recovery, postmortem.

    Starts the sandbox backend and the GitHub emulator on free local ports (no network, no
    token), narrates each step, and writes the resulting issues as Markdown, with the triage
    reports, under the output folder.

    \b
    Example:
      ops-actions demo --scenario worker-stalled --fast
    """
    from ops_actions.demo import run_demo

    loaded = _load(None)
    run_demo(
        loaded.playbook,
        playbook_path=loaded.source,
        playbook_sha256=loaded.sha256,
        scenario=scenario,
        output=output,
        say=_say,
        fast=fast,
    )


# --- incidents ------------------------------------------------------------------------------


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
        return command(_github_context(playbook_path, repo, github_token, github_api_url, dry_run), **options)

    return github_options(with_context)


@dataclass
class GitHubContext:
    """What a GitHub-facing command is built from."""

    loaded: LoadedPlaybook
    config: GitHubConfig
    dry_run: bool
    tracker: GitHubTracker
    incidents: Incidents


def _github_context(
    playbook_path: Path | None,
    repo: str | None,
    github_token: str | None,
    github_api_url: str | None,
    dry_run: bool,
) -> GitHubContext:
    """The composition root for GitHub commands: playbook, config, tracker, incident service."""
    from ops_actions.adapters.config import GitHubConfig
    from ops_actions.adapters.github_tracker import DryRunGitHubTracker, GitHubTracker
    from ops_actions.adapters.notify import announcer, checked_targets
    from ops_actions.flows.incidents import Incidents, chain
    from ops_actions.flows.status_page import page_change_signal

    loaded = _load(playbook_path)
    _DRY_RUN.set(dry_run)
    config = GitHubConfig.from_environ(api_url=github_api_url, repository=repo, token=github_token)
    _out().secret(config.token)
    _out().url_secrets(config.api_url)
    for url in checked_targets(loaded.playbook, os.environ):
        _out().secret(url)  # a webhook URL is its own credential
    redact = _out().secrets.redact
    tracker: GitHubTracker = (
        DryRunGitHubTracker.from_config(config, say=_say, redact=redact)
        if dry_run
        else GitHubTracker.from_config(config, redact=redact)
    )
    rerun = (config.run_attempt or "1") != "1"
    announce = (
        None
        if dry_run
        else chain(
            announcer(
                loaded.playbook,
                environ=os.environ,
                clock=_now,
                client=lambda: _http().client,
                run=lambda work: _http().run(work),
                redact=redact,
            ),
            page_change_signal(loaded.playbook, lambda: _out().outputs({"status-page": "true"})),
        )
    )
    return GitHubContext(
        loaded=loaded,
        config=config,
        dry_run=dry_run,
        tracker=tracker,
        incidents=Incidents(tracker, loaded.playbook, clock=_now, rerun=rerun, announce=announce),
    )


def _report_outcome(outcome: Outcome, *, summary_title: str) -> None:
    """Print the outcome and hand it to Actions (outputs, job summary)."""
    _say(f"{outcome.message}: {outcome.url}")
    _out().outputs(
        {
            "incident-number": str(outcome.number),
            "incident-url": outcome.url,
            "severity": outcome.state.severity,
        }
    )
    _summary(summary_title, [f"#{outcome.number} {outcome.url}: {outcome.message}"])


@cli.group()
def incident() -> None:
    """Open and update incidents (GitHub issues labelled 'incident').

    \b
    Example:
      ops-actions incident open --title "Checkout failing" --severity 1 --impact "All payments"
    """


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
    from ops_actions.flows.incidents import operation_key
    from ops_actions.incident.causes import firing_causes
    from ops_actions.incident.state import slug
    from ops_actions.triage.report_file import load_report

    playbook = ctx.loaded.playbook
    report = load_report(from_report, playbook) if from_report else None
    # A person's severity is the floor: the attached triage may raise it, never lower it.
    person = playbook.severities.parse(severity) if severity else None
    chosen = (
        playbook.severities.most_severe([person, report.severity if report else None])
        or playbook.severities[-1].id
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
        detected_by={"how": _opened_how(ctx), "by": ctx.config.actor or ""},
    )
    _report_outcome(outcome, summary_title="Incident")


def _opened_how(ctx: GitHubContext) -> str:
    """How `incident open` was started: the Open incident button (a workflow_dispatch run), or the CLI."""
    return "button" if _out().in_actions and ctx.config.event_name == "workflow_dispatch" else "cli"


@incident.command("update")
@github_command
@click.argument("number", type=int)
@click.option(
    "--status", required=True, help="investigating, mitigating or resolved (the playbook's statuses)."
)
@click.option("--next", "next_update", help="When the next update is due, e.g. 30m or 1h.")
@click.option("--message", default="", help="What changed.")
def incident_update(
    ctx: GitHubContext,
    number: int,
    status: str,
    next_update: str | None,
    message: str,
) -> None:
    """Post a status update in the playbook's template and swap the status label.

    \b
    Example:
      ops-actions incident update 42 --status mitigating --next 30m --message "Rolled back"
    """
    from ops_actions.flows.incidents import operation_key
    from ops_actions.incident.clock import parse_minutes
    from ops_actions.incident.transitions import update_status

    minutes = parse_minutes(next_update) if next_update else None
    key = operation_key(ctx.config.run_id, "status", number, status, minutes, message)
    outcome = ctx.incidents.apply(
        number,
        key,
        lambda state: update_status(
            ctx.loaded.playbook,
            state,
            status=status,
            next_minutes=minutes,
            message=message,
            now=_now(),
            by=ctx.config.actor,
            key=key,
        ),
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
    from ops_actions.flows.incidents import operation_key
    from ops_actions.incident.transitions import change_severity

    key = operation_key(ctx.config.run_id, "severity", number, severity, reason)
    outcome = ctx.incidents.apply(
        number,
        key,
        lambda state: change_severity(
            ctx.loaded.playbook,
            state,
            severity=severity,
            reason=reason,
            now=_now(),
            by=ctx.config.actor,
            key=key,
        ),
        title=True,
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
    from ops_actions.flows.incidents import operation_key

    key = operation_key(ctx.config.run_id, "owner", number, owner)
    outcome = ctx.incidents.assign(number, key, owner, by=ctx.config.actor)
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
    from ops_actions.flows.incidents import operation_key
    from ops_actions.incident.transitions import change_impact

    key = operation_key(ctx.config.run_id, "impact", number, impact)
    outcome = ctx.incidents.apply(
        number,
        key,
        lambda state: change_impact(state, impact=impact, now=_now(), by=ctx.config.actor, key=key),
    )
    _report_outcome(outcome, summary_title="Impact")


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
    from ops_actions.flows.incidents import operation_key
    from ops_actions.incident.resolution_gate import set_check

    who = ctx.config.actor
    if not who:
        raise OpsError("a manual check records who ticked it: set GITHUB_ACTOR", ExitCode.USAGE)
    key = operation_key(ctx.config.run_id, "check", number, item)
    outcome = ctx.incidents.apply(
        number,
        key,
        lambda state: set_check(
            ctx.loaded.playbook, state, item_id=item, checked=True, by=who, via="the CLI", now=_now(), key=key
        ),
    )
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
    from ops_actions.flows.incidents import operation_key
    from ops_actions.flows.regroup import Regrouper

    key = operation_key(ctx.config.run_id, "merge", number, other)
    outcome = Regrouper(ctx.incidents).merge(number, other, key=key, by=ctx.config.actor)
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
    from ops_actions.flows.incidents import operation_key
    from ops_actions.flows.regroup import Regrouper

    key = operation_key(ctx.config.run_id, "split", number, cause)
    outcome = Regrouper(ctx.incidents).split(number, cause, key=key, by=ctx.config.actor)
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
    from ops_actions.flows.incidents import operation_key

    if force and not reason.strip():
        raise OpsError("--force needs --reason: the override is recorded on the timeline")
    key = operation_key(ctx.config.run_id, "resolve", number)
    outcome, filed = _postmortems(ctx).resolve(
        number, key, by=ctx.config.actor, force_reason=reason.strip() if force else None
    )
    _report_outcome(outcome, summary_title="Resolved")
    for line in filed.lines:
        _say(f"{line}: {filed.url}")


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
            on_ready=lambda url: _say(f"GitHub emulator for {repo} on {url}; Ctrl-C stops it"),
        )


# --- the Actions surface: watch, slash commands, the composite action's entry ----------------


@cli.command()
@backend_options
@github_command
def watch(
    ctx: GitHubContext,
    backend_url: str | None,
    backend_admin_token: str | None,
    report_dir: Path | None,
    state_file: Path,
) -> None:
    """Triage, then reconcile with GitHub: open, follow and remind (the scheduled workflow runs this).

    Opens an incident when rules fire and none is open; on the open one, appends a snapshot when
    something changed, notes once when metrics have been normal long enough to resolve, and
    reminds once when the promised status update is overdue.

    \b
    Example:
      ops-actions watch --backend-url https://api.example.com --state-file .ops-actions-state.json
    """
    done, lines = _triage_and_reconcile(ctx, backend_url, backend_admin_token, report_dir, state_file)
    lines += _remind_hourly(ctx, done, state_file)
    for line in lines:
        _say(line)
    _summary("Watch", lines)


def _remind_hourly(ctx: GitHubContext, done: TriageRun, state_file: Path) -> list[str]:
    """Postmortem reminders, at most once an hour (the local state remembers when)."""
    from ops_actions.incident.clock import iso, parse_time
    from ops_actions.triage.history import save_state

    now = _now()
    last = done.local.postmortems_checked_at
    if last and now - parse_time(last) < timedelta(hours=1):
        return []
    lines = _postmortems(ctx).remind()
    done.local.postmortems_checked_at = iso(now)
    if not ctx.dry_run:
        save_state(state_file, done.local, redact=_out().secrets.redact)
    return lines


def _triage_and_reconcile(
    ctx: GitHubContext,
    backend_url: str | None,
    backend_admin_token: str | None,
    report_dir: Path | None,
    state_file: Path,
    *,
    alert: Alert | None = None,
) -> tuple[TriageRun, list[str]]:
    """Triage, then bring GitHub in line (the watch, and alert intake with its alert)."""
    from ops_actions.flows.watch import reconcile

    firing = alert is not None and alert.status == "firing"
    done = _run_triage(
        ctx.loaded,
        backend_url,
        backend_admin_token,
        report_dir,
        state_file,
        alert_firing=firing,
        dry_run=ctx.dry_run,
    )
    lines = reconcile(
        ctx.incidents,
        ctx.loaded.playbook,
        done.report,
        history=done.history,
        now=_now(),
        run_id=ctx.config.run_id,
        links=_links(ctx),
        playbook_sha256=ctx.loaded.sha256,
        remediator=_remediator(ctx),
        alert=alert,
    )
    return done, lines


def _links(ctx: GitHubContext) -> list[tuple[str, str]]:
    """Links an incident body carries: the workflow run that wrote it."""
    return [("Workflow run", ctx.config.run_url)] if ctx.config.run_url else []


@cli.command("command")
@github_options
def command_(
    playbook_path: Path | None,
    repo: str | None,
    github_token: str | None,
    github_api_url: str | None,
    dry_run: bool,
) -> None:
    """Run the slash commands of the issue comment that triggered this workflow (GITHUB_EVENT_PATH).

    Commands: /status <status> [next <N>m] <text>, /sev <1|2|3> [reason], /owner @user,
    /impact <text>, /deploy [ref], /rollback [sha], /smoke, /check <item>, /merge #N,
    /split <cause>, /resolve [force <reason>], /postmortem, /help. Only users with write access
    are obeyed. An issues 'edited' event instead counts the manual checklist boxes its editor
    ticked or unticked in the body (with write access only).

    \b
    Example:
      GITHUB_EVENT_PATH=comment.json ops-actions command --dry-run
    """
    from ops_actions.adapters import actions_runtime as actions
    from ops_actions.flows.body_edits import BodyEdit, BodyEdits
    from ops_actions.flows.slash_commands import CommentEvent, SlashCommands

    payload = actions.read_event()
    # A bad payload fails before any setup. An issue's edit carries no comment; all else is a comment's.
    body_edit = payload.get("action") == "edited" and "comment" not in payload
    event = BodyEdit.from_payload(payload) if body_edit else CommentEvent.from_payload(payload)
    ctx = _github_context(playbook_path, repo, github_token, github_api_url, dry_run)
    if isinstance(event, BodyEdit):
        lines = BodyEdits(tracker=ctx.tracker, incidents=ctx.incidents).handle(event)
        title = f"Checklist edit on #{event.number}"
    else:
        slash = SlashCommands(
            tracker=ctx.tracker,
            incidents=ctx.incidents,
            remediator=_remediator(ctx),
            postmortems=_postmortems(ctx),
        )
        lines = slash.handle(event)
        title = f"Commands on #{event.number}"
    for line in lines:
        _say(line)
    _summary(title, lines)


def _remediator(ctx: GitHubContext) -> Remediator:
    from ops_actions.flows.remediation import Remediator

    live = sys.stdout.isatty() and not _out().in_actions
    return Remediator(
        tracker=ctx.tracker,
        incidents=ctx.incidents,
        clock=_now,
        say=_say,
        progress=_out().progress if live else None,
    )


# The composite action may run these commands (and their subcommands), nothing else.
ACTION_COMMANDS = frozenset(
    {
        "triage",
        "watch",
        "incident",
        "command",
        "remediate",
        "guard",
        "postmortem",
        "alert",
        "report",
        "playbook",
        "status-page",
    }
)


@cli.command("action")
def action_entry() -> int:
    """Entry point of the composite action: runs OPS_COMMAND with OPS_ARGS, after masking secrets.

    OPS_ARGS is split like a shell would (quotes group words) but nothing is executed; event data
    never goes there: commands read it from their own environment variables.

    \b
    Example:
      OPS_COMMAND="incident open" OPS_ARGS="--severity 2" OPS_INCIDENT_TITLE="Queue stuck" ops-actions action
    """
    import shlex

    # The run's output masked GITHUB_TOKEN and OPS_BACKEND_ADMIN_TOKEN before anything else.
    command = os.environ.get("OPS_COMMAND", "").split()
    if not command or command[0] not in ACTION_COMMANDS:
        raise OpsError(f"OPS_COMMAND must start with one of {', '.join(sorted(ACTION_COMMANDS))}")
    try:
        extra = shlex.split(os.environ.get("OPS_ARGS", ""))
    except ValueError as error:
        raise OpsError(f"OPS_ARGS cannot be split: {error}") from None
    return run([*command, *extra])


# --- remediation ----------------------------------------------------------------------------


@cli.command()
@github_command
@click.argument("role", type=click.Choice(["deploy", "rollback", "smoke"]))
@click.option(
    "--incident",
    "incident_number",
    type=click.IntRange(min=1),
    metavar="N",
    help="Incident whose timeline records the run.",
)
@click.option("--ref", help="deploy: the git ref to deploy; rollback: the SHA (default: last good deploy).")
@click.option("--wait", is_flag=True, help="Follow the run until it concludes, with a live progress line.")
@click.option("--timeout", help="With --wait: give up after this long, e.g. 20m (default: the playbook's).")
@click.option(
    "--poll-seconds", type=float, help="With --wait: seconds between reads (default: the playbook's)."
)
@click.option("--hotfix-branch", is_flag=True, help="rollback: also create the playbook's hotfix branch.")
@click.option(
    "--override-reason",
    envvar="OPS_FREEZE_OVERRIDE_REASON",
    help="deploy: deploy during a freeze; the reason is recorded [env: OPS_FREEZE_OVERRIDE_REASON].",
)
def remediate(
    ctx: GitHubContext,
    role: str,
    incident_number: int | None,
    ref: str | None,
    wait: bool,
    timeout: str | None,
    poll_seconds: float | None,
    hotfix_branch: bool,
    override_reason: str | None,
) -> int:
    """Dispatch Backend Deploy, the rollback or Backend Live Smoke, and optionally follow the run.

    Every input is checked before anything is dispatched: the incident exists, is an incident
    and is open; the ref fits the role (a rollback goes to a commit SHA); --hotfix-branch goes
    with a rollback of an incident. The run link goes on the incident's timeline at once; with
    --wait the conclusion follows. Exit codes: 2 bad input, 4 dispatch failed, 6 deploy refused
    by a freeze, 7 the run failed or timed out.

    \b
    Example:
      ops-actions remediate rollback --incident 42 --wait --hotfix-branch
    """
    from ops_actions.flows.incidents import operation_key
    from ops_actions.incident.clock import parse_minutes

    remediation = ctx.loaded.playbook.remediation
    timeout_s = (parse_minutes(timeout) if timeout else remediation.timeout_minutes) * 60.0
    if poll_seconds is not None and not 0 < poll_seconds <= 3600:
        raise OpsError(f"--poll-seconds {poll_seconds:g}: give a number of seconds from 0 to 3600")
    remediator = _remediator(ctx)
    key = operation_key(ctx.config.run_id, "remediate", role, incident_number, ref)
    dispatched = remediator.dispatch(
        role,
        incident=incident_number,
        ref=ref,
        key=key,
        by=ctx.config.actor,
        override_reason=override_reason,
        hotfix=hotfix_branch,
    )
    _out().outputs({"run-url": dispatched.url})
    if dispatched.hotfix_branch:
        _say(f"hotfix branch: {dispatched.hotfix_branch}")
    if not wait or ctx.dry_run or not dispatched.run_id:
        return int(ExitCode.OK)
    poll = poll_seconds or float(remediation.poll_seconds)
    followed = remediator.follow(dispatched, incident=incident_number, timeout_s=timeout_s, poll_s=poll)
    _say(f"{role} concluded: {followed.conclusion} ({followed.url})")
    _summary(role, [f"{followed.conclusion}: {followed.url}"])
    return int(ExitCode.OK if followed.conclusion == "success" else ExitCode.REMEDIATION_FAILED)


@cli.command()
@github_command
@click.option(
    "--override-reason",
    envvar="OPS_FREEZE_OVERRIDE_REASON",
    help="Deploy despite the freeze; recorded on the incident [env: OPS_FREEZE_OVERRIDE_REASON].",
)
def guard(
    ctx: GitHubContext,
    override_reason: str | None,
) -> int:
    """Fail (exit 6) while an open incident freezes deploys; a step for any deploy workflow.

    With an override reason the deploy goes on and the override is recorded on the incident.

    \b
    Example:
      ops-actions guard --override-reason "hotfix for the outage itself"
    """
    from ops_actions.flows.remediation import active_freezes, record_override

    frozen = active_freezes(ctx.incidents)
    if not frozen:
        _say("no deploy freeze: deploy may go on")
        return int(ExitCode.OK)
    names = ", ".join(f"#{issue.number}" for issue, _ in frozen)
    if not override_reason or not override_reason.strip():
        raise OpsError(
            f"deploys are frozen by incident {names}; dispatch with an override reason to deploy anyway",
            ExitCode.REFUSED,
        )
    record_override(
        ctx.incidents,
        frozen,
        reason=override_reason.strip(),
        by=ctx.config.actor,
        run_url=ctx.config.run_url,
        key=f"guard-{ctx.config.run_id or 'local'}",
        now=_now(),
    )
    _say(f"deploy freeze by {names} overridden: {override_reason.strip()}")
    return int(ExitCode.OK)


# --- postmortems ----------------------------------------------------------------------------


@cli.group()
def postmortem() -> None:
    """Postmortems: create from the incident, sync action items, remind.

    \b
    Example:
      ops-actions postmortem create 42
    """


def _postmortems(ctx: GitHubContext) -> Postmortems:
    from ops_actions.flows.postmortems import Postmortems

    return Postmortems(tracker=ctx.tracker, incidents=ctx.incidents, clock=_now)


def _event_issue_number() -> int:
    """The issue number of the event that started this workflow run."""
    from ops_actions.adapters import actions_runtime as actions

    event = actions.read_event()
    number = (event.get("issue") or {}).get("number")
    if not isinstance(number, int):
        raise OpsError("give an issue number, or run from an issues/issue_comment event")
    return number


@postmortem.command("create")
@github_command
@click.argument("number", type=int, required=False)
def postmortem_create(
    ctx: GitHubContext,
    number: int | None,
) -> None:
    """Create the incident's postmortem issue (or refresh its facts), due 24 h after resolution.

    Without NUMBER, the incident is the issue of the triggering event (incident-postmortem.yml): an
    incident closed as not planned (a false alarm) then gets none. An open incident never does.

    \b
    Example:
      ops-actions postmortem create 42
    """
    postmortems = _postmortems(ctx)
    if number is None:
        result = postmortems.create(_event_issue_number(), asked=False)
    else:
        result = postmortems.create(number)
    for line in result.lines:
        _say(f"{line}: {result.url}")
    _summary("Postmortem", [f"#{result.number} {result.url}: {line}" for line in result.lines])


@postmortem.command("sync")
@github_command
@click.argument("number", type=int, required=False)
def postmortem_sync(
    ctx: GitHubContext,
    number: int | None,
) -> None:
    """Turn preventive actions into sub-issues and keep their checkboxes in step both ways.

    NUMBER is the postmortem issue (or its incident); without it, the issue of the triggering
    event (incident-postmortem.yml, when a person edits a postmortem). Items need
    `— @owner — due YYYY-MM-DD`; the ones that lack them are reported in a comment.

    \b
    Example:
      ops-actions postmortem sync 57
    """
    result = _postmortems(ctx).sync(number if number is not None else _event_issue_number())
    for line in result.lines:
        _say(line)


@postmortem.command("remind")
@github_command
def postmortem_remind(
    ctx: GitHubContext,
) -> None:
    """Remind, once a day, about overdue action items and postmortems still empty when due.

    The scheduled watch runs this at most once an hour.

    \b
    Example:
      ops-actions postmortem remind
    """
    for line in _postmortems(ctx).remind() or ["nothing to remind"]:
        _say(line)


@cli.command()
@github_command
@click.option(
    "--since", default="90d", show_default=True, help="Period: incidents opened in the last N days (Nd)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON instead of Markdown.")
def report(
    ctx: GitHubContext,
    since: str,
    as_json: bool,
) -> None:
    """Incidents by severity and component, response times, postmortems and action items.

    Times to acknowledge, mitigate and resolve are given as median and p90 (nearest rank); time
    to mitigate runs until metrics were normal again.
    The Markdown also goes to the job summary inside Actions.

    \b
    Example:
      ops-actions report --since 30d --json
    """
    from ops_actions.flows.postmortems import collect_records
    from ops_actions.incident.figures import build_report, report_markdown

    if not (since.endswith("d") and since[:-1].isdigit() and int(since[:-1]) > 0):
        raise OpsError(f"--since {since!r}: give a number of days such as 90d")
    now = _now()
    start = now - timedelta(days=int(since[:-1]))
    incidents, postmortems = collect_records(ctx.tracker, ctx.incidents, since=start)
    figures = build_report(ctx.loaded.playbook, incidents, postmortems, since=start, now=now)
    markdown = report_markdown(figures)
    _say(json.dumps(figures, indent=2) if as_json else markdown)
    _out().summary(markdown)


# --- the status page -----------------------------------------------------------------------


@cli.group("status-page")
def status_page() -> None:
    """The public status page: built from the incident issues, published on GitHub Pages.

    \b
    Example:
      ops-actions status-page build --out site/
    """


@status_page.command("build")
@github_command
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("site"),
    show_default=True,
    help="Folder to write the site to: new, empty, or an earlier build (replaced).",
)
@state_file_option
def status_page_build(ctx: GitHubContext, out: Path, state_file: Path) -> None:
    """Build the static status page: index.html, one page per incident, feed.xml, status.json.

    Shows each component's state (from the open incidents' severities), the open incidents with
    their public updates, 90 days of history and the past incidents. Only the timeline events the
    playbook's status_page.public_events names are published (default: /status updates and the
    resolution), and the postmortem section it names; nothing else of the issues. Everything is
    read and checked before the folder is written. The triage state file, when there is one, gives
    the time of the last automated check.

    \b
    Example:
      ops-actions status-page build --out site/
    """
    from ops_actions.flows.status_page import build_site, write_site
    from ops_actions.triage.history import load_state

    local, warning = load_state(state_file)
    if warning:
        _say(f"ops-actions: warning: {warning}", err=True)
    playbook = ctx.loaded.playbook
    for name in (playbook.admin_token_env, *playbook.credential_envs(), "OPS_BACKEND_ADMIN_TOKEN"):
        _out().secret(os.environ.get(name))  # the page never needs them: secrets to keep off it
    files = build_site(
        ctx.incidents,
        ctx.tracker,
        repository=ctx.config.repository,
        now=_now(),
        last_checked_at=local.snapshots[-1].at if local.snapshots else None,
        redact=_out().secrets.redact,
    )
    if ctx.dry_run:
        _say(f"[dry-run] would write {len(files)} files to {out}/: " + ", ".join(sorted(files)))
        return
    write_site(out, files)
    _say(f"status page: {len(files)} files in {out}/ (open {out / 'index.html'})")
    _summary("Status page", [f"{len(files)} files built into {out}/"])


# --- alert intake ---------------------------------------------------------------------------

ALERT_EVENT = "ops-alert"


@cli.group(invoke_without_command=True)
@backend_options
@github_options
@click.pass_context
def alert(
    context: click.Context,
    backend_url: str | None,
    backend_admin_token: str | None,
    report_dir: Path | None,
    state_file: Path,
    playbook_path: Path | None,
    repo: str | None,
    github_token: str | None,
    github_api_url: str | None,
    dry_run: bool,
) -> None:
    """Take an alert from a monitor (repository_dispatch 'ops-alert'): triage at once, then reconcile.

    Reads the event from GITHUB_EVENT_PATH (incident-alert.yml runs this). The payload may be
    ops-actions' own, an Alertmanager webhook body or a Grafana alerting webhook body; anything
    else is rejected (exit 2) before anything is written. A resolved alert never closes an
    incident: it goes on the timeline and starts the 'normal for N min' clock.

    \b
    Example:
      GITHUB_EVENT_PATH=dispatch.json ops-actions alert --backend-url https://api.example.com
    """
    if context.invoked_subcommand is not None:
        return
    from ops_actions.adapters import actions_runtime as actions
    from ops_actions.incident.alerts import parse_payload

    event = actions.read_event()
    if event.get("action") != ALERT_EVENT:
        raise OpsError(
            f"not an '{ALERT_EVENT}' repository_dispatch event (event type {event.get('action')!r})"
        )
    ctx = _github_context(playbook_path, repo, github_token, github_api_url, dry_run)
    incoming = parse_payload(ctx.loaded.playbook, event.get("client_payload"))
    _say(f"alert {incoming.status}: {incoming.title} [{incoming.severity}] from {incoming.source}")
    _, lines = _triage_and_reconcile(
        ctx, backend_url, backend_admin_token, report_dir, state_file, alert=incoming
    )
    for line in lines:
        _say(line)
    _summary(f"Alert: {incoming.title}", lines)


@alert.command("send")
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
@click.option("--repo", help="OWNER/NAME [env: GITHUB_REPOSITORY].")
@click.option("--github-token", help="Token [env: GITHUB_TOKEN].")
@click.option("--github-api-url", help="API base URL [env: GITHUB_API_URL].")
@click.option("--dry-run", is_flag=True, help="Print the exact request instead of sending it.")
def alert_send(
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

    \b
    Example:
      ops-actions alert send --title "Checkout 5xx above 5%" --severity critical --component billing
      ops-actions alert send --payload-file alertmanager-body.json --dry-run
    """
    from ops_actions.adapters.config import GitHubConfig
    from ops_actions.adapters.github_tracker import GitHubTracker
    from ops_actions.incident.alerts import client_payload

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
    config = GitHubConfig.from_environ(
        api_url=github_api_url, repository=repo, token=github_token or ("dry-run" if dry_run else None)
    )
    request = {"event_type": ALERT_EVENT, "client_payload": payload}
    if dry_run:
        _DRY_RUN.set(True)
        _say(f"POST {config.api_url}/repos/{config.repository}/dispatches")
        _say("Accept: application/vnd.github+json")
        _say("Authorization: Bearer ${GITHUB_TOKEN}")
        _say(json.dumps(request, indent=2, ensure_ascii=False))
        return
    _out().secret(config.token)
    tracker = GitHubTracker.from_config(config, redact=_out().secrets.redact)
    try:
        tracker.repository_dispatch(ALERT_EVENT, payload)
    finally:
        tracker.close()
    _say(f"alert sent to {config.repository} ({status})")


# --- scaffolding ----------------------------------------------------------------------------


@cli.command()
@click.argument("directory", required=False, type=click.Path(path_type=Path, file_okay=False), default=Path())
@click.option(
    "--action-ref", required=True, help="This action, pinned: OWNER/ops-actions@<40-hex commit SHA>."
)
@click.option(
    "--force", is_flag=True, help="Overwrite workflows and the schema that differ (never a changed playbook)."
)
@click.option(
    "--upgrade",
    is_flag=True,
    help="Move the pin in the incident workflows to --action-ref and refresh the schema; print the diff.",
)
def init(directory: Path, action_ref: str, force: bool, upgrade: bool) -> None:
    """Scaffold a repository: playbook.yaml (to edit) and the incident workflows using this action.

    Refuses to overwrite changed workflows without --force, then lists the secrets, variables and
    permissions still to set. playbook.yaml and the example backend-*.yml workflows are yours once
    written: a changed one is kept, with --force too. --upgrade moves an installed repository to
    another version: it rewrites only the action pin of the incident workflows there are, and the
    schema, and prints what changed; playbook.yaml and the example workflows are left alone.

    \b
    Example:
      ops-actions init . --action-ref octo-org/ops-actions@0123456789abcdef0123456789abcdef01234567
      ops-actions init . --upgrade --action-ref octo-org/ops-actions@89abcdef0123456789abcdef0123456789abcdef
    """
    from ops_actions.scaffold import PAGES, PERMISSIONS, SECRETS, plan, plan_upgrade, write

    if upgrade and force:
        raise OpsError("--upgrade never overwrites anything but the pin and the schema: drop --force")
    if upgrade:
        upgraded = plan_upgrade(directory, action_ref)
        written = write(upgraded.planned, force=True)
        for item in upgraded.planned:
            _say(f"{'updated' if item in written else 'up to date':>10}  {item.path}")
            _say(item.diff(), nl=False)
        for note in upgraded.notes:
            _say(f"{'kept':>10}  {note}")
        _say("\nThen: ops-actions playbook validate playbook.yaml, review the diff, and commit.")
        return
    planned = plan(directory, action_ref)
    written = write(planned, force=force)
    for item in planned:
        if item in written:
            _say(f"{'written':>10}  {item.path}")
            _say(item.diff(), nl=False)
        elif item.status == "changed":
            _say(f"{'kept':>10}  {item.path} (yours: changed, never overwritten; delete it for the example)")
        else:
            _say(f"{'up to date':>10}  {item.path}")
    _say("\nStill to set in the repository's settings:")
    for kind, name, why in SECRETS:
        _say(f"  {kind:<8} {name}: {why}")
    _say("\nPermissions the workflows request (each job asks only for these; contents: read besides):")
    for workflow, permissions, why in PERMISSIONS:
        _say(f"  {workflow:<24} {permissions:<30} {why}")
    _say(f"\nSwitch GitHub Pages on: {PAGES}.")
    _say("\nThen: ops-actions playbook validate playbook.yaml, and commit.")
