"""tests/README.md stays true: its generated parts are what the test files say today, and every
unit test file is named after a module that exists."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import module_map
from tests.support.paths import PACKAGE, TESTS

# Unit test files of a package folder that test a playbook file rather than one module.
NOT_A_MODULE = {
    "unit/playbook/test_broken_playbooks.py": "the broken-playbook corpus, tests/data/broken-playbooks/",
    "unit/playbook/test_examples.py": "the example playbooks of examples/",
    "unit/playbook/test_security.py": "hostile playbooks, refused when they are read",
    "unit/playbook/test_seed_playbook.py": "the content of the bundled (seed) playbook",
}


@pytest.mark.parametrize("markers", list(module_map.parts()), ids=lambda markers: markers[0])
def test_the_readmes_generated_parts_are_current(markers: tuple[str, str]) -> None:
    """The pyramid's counts and the module → test-file table are what the test files say now."""
    text = module_map.README.read_text(encoding="utf-8")
    assert module_map.readme_part(text, markers) == module_map.parts()[markers], (
        "tests/README.md is stale: python -m tests.support.module_map"
    )


def test_the_readme_table_fails_when_stale(tmp_path: Path) -> None:
    """A table missing a row is not the generated one (so the test above can fail)."""
    text = module_map.README.read_text(encoding="utf-8")
    table = module_map.parts()[module_map.MODULE_MAP]
    stale = text.replace(table, "\n".join(table.splitlines()[:-2] + table.splitlines()[-1:]))
    assert module_map.readme_part(stale, module_map.MODULE_MAP) != table


def unit_files() -> list[Path]:
    return sorted((TESTS / "unit").rglob("test_*.py"))


@pytest.mark.parametrize("path", unit_files(), ids=lambda path: path.relative_to(TESTS).as_posix())
def test_every_unit_test_file_names_a_module(path: Path) -> None:
    """tests/unit/<pkg>/test_<name>.py tests ops_actions/<pkg>/<name>.py; tests/unit/test_<name>.py
    tests ops_actions/<name>.py or the package ops_actions/<name>/ (or is listed in NOT_A_MODULE)."""
    relative = path.relative_to(TESTS).as_posix()
    if relative in NOT_A_MODULE:
        return
    name = path.stem.removeprefix("test_")
    folder = PACKAGE.joinpath(*path.relative_to(TESTS / "unit").parent.parts)
    assert (folder / f"{name}.py").is_file() or (folder / name / "__init__.py").is_file(), (
        f"{relative} is named after no module of {folder.relative_to(PACKAGE.parent).as_posix()}/"
    )


def test_the_exceptions_are_unit_files_that_exist() -> None:
    """Every file NOT_A_MODULE names is a unit test file (a stale entry would hide a misnamed file)."""
    assert set(NOT_A_MODULE) <= {path.relative_to(TESTS).as_posix() for path in unit_files()}
