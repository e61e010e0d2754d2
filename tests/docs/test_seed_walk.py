"""docs/seed-walk.md names every line of the seed playbook, the playbook keys that encode it and the
tests that show it; it is generated (tests/support/seed_walk.py), and this keeps it true: current,
every line with a key and a test, keys that exist, marks on lines that exist."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from ops_actions.playbook import bundled_playbook_text
from tests.support import seed_walk

# One step of a key: a name, then any number of [selector]s (a selector may hold dots: a signal name).
_STEP = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[[^\]]+\])*)(?:\.|$)")


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


def test_the_seed_walk_is_current() -> None:
    assert seed_walk.SEED_WALK.read_text(encoding="utf-8") == seed_walk.document(), (
        "docs/seed-walk.md is stale: python -m tests.support.seed_walk"
    )


def test_every_seed_line_has_keys_and_tests_and_nothing_else_does() -> None:
    lines = seed_walk.seed_lines()
    tests = seed_walk.marked_tests()
    assert sorted(seed_walk.PLAYBOOK_KEYS) == sorted(lines)
    assert [number for number in lines if not tests.get(number)] == []
    assert seed_walk.stray_marks(tests) == {}, "a test marks a seed line that is empty or missing"


def test_a_mark_on_an_empty_line_is_caught(tmp_path: Path) -> None:
    """The check above can fail: a test marking line 2 (empty in the seed) is found by the scan."""
    (tmp_path / "test_marked.py").write_text(
        "import pytest\n\n\n@pytest.mark.seed(2, 7)\ndef test_x() -> None:\n    pass\n", encoding="utf-8"
    )
    found = seed_walk.marked_tests(tmp_path, root=tmp_path)
    assert found == {2: ["test_marked.py::test_x"], 7: ["test_marked.py::test_x"]}
    assert seed_walk.stray_marks(found) == {2: ["test_marked.py::test_x"]}


@pytest.mark.parametrize(("number", "keys"), sorted(seed_walk.PLAYBOOK_KEYS.items()))
def test_each_key_is_in_the_bundled_playbook(number: int, keys: tuple[str, ...]) -> None:
    playbook = yaml.safe_load(bundled_playbook_text())
    assert keys, f"line {number} names no key"
    for key in keys:
        try:
            resolve(playbook, key)
        except (KeyError, StopIteration, TypeError):
            pytest.fail(f"line {number}: {key} is not in ops_actions/playbook.yaml")
