"""No module of the package is a room that holds several things: 600 lines at the most.

A module that grows past the limit is cut along its seams (docs/development.md says where a change
goes); data files (JSON schemas, YAML, templates) are not modules and do not count.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.paths import PACKAGE

MAX_LINES = 600
MODULES = sorted(PACKAGE.rglob("*.py"))


def line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_module_is_at_most_600_lines(path: Path) -> None:
    assert line_count(path) <= MAX_LINES, f"{path.relative_to(PACKAGE)}: cut it along its seams"


def test_every_module_is_measured() -> None:
    """The limit reads the package itself: its modules, the subpackages' included."""
    assert PACKAGE / "cli" / "__init__.py" in MODULES or PACKAGE / "cli.py" in MODULES
    assert PACKAGE / "incident" / "state.py" in MODULES
