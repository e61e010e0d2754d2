"""`ops-actions init`: put the playbook and the incident workflows into a team's repository.

The workflow templates ship in the package; this repository's own workflows are the same
templates rendered for ``./`` (a test keeps them identical), so what a team installs is what runs
here. Files that exist with other content are left alone unless forced.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Final

from ops_actions.errors import OpsError
from ops_actions.playbook import bundled_playbook_text, schema

PLACEHOLDER: Final = "OPS_ACTIONS_ACTION"
# This repository runs its own checkout of the action; zizmor's self-repository audit wants a
# form act cannot run yet.
SELF_REFERENCE: Final = (
    "./ # zizmor: ignore[self-repository] act cannot run the new $/ form; after checkout, ./ is this commit"
)
_ACTION_REF = re.compile(r"^(?P<repo>[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)@(?P<ref>[A-Za-z0-9_./-]+)$")
SCHEMA_PATH: Final = ".ops-actions/playbook.schema.json"
SECRETS: Final = (
    ("variable", "OPS_BACKEND_URL", "the backend's base URL (Settings → Secrets and variables → Variables)"),
    ("secret", "OPS_BACKEND_ADMIN_TOKEN", "the backend's admin token for /api/ops/*"),
    ("secret", "OPS_SLACK_WEBHOOK_URL", "optional: Slack-compatible incoming webhook for status updates"),
    ("secret", "OPS_STATUS_WEBHOOK_URL", "optional: JSON webhook (e.g. a status page) for SEV-1 updates"),
)
PAGES: Final = (
    "Settings → Pages → Build and deployment → Source: GitHub Actions "
    "(the status page; incident-status-page.yml deploys it)"
)
PERMISSIONS: Final = (
    ("incident-open.yml", "issues: write, actions: write", "opens the incident issue"),
    ("incident-triage.yml", "issues: write, actions: write", "opens, follows and reminds on incidents"),
    (
        "incident-commands.yml",
        "issues: write, actions: write",
        "slash commands; /deploy, /rollback, /smoke dispatch",
    ),
    ("incident-alert.yml", "issues: write, actions: write", "alerts from monitors open or update incidents"),
    ("incident-postmortem.yml", "issues: write", "creates the postmortem when an incident closes"),
    (
        "incident-status-page.yml",
        "pages: write, id-token: write",
        "deploys the status page (its build job: issues: read)",
    ),
    ("backend-deploy.yml", "issues: write", "the freeze guard records overrides on the incident"),
)


@dataclass(frozen=True)
class Planned:
    """A file init writes, and what is there now."""

    path: Path
    content: str
    status: str  # "new", "same" or "changed"


def workflow_templates() -> dict[str, str]:
    """The workflow templates shipped in the package, by file name."""
    folder = resources.files("ops_actions").joinpath("templates/workflows")
    return {
        entry.name: entry.read_text(encoding="utf-8")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".yml")
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


def render_workflow(template: str, action_ref: str) -> str:
    return template.replace(PLACEHOLDER, action_reference(action_ref))


def plan(target: Path, action_ref: str) -> list[Planned]:
    """Every file init would write under ``target``, and whether it is new, the same or changed."""
    files = {
        target / "playbook.yaml": bundled_playbook_text().replace(
            "$schema=ops_actions/playbook/schema.json", f"$schema={SCHEMA_PATH}", 1
        ),
        target / SCHEMA_PATH: json.dumps(schema(), indent=2) + "\n",
    }
    for name, template in workflow_templates().items():
        files[target / ".github" / "workflows" / name] = render_workflow(template, action_ref)
    planned = []
    for path, content in files.items():
        if not path.exists():
            status = "new"
        else:
            status = "same" if path.read_text(encoding="utf-8") == content else "changed"
        planned.append(Planned(path, content, status))
    return planned


def write(planned: list[Planned], *, force: bool) -> list[Planned]:
    """Write new files (and changed ones with ``force``); OpsError lists changed ones otherwise."""
    changed = [p for p in planned if p.status == "changed"]
    if changed and not force:
        names = ", ".join(str(p.path) for p in changed)
        raise OpsError(f"these files differ from what init writes; keep them or use --force: {names}")
    written = []
    for item in planned:
        if item.status == "same":
            continue
        item.path.parent.mkdir(parents=True, exist_ok=True)
        item.path.write_text(item.content, encoding="utf-8")
        written.append(item)
    return written
