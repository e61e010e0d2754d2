"""docs/seed-walk.md names every line of the seed playbook, the playbook key that encodes it and the
tests that cover it; this keeps the table true: every line, in order, keys that exist, tests that exist."""

from __future__ import annotations

import ast
import re
from functools import cache
from typing import Any

import pytest
import yaml

from ops_actions.playbook import bundled_playbook_text
from tests.support.paths import DOCS, REPO_ROOT, SEED_PLAYBOOK_MD

# One step of a key: a name, then any number of [selector]s (a selector may hold dots: a signal name).
_STEP = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[[^\]]+\])*)(?:\.|$)")


def rows() -> list[tuple[int, str, list[str], list[str]]]:
    """(seed line number, seed text, keys, tests) of each table row."""
    found = []
    for line in (DOCS / "seed-walk.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) != 4 or not cells[0].isdigit():
            continue
        keys = re.findall(r"`([^`]+)`", cells[2])
        tests = re.findall(r"`([^`]+)`", cells[3])
        found.append((int(cells[0]), cells[1].replace("\\|", "|"), keys, tests))
    return found


def resolve(document: Any, key: str) -> Any:
    """The value a key such as ``rules[database-down].severity`` names; KeyError when there is none."""
    value = document
    position = 0
    while position < len(key):
        match = _STEP.match(key, position)
        if match is None:
            raise KeyError(key)
        value = value[match.group(1)]
        for selector in re.findall(r"\[([^\]]+)\]", match.group(2)):
            value = next(item for item in value if selector in {item.get("id"), item.get("name")})
        position = match.end()
    return value


@cache
def functions_in(path: str) -> frozenset[str]:
    tree = ast.parse((REPO_ROOT / path).read_text(encoding="utf-8"))
    return frozenset(node.name for node in tree.body if isinstance(node, ast.FunctionDef))


def test_every_seed_line_is_walked_in_order() -> None:
    """The table's seed column is the seed's non-empty lines, each with its line number."""
    seed = [
        (number, line.strip())
        for number, line in enumerate(SEED_PLAYBOOK_MD.read_text(encoding="utf-8").splitlines(), 1)
    ]
    assert [(number, text) for number, text, _, _ in rows()] == [(n, text) for n, text in seed if text]


@pytest.mark.parametrize(("number", "text", "keys", "tests"), rows(), ids=[str(row[0]) for row in rows()])
def test_each_line_names_a_key_that_exists_and_tests_that_exist(
    number: int, text: str, keys: list[str], tests: list[str]
) -> None:
    playbook = yaml.safe_load(bundled_playbook_text())
    assert keys and tests, f"line {number} names no key or no test"
    for key in keys:
        try:
            resolve(playbook, key)
        except (KeyError, StopIteration, TypeError):
            pytest.fail(f"line {number}: {key} is not in ops_actions/playbook.yaml")
    for test in tests:
        path, _, name = test.partition("::")
        assert name in functions_in(path), f"line {number}: {test} does not exist"
