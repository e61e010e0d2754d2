"""``ops-actions status-page build``: the public status page built from the incident issues (the
build is :mod:`ops_actions.flows.status_page`), written to a folder for GitHub Pages."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ops_actions.cli.options import folder_option, history_file_option, whole_playbook_command
from ops_actions.cli.root import job_summary, run_output, said_with_budget, say, utc_now

if TYPE_CHECKING:
    from ops_actions.cli.root import GitHubContext


@click.group("status-page")
def status_page() -> None:
    """The public status page: built from the incident issues, published on GitHub Pages.

    \b
    Example:
      ops-actions status-page build --out site/
    """


@status_page.command("build")
@whole_playbook_command
@folder_option("--out", "site", "Folder to write the site to: new, empty, or an earlier build (replaced).")
@history_file_option
def status_page_build(ctx: GitHubContext, out: Path, history_file: Path) -> None:
    """Build the static status page: index.html, one page per incident, feed.xml, an Atom feed per
    component (feeds/<component>.atom) and per service, maintenance.ics, status.json.

    Shows each component's state (from the open incidents' severities), the open incidents with
    their public updates, the maintenance windows, 90 days of history and the past incidents. An
    incident's title is derived from its components unless a writer set one (/public-title); an
    update's text is only what its writer marked public (/status ... public: ...). Only the timeline
    events the playbook's status_page.public_events names are published (default: /status updates
    and the resolution), and the postmortem section it names; nothing else of the issues. Everything
    is read and checked before the folder is written. The watch history file, when there is one,
    gives the time of the last automated check. It says (and the job summary too) the GitHub
    requests it used and the rate limit left; below the reserve (the larger of 100 requests and 10 %
    of the limit) it reads no more comments: the incidents left are shown without their updates,
    named in one line.

    \b
    Example:
      ops-actions status-page build --out site/
    """
    from ops_actions.flows.status_page import build_site, write_site
    from ops_actions.triage.history import load_history

    history, warning = load_history(history_file)
    if warning:
        say(f"ops-actions: warning: {warning}", err=True)
    playbook = ctx.loaded.playbook
    for name in (playbook.admin_token_env, *playbook.credential_envs(), "OPS_BACKEND_ADMIN_TOKEN"):
        run_output().secret(os.environ.get(name))  # the page never needs them: secrets to keep off it
    notes: list[str] = []
    files = build_site(
        ctx.incidents,
        ctx.tracker,
        repository=ctx.config.repository,
        now=utc_now(),
        last_checked_at=history.snapshots[-1].at if history.snapshots else None,
        redact=run_output().secrets.redact,
        notes=notes,
    )
    notes = said_with_budget(notes, ctx.tracker)
    if ctx.dry_run:
        say(f"[dry-run] would write {len(files)} files to {out}/: " + ", ".join(sorted(files)))
        return
    write_site(out, files)
    say(f"status page: {len(files)} files in {out}/ (open {out / 'index.html'})")
    job_summary("Status page", [f"{len(files)} files built into {out}/", *notes])


@status_page.command("remember")
@whole_playbook_command
@click.option(
    "--memory",
    "memory_file",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The timeline memory file: read when it is there (and valid), then written anew.",
)
def status_page_remember(ctx: GitHubContext, memory_file: Path) -> None:
    """Bring the timeline memory up to date: the tool's own comments on every incident issue.

    Lists the incident issues updated since the memory's watermark and, of each, the comments updated
    since it was read (GitHub's ``since``); the first run reads them all. The other commands read
    the file named by OPS_TIMELINE_MEMORY and then list only what changed. Run it only where
    nobody else can write the file (the scheduled job: see docs/security.md).

    \b
    Example:
      ops-actions status-page remember --memory .ops-actions-timelines.json
    """
    from ops_actions.cli.root import timeline_reader
    from ops_actions.flows.timelines import remember

    reader = timeline_reader(ctx.tracker, ctx.config, memory_file)
    if ctx.dry_run:
        say(f"[dry-run] would bring {memory_file} up to date")
        return
    notes: list[str] = []
    listed, held = remember(reader, memory_file, budget=ctx.tracker, notes=notes)
    notes = said_with_budget(notes, ctx.tracker)
    say(f"timeline memory: {listed} incident issues read; {held} remembered in {memory_file}")
    job_summary("Timeline memory", [f"{listed} incident issues read; {held} remembered", *notes])
