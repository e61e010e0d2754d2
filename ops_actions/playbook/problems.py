"""What is wrong with a playbook, and where: a problem at a line and column, and the error that carries them.

Every stage of loading (reading the file, composing the YAML, the schema check, building the model)
reports through these, so a team sees ``PATH:LINE:COL: message (at key.path)`` whatever went wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

KeyPath = tuple[str | int, ...]
"""Where a value sits in the playbook: keys and list indexes from the top, e.g. ``("probes", 0, "id")``."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a playbook, at a 1-based line and column."""

    line: int
    column: int
    message: str
    key_path: KeyPath = ()

    def format(self, path: str) -> str:
        """``PATH:LINE:COL: message (at key.path)`` on one line."""
        where = " ".join(".".join(str(part) for part in self.key_path).split())
        suffix = f" (at {where})" if where else ""
        message = " ".join(self.message.split())
        return f"{path}:{self.line}:{self.column}: {message}{suffix}"


class PlaybookError(Exception):
    """A playbook that cannot be used; ``problems`` says every reason found."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        super().__init__(problems[0].format(source) if problems else source)
        self.source = source
        self.problems = tuple(problems)

    def lines(self) -> list[str]:
        """One formatted line per problem."""
        return [problem.format(self.source) for problem in self.problems]
