"""The playbook's JSON Schema and the check against it, each violation placed at its line.

jsonschema is imported only inside :func:`schema_problems`, the one place that validates: ``--help``
and a playbook text that passed the check before (see :mod:`ops_actions.playbook.checked`) never
pay for it.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from ops_actions.playbook.positions import PositionedDocument
from ops_actions.playbook.problems import KeyPath, Problem

if TYPE_CHECKING:
    import jsonschema


@cache
def schema_text() -> str:
    """The playbook JSON Schema shipped in the package, as written."""
    return resources.files("ops_actions.playbook").joinpath("schema.json").read_text(encoding="utf-8")


@cache
def schema() -> dict[str, Any]:
    """The playbook JSON Schema shipped in the package."""
    return json.loads(schema_text())  # type: ignore[no-any-return]


def schema_problems(
    document: PositionedDocument, against: Mapping[str, Any] | None = None
) -> Iterator[Problem]:
    """Schema violations against the playbook schema (or the schema ``against``: a rehearsal
    scenario's), positioned; an unknown key is reported at the key itself."""
    # Loaded here, not at import: jsonschema costs a quarter of a second that --help never needs.
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema() if against is None else against)
    errors = sorted(validator.iter_errors(document.value), key=lambda e: [str(p) for p in e.absolute_path])
    for error in errors:
        path: KeyPath = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = set(error.schema.get("properties", {})) if isinstance(error.schema, dict) else set()
            for extra in sorted(set(error.instance) - allowed):
                near = difflib.get_close_matches(str(extra), sorted(allowed), n=1)
                hint = f"; did you mean {near[0]!r}?" if near else ""
                yield document.problem((*path, extra), f"unknown key {extra!r}{hint}", at_key=True)
            continue
        if error.validator == "required":
            yield document.problem(path, error.message)
            continue
        yield document.problem(path, _short(error))


def _short(error: jsonschema.ValidationError) -> str:
    """A readable one-line schema message (long enums and patterns are not repeated in full); a
    ``oneOf`` that says what it wants in ``x-oneOf`` says that."""
    if error.validator == "oneOf" and isinstance(error.schema, dict) and "x-oneOf" in error.schema:
        return str(error.schema["x-oneOf"])
    if error.validator == "pattern":
        return f"{error.instance!r} is not a valid name here"
    if error.validator in {"oneOf", "anyOf", "allOf", "if"}:
        from jsonschema.exceptions import best_match

        return str(best_match([error]).message)
    message = str(error.message)
    return message if len(message) <= 200 else message[:197] + "..."
