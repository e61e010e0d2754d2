"""Check Mermaid diagram text with the real `mermaid` parser, run headless under Node.

`tests/mermaid/check.mjs` does the parsing; this module feeds it diagrams and reads back
one error (or None) per diagram. The Node packages are installed from the committed
lockfile on first use (`npm ci`) when `tests/mermaid/node_modules` holds no finished install.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from filelock import FileLock

from tests.support.paths import MERMAID_DIR

CHECK_SCRIPT = MERMAID_DIR / "check.mjs"
_INSTALL_TIMEOUT_S = 600
_CHECK_TIMEOUT_S = 120


class MermaidCheckUnavailableError(RuntimeError):
    """Node, npm or the mermaid packages needed to check diagrams are not available."""


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise MermaidCheckUnavailableError(
            f"`{name}` was not found on PATH; Node.js and npm are needed to check Mermaid diagrams "
            f"(the packages are installed from {MERMAID_DIR.name}/package-lock.json)"
        )
    return path


def ensure_installed(folder: Path = MERMAID_DIR) -> None:
    """Install a test folder's pinned Node packages with `npm ci` unless a finished install is there
    (the Mermaid parser here; axe-core for the status page's browser test too).

    npm writes ``node_modules/.package-lock.json`` last, so a half-done install is done again; the
    pytest-xdist workers take a file lock, so only one of them installs while the others wait.
    """
    finished = folder / "node_modules" / ".package-lock.json"
    if finished.is_file():
        return
    name = hashlib.sha256(str(folder).encode()).hexdigest()[:16]
    with FileLock(Path(tempfile.gettempdir()) / f"ops-actions-npm-{name}.lock", timeout=_INSTALL_TIMEOUT_S):
        if finished.is_file():
            return  # another worker installed it meanwhile
        npm = _tool("npm")
        proc = subprocess.run(
            [npm, "ci", "--prefix", str(folder), "--no-audit", "--no-fund"],
            capture_output=True,
            text=True,
            timeout=_INSTALL_TIMEOUT_S,
            check=False,
        )
    if proc.returncode != 0:
        raise MermaidCheckUnavailableError(
            f"`npm ci` in {folder} failed with exit code {proc.returncode}:\n{proc.stderr.strip()}"
        )


def mermaid_errors(diagrams: list[str]) -> list[str | None]:
    """Parse each diagram with `mermaid.parse`; return None for one that parses, else the parser's message."""
    if not diagrams:
        return []
    ensure_installed()
    node = _tool("node")
    proc = subprocess.run(
        [node, str(CHECK_SCRIPT)],
        input=json.dumps(diagrams),
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=MERMAID_DIR,
        timeout=_CHECK_TIMEOUT_S,
        check=False,
    )
    if proc.returncode != 0:
        raise MermaidCheckUnavailableError(
            f"{CHECK_SCRIPT.name} exited with code {proc.returncode}:\n{proc.stderr.strip()}"
        )
    results = json.loads(proc.stdout)
    if not isinstance(results, list) or len(results) != len(diagrams):
        raise MermaidCheckUnavailableError(
            f"{CHECK_SCRIPT.name} returned {proc.stdout!r} for {len(diagrams)} diagram(s)"
        )
    return [None if result["ok"] else str(result["error"]) for result in results]
