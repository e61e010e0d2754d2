"""The playbook: YAML on disk, a JSON Schema, a typed model, and a Markdown runbook."""

from ops_actions.playbook.loader import (
    PlaybookError,
    Problem,
    bundled_playbook_text,
    load_playbook,
    parse_playbook,
    read_playbook_source,
    schema,
)
from ops_actions.playbook.model import Playbook

__all__ = [
    "Playbook",
    "PlaybookError",
    "Problem",
    "bundled_playbook_text",
    "load_playbook",
    "parse_playbook",
    "read_playbook_source",
    "schema",
]
