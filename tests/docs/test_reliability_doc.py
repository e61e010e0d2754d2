"""docs/reliability.md and docs/security.md cannot drift: their tables are complete, GitHub's refusals
each have a row, and every test they link exists."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from tests.support.paths import DOCS

DOC = DOCS / "reliability.md"
SECURITY = DOCS / "security.md"

HEADER = (
    "| Fault or hostile input | Observed behaviour (what the user sees, exit code) "
    "| State afterwards | Test |"
)
SECURITY_HEADER = "| Claim | How | Test |"
REFUSALS_HEADER = "| GitHub refuses | GitHub's answer | What the tool does | Tests |"
# Each document, its table's header, and how many rows it must have at least.
TABLES = {"reliability": (DOC, HEADER, 40), "security": (SECURITY, SECURITY_HEADER, 20)}
LINK = re.compile(r"^\[`(?P<file>tests/[\w/]+\.py)::(?P<test>test_\w+)`\]\((?P<target>[^)\s]+)\)$")
ANY_LINK = re.compile(r"\[`(tests/[\w/]+\.py)::(test_\w+)`\]\(([^)\s]+)\)")


def table_rows(doc: Path = DOC, header: str = HEADER) -> list[list[str]]:
    """The cells of each data row of a document's table (header and separator skipped)."""
    lines = doc.read_text(encoding="utf-8").splitlines()
    start = lines.index(header)
    columns = header.count("|") - 1
    assert re.fullmatch(r"\|(?:-{3,}\|)" + f"{{{columns}}}", lines[start + 1]), "the separator follows"
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


@pytest.mark.parametrize("name", sorted(TABLES))
def test_the_table_is_long_enough_and_complete(name: str) -> None:
    """Each table has its minimum of rows (40 faults, 20 security claims), each cell filled."""
    doc, header, minimum = TABLES[name]
    rows = table_rows(doc, header)
    assert len(rows) >= minimum, len(rows)
    for cells in rows:
        assert len(cells) == header.count("|") - 1, cells
        assert all(cells), cells


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_linked_test_exists_in_the_linked_file(name: str) -> None:
    """Each row's last cell links one tests/FILE.py::test_name, relative to docs/, naming a test function
    in that file; so does every such link elsewhere on the page."""
    doc, header, _ = TABLES[name]
    missing = []
    for cells in table_rows(doc, header):
        assert LINK.match(cells[-1]), (
            f"not a [`tests/FILE.py::test_name`](../tests/FILE.py) link: {cells[-1]}"
        )
    for file, test, target in ANY_LINK.findall(doc.read_text(encoding="utf-8")):
        assert target == f"../{file}", target
        path = (doc.parent / target).resolve()
        if not path.is_file() or test not in defined_tests(path):
            missing.append(f"{file}::{test}")
    assert missing == []


def test_the_guarantees_are_stated() -> None:
    """The page opens with the guarantees the table backs."""
    text = DOC.read_text(encoding="utf-8")
    for guarantee in (
        "keeps working during an outage",
        "never loses a timeline entry",
        "never opens a duplicate incident",
        "never leaks a token",
        "never obeys someone without access",
        "never changes production twice for one command",
    ):
        assert f"**It {guarantee}.**" in text, guarantee


def test_each_of_githubs_refusals_has_a_row_linked_to_its_tests() -> None:
    """The section "GitHub's own refusals": a row per rule the emulator enforces (and GitHub's rule for
    GITHUB_TOKEN events), each linking its tests (which the test above finds defined)."""
    assert "\n## GitHub's own refusals\n" in DOC.read_text(encoding="utf-8")
    rows = table_rows(DOC, REFUSALS_HEADER)
    for cells in rows:
        assert len(cells) == 4 and all(cells), cells
        links = cells[3].split("<br>")
        assert all(LINK.match(link) for link in links), cells[3]
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
