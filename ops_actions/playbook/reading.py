"""Which playbook a command reads: the given file, else ./playbook.yaml, else the bundled seed one.

A missing ./playbook.yaml with a near miss beside it (``playbook.yml``, ``.github/playbook.yaml``...)
is an error rather than a silent fall back to the bundled playbook.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ops_actions.errors import OpsError
from ops_actions.playbook.problems import PlaybookError, Problem


def bundled_playbook_text() -> str:
    """The seed playbook shipped with the package: a copy of this repository's ``playbook.yaml``."""
    return resources.files("ops_actions").joinpath("playbook.yaml").read_text(encoding="utf-8")


BUNDLED_SOURCE = "ops_actions/playbook.yaml"
DEFAULT_PATH = Path("playbook.yaml")
# Where a misplaced or misnamed playbook is looked for when ./playbook.yaml is missing: names that
# mean playbook.yaml in any case, beside it and in the folders a team might have chosen.
_NEAR_MISS_FOLDERS = (".", ".github", ".ops-actions")
_NEAR_MISS_NAMES = frozenset({"playbook.yaml", "playbook.yml"})


def near_misses(root: Path = Path()) -> list[str]:
    """Files that look meant as the playbook although ./playbook.yaml does not exist."""
    found = []
    for folder in _NEAR_MISS_FOLDERS:
        directory = root / folder
        if not directory.is_dir():
            continue
        for entry in sorted(directory.iterdir()):
            if entry.name.lower() in _NEAR_MISS_NAMES and entry.is_file():
                found.append(entry.relative_to(root).as_posix())
    return [name for name in found if name != DEFAULT_PATH.as_posix()]


def read_playbook_source(path: Path | None) -> tuple[str, bytes]:
    """The playbook's name and bytes: the given file, else ./playbook.yaml, else the bundled one.

    When ./playbook.yaml is missing but a near miss exists (``playbook.yml``, ``Playbook.yaml``,
    ``.github/playbook.yaml``...), OpsError (exit 2) says so: the team meant its own playbook, and
    running the bundled seed playbook instead would decide severities by someone else's rules.
    """
    if path is None:
        if not DEFAULT_PATH.is_file():
            misses = near_misses()
            if misses:
                raise OpsError(
                    f"no ./playbook.yaml, but {' and '.join(misses)} exists: rename it to playbook.yaml, "
                    f"or pass --playbook {misses[0]} (or set OPS_PLAYBOOK); "
                    "the bundled seed playbook is not used in its place"
                )
            return BUNDLED_SOURCE, bundled_playbook_text().encode("utf-8")
        path = DEFAULT_PATH
    try:
        return str(path), path.read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise PlaybookError(str(path), [Problem(1, 1, f"cannot read the playbook: {reason}")]) from None
