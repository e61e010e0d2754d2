"""docs/reliability.md cannot drift: its fault table is long enough and every test it links exists."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "reliability.md"
HEADER = (
    "| Fault or hostile input | Observed behaviour (what the user sees, exit code) "
    "| State afterwards | Test |"
)
LINK = re.compile(r"^\[`(?P<file>tests/[\w/]+\.py)::(?P<test>test_\w+)`\]\((?P<target>[^)\s]+)\)$")


def table_rows() -> list[list[str]]:
    """The cells of each data row of the fault table (header and separator skipped)."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = lines.index(HEADER)
    assert re.fullmatch(r"\|(?:-{3,}\|){4}", lines[start + 1]), "the separator row follows the header"
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        rows.append(cells)
    return rows


@cache
def defined_tests(path: Path) -> frozenset[str]:
    """The module-level test function names of a test file, read with ast."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return frozenset(
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_")
    )


def test_the_table_has_at_least_40_complete_rows() -> None:
    """The fault table has at least 40 rows, each with four filled cells."""
    rows = table_rows()
    assert len(rows) >= 40, len(rows)
    for cells in rows:
        assert len(cells) == 4, cells
        assert all(cells), cells


def test_every_linked_test_exists_in_the_linked_file() -> None:
    """Each row links one tests/FILE.py::test_name, relative to docs/, naming a test function in that file."""
    missing = []
    for cells in table_rows():
        match = LINK.match(cells[3])
        assert match, f"not a [`tests/FILE.py::test_name`](../tests/FILE.py) link: {cells[3]}"
        assert match["target"] == f"../{match['file']}", cells[3]
        path = (DOC.parent / match["target"]).resolve()
        if not path.is_file() or match["test"] not in defined_tests(path):
            missing.append(f"{match['file']}::{match['test']}")
    assert missing == []


def test_the_five_guarantees_are_stated() -> None:
    """The page opens with the five guarantees the table backs."""
    text = DOC.read_text(encoding="utf-8")
    for guarantee in (
        "keeps working during an outage",
        "never loses a timeline entry",
        "never opens a duplicate incident",
        "never leaks a token",
        "never obeys someone without access",
    ):
        assert f"**It {guarantee}.**" in text, guarantee
