"""Load a playbook: read it, compose its YAML with positions, check the schema, build the model.

The stages live in their own modules: :mod:`~ops_actions.playbook.reading` (which file),
:mod:`~ops_actions.playbook.positions` (YAML values that remember their lines),
:mod:`~ops_actions.playbook.schema_check` (the JSON Schema, jsonschema loaded only there) and
:mod:`~ops_actions.playbook.model_builder` (the typed model and the cross-reference checks). Every
error points at a line and column (:mod:`~ops_actions.playbook.problems`).
"""

from __future__ import annotations

from pathlib import Path

from ops_actions.playbook.checked import SchemaChecks, digest
from ops_actions.playbook.model import Playbook
from ops_actions.playbook.model_builder import ModelBuilder
from ops_actions.playbook.positions import PositionedDocument
from ops_actions.playbook.problems import PlaybookError, Problem
from ops_actions.playbook.reading import read_playbook_source
from ops_actions.playbook.schema_check import schema_problems, schema_text
from ops_actions.playbook.services import with_service_views

# A real playbook is a few tens of kilobytes; a larger file is refused before YAML reads it.
MAX_BYTES = 1_000_000


def load_playbook(path: Path | None) -> Playbook:
    """Read and validate a playbook (see read_playbook_source for which one)."""
    source, data = read_playbook_source(path)
    return parse_playbook(data, source=source)


def parse_playbook(data: bytes | str, *, source: str, checks: SchemaChecks | None = None) -> Playbook:
    """Validate playbook text and build the model, or raise PlaybookError.

    With ``checks``, the schema check is skipped for a text that passed it before (the whole
    playbook valid), and remembered when this one passes.
    """
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise PlaybookError(source, [Problem(1, 1, f"the playbook is larger than {MAX_BYTES} bytes")])
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise PlaybookError(source, [Problem(line, 1, "the playbook is not valid UTF-8")]) from None
    else:
        text = data
    document = PositionedDocument.compose(text, source)
    key = digest(schema_text(), text)
    known = checks is not None and checks.passed(key)
    problems = [] if known else list(schema_problems(document))
    if problems:
        raise PlaybookError(source, problems)
    builder = ModelBuilder(document)
    playbook, service_problems = with_service_views(document, builder.build(), builder.problems)
    if builder.problems or service_problems:
        raise PlaybookError(source, [*builder.problems, *service_problems])
    if checks is not None and not known:
        checks.remember(key)
    return playbook
