"""The status page from the tracker: read the incidents, build the site, write it; and the signal
that tells the run changing an incident to publish the page.

Reading costs a flat number of listings (incidents updated within the history, the open ones,
postmortems, the open ad hoc maintenance windows), never the search API, plus the comments of each
incident shown, read as :mod:`ops_actions.flows.timelines` reads them: with the timeline memory,
nothing for an incident unchanged since it was remembered and one ``since=`` listing for one that
changed. Only the tool's
own comments are read for updates, and a postmortem counts only when the tool opened it. The
files are rendered and checked (``status.json`` against its schema) before anything is written.

Events made with ``GITHUB_TOKEN`` start no workflow, so nothing the tool writes can start the
page's workflow. Instead, a step that opens, updates or resolves an incident says so through its
``status-page`` output, and the same workflow run publishes the page in a job of its own that calls
``incident-status-page.yml`` (``workflow_call``), with only that job holding ``pages: write``.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from itertools import chain
from pathlib import Path
from typing import Any

from ops_actions.errors import ExitCode, OpsError
from ops_actions.flows.budget import RateView, below_reserve, skipped
from ops_actions.flows.incidents import Announcer, IncidentService
from ops_actions.flows.maintenance import known_windows
from ops_actions.flows.tracker_protocols import Delivered, IssueView, StatusPageTracker
from ops_actions.incident.closes import ended_by_tool
from ops_actions.incident.labels import service_of
from ops_actions.incident.postmortem import POSTMORTEM_LABEL, read_postmortem_state
from ops_actions.incident.state import IncidentState, public_held
from ops_actions.playbook.maintenance import PLANNED_LABEL
from ops_actions.playbook.model import Playbook
from ops_actions.status_page.model import build_page, on_page, window_start
from ops_actions.status_page.public import PublicIncident, is_public, page_settings, public_incident
from ops_actions.status_page.status_json import STATUS_SCHEMA_ID, status_schema
from ops_actions.status_page.statuspage_api import API_ROOT, SCHEMAS, schema_files, schema_for


def collect(
    incidents: IncidentService, tracker: StatusPageTracker, *, now: datetime, notes: list[str] | None = None
) -> list[PublicIncident]:
    """The public view of every incident the page shows (not internal, not ended before the history),
    by number.

    The listings are streamed a page at a time and only the public views are kept, never the issues
    of the whole history. Below the budget's reserve an incident's comments are not read: it is
    shown from its state block alone, without its updates, and ``notes`` gets one line naming them.
    """
    playbook = incidents.playbook
    since = window_start(now)
    filed = tracker.issues([POSTMORTEM_LABEL], state="all", since=since)
    postmortems = {issue.number: issue.body for issue in filed if incidents.by_tool(issue.author)}
    # An open one nobody touched for 90 days is not in the window's listing: the open ones come first.
    # One listing for every service: a service's incidents are told apart by their label, not listed apart.
    opened = {issue.number: issue for issue in tracker.open_incidents(playbook.incident_labels)}
    listed = tracker.issues(playbook.incident_labels, state="all", since=since)
    found, unread = [], []
    low: RateView | None = None  # the reading that stopped the comment reads
    for issue in chain(opened.values(), (issue for issue in listed if issue.number not in opened)):
        number = issue.number
        if not is_public(playbook, issue.labels):
            continue
        reading = below_reserve(tracker)
        if reading:
            low = reading
            unread.append(number)
        # The page only reads: it settles nothing.
        own = [] if reading else incidents.own_comments(number, settle=False, issue=issue)
        shown = public_view(incidents, issue, own, postmortems)
        if shown is not None and on_page(shown, since):
            found.append(shown)
    if low is not None and notes is not None:
        shown_as = ", ".join(f"#{n}" for n in sorted(unread))
        notes.append(skipped(low, f"the updates of {shown_as} (shown from their state alone)"))
    return sorted(found, key=lambda shown: shown.number)


def public_view(
    incidents: IncidentService, issue: IssueView, own: Sequence[str], postmortems: Mapping[int, str]
) -> PublicIncident | None:
    """What the page shows of one incident issue (``own``: the tool's comments on it, ``postmortems``:
    the bodies of those the tool filed, by number); None when the page leaves it off."""
    playbook = incidents.playbook
    if not is_public(playbook, issue.labels):
        return None
    state = incidents.state_of(issue, own)
    if state.false_alarm is not None:
        return None  # a writer closed it as not planned: nothing happened that customers need to know
    if public_held(playbook, state):
        return None  # unreachable from the runner alone: customers hear of it at a second signal
    # Only the tool's resolution ends an incident: an issue closed any other way (the watch
    # reopens it) keeps its last real status here meanwhile, never "resolved".
    ended = issue.state != "open" and ended_by_tool(playbook, state)
    service = _service_of(playbook, issue.labels)
    return public_incident(
        playbook.views[service] if service else playbook,
        issue.number,
        state,
        open_=not ended,
        closed_at=issue.closed_at if ended else None,
        own_comments=own,
        postmortem_body=_postmortem_body(issue, state, postmortems),
        service=service,
        planned=PLANNED_LABEL in issue.labels,
    )


def _service_of(playbook: Playbook, labels: Sequence[str]) -> str | None:
    """The service of the playbook an incident's label names; None on a playbook of one service, and
    for an incident whose label names none of them (the page then shows it as of no service)."""
    if not playbook.services:
        return None
    if playbook.service is not None:
        return playbook.service.id  # a service's own page lists only its incidents
    named = service_of(labels)
    return named if named in playbook.views else None


def _postmortem_body(incident: IssueView, state: IncidentState, postmortems: Mapping[int, str]) -> str | None:
    """The body of the incident's postmortem, when the tool filed it (``postmortems``: the bodies of
    the ones its identity wrote) and it links the incident back."""
    body = postmortems.get(state.postmortem or 0)
    if body is None:
        return None
    linked = read_postmortem_state(body)
    return body if linked is not None and linked.incident == incident.number else None


def build_site(
    incidents: IncidentService,
    tracker: StatusPageTracker,
    *,
    repository: str,
    now: datetime,
    last_checked_at: str | None,
    redact: Callable[[str], str] = str,
    notes: list[str] | None = None,
) -> dict[str, str]:
    """Every file of the site, checked, each through ``redact`` (the known secrets, should someone type
    one into an update); ``notes`` gets what the build left out (see :func:`collect`)."""
    import jsonschema

    # Here, not at import: every command that may change an incident imports this module for its
    # publishing signal, and only the build needs the HTML renderer (and markdown-it with it).
    from ops_actions.status_page.site import site_files

    playbook = incidents.playbook
    team = page_settings(playbook).team or repository.split("/", 1)[-1]
    # The playbook's windows and the open ad hoc ones (one listing); a closed ad hoc window is over.
    windows = known_windows(tracker, playbook, now)
    page = build_page(
        playbook,
        collect(incidents, tracker, now=now, notes=notes),
        team=team,
        repository=repository,
        now=now,
        last_checked_at=last_checked_at,
        windows=windows,
    )
    files = {path: redact(content) for path, content in site_files(playbook, page).items()}
    schema = status_schema()
    api = api_validators()
    for path, content in files.items():
        if path.startswith(API_ROOT):
            api[path].validate(json.loads(content))
        elif path.endswith("status.json"):  # the page's, and each service's
            jsonschema.validate(json.loads(content), schema)
    return files


def api_validators() -> dict[str, Any]:
    """A validator of each ``api/v2`` document by its path, over the shipped Statuspage schemas."""
    import jsonschema
    from referencing import Registry, Resource

    schemas = schema_files()
    registry: Registry[Any] = Registry().with_resources(
        (uri, Resource.from_contents(schema)) for uri, schema in schemas.items()
    )
    return {
        API_ROOT + path: jsonschema.Draft202012Validator(
            schemas[schema_for(path)], registry=registry, format_checker=jsonschema.FormatChecker()
        )
        for path in SCHEMAS
    }


def _is_earlier_build(folder: Path) -> bool:
    try:
        document = json.loads((folder / "status.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return isinstance(document, dict) and document.get("schema") == STATUS_SCHEMA_ID


def write_site(out: Path, files: Mapping[str, str]) -> None:
    """Write the site into ``out`` as a whole: staged beside it, then swapped in.

    ``out`` must be new, empty, or an earlier build (which it replaces); any other folder is left
    alone, so a wrong ``--out`` never deletes someone's files.
    """
    if out.exists() and not (out.is_dir() and (not any(out.iterdir()) or _is_earlier_build(out))):
        raise OpsError(
            f"{out} exists and is not an earlier status page build; give a new or empty folder",
            ExitCode.USAGE,
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for name, content in files.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8", newline="\n")
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


# --- publishing in the same run --------------------------------------------------------------


def page_change_signal(playbook: Playbook, signal: Callable[[], object]) -> Announcer | None:
    """The hook that calls ``signal`` after every announced incident change (opened, status,
    severity, resolved): the CLI turns it into the step output that starts the publishing job.

    None when the playbook has no status page. It delivers nothing, so the timeline notes nothing.
    """
    if playbook.status_page is None:
        return None

    def announce(kind: str, state: IncidentState, url: str) -> list[Delivered]:
        signal()
        return []

    return announce
