"""Run this repository's workflows offline with act (nektos/act) in self-hosted mode.

act runs each step as a process on this machine (``-P ubuntu-latest=-self-hosted``), so the CLI
inside a workflow reaches the sandbox backend and the GitHub emulator on 127.0.0.1 by URL.

What it takes, found by experiment with act 0.2.89:

- ``uses: ./`` needs the preceding ``actions/checkout``; act skips that step and copies the working
  tree into ``<action-cache-path>/<hash>/hostexecutor`` (the workspace and ``GITHUB_ACTION_PATH``),
  and deletes it after the run. ``--action-cache-path`` keeps all of that in a temporary directory.
- Other remote actions are swapped for the stubs in ``tests/act-stubs`` with
  ``--local-repository actions/<name>@<sha>=<stub dir>``, one flag per pinned SHA.
- ``--env`` overrides act's own ``GITHUB_*`` values (``GITHUB_API_URL``, ``GITHUB_REPOSITORY``,
  ``GITHUB_RUN_ID``), both in the process environment and in the ``github`` context. Each run gets
  its own run id, as on GitHub: the CLI keys its idempotency markers on it, and with act's constant
  run id 1 a later tick would look like a re-run of the first.
- act 0.2.89 refuses a workflow with a job key newer than itself (``cache-mode``, github.com only).
  The workspace holds the incident workflows as ``init --target ghes`` writes them (no such key): what
  act runs is a rendering a team installs, never an edited copy. ``run_act`` refuses a workflow with a
  job key act cannot read, naming it (``ActCannotRun``), before act starts.
- act masks secrets by substring replacement, so fake secrets must be long and distinctive.
- Installing the package (what the action's install step does) takes seconds from PyPI. The
  workspace copy is prepared once per session with the action's own install step (its ``run:``
  and ``env:``, read from ``action.yml``), and runs that reuse it pass ``--use-gitignore=false`` so
  act copies the git-ignored ``.venv`` along; the action then finds ``.venv/bin/ops-actions`` and
  skips the install. A run with ``reuse_venv=False`` copies without it, so the action installs from
  scratch as on a fresh runner. The setup-uv stub hands over this environment's ``uv``
  (``ACT_STUB_UV``) as its ``uv-path`` output.
- The venv lives beside the workspace and ``.venv`` is a symlink to it: act copies the link, not
  the venv's 3,700 files, which saves about 4 s of copying per job (measured side by side).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ops_actions.scaffold import JOB_KEYS, render_workflow, workflow_templates
from tests.support.paths import ACT_STUBS, ACTIONS_PINS, BIN_DIR, REPO_ROOT
from tests.support.processes import HANG_S, finished

STUBBED = {
    "actions/setup-python": "setup-python",
    "actions/cache": "cache",
    "actions/create-github-app-token": "create-github-app-token",
    "actions/upload-artifact": "upload-artifact",
    "actions/download-artifact": "download-artifact",
    "actions/attest-build-provenance": "attest-build-provenance",
    "pypa/gh-action-pypi-publish": "gh-action-pypi-publish",
    "actions/upload-pages-artifact": "upload-pages-artifact",
    "actions/deploy-pages": "deploy-pages",
    "astral-sh/setup-uv": "setup-uv",
}
"""Remote actions replaced by a local stub (``actions/checkout`` is act's own business)."""

UV = BIN_DIR / "uv"
"""The uv of the test environment (a test extra), which the setup-uv stub hands to the workflows."""
PYTHON = Path(sys._base_executable)
"""The interpreter the test environment's venv was made from: the action's Python when the harness
installs the workspace's environment (what setup-python hands over on a runner)."""

_PIN_ROW = re.compile(
    r"^\|\s*(?P<repo>[\w.-]+/[\w.-]+)[^|]*\|\s*(?P<version>[^|]+?)\s*\|\s*(?P<sha>[0-9a-f]{40})\s*\|"
)
_RUN_IDS = itertools.count(7_100_000_001)


@dataclass(frozen=True)
class Pin:
    """One row of ``tests/data/actions-pins.md``: an action repository, a version and its commit."""

    repo: str
    version: str
    sha: str


def read_pins() -> list[Pin]:
    """The pins ``tests/data/actions-pins.md`` allows (a copy of the shared list)."""
    rows = map(_PIN_ROW.match, ACTIONS_PINS.read_text(encoding="utf-8").splitlines())
    return [Pin(m["repo"], m["version"], m["sha"]) for m in rows if m]


def pinned_shas() -> dict[str, set[str]]:
    """The allowed commit SHAs by action repository."""
    pins: dict[str, set[str]] = {}
    for pin in read_pins():
        pins.setdefault(pin.repo, set()).add(pin.sha)
    return pins


def stub_flags() -> list[str]:
    """``--local-repository`` flags that swap every pinned version of a stubbed action for its stub."""
    pins = pinned_shas()
    flags: list[str] = []
    for repo, stub in sorted(STUBBED.items()):
        for sha in sorted(pins[repo]):
            flags += ["--local-repository", f"{repo}@{sha}={ACT_STUBS / stub}"]
    return flags


def _git(cwd: Path, *args: str) -> str:
    """Run git quietly with a fixed identity; returns stdout."""
    git = shutil.which("git")
    assert git, "git is not on PATH"
    command = [
        git,
        "-c",
        "user.name=act-tests",
        "-c",
        "user.email=act-tests@example.invalid",
        "-c",
        "commit.gpgsign=false",
        *args,
    ]
    return subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True).stdout


def copy_checkout(dest: Path) -> None:
    """Copy what git would check out (tracked and untracked files, minus ignored ones) into ``dest``."""
    listed = _git(REPO_ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.split("\0")):
        source = REPO_ROOT / name
        if source.is_file():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


ACT_JOB_KEYS = JOB_KEYS["ghes"]
"""The job keys act 0.2.89 reads: the ones every GHES release documents; ``cache-mode`` (github.com,
2026-09) came after it and is a schema error there."""
ACT_TARGET = "ghes"
"""The target whose rendering of the templates the workspace holds: the one act can run as written."""


class ActCannotRun(AssertionError):
    """A workflow holds a job key act cannot read: run its rendering for another target instead."""


def keys_act_cannot_run(workflow: Path) -> list[str]:
    """``job.key`` for each job key of ``workflow`` that act would refuse."""
    jobs = yaml.safe_load(workflow.read_text(encoding="utf-8")).get("jobs") or {}
    return [f"{job_id}.{key}" for job_id, job in jobs.items() for key in job if key not in ACT_JOB_KEYS]


def prepare_workspace(dest: Path) -> Path:
    """A copy of the working tree as a one-commit git repository, with the action's venv linked in.

    The copy holds what git would (tracked and untracked files, minus ignored ones), like the
    checkout of a pushed commit. The venv is built by the action's own install commands.
    """
    copy_checkout(dest)
    for name, template in workflow_templates().items():
        rendered = render_workflow(template, "./", ACT_TARGET)
        (dest / ".github" / "workflows" / name).write_text(rendered, encoding="utf-8")
    _git(dest, "init", "--quiet", "--initial-branch=main")
    _git(dest, "add", "--all")
    _git(dest, "commit", "--quiet", "--message", "workspace for act")
    venv = dest.with_name(dest.name + "-venv")
    install_step(dest, {"UV_PROJECT_ENVIRONMENT": str(venv)})
    (dest / ".venv").symlink_to(venv, target_is_directory=True)
    # .gitignore's ".venv/" matches a directory, not a link: keep the link ignored all the same.
    (dest / ".git" / "info" / "exclude").write_text(".venv\n", encoding="utf-8")
    return dest


def install_step(action_dir: Path, extra_env: dict[str, str] | None = None) -> None:
    """Run the action's "Install ops-actions" step in ``action_dir``, as the runner would."""
    action = yaml.safe_load((REPO_ROOT / "action.yml").read_text(encoding="utf-8"))
    (step,) = [s for s in action["runs"]["steps"] if s.get("name") == "Install ops-actions"]
    environ = {name: value for name, value in step.get("env", {}).items() if "${{" not in value}
    bash = shutil.which("bash")
    assert bash, "bash is not on PATH"
    subprocess.run(
        [bash, "-euo", "pipefail", "-c", step["run"]],
        cwd=action_dir,
        env={
            **_clean_environ(),
            **environ,
            "GITHUB_ACTION_PATH": str(action_dir),
            "UV_PROJECT_ENVIRONMENT": str(action_dir / ".venv"),
            "OPS_UV": str(UV),
            "OPS_PYTHON": str(PYTHON),
            **(extra_env or {}),
        },
        check=True,
        capture_output=True,
        timeout=HANG_S,
    )


@dataclass(frozen=True)
class ActRun:
    """What one act invocation did."""

    returncode: int
    output: str

    def tail(self, lines: int = 80) -> str:
        """The last lines of act's output, for assertion messages."""
        return "\n".join(self.output.splitlines()[-lines:])


def _clean_environ() -> dict[str, str]:
    """This process's environment without anything a surrounding Actions job or test set."""
    prefixes = ("GITHUB_", "RUNNER_", "ACTIONS_", "OPS_", "INPUT_")
    environ = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    environ.pop("CI", None)
    environ["ACT_DISABLE_VERSION_CHECK"] = "1"
    return environ


def run_act(
    workspace: Path,
    scratch: Path,
    *,
    event: str,
    workflow: str | Path,
    payload: dict[str, Any],
    env: dict[str, str] | None = None,
    secrets: dict[str, str] | None = None,
    variables: dict[str, str] | None = None,
    actor: str = "octocat",
    job: str | None = None,
    reuse_venv: bool = True,
    verbose: bool = False,
) -> ActRun:
    """Run ``.github/workflows/<workflow>`` (a path: that file) for ``event`` with ``payload`` as the
    event file; only ``job`` and the jobs it needs, if given.

    ``scratch`` (outside the workspace) receives the event file and act's action cache.
    ``verbose`` adds act's debug lines, e.g. why a job was skipped.
    """
    workflow_path = workflow if isinstance(workflow, Path) else workspace / ".github" / "workflows" / workflow
    refused = keys_act_cannot_run(workflow_path)
    if refused:
        raise ActCannotRun(f"act cannot run {workflow_path.name}: job key {', '.join(refused)} (act 0.2.89)")
    run_id = str(next(_RUN_IDS))
    event_file = scratch / f"event-{run_id}.json"
    event_file.write_text(json.dumps(payload), encoding="utf-8")
    command = [
        str(BIN_DIR / "act"),
        event,
        "--workflows",
        str(workflow) if isinstance(workflow, Path) else f".github/workflows/{workflow}",
        "--platform",
        "ubuntu-latest=-self-hosted",
        "--no-cache-server",
        "--action-cache-path",
        str(scratch / "act-cache"),
        "--eventpath",
        str(event_file),
        "--actor",
        actor,
        f"--use-gitignore={'false' if reuse_venv else 'true'}",
        *stub_flags(),
        *(["--job", job] if job else []),
        *(["--verbose"] if verbose else []),
    ]
    tool = {
        # No pause between writes (1 s by default, for GitHub's secondary limits): the emulator has none.
        "OPS_GITHUB_WRITE_INTERVAL_S": "0",
        # The record of checked playbooks goes to the scratch folder, not the user's cache.
        "OPS_ACTIONS_CACHE_DIR": str(scratch / "ops-actions-cache"),
    }
    for name, value in {"GITHUB_RUN_ID": run_id, "ACT_STUB_UV": str(UV), **tool, **(env or {})}.items():
        command += ["--env", f"{name}={value}"]
    for name, value in (secrets or {}).items():
        command += ["--secret", f"{name}={value}"]
    for name, value in (variables or {}).items():
        command += ["--var", f"{name}={value}"]
    done = finished(command, cwd=workspace, env=_clean_environ())
    return ActRun(done.returncode, done.stdout + done.stderr)
