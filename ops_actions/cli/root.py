"""The composition root: builds the real objects a command runs with, from its options and the
environment, and hands them down by keyword.

A run's objects: its Output (every printed line, step output, job summary and mask goes through it),
its dry-run flag, the one HTTP client and event loop of the command (``_Http``), and the clock
(``utc_now``, which OPS_ACTIONS_NOW pins). From them: the validated playbook (``loaded_playbook``),
what a triage of the backend runs with (``triage_setup``), and for GitHub commands the
``GitHubContext`` (config, the PyGithub-backed tracker or its dry-run stand-in, the incident service
with its notifications) with the remediation and postmortem services over it. Heavy libraries
(httpx, PyGithub, the playbook loader) are imported inside the functions that need them, so
``--help`` loads none of them.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Coroutine, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ops_actions.errors import ExitCode, OpsError

if TYPE_CHECKING:
    from ops_actions.adapters.actions_runtime import Output
    from ops_actions.adapters.config import GitHubConfig
    from ops_actions.adapters.github_tracker import GitHubTracker
    from ops_actions.flows.budget import BudgetSource
    from ops_actions.flows.incidents import IncidentService
    from ops_actions.flows.postmortems import Postmortems
    from ops_actions.flows.remediation import Remediator
    from ops_actions.flows.timelines import TimelineReader
    from ops_actions.flows.triage import TriageSetup
    from ops_actions.incident.triage_report import ProbeResult
    from ops_actions.playbook import Playbook, SchemaChecks
    from ops_actions.playbook.model import Probe
    from ops_actions.triage.history import WatchHistory

T = TypeVar("T")

# The token that dispatches and follows workflows in another repository (workflows.<role>.repository):
# a GitHub App's installation token with actions: write there, and the login it acts as.
REMEDIATION_TOKEN_ENV = "OPS_REMEDIATION_TOKEN"  # noqa: S105 - the variable's name, not a token
REMEDIATION_LOGIN_ENV = "OPS_REMEDIATION_LOGIN"

_OUTPUT: ContextVar[Output] = ContextVar("ops_actions_output")
_DRY_RUN: ContextVar[bool] = ContextVar("ops_actions_dry_run", default=False)
_VERBOSE: ContextVar[bool] = ContextVar("ops_actions_verbose", default=False)


def run_output() -> Output:
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
    for name in ("GITHUB_TOKEN", "OPS_BACKEND_ADMIN_TOKEN", REMEDIATION_TOKEN_ENV):
        output.secret(os.environ.get(name))
    return output


def run_in_progress() -> bool:
    """Whether an outer run owns the output already (`action` runs a command inside its own run)."""
    return _OUTPUT.get(None) is not None


@contextlib.contextmanager
def run_scope() -> Iterator[None]:
    """The outermost run's output, dry-run and verbose flags, and its HTTP client closed when the run ends."""
    output, dry, verbose = _OUTPUT.set(_new_output()), _DRY_RUN.set(False), _VERBOSE.set(False)
    try:
        yield
    finally:
        http = _HTTP.get()
        if http is not None:
            http.close()
            _HTTP.set(None)
        _OUTPUT.reset(output)
        _DRY_RUN.reset(dry)
        _VERBOSE.reset(verbose)


def mark_dry_run(dry_run: bool = True) -> None:
    """Record whether this run writes nothing (its last line then says so)."""
    _DRY_RUN.set(dry_run)


def dry_run_marked() -> bool:
    """Whether this run was marked a dry run."""
    return _DRY_RUN.get()


def mark_verbose(verbose: bool) -> None:
    """Record whether a dry run prints each write's full request after its one-line summary."""
    _VERBOSE.set(verbose)


def verbose_marked() -> bool:
    """Whether this run prints the full requests of a dry run (-v/--verbose)."""
    return _VERBOSE.get()


def say(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Print through the run's output (the CLI prints nothing any other way)."""
    run_output().say(text, err=err, nl=nl)


def said_with_budget(lines: Sequence[str], source: BudgetSource) -> list[str]:
    """Say each line, then the GitHub requests the run sent and the budget left; returns them all,
    the budget last, for the job summary (every command that reads GitHub at length ends so)."""
    from ops_actions.flows.budget import budget_line

    said = [*lines, budget_line(source.budget())]
    for line in said:
        say(line)
    return said


def job_summary(title: str, lines: Sequence[str]) -> None:
    """A job-summary section: a heading and one list item per line, every line made inert (they carry
    titles, alert fields and GitHub's messages)."""
    from ops_actions.text.markdown import inert

    run_output().summary(
        f"## {inert(title, cell=True)}\n\n" + "\n".join(f"- {inert(line, cell=True)}" for line in lines)
    )


def error_line(message: str) -> None:
    """Print one error line; inside a job also an annotation and a job-summary entry (what went wrong)."""
    line = " ".join(message.split())
    say(f"ops-actions: error: {line}", err=True)
    run_output().annotate("error", line)
    if run_output().in_actions:
        job_summary("ops-actions: error", [line])


def utc_now() -> datetime:
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


def command_http() -> _Http:
    """This run's HTTP client, made on first use and closed when the run ends."""
    http = _HTTP.get()
    if http is None:
        http = _Http()
        _HTTP.set(http)
    return http


@dataclass(frozen=True)
class LoadedPlaybook:
    """A validated playbook with the name and hash reports and incidents record: the whole playbook,
    or the view of the one service the command works on (:meth:`for_service`)."""

    playbook: Playbook
    source: str
    sha256: str

    def for_service(self, service_id: str | None) -> LoadedPlaybook:
        """The view of the service ``service_id`` (see ``Playbook.for_service``: without one, a
        playbook of several services is refused, exit 2)."""
        return replace(self, playbook=self.playbook.for_service(service_id))

    def for_issue(self, service_id: str | None, labels: Callable[[], Sequence[str]]) -> LoadedPlaybook:
        """The view of the service an existing incident is about: ``service_id`` when given, else the
        one its ``service:<id>`` label names (``labels`` is read only for a playbook of services)."""
        if service_id or not self.playbook.services:
            return self.for_service(service_id)
        from ops_actions.incident.labels import service_of

        return self.for_service(service_of(labels()))


# The file keeps its first name: the Actions cache of existing installations restores it there.
DEFAULT_HISTORY_FILE = Path(".ops-actions-state.json")


def service_history_file(path: Path, service_id: str | None) -> Path:
    """Where a service's watch history is kept: each service has its own, so the default name gains
    the service's id (``.ops-actions-state.worker.json``); a file named on purpose is kept."""
    if service_id is None or path != DEFAULT_HISTORY_FILE:
        return path
    return path.with_name(f"{path.stem}.{service_id}{path.suffix}")


def _schema_checks() -> SchemaChecks | None:
    """The record of playbooks that passed the schema check, in the user's cache folder."""
    from ops_actions.adapters.config import cache_dir
    from ops_actions.playbook import SchemaChecks

    directory = cache_dir()
    return SchemaChecks(directory) if directory is not None else None


def loaded_playbook(path: Path | None) -> LoadedPlaybook:
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
    say(f"playbook: {which}, sha256 {loaded.sha256[:12]}", err=True)
    run_output().summary(f"Playbook: {inert(which, cell=True)}, sha256 `{loaded.sha256[:12]}`")
    return loaded


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
    run_output().url_secrets(url)
    token = (
        admin_token or os.environ.get(playbook.admin_token_env) or os.environ.get("OPS_BACKEND_ADMIN_TOKEN")
    )
    run_output().secret(token)
    return url, token or None


def _probe_credentials(playbook: Playbook, admin_token: str | None) -> dict[str, str]:
    """The credentials the probes' auth names, by environment variable; the admin token as resolved."""
    found = {name: os.environ.get(name, "") for name in playbook.credential_envs()}
    if playbook.admin_token_env in found:
        found[playbook.admin_token_env] = admin_token or ""
    return {name: value for name, value in found.items() if value}


def triage_setup(
    loaded: LoadedPlaybook,
    backend_url: str | None,
    backend_admin_token: str | None,
    report_dir: Path | None,
    history_file: Path,
    *,
    dry_run: bool = False,
) -> tuple[TriageSetup, WatchHistory]:
    """What a triage runs with, from the options and the environment, its secrets masked; and the
    watch history read from its file (a warning when it had to start fresh)."""
    from ops_actions.flows.triage import TriageSetup
    from ops_actions.triage import probes
    from ops_actions.triage.history import load_history

    service = loaded.playbook.service
    history_file = service_history_file(history_file, service.id if service else None)
    url, token = _backend_settings(loaded.playbook, backend_url, backend_admin_token)
    credentials = _probe_credentials(loaded.playbook, token)
    for secret in credentials.values():
        # A basic-auth credential is user:password; the password alone is a secret too.
        for part in {secret, secret.partition(":")[2]} - {""}:
            run_output().secret(part)
    history, warning = load_history(history_file)
    if warning:
        say(f"ops-actions: warning: {warning}", err=True)

    def send(batch: Sequence[Probe]) -> list[ProbeResult]:
        http = command_http()
        return http.run(
            probes.probe_all(
                http.client,
                batch,
                base_url=url,
                credentials=credentials,
                concurrency=loaded.playbook.probe_concurrency,
            )
        )

    setup = TriageSetup(
        playbook=loaded.playbook,
        playbook_path=loaded.source,
        playbook_sha256=loaded.sha256,
        backend_url=url,
        send=send,
        report_dir=report_dir,
        history_file=history_file,
        clock=utc_now,
        redact=run_output().secrets.redact,
        dry_run=dry_run,
    )
    return setup, history


def github_config(api_url: str | None, repository: str | None, token: str | None) -> GitHubConfig:
    """The GitHub settings: the options given, else GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_TOKEN."""
    from ops_actions.adapters.config import GitHubConfig

    return GitHubConfig.from_environ(api_url=api_url, repository=repository, token=token)


def github_tracker(config: GitHubConfig) -> GitHubTracker:
    """A tracker over PyGithub for a command that needs no playbook (``send-alert``), its token masked."""
    from ops_actions.adapters.github_tracker import GitHubTracker

    run_output().secret(config.token)
    return GitHubTracker.from_config(config, redact=run_output().secrets.redact)


def _once(say_line: Callable[[str], None]) -> Callable[[str], None]:
    """``say_line`` for each distinct line once: a run that announces twice reports a missing secret once."""
    said: set[str] = set()

    def once(line: str) -> None:
        if line not in said:
            said.add(line)
            say_line(line)

    return once


@dataclass
class GitHubContext:
    """What a GitHub-facing command is built from."""

    loaded: LoadedPlaybook
    config: GitHubConfig
    dry_run: bool
    tracker: GitHubTracker
    incidents: IncidentService
    _workflow_trackers: dict[str, GitHubTracker] = field(default_factory=dict)

    def links(self) -> list[tuple[str, str]]:
        """Links an incident body carries: the workflow run that wrote it."""
        return [("Workflow run", self.config.run_url)] if self.config.run_url else []

    def remediator(self) -> Remediator:
        """Remediation over this context's tracker; a live progress line on a terminal, not in a job."""
        from ops_actions.flows.remediation import Remediator

        live = sys.stdout.isatty() and not run_output().in_actions
        return Remediator(
            tracker=self.tracker,
            incidents=self.incidents,
            clock=utc_now,
            say=say,
            progress=run_output().progress if live else None,
            elsewhere=self.workflow_tracker,
        )

    def workflow_tracker(self, repository: str) -> GitHubTracker:
        """The tracker of the repository a workflow lives in: this one's own, or another of the same
        owner over the remediation token (OPS_REMEDIATION_TOKEN, acting as OPS_REMEDIATION_LOGIN).
        OpsError (exit 2), before anything is sent: another owner, or no token or login for it."""
        from ops_actions.adapters.github_tracker import DryRunGitHubTracker, GitHubTracker

        own = self.config.repository
        if repository.lower() == own.lower():
            return self.tracker
        if repository.partition("/")[0].lower() != own.partition("/")[0].lower():
            raise OpsError(
                f"workflows: {repository} is not of the owner of {own}, the incidents' repository: "
                "remediation dispatches only in repositories of the same owner",
                ExitCode.USAGE,
            )
        known = self._workflow_trackers.get(repository.lower())
        if known is not None:
            return known
        token = os.environ.get(REMEDIATION_TOKEN_ENV, "")
        login = os.environ.get(REMEDIATION_LOGIN_ENV, "")
        if not token or not login:
            raise OpsError(
                f"the workflow in {repository} needs {REMEDIATION_TOKEN_ENV} (a GitHub App token with "
                f"actions: write on it) and {REMEDIATION_LOGIN_ENV} (the app's <slug>[bot]); "
                "see docs/services.md",
                ExitCode.USAGE,
            )
        run_output().secret(token)
        config = replace(self.config, repository=repository, token=token, login=login)
        redact = run_output().secrets.redact
        tracker: GitHubTracker = (
            DryRunGitHubTracker.from_config(config, say=say, verbose=verbose_marked(), redact=redact)
            if self.dry_run
            else GitHubTracker.from_config(config, redact=redact)
        )
        self._workflow_trackers[repository.lower()] = tracker
        return tracker

    def postmortems(self) -> Postmortems:
        """Postmortems over this context's tracker."""
        from ops_actions.flows.postmortems import Postmortems

        return Postmortems(tracker=self.tracker, incidents=self.incidents, clock=utc_now)


def github_context(
    playbook_path: Path | None,
    repo: str | None,
    github_token: str | None,
    github_api_url: str | None,
    dry_run: bool,
    *,
    service: str | None = None,
    issue: int | None = None,
    issue_labels: Sequence[str] | None = None,
    whole: bool = False,
    route: Callable[[Playbook], str | None] | None = None,
) -> GitHubContext:
    """The composition root for GitHub commands: playbook, config, tracker, incident service.

    A command works on one service's view of the playbook: ``service``, else the one the labels of
    incident ``issue`` name (``issue_labels`` when the caller has them), else the one ``route`` picks
    with the whole playbook (an alert's payload names it); ``whole``: the whole playbook unless a
    service is given (the page, the report).
    """
    from ops_actions.adapters.github_tracker import DryRunGitHubTracker, GitHubTracker
    from ops_actions.adapters.notify import Delivery, announcer, checked_targets
    from ops_actions.adapters.subscribers import deliver, endpoints
    from ops_actions.flows.incidents import IncidentService, chain
    from ops_actions.flows.status_page import page_change_signal
    from ops_actions.flows.subscribers import subscriber_announcer
    from ops_actions.status_page.statuspage_webhooks import Payload

    mark_dry_run(dry_run)
    loaded = loaded_playbook(playbook_path)
    if not service and route is not None:
        service = route(loaded.playbook)
    config = github_config(github_api_url, repo, github_token)
    run_output().secret(config.token)
    run_output().url_secrets(config.api_url)
    redact = run_output().secrets.redact
    tracker: GitHubTracker = (
        DryRunGitHubTracker.from_config(config, say=say, verbose=verbose_marked(), redact=redact)
        if dry_run
        else GitHubTracker.from_config(config, redact=redact)
    )
    if service or not whole:

        def labels() -> Sequence[str]:
            if issue_labels is not None:
                return issue_labels
            return tracker.issue(issue).labels if issue is not None else ()

        loaded = loaded.for_issue(service, labels)
    for url in checked_targets(loaded.playbook, os.environ):
        run_output().secret(url)  # a webhook URL is its own credential
    subscribed = endpoints(loaded.playbook, os.environ)
    for endpoint in subscribed:
        run_output().secret(endpoint.url)
        run_output().secret(endpoint.key)

    def send(payloads: Sequence[Payload]) -> list[Delivery]:
        return command_http().run(deliver(payloads, subscribed, client=command_http().client, redact=redact))

    rerun = (config.run_attempt or "1") != "1"
    announce = (
        None
        if dry_run
        else chain(
            announcer(
                loaded.playbook,
                environ=os.environ,
                clock=utc_now,
                client=lambda: command_http().client,
                run=lambda work: command_http().run(work),
                redact=redact,
                unset=_once(lambda line: job_summary("Notifications", [line])),
            ),
            page_change_signal(loaded.playbook, lambda: run_output().outputs({"status-page": "true"})),
        )
    )
    incidents = IncidentService(
        tracker,
        loaded.playbook,
        clock=utc_now,
        rerun=rerun,
        announce=announce,
        timelines=timeline_reader(tracker, config, config.timeline_memory),
    )
    # After the notifications and the page's signal: the subscribers read the incident as written.
    incidents.announce = chain(
        incidents.announce,
        subscriber_announcer(
            incidents, repository=config.repository, send=send if subscribed and not dry_run else None
        ),
    )
    return GitHubContext(loaded=loaded, config=config, dry_run=dry_run, tracker=tracker, incidents=incidents)


def timeline_reader(tracker: GitHubTracker, config: GitHubConfig, memory_file: Path | None) -> TimelineReader:
    """The timeline reader, from the memory file when there is one (a refused one is one warning)."""
    from ops_actions.flows.timelines import TimelineReader

    def warn(line: str) -> None:
        say(f"ops-actions: warning: {line}", err=True)

    return TimelineReader(tracker, repository=config.repository, memory_file=memory_file, warn=warn)
