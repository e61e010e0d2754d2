"""Action setup: the uv way (action.yml) against the pip way it replaced, side by side in one run.

Run: .venv/bin/python bench/setup_bench.py   (needs PyPI: the cold cases download everything)
Goal (issue 18): cold <= 10 s, warm <= 3 s.

Each case starts from a fresh copy of the repository, as a runner's checkout of the action:
- pip, cold / warm pip cache: what action.yml did before, ``python3 -m venv`` + ``pip install .``;
- uv, cold: the action's own install step (read from action.yml) with an empty uv cache;
- uv, warm uv cache: the same step when uv's cache already holds every wheel;
- uv, environment cache hit: the action's warm path on GitHub, the environment restored from the
  Actions cache (a zstd tarball, as actions/cache stores it, unpacked here) plus the key step.
  The download from GitHub's cache service is not part of this figure.
Every case ends with the first ``ops-actions --version``, so byte-compiling (or not) counts.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.act_harness import copy_checkout, install_step  # noqa: E402  (the action's own step)


def fresh_copy(parent: Path) -> Path:
    """The files git would check out, in a new directory."""
    dest = Path(tempfile.mkdtemp(dir=parent))
    copy_checkout(dest)
    return dest


def timed(way: Callable[[Path], None], parent: Path) -> float:
    """Seconds ``way`` takes on a fresh copy (the copying itself is not timed)."""
    copy = fresh_copy(parent)
    started = time.perf_counter()
    way(copy)
    return time.perf_counter() - started


def run(*command: str | Path, env: dict[str, str] | None = None) -> None:
    subprocess.run(
        [str(part) for part in command], check=True, capture_output=True, env={**os.environ, **(env or {})}
    )


def pip_way(copy: Path, pip_cache: Path | None) -> None:
    venv = copy / ".venv"
    run("python3", "-m", "venv", venv)
    cache = ["--cache-dir", str(pip_cache)] if pip_cache else ["--no-cache-dir"]
    run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", *cache, copy, env={"PIP_FIND_LINKS": ""})
    run(venv / "bin" / "ops-actions", "--version")


def uv_way(copy: Path, uv_cache: Path) -> None:
    install_step(copy, {"UV_CACHE_DIR": str(uv_cache)})
    run(copy / ".venv" / "bin" / "ops-actions", "--version")


def restored_way(copy: Path, tarball: Path) -> None:
    run("python3", copy / "ops_actions" / "action_cache_key.py", copy)
    run("tar", "--use-compress-program", "zstd -d", "-xf", tarball, "-C", copy)
    run(copy / ".venv" / "bin" / "ops-actions", "--version")


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        pip_cache, uv_cache = work / "pip-cache", work / "uv-cache"
        figures = {
            "pip, cold": timed(lambda copy: pip_way(copy, None), work),
            "uv, cold": timed(lambda copy: uv_way(copy, work / "uv-cold"), work),
        }
        pip_way(fresh_copy(work), pip_cache)  # warm both caches
        warmed = fresh_copy(work)
        uv_way(warmed, uv_cache)
        figures["pip, warm pip cache"] = timed(lambda copy: pip_way(copy, pip_cache), work)
        figures["uv, warm uv cache"] = timed(lambda copy: uv_way(copy, uv_cache), work)
        tarball = work / "environment.tar.zst"
        run("tar", "--use-compress-program", "zstd", "-cf", tarball, "-C", warmed, ".venv")
        figures["uv, environment cache hit"] = timed(lambda copy: restored_way(copy, tarball), work)
    baseline = figures["pip, cold"]
    print(f"{'case':<28} {'seconds':>8} {'vs pip cold':>12}")
    for case, seconds in figures.items():
        print(f"{case:<28} {seconds:8.2f} {seconds / baseline:11.2f}x")
    print(
        f"goal: cold <= 10 s (uv cold {figures['uv, cold']:.1f} s), "
        f"warm <= 3 s (cache hit {figures['uv, environment cache hit']:.1f} s)"
    )


if __name__ == "__main__":
    main()
