"""How the composite action installs itself: uv from a pin, the committed lock, a cached environment."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import yaml

from tests.support.paths import REPO_ROOT
from tests.support.processes import finished

ACTION = yaml.safe_load((REPO_ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS: dict[str, dict[str, Any]] = {step["name"]: step for step in ACTION["runs"]["steps"]}
KEY_SCRIPT = REPO_ROOT / "ops_actions" / "action_cache_key.py"
NOT_READY = "steps.env.outputs.present != 'true' && steps.restore.outputs.cache-hit != 'true'"


def uv_pins() -> dict[str, str]:
    """Every place that names the uv version: the action, the Makefile, the test extra, the lock."""
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (extra,) = [r for r in project["project"]["optional-dependencies"]["test"] if r.startswith("uv")]
    lock = tomllib.loads((REPO_ROOT / "uv.lock").read_text(encoding="utf-8"))
    (locked,) = [p["version"] for p in lock["package"] if p["name"] == "uv"]
    makefile = re.search(r"^UV_VERSION := (\S+)$", (REPO_ROOT / "Makefile").read_text(), re.MULTILINE)
    assert makefile
    return {
        "action.yml": str(STEPS["Set up uv"]["with"]["version"]),
        "Makefile": makefile[1],
        "pyproject test extra": extra.removeprefix("uv=="),
        "uv.lock": locked,
    }


def test_one_uv_version_everywhere() -> None:
    pins = uv_pins()
    assert len(set(pins.values())) == 1, pins


def test_install_is_the_locked_runtime_set_byte_compiled() -> None:
    """--locked refuses a lock that no longer matches pyproject.toml, so a run installs what CI tested."""
    install = STEPS["Install ops-actions"]
    command = install["run"].split()
    for flag in ("sync", "--locked", "--no-dev", "--no-editable", "--compile-bytecode", "--relocatable"):
        assert flag in command, flag
    assert not any(flag.startswith("--extra") or flag == "--all-extras" for flag in command)
    assert install["env"]["UV_PYTHON_DOWNLOADS"] == "never", "setup-python's Python, never uv's download"
    assert install["env"]["OPS_UV"] == "${{ steps.uv.outputs.uv-path }}"
    assert install["env"]["OPS_PYTHON"] == "${{ steps.python.outputs.python-path }}"
    assert command.count('"$OPS_PYTHON"') == 1, "the venv is made on setup-python's Python"
    assert "--python" not in install["run"].split("sync", 1)[1], "sync fills that environment"


def test_the_python_is_setup_pythons_and_the_runners_own_is_never_run() -> None:
    """The runner's python3 may be older than 3.11: no step runs it; setup-python's comes first and
    leaves the job's PATH alone."""
    setup = STEPS["Set up Python"]
    assert setup["uses"].startswith("actions/setup-python@")
    assert setup["with"] == {"python-version": "3.12", "update-environment": "false"}
    names = list(STEPS)
    assert names.index("Set up Python") < names.index("Find the ops-actions environment")
    for step in ACTION["runs"]["steps"]:
        assert not re.search(r"(^|[\s(])python3?\s", step.get("run", "")), step["name"]


def test_the_environment_is_restored_and_saved_under_one_key_and_installed_only_on_a_miss() -> None:
    restore, save = STEPS["Restore the ops-actions environment"], STEPS["Save the ops-actions environment"]
    assert restore["uses"].startswith("actions/cache/restore@")
    assert save["uses"].startswith("actions/cache/save@")
    for step in (restore, save):
        assert step["with"] == {
            "path": "${{ steps.env.outputs.path }}",
            "key": "${{ steps.env.outputs.key }}",
        }
    assert restore["if"] == "steps.env.outputs.present != 'true'"
    for name in ("Set up uv", "Install ops-actions", "Save the ops-actions environment"):
        assert STEPS[name]["if"] == NOT_READY, name
    names = list(STEPS)
    assert names.index("Mask tokens") == 0
    assert names.index("Restore the ops-actions environment") < names.index("Install ops-actions")
    assert names.index("Install ops-actions") < names.index("Run ops-actions")


def key_of(action_dir: Path) -> str:
    done = subprocess.run(
        [sys.executable, str(KEY_SCRIPT), str(action_dir)], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_the_key_follows_the_package_the_lock_and_the_python(tmp_path: Path) -> None:
    action_dir = tmp_path / "action"
    shutil.copytree(
        REPO_ROOT / "ops_actions", action_dir / "ops_actions", ignore=shutil.ignore_patterns("*.pyc")
    )
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy2(REPO_ROOT / name, action_dir / name)
    first = key_of(action_dir)
    version = ".".join(map(str, sys.version_info[:3]))
    assert re.fullmatch(rf"py{re.escape(version)}-[0-9a-f]{{24}}", first), first
    (action_dir / "ops_actions" / "__pycache__").mkdir(exist_ok=True)
    (action_dir / "ops_actions" / "__pycache__" / "cli.cpython-311.pyc").write_bytes(b"compiled")
    assert key_of(action_dir) == first, "byte-compiled files must not change the key"
    (action_dir / "ops_actions" / "cli" / "root.py").write_text("# changed\n", encoding="utf-8")
    changed_package = key_of(action_dir)
    assert changed_package != first
    with (action_dir / "uv.lock").open("a", encoding="utf-8") as lock:
        lock.write("\n")
    assert key_of(action_dir) not in {first, changed_package}


def find_step(tmp_path: Path, **environ: str) -> subprocess.CompletedProcess[str]:
    """The action's "Find the ops-actions environment" step, run by bash as the runner would."""
    step = STEPS["Find the ops-actions environment"]
    bash = shutil.which("bash")
    assert bash, "bash is not on PATH"
    base = {
        "PATH": os.environ["PATH"],
        "GITHUB_ACTION_PATH": str(REPO_ROOT),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "RUNNER_OS": "Linux",
        "RUNNER_ARCH": "X64",
        "OPS_PYTHON": sys.executable,
    }
    return finished([bash, "-e", "-c", step["run"]], env={**base, **environ})


def test_a_runner_the_action_cannot_run_on_gets_one_line(tmp_path: Path) -> None:
    """A Windows runner (the environment's layout is bin/, not Scripts/), or no Python from
    setup-python: exit 1 and one error annotation, before any key or install."""
    windows = find_step(tmp_path, RUNNER_OS="Windows")
    assert (windows.returncode, windows.stdout.splitlines()) == (
        1,
        ["::error::ops-actions runs on Linux and macOS runners only, not on Windows"],
    )
    missing = find_step(tmp_path, OPS_PYTHON=str(tmp_path / "no-python"))
    assert missing.returncode == 1
    assert missing.stdout.splitlines() == [
        f"::error::ops-actions needs Python 3.11 or newer; setup-python gave none ({tmp_path / 'no-python'})"
    ]
    assert not (tmp_path / "output").exists()
    linux = find_step(tmp_path)
    assert linux.returncode == 0, linux.stderr
    assert "present=" in (tmp_path / "output").read_text(encoding="utf-8")
