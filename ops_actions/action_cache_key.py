"""The Actions cache key of the action's environment: ``python3 action_cache_key.py ACTION_DIR``.

Run by ``action.yml`` before anything is installed, so it uses the standard library only. The key
covers what decides the environment's content: this Python (version and build), the lock, the
project file and every file of the package. A new action commit that changes none of them reuses
the cached environment; any change, or another Python, builds a fresh one.
"""

from __future__ import annotations

import hashlib
import platform
import sys
from pathlib import Path

SKIPPED_PARTS = frozenset({"__pycache__"})


def environment_key(action_dir: Path) -> str:
    """``py<version>-<digest>`` of the interpreter and the action's package files."""
    digest = hashlib.sha256()
    digest.update(f"{sys.version}|{sys.implementation.cache_tag}|{platform.machine()}".encode())
    package = sorted(
        path
        for path in (action_dir / "ops_actions").rglob("*")
        if path.is_file() and not SKIPPED_PARTS & set(path.parts) and path.suffix != ".pyc"
    )
    for path in [action_dir / "pyproject.toml", action_dir / "uv.lock", *package]:
        digest.update(path.relative_to(action_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    version = ".".join(map(str, sys.version_info[:3]))
    return f"py{version}-{digest.hexdigest()[:24]}"


if __name__ == "__main__":
    print(environment_key(Path(sys.argv[1])))
