"""Playbooks that passed the schema check before, remembered by content hash in a cache directory.

Importing jsonschema costs more CPU than everything else a command does with its playbook, and a
playbook's text rarely changes between two commands. So the schema check runs once per playbook
text and schema (both are in the hash); the cross-reference checks, which also build the model,
run every time. The record is one small JSON file of hashes, replaced atomically. A directory that
cannot be read or written only means checking again: it never fails a command.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

RECORD: Final = "schema-checked.json"
MAX_REMEMBERED: Final = 32


def digest(schema_text: str, playbook_text: str) -> str:
    """What a check is remembered by: the schema and the playbook, exactly as written."""
    return hashlib.sha256(f"{schema_text}\0{playbook_text}".encode()).hexdigest()


@dataclass(frozen=True)
class SchemaChecks:
    """The hashes of the playbooks whose schema check passed, kept in ``directory``."""

    directory: Path

    def _remembered(self) -> list[str]:
        try:
            data = json.loads((self.directory / RECORD).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [item for item in data if isinstance(item, str)] if isinstance(data, list) else []

    def passed(self, key: str) -> bool:
        return key in self._remembered()

    def remember(self, key: str) -> None:
        """Add a hash (the newest MAX_REMEMBERED are kept); best effort."""
        others = [item for item in self._remembered() if item != key]
        kept = [*others[-(MAX_REMEMBERED - 1) :], key]
        with contextlib.suppress(OSError):
            self.directory.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=f".{RECORD}.", dir=self.directory)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    json.dump(kept, stream)
                Path(temporary).replace(self.directory / RECORD)
            finally:
                Path(temporary).unlink(missing_ok=True)
