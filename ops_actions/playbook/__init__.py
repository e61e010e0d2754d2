"""The playbook: YAML on disk, its JSON Schema, a typed model, the condition language, a Markdown runbook.

``loader`` turns ``playbook.yaml`` into the typed ``model`` in stages: ``reading`` (which file),
``positions`` (YAML values that remember their lines), ``schema_check`` (the JSON Schema; ``checked``
remembers which texts passed it, so jsonschema loads only for a changed one), ``model_builder``
(the model and the cross-reference checks); every error is a ``problems.Problem`` at a line.
``conditions`` parses and evaluates rule conditions (three-valued, never ``eval``); ``queries``
compiles the JMESPath field queries; ``runbook`` renders the playbook for people. Modules here
import only the standard library, PyYAML, jmespath, jsonschema (lazily, when a playbook is
validated) and :mod:`ops_actions.text`: no incident, no network, no Click.
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
