"""`ops-actions init`: put the playbook and the incident workflows into a team's repository, and
later move them to a new version of the action (``--upgrade``).

The workflow templates ship in the package; this repository's own workflows are the same
templates rendered for ``./`` (a test keeps them identical), so what a team installs is what runs
here. ``playbook.yaml`` and the example deploy workflows become the team's own once written: a
changed one is never overwritten, not even with ``--force``. Other files that exist with other
content are left alone unless forced.

Each workflow is rendered for the GitHub it will run on (``GITHUB_TARGETS``): a server refuses a
whole workflow that holds a job key it does not know, so a key one target lacks
(``cache-mode:``, github.com only) is left out of what init writes for it.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Final

from ops_actions.adapters.config import DEFAULT_API_URL
from ops_actions.errors import OpsError
from ops_actions.playbook import bundled_playbook_text, schema
from ops_actions.rehearsal.scenario import scenario_schema

if TYPE_CHECKING:
    from ops_actions.playbook.model import Service

PLACEHOLDER: Final = "OPS_ACTIONS_ACTION"
# This repository runs its own checkout of the action; zizmor's self-repository audit wants a
# form act cannot run yet.
SELF_REFERENCE: Final = (
    "./ # zizmor: ignore[self-repository] act cannot run the new $/ form; after checkout, ./ is this commit"
)
_ACTION_REF = re.compile(r"^(?P<repo>[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)@(?P<ref>[A-Za-z0-9_./-]+)$")
SCHEMA_PATH: Final = ".ops-actions/playbook.schema.json"
# The job keys GitHub's "Workflow syntax for GitHub Actions" documents (jobs.<job_id>.*), on every
# GHES release still supported and on github.com; github.com adds cache-mode (2026-09), which no GHES
# release documents yet.
_DOCUMENTED_JOB_KEYS: Final = frozenset(
    {
        "name", "permissions", "needs", "if", "runs-on", "environment", "concurrency", "outputs", "env",
        "defaults", "steps", "timeout-minutes", "strategy", "continue-on-error", "container",
        "services", "uses", "with", "secrets",
    }
)  # fmt: skip
JOB_KEYS: Final = {
    "github.com": _DOCUMENTED_JOB_KEYS | {"cache-mode"},
    "ghes": _DOCUMENTED_JOB_KEYS,
}
"""The job keys each target accepts, by target name (``GITHUB_TARGETS``)."""
ENVIRONMENT_KEYS: Final = {
    "github.com": frozenset({"name", "url", "deployment"}),
    "ghes": frozenset({"name", "url"}),
}
"""The keys of a job's ``environment:`` mapping each target accepts: ``deployment: false`` (an
environment that only scopes secrets, no deployment recorded) is documented for github.com only."""
GITHUB_TARGETS: Final = tuple(JOB_KEYS)
PLAYBOOK_PATH: Final = "playbook.yaml"
# The example targets a team replaces with its real deploy, rollback and smoke test.
EXAMPLE_WORKFLOWS: Final = frozenset({"backend-deploy.yml", "backend-rollback.yml", "backend-live-smoke.yml"})
# A step that uses this action, pinned: `uses: OWNER/NAME@<40 hex> # ops-actions` (as init writes it).
_PIN: Final = re.compile(
    r"(?m)^(?P<lead>[ \t]*(?:-[ \t]+)?uses:[ \t]*)(?P<ref>[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+@[0-9a-f]{40})"
    r"(?P<tail>[ \t]*#[ \t]*ops-actions[ \t]*)$"
)
SECRETS: Final = (
    ("variable", "OPS_BACKEND_URL", "the backend's base URL (Settings → Secrets and variables → Variables)"),
    ("secret", "OPS_BACKEND_ADMIN_TOKEN", "the backend's admin token for /api/ops/*"),
    ("secret", "OPS_SLACK_WEBHOOK_URL", "optional: Slack-compatible incoming webhook for status updates"),
    ("secret", "OPS_STATUS_WEBHOOK_URL", "optional: JSON webhook (e.g. a status page) for SEV-1 updates"),
    ("secret", "OPS_SUBSCRIBER_WEBHOOK_URL", "optional: a subscriber of public changes (Statuspage's shape)"),
    ("secret", "OPS_SUBSCRIBER_WEBHOOK_SECRET", "with it: the key (16+ characters) payloads are signed with"),
    (
        "variable",
        "OPS_REMEDIATION_CLIENT_ID",
        "optional: the GitHub App's client ID, for workflows in another repository (docs/services.md)",
    ),
    ("secret", "OPS_REMEDIATION_APP_KEY", "optional: that GitHub App's private key"),
    (
        "variable",
        "OPS_REMEDIATION_REPOSITORIES",
        "optional: the repositories it dispatches in, comma-separated, without the owner",
    ),
)
"""What init tells the team to set: exactly the ``secrets.X`` and ``vars.X`` the workflows read (a test
keeps the two equal). A webhook left unset switches its target off; the job summary then says so."""
SERVICE_SECRETS: Final = frozenset({"OPS_BACKEND_URL", "OPS_BACKEND_ADMIN_TOKEN"})
"""The names of ``SECRETS`` each service of a several-service playbook sets in its own GitHub
environment (``ops-<id>``): the same names in each, so one workflow serves every service."""
PAGES: Final = (
    "Settings → Pages → Build and deployment → Source: GitHub Actions "
    "(the status page; incident-status-page.yml deploys it)"
)
PERMISSIONS: Final = (
    ("incident-open.yml", "issues: write", "opens the incident issue"),
    (
        "incident-triage.yml",
        "issues: write, actions: read",
        "a job per service opens, follows (reads remediation runs) and reminds on incidents; "
        "its summary job (issues: read) lists every service's state",
    ),
    (
        "incident-commands.yml",
        "issues: write, actions: write",
        "slash commands; /deploy, /rollback, /smoke dispatch",
    ),
    ("incident-checklist.yml", "issues: write", "counts the checklist boxes people tick in the issue"),
    (
        "incident-alert.yml",
        "issues: write, actions: read",
        "alerts from monitors open or update incidents; reads their runs",
    ),
    (
        "incident-postmortem.yml",
        "issues: write",
        "the postmortem of a closed incident; action items of an edited postmortem",
    ),
    (
        "incident-status-page.yml",
        "pages: write, id-token: write",
        "deploys the status page (its build job: issues: read); the four above call it in a job "
        "of their own, which alone holds these",
    ),
    (
        "incident-schedules.yml",
        "actions: write, issues: write",
        "daily: enables the scheduled workflows (itself too) before GitHub disables them in a quiet "
        "repository; one issue warns the team",
    ),
    (
        "playbook-check.yml",
        "issues: read",
        "a pull request that changes the playbook: validates it, replays past incidents against the base's",
    ),
    ("backend-deploy.yml", "issues: write", "the freeze guard records overrides on the incident"),
    (
        "backend-rollback.yml",
        "contents: write, issues: write",
        "its hotfix-branch job alone: opens hotfix/incident-N at the SHA rolled back to (/rollback --hotfix)",
    ),
)


@dataclass(frozen=True)
class Planned:
    """A file init writes, and what is there now."""

    path: Path
    content: str
    status: str  # "new", "same" or "changed"
    before: str = ""
    team_owned: bool = False
    """The team's own once written (the playbook, the example deploy workflows): kept when changed."""

    def diff(self) -> str:
        """What writing it changes, as a unified diff (empty for a new or unchanged file)."""
        if self.status != "changed":
            return ""
        lines = difflib.unified_diff(
            self.before.splitlines(keepends=True),
            self.content.splitlines(keepends=True),
            fromfile=f"a/{self.path.as_posix()}",
            tofile=f"b/{self.path.as_posix()}",
        )
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


@dataclass
class Upgrade:
    """What ``init --upgrade`` does: the files it rewrites, and what it leaves and why."""

    planned: list[Planned] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def workflow_templates() -> dict[str, str]:
    """The workflow templates shipped in the package, by file name."""
    return packaged_templates("workflows")


def packaged_templates(kind: str) -> dict[str, str]:
    """The ``.yml`` templates of a folder of the package's templates (``workflows``, and
    ``issue_forms``: written to .github/ISSUE_TEMPLATE as they are), by file name."""
    folder = resources.files("ops_actions").joinpath(f"templates/{kind}")
    return {
        entry.name: entry.read_text(encoding="utf-8")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".yml")
    }


# Where init puts the package's rehearsal scenarios and their schema; each scenario's schema line is
# rewritten to point at the copy.
REHEARSALS_PATH: Final = "rehearsals"
SCENARIO_SCHEMA_PATH: Final = ".ops-actions/scenario.schema.json"
_PACKAGE_SCENARIO_SCHEMA: Final = "$schema=../rehearsal/scenario.schema.json"


def rehearsal_files() -> dict[str, str]:
    """The rehearsal scenarios shipped in the package, by file name, as init writes them."""
    folder = resources.files("ops_actions").joinpath("scenarios")
    return {
        entry.name: entry.read_text(encoding="utf-8").replace(
            _PACKAGE_SCENARIO_SCHEMA, f"$schema=../{SCENARIO_SCHEMA_PATH}"
        )
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".yaml")
    }


def action_reference(action_ref: str) -> str:
    """The ``uses:`` value for the action: ``./`` here, ``owner/name@sha # ref`` in a team's repository."""
    if action_ref == "./":
        return SELF_REFERENCE
    match = _ACTION_REF.match(action_ref)
    if not match:
        raise OpsError(
            f"--action-ref {action_ref!r}: give OWNER/NAME@SHA, e.g. octo-org/ops-actions@<40-hex sha>"
        )
    if not re.fullmatch(r"[0-9a-f]{40}", match.group("ref")):
        raise OpsError("--action-ref must pin a full commit SHA (a tag can move; zizmor flags it)")
    return f"{match.group('repo')}@{match.group('ref')} # ops-actions"


def github_target(api_url: str) -> str:
    """The target a ``GITHUB_API_URL`` names: github.com for its public API (or none set), GHES for any
    other. An unknown server is taken for GHES: a key left out there costs only the server's enforcement
    of it (the cache steps already only restore), where a key it does not know stops the workflow."""
    return "github.com" if api_url.rstrip("/") in ("", DEFAULT_API_URL) else "ghes"


def _checked_target(github: str) -> str:
    if github not in JOB_KEYS:
        raise OpsError(f"--target {github!r}: give one of {', '.join(GITHUB_TARGETS)}")
    return github


def unsupported_job_keys(workflow_text: str, github: str) -> list[str]:
    """``job.key`` for each job key of the workflow that ``github`` does not accept, in file order."""
    import yaml  # deferred: only the checks of a rendered workflow read YAML

    jobs = yaml.safe_load(workflow_text).get("jobs") or {}
    known = JOB_KEYS[_checked_target(github)]
    return [f"{job_id}.{key}" for job_id, job in jobs.items() for key in job if key not in known]


def render_workflow(template: str, action_ref: str, github: str = "github.com") -> str:
    """The template with the action's reference, for the ``github`` target: the job keys and the
    environment keys it does not accept (single-line values, at their indentation) are left out."""
    target = _checked_target(github)
    text = template.replace(PLACEHOLDER, action_reference(action_ref))
    # A job's keys sit at four spaces, its environment mapping's at six.
    for indent, dropped in (
        (4, JOB_KEYS["github.com"] - JOB_KEYS[target]),
        (6, ENVIRONMENT_KEYS["github.com"] - ENVIRONMENT_KEYS[target]),
    ):
        if dropped:
            keys = "|".join(map(re.escape, sorted(dropped)))
            text = re.sub(rf"(?m)^ {{{indent}}}(?:{keys}):[^\n]*\n", "", text)
    return text


def secrets_to_set(services: Sequence[Service]) -> list[tuple[str, str, str, str]]:
    """Each ``(where, kind, name, why)`` to set: ``where`` is ``repository``, or ``environment <name>``
    for a service's backend URL and token when the playbook declares services."""
    shared = [("repository", *item) for item in SECRETS if not services or item[1] not in SERVICE_SECRETS]
    own = [
        (f"environment {service.environment}", *item)
        for service in services
        for item in SECRETS
        if item[1] in SERVICE_SECRETS
    ]
    return shared + own


def playbook_text(
    services: Sequence[tuple[str, str | None]] = (),
    *,
    action_ref: str = "./",
    github: str = "github.com",
    server_url: str | None = None,
) -> str:
    """The playbook init writes: the bundled one pointing at the installed schema and at the reference
    of the version the workflows pin, with ``services`` (``(id, name or None)``, in order) added to
    it when given."""
    from ops_actions.playbook.service_entry import add_service  # deferred: loads the YAML reader

    schema_line = f"# yaml-language-server: $schema={SCHEMA_PATH}\n"
    reference = reference_link(action_ref, github, server_url)
    if reference:
        schema_line += f"# Every key, for the ops-actions version this repository pins: {reference}\n"
    text = bundled_playbook_text().replace(
        "# yaml-language-server: $schema=ops_actions/playbook/schema.json\n", schema_line, 1
    )
    for service_id, name in services:
        text = add_service(text, source=PLAYBOOK_PATH, service_id=service_id, name=name).text
    return text


def reference_link(action_ref: str, github: str, server_url: str | None = None) -> str | None:
    """The playbook reference (docs/playbook.md) of the pinned version on the GitHub web host the
    workflows run on: ``server_url`` (GITHUB_SERVER_URL, which Actions sets), else github.com for
    github.com; None for a local action, or GHES with no server URL (init does not know its host)."""
    repository, at, ref = action_ref.partition("@")
    server = server_url or ("https://github.com" if github == "github.com" else None)
    if not at or server is None:
        return None
    return f"{server.rstrip('/')}/{repository}/blob/{ref}/docs/playbook.md"


# Dependabot proposes each newer release of the actions the workflows pin (ops-actions' own pin
# included), grouped in one pull request a week: SHA pins that keep current (docs/releasing.md). A
# release is proposed once it is a week old, so a bad one is likely withdrawn before it lands here.
DEPENDABOT = """\
version: 2
updates:
  - package-ecosystem: github-actions
    directory: /
    schedule:
      interval: weekly
    cooldown:
      default-days: 7
    groups:
      actions:
        patterns: ["*"]
"""
# What the tool writes in a team's working copy and no one commits: triage reports, the watch
# histories (one per service) and the timeline memory.
GITIGNORE = """\
# ops-actions: triage reports, watch histories and the timeline memory (written by runs, not code)
backend/reports/
.ops-actions-state*.json
.ops-actions-timelines.json
"""


def _planned(path: Path, content: str, *, team_owned: bool = False) -> Planned:
    if not path.exists():
        return Planned(path, content, "new", team_owned=team_owned)
    before = path.read_text(encoding="utf-8")
    return Planned(path, content, "same" if before == content else "changed", before, team_owned)


def plan(
    target: Path,
    action_ref: str,
    *,
    github: str = "github.com",
    services: Sequence[tuple[str, str | None]] = (),
    server_url: str | None = None,
) -> list[Planned]:
    """Every file init would write under ``target`` for the ``github`` it runs on, and whether it is
    new, the same or changed; the playbook declares ``services`` when given."""
    planned = [
        _planned(
            target / PLAYBOOK_PATH,
            playbook_text(services, action_ref=action_ref, github=github, server_url=server_url),
            team_owned=True,
        ),
        _planned(target / SCHEMA_PATH, json.dumps(schema(), indent=2) + "\n"),
        _planned(target / ".github" / "dependabot.yml", DEPENDABOT, team_owned=True),
        _planned(target / ".gitignore", GITIGNORE, team_owned=True),
    ]
    if not services:  # the scenarios rehearse the seed's one service
        planned.append(
            _planned(target / SCENARIO_SCHEMA_PATH, json.dumps(scenario_schema(), indent=2) + "\n")
        )
        planned += [
            _planned(target / REHEARSALS_PATH / name, text, team_owned=True)
            for name, text in rehearsal_files().items()
        ]
    for name, template in workflow_templates().items():
        path = target / ".github" / "workflows" / name
        planned.append(
            _planned(
                path, render_workflow(template, action_ref, github), team_owned=name in EXAMPLE_WORKFLOWS
            )
        )
    for name, form in packaged_templates("issue_forms").items():
        planned.append(_planned(target / ".github" / "ISSUE_TEMPLATE" / name, form))
    return planned


def plan_upgrade(target: Path, action_ref: str, *, github: str = "github.com") -> Upgrade:
    """What ``init --upgrade`` changes: the pin in the incident workflows the repository has, and the
    schema. The playbook and the example deploy workflows are the team's: left alone (a note says
    when one still pins another version); a workflow the team deleted is not added back."""
    if action_ref == "./":
        raise OpsError("--upgrade moves a pin: give --action-ref OWNER/NAME@<40-hex commit SHA>")
    pinned = action_reference(action_ref).split(" ", 1)[0]
    folder = target / ".github" / "workflows"
    upgrade = Upgrade([_planned(target / SCHEMA_PATH, json.dumps(schema(), indent=2) + "\n")])
    templates = workflow_templates()
    for name in sorted(templates):
        path = folder / name
        if not path.is_file():
            if name not in EXAMPLE_WORKFLOWS:
                upgrade.notes.append(f"{path}: not there, not added (init without --upgrade adds it)")
            continue
        text = path.read_text(encoding="utf-8")
        pins = {match.group("ref") for match in _PIN.finditer(text)} - {pinned}
        if name in EXAMPLE_WORKFLOWS:
            if pins:
                upgrade.notes.append(f"{path}: yours, kept; it still uses {', '.join(sorted(pins))}")
            continue
        if not _PIN.search(text):
            upgrade.notes.append(f"{path}: no pinned `uses: OWNER/NAME@SHA # ops-actions` step, kept")
            continue
        moved = _PIN.sub(lambda m: f"{m.group('lead')}{pinned}{m.group('tail')}", text)
        upgrade.planned.append(Planned(path, moved, "same" if moved == text else "changed", text))
        if moved != render_workflow(templates[name], action_ref, github):
            upgrade.notes.append(
                f"{path}: differs from this version's template beyond the pin (your edits, or the "
                "version's changes: compare with `ops-actions init` in an empty folder)"
            )
    if not any(item.path.parent == folder for item in upgrade.planned):
        raise OpsError(
            f"nothing to upgrade: no incident workflow pins the action in {folder} (run init first)"
        )
    return upgrade


def write(planned: list[Planned], *, force: bool) -> list[Planned]:
    """Write new files (and changed ones with ``force``; a changed file of the team's never); OpsError
    lists the changed ones otherwise."""
    changed = [p for p in planned if p.status == "changed" and not p.team_owned]
    if changed and not force:
        names = ", ".join(str(p.path) for p in changed)
        raise OpsError(f"these files differ from what init writes; keep them or use --force: {names}")
    written = []
    for item in planned:
        if item.status == "same" or (item.status == "changed" and item.team_owned):
            continue
        item.path.parent.mkdir(parents=True, exist_ok=True)
        item.path.write_text(item.content, encoding="utf-8")
        written.append(item)
    return written
