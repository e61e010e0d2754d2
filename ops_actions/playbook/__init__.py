"""The playbook: YAML on disk, its JSON Schema, a typed model, the condition language, a Markdown runbook.

``loader`` turns ``playbook.yaml`` into the typed ``model`` with line-aware errors (``checked``
remembers which texts passed the schema, so jsonschema loads only for a changed one); ``conditions``
parses and evaluates rule conditions (three-valued, never ``eval``); ``queries`` compiles the
JMESPath field queries; ``runbook`` renders the playbook for people. Modules here import only the
standard library, PyYAML, jmespath, jsonschema (lazily, when a playbook is validated) and
:mod:`ops_actions.text`: no incident, no network, no Click.
"""

from ops_actions.playbook.checked import SchemaChecks
from ops_actions.playbook.loader import load_playbook, parse_playbook
from ops_actions.playbook.model import Playbook
from ops_actions.playbook.problems import PlaybookError, Problem
from ops_actions.playbook.reading import bundled_playbook_text, read_playbook_source
from ops_actions.playbook.schema_check import schema

__all__ = [
    "Playbook",
    "PlaybookError",
    "Problem",
    "SchemaChecks",
    "bundled_playbook_text",
    "load_playbook",
    "parse_playbook",
    "read_playbook_source",
    "schema",
]
