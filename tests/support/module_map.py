"""The generated parts of tests/README.md: how many tests each folder holds, and the module →
test-file table, both worked out from the test files themselves.

The table lists each module of the package with the test files that import it (their own imports,
``from a.b import c`` counting ``a.b.c`` when that is a module), the file named after the module
first. ``python -m tests.support.module_map`` rewrites both parts; tests/repo/test_tests_readme.py
fails when the README's parts are not what the test files say today.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

from tests.support.paths import PACKAGE, REPO_ROOT, TESTS

README = TESTS / "README.md"
MODULE_MAP = ("<!-- module-map:start -->", "<!-- module-map:end -->")
PYRAMID = ("<!-- pyramid:start -->", "<!-- pyramid:end -->")
UNIMPORTED = "none (reached through other modules)"
# The folders of the pyramid, from the bottom up, and what each holds.
FOLDERS = {
    "unit": "one module each, by package; no server, no subprocess",
    "integration": "the CLI against the sandbox backend and the GitHub emulator (local HTTP servers)",
    "integration/sandbox": "the simulated servers themselves: the backend's APIs, the emulator vs GitHub",
    "workflows": "the workflows run: act, GitHub in a box, a day in the life",
    "docs": "the documents: links to tests, generated references, the README's walk-through",
    "repo": "the repository's rules: layering, module size, workflows, pins, the Makefile",
}


def module_name(path: Path) -> str:
    """The dotted name of a module of the package (a package's ``__init__`` is the package)."""
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_modules() -> list[Path]:
    """Every module of the package but the empty ``__init__`` files and ``__main__``."""
    return [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "__main__.py"
        and (path.name != "__init__.py" or path.read_text(encoding="utf-8").strip())
    ]


def imported_modules(path: Path, known: set[str]) -> set[str]:
    """The package modules a test file imports (``from a.b import c`` counts ``a.b.c`` when it is one)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names & known


def all_test_files(folder: Path = TESTS) -> list[Path]:
    return sorted(folder.rglob("test_*.py"))


def named_after(test: Path, module: Path) -> bool:
    """Whether the test file carries the module's name (a package's, for its ``__init__``)."""
    stem = module.parent.name if module.name == "__init__.py" else module.stem
    return test.name == f"test_{stem}.py"


def module_rows() -> list[str]:
    modules = package_modules()
    known = {module_name(path) for path in modules}
    imports = {test: imported_modules(test, known) for test in all_test_files()}
    lines = ["| module | test files that import it |", "|---|---|"]
    for module in modules:
        name = module_name(module)
        tests = sorted(
            (test for test, names in imports.items() if name in names),
            key=lambda test: (not named_after(test, module), test.relative_to(TESTS).as_posix()),
        )
        cells = ", ".join(f"`{test.relative_to(TESTS).as_posix()}`" for test in tests) or UNIMPORTED
        lines.append(f"| `{module.relative_to(REPO_ROOT).as_posix()}` | {cells} |")
    return lines


def tests_defined(path: Path) -> int:
    """The test functions a file defines (each parametrized case counts once)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return sum(isinstance(node, ast.FunctionDef) and node.name.startswith("test_") for node in tree.body)


def pyramid_rows() -> list[str]:
    lines = ["| folder | holds | files | test functions |", "|---|---|---:|---:|"]
    for folder, holds in FOLDERS.items():
        # integration/ is counted without its sandbox/ folder, which has a row of its own.
        files = [
            path
            for path in all_test_files(TESTS / folder)
            if not (folder == "integration" and path.parent.name == "sandbox")
        ]
        lines.append(f"| `tests/{folder}/` | {holds} | {len(files)} | {sum(map(tests_defined, files))} |")
    return lines


def generated(markers: tuple[str, str], rows: list[str]) -> str:
    return "\n".join([markers[0], *rows, markers[1]])


def readme_part(text: str, markers: tuple[str, str]) -> str:
    """The part of the README between the markers, the markers included ('' when they are missing)."""
    found = re.search(re.escape(markers[0]) + r".*?" + re.escape(markers[1]), text, re.DOTALL)
    return found.group(0) if found else ""


def parts() -> dict[tuple[str, str], str]:
    """Each generated part of the README, by its markers."""
    return {MODULE_MAP: generated(MODULE_MAP, module_rows()), PYRAMID: generated(PYRAMID, pyramid_rows())}


def main() -> int:
    text = README.read_text(encoding="utf-8")
    for markers, part in parts().items():
        old = readme_part(text, markers)
        if not old:
            print(f"{README.relative_to(REPO_ROOT)} lacks {markers[0]} … {markers[1]}", file=sys.stderr)
            return 1
        text = text.replace(old, part)
    README.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
