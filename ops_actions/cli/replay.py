"""``ops-actions replay``: past incidents' recorded signals re-run through two playbooks (the working
copy's and the default branch's, by default), and what would have been different, per incident."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ops_actions.cli.options import whole_playbook_command
from ops_actions.cli.root import run_output, say, utc_now
from ops_actions.errors import ExitCode, OpsError

if TYPE_CHECKING:
    from ops_actions.adapters.github_tracker.records import IssueData
    from ops_actions.cli.root import GitHubContext
    from ops_actions.playbook.model import Playbook
    from ops_actions.triage.replay import Replayed

# The base when none is given: the default branch as the clone knows it (``git clone`` and
# actions/checkout with history set it; ``git remote set-head origin --auto`` does elsewhere).
DEFAULT_BASE = "origin/HEAD"


@click.command()
@whole_playbook_command
@click.option(
    "--base",
    envvar="OPS_REPLAY_BASE",
    default=DEFAULT_BASE,
    show_default=True,
    help=(
        "The playbook to compare with: a file, or a git revision whose copy of the playbook file "
        "is read with `git show REV:PATH` (PATH: --playbook's, else playbook.yaml) [env: OPS_REPLAY_BASE]."
    ),
)
@click.option(
    "--since", default="90d", show_default=True, help="Period: incidents opened in the last N days (Nd)."
)
@click.option("--incident", "only", type=int, help="Replay this incident only, whatever its age.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per incident (an array).")
def replay(ctx: GitHubContext, base: str, since: str, only: int | None, as_json: bool) -> None:
    """Re-run past incidents' recorded signals through two playbooks and report what changes.

    Each incident the watch opened keeps the signal values of the ticks that changed a decision
    (its recorded inputs); replay runs them through the base playbook (before) and --playbook
    (after), with no backend, and says per incident whether it would open, its severity over time,
    its branches and how many incidents its causes make. Read-only: it writes nothing to GitHub.
    Exit 0 whatever changed; 2 for a bad --since, an unknown --incident or an unreadable base.

    \b
    Example:
      ops-actions replay --base origin/main
      ops-actions replay --playbook new.yaml --base playbook.yaml --incident 42 --json
    """
    from ops_actions.incident.clock import iso, parse_time
    from ops_actions.incident.labels import service_of
    from ops_actions.playbook.model import INCIDENT_LABEL
    from ops_actions.triage.replay import replay_incident

    days = _days(since)
    base_source, base_playbook = _base_playbook(base, ctx.loaded.source)
    if only is not None:
        issue = _incident(ctx, only, INCIDENT_LABEL)
        issues: Iterable[IssueData] = [issue]
        start = None
    else:
        start = utc_now() - timedelta(days=days)
        issues = ctx.tracker.issues(ctx.loaded.playbook.incident_labels, state="all", since=start)
    replayed: list[Replayed] = []
    for issue in issues:
        state = ctx.incidents.block(issue)
        opened_at = state.opened_at if state else iso(issue.created_at)
        if start is not None and parse_time(opened_at) < start:
            continue
        service = service_of(issue.labels)
        replayed.append(
            replay_incident(
                issue.number,
                opened_at,
                state.inputs if state else [],
                base=_view(base_playbook, service),
                new=_view(ctx.loaded.playbook, service),
            )
        )
    replayed.sort(key=lambda item: (item.opened_at, item.number))
    heading = f"Replay: {ctx.loaded.source} against {base_source}"
    changed = sum(1 for item in replayed if item.changes)
    period = f" opened in the last {since}" if only is None else ""
    count = f"{len(replayed)} incident(s){period}, {changed} changed"
    if as_json:
        say(json.dumps([item.to_dict() for item in replayed], indent=2))
    else:
        for line in [f"{heading}: {count}", *(item.line for item in replayed)]:
            say(line)
    run_output().summary(_table(heading, count, replayed))


def _days(since: str) -> int:
    if not (since.endswith("d") and since[:-1].isdigit() and int(since[:-1]) > 0):
        raise OpsError(f"--since {since!r}: give a number of days such as 90d")
    return int(since[:-1])


def _incident(ctx: GitHubContext, number: int, label: str) -> IssueData:
    """Issue #number, which must be an incident (exit 2 when it is none or does not exist)."""
    try:
        issue = ctx.tracker.issue(number)
    except OpsError as error:
        raise OpsError(f"--incident {number}: {error.message}", ExitCode.USAGE) from None
    if label not in issue.labels:
        raise OpsError(f"--incident {number}: #{number} is not an incident (no {label!r} label)")
    return issue


def _base_playbook(base: str, new_source: str) -> tuple[str, Playbook]:
    """The base playbook: a file, else the playbook file at git revision ``base``."""
    from ops_actions.playbook import parse_playbook
    from ops_actions.playbook.reading import BUNDLED_SOURCE, DEFAULT_PATH

    if Path(base).is_file():
        return base, parse_playbook(Path(base).read_bytes(), source=base)
    path = Path(DEFAULT_PATH if new_source == BUNDLED_SOURCE else os.path.relpath(new_source)).as_posix()
    source = f"{base}:{path}"
    try:
        # git from PATH, the revision one argument, no shell; ./ makes the path the working directory's.
        shown = subprocess.run(
            ["git", "show", f"{base}:./{path}"],  # noqa: S607
            capture_output=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise OpsError(f"--base {base}: git show failed ({type(error).__name__})") from None
    if shown.returncode != 0:
        reason = (shown.stderr.decode("utf-8", "replace").strip().splitlines() or ["no reason given"])[0]
        raise OpsError(f"--base {base}: no such file, and git show {source} failed: {reason}")
    return source, parse_playbook(shown.stdout, source=source)


def _view(playbook: Playbook, service: str | None) -> Playbook:
    """The playbook an incident of this service is replayed with (the playbook itself without services)."""
    return playbook.for_service(service) if playbook.services and playbook.service is None else playbook


def _table(heading: str, count: str, replayed: Sequence[Replayed]) -> str:
    """The job summary: one row per incident, the changed ones first."""
    from ops_actions.text.markdown import inert

    rows = sorted(replayed, key=lambda item: not item.changes)
    lines = [
        f"## {inert(heading, cell=True)}",
        "",
        inert(count),
        "",
        "| Incident | Opened | Replay |",
        "|---|---|---|",
    ]
    lines += [
        f"| #{item.number} | {inert(item.opened_at, cell=True)} | {inert(item.outcome, cell=True)} |"
        for item in rows
    ]
    return "\n".join(lines)
