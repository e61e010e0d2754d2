"""Add a service to a playbook's text: the entry is inserted into the ``services:`` list (created
after ``scope:`` when the playbook has none), and every other byte of the file stays as it was.

The YAML is never dumped again: a dump would drop the team's comments and reflow its lines. The
text is then loaded as any playbook is, so a result that would not validate is refused before
anything is written.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Final

from ops_actions.errors import OpsError
from ops_actions.playbook.loader import parse_playbook
from ops_actions.playbook.model import Playbook
from ops_actions.playbook.schema_check import schema

# A top-level key, written as a block (``key:`` and nothing but a comment after it).
_BLOCK_KEY: Final = re.compile(r"^(?P<key>[A-Za-z_][A-Za-z0-9_]*):[ \t]*(?:#.*)?$")
_TOP_LEVEL_KEY: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*:")
# The team mentioned when the playbook's escalation names no organisation.
_PLACEHOLDER_ORG: Final = "octo-org"


@dataclass(frozen=True)
class AddedService:
    """The playbook's text with the service added, the playbook it loads as, and whether the
    ``services:`` list was created (the service added is then the playbook's existing backend)."""

    text: str
    playbook: Playbook
    created_list: bool


def service_name(service_id: str) -> str:
    """The name a service gets when none is given: its id in words (``job-worker`` → ``Job worker``)."""
    return service_id.replace("-", " ").capitalize()


def checked_service_id(service_id: str) -> str:
    """The id, or OpsError (exit 2) saying the form the schema asks for."""
    pattern: str = schema()["properties"]["services"]["items"]["properties"]["id"]["pattern"]
    if not re.fullmatch(pattern, service_id) or len(service_id) > 40:
        raise OpsError(
            f"service id {service_id!r}: use lower-case letters, digits and single hyphens, a letter "
            "first, at most 40 characters (it names the label service:<id> and the environment ops-<id>)"
        )
    return service_id


def entry_text(service_id: str, name: str, *, dash_indent: str, org: str, newline: str = "\n") -> str:
    """The service's entry in the list: id, name, its GitHub environment, and the owners to fill in
    (commented: a placeholder team would take escalations away from the playbook's mention)."""
    inner = dash_indent + "  "
    lines = [
        f"{dash_indent}- id: {service_id}",
        f"{inner}name: {json.dumps(name, ensure_ascii=False)}",
        f"{inner}environment: ops-{service_id}  # holds its OPS_BACKEND_URL and OPS_BACKEND_ADMIN_TOKEN",
        f'{inner}# owners: {{team: "@{org}/{service_id}-oncall"}}  # who its escalations mention',
    ]
    return "".join(line + newline for line in lines)


def with_service(text: str, service_id: str, name: str, *, org: str = _PLACEHOLDER_ORG) -> str:
    """``text`` with the service's entry appended to its ``services:`` list; a playbook without one
    gets the list after its ``scope:`` block (at the end when it has no scope)."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
    services = _top_level_line(lines, "services")
    if services is None:
        entry = entry_text(service_id, name, dash_indent="  ", org=org, newline=newline)
        scope = _top_level_line(lines, "scope")
        at = len(lines) if scope is None else _block_end(lines, scope)
        return "".join([*lines[:at], newline, f"services:{newline}", entry, *lines[at:]])
    if not _BLOCK_KEY.match(lines[services].rstrip("\r\n")):
        raise OpsError(
            f"services: at line {services + 1} is written on one line (flow style); write it as a "
            "block list (one `- id:` per line) to add a service with init"
        )
    at = _block_end(lines, services)
    dashes = [line for line in lines[services + 1 : at] if line.lstrip(" ").startswith("- ")]
    dash_indent = dashes[0][: len(dashes[0]) - len(dashes[0].lstrip(" "))] if dashes else "  "
    entry = entry_text(service_id, name, dash_indent=dash_indent, org=org, newline=newline)
    return "".join([*lines[:at], entry, *lines[at:]])


def _top_level_line(lines: list[str], key: str) -> int | None:
    return next((i for i, line in enumerate(lines) if line.startswith(f"{key}:")), None)


def _block_end(lines: list[str], start: int) -> int:
    """The index after the last line of the block that begins at ``start``: its content and its
    indented comments, so the blank lines and the column-0 comments before the next key stay with it."""
    end = start + 1
    for index in range(start + 1, len(lines)):
        line = lines[index]
        if _TOP_LEVEL_KEY.match(line) or line.startswith("---") or line.startswith("..."):
            break
        if line.strip() and (line[0] in " \t" or not line.startswith("#")):
            end = index + 1
    return end


def add_service(text: str, *, source: str, service_id: str, name: str | None = None) -> AddedService:
    """Add the service to the playbook ``text`` (from ``source``), checked: OpsError for an invalid id
    or one the playbook has, PlaybookError for a result that does not validate."""
    before = parse_playbook(text, source=source)
    checked_service_id(service_id)
    if any(service.id == service_id for service in before.services):
        raise OpsError(f"{source}: the playbook already has service {service_id!r}; nothing written")
    mentions = before.escalation.mention if before.escalation else ()
    orgs = [mention[1:].split("/", 1)[0] for mention in mentions if "/" in mention]
    added = with_service(
        text, service_id, name or service_name(service_id), org=(orgs or [_PLACEHOLDER_ORG])[0]
    )
    after = parse_playbook(added, source=source)
    if [s.id for s in after.services] != [*(s.id for s in before.services), service_id]:
        raise OpsError(f"{source}: could not place the entry in its services: list; add it by hand")
    return AddedService(added, after, created_list=not before.services)
