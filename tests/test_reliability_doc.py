"""docs/reliability.md cannot drift: its fault table is long enough, GitHub's refusals each have a row,
and every test it links exists."""

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
REFUSALS_HEADER = "| GitHub refuses | GitHub's answer | What the tool does | Tests |"
LINK = re.compile(r"^\[`(?P<file>tests/[\w/]+\.py)::(?P<test>test_\w+)`\]\((?P<target>[^)\s]+)\)$")


def table_rows(header: str = HEADER) -> list[list[str]]:
    """The cells of each data row of the table under ``header`` (header and separator skipped)."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = lines.index(header)
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


def missing_links(links: list[str]) -> list[str]:
    """The links (each ``[`tests/FILE.py::test_name`](../tests/FILE.py)``) naming no test function."""
    missing = []
    for link in links:
        match = LINK.match(link)
        assert match, f"not a [`tests/FILE.py::test_name`](../tests/FILE.py) link: {link}"
        assert match["target"] == f"../{match['file']}", link
        path = (DOC.parent / match["target"]).resolve()
        if not path.is_file() or match["test"] not in defined_tests(path):
            missing.append(f"{match['file']}::{match['test']}")
    return missing


def test_every_linked_test_exists_in_the_linked_file() -> None:
    """Each row links one tests/FILE.py::test_name, relative to docs/, naming a test function in that file."""
    assert missing_links([cells[3] for cells in table_rows()]) == []


def test_each_of_githubs_refusals_has_a_row_linked_to_its_tests() -> None:
    """The section "GitHub's own refusals": a row per rule the emulator enforces (and the trigger rule),
    each linking its tests, all of which exist."""
    text = DOC.read_text(encoding="utf-8")
    assert "\n## GitHub's own refusals\n" in text
    rows = table_rows(REFUSALS_HEADER)
    for cells in rows:
        assert len(cells) == 4 and all(cells), cells
        assert missing_links(cells[3].split("<br>")) == []
    named = " ".join(cells[0] for cells in rows)
    for rule in (
        "permission",
        "GITHUB_TOKEN",
        "assignee",
        "locked",
        "1,000",
        "label",
        "dispatch",
        "Enterprise Server",
        "deleted",
        "transferred",
    ):
        assert rule in named, rule


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
