"""The release workflow's own scripts (.github/workflows/release.yml), run by bash as the runner runs
them: a tag that is not the package's version is refused before anything is built, and the release
notes are the version's CHANGELOG.md section or nothing goes out."""

from __future__ import annotations

import os
import shutil
import sys
import tomllib
from pathlib import Path

import yaml

from tests.support.paths import BIN_DIR, REPO_ROOT, WORKFLOWS_DIR
from tests.support.processes import finished

RELEASE = yaml.safe_load((WORKFLOWS_DIR / "release.yml").read_text(encoding="utf-8"))
VERSION = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def script(job: str, step: str) -> str:
    (found,) = [s["run"] for s in RELEASE["jobs"][job]["steps"] if s.get("name") == step]
    return str(found)


def run_step(job: str, step: str, tmp_path: Path, **env: str) -> tuple[int, str, Path]:
    """Run the step's script in a copy of the project's pyproject.toml and CHANGELOG.md."""
    for name in ("pyproject.toml", "CHANGELOG.md"):
        if not (tmp_path / name).exists():
            shutil.copy(REPO_ROOT / name, tmp_path / name)
    outputs = tmp_path / "github-output"
    outputs.touch()
    environ = {**os.environ, "GITHUB_OUTPUT": str(outputs), "RUNNER_TEMP": str(tmp_path), **env}
    done = finished(["bash", "-e", "-c", script(job, step)], cwd=tmp_path, env=environ)
    return done.returncode, done.stdout + done.stderr, outputs


def test_a_tag_that_is_not_the_package_s_version_is_refused(tmp_path: Path) -> None:
    code, printed, _ = run_step(
        "build", "Check the version", tmp_path, OPS_REF_TYPE="tag", OPS_REF_NAME="v9.9.9"
    )
    assert code == 1
    assert f"::error::tag v9.9.9 does not match the version in pyproject.toml (v{VERSION})" in printed
    code, _, outputs = run_step(
        "build", "Check the version", tmp_path, OPS_REF_TYPE="tag", OPS_REF_NAME=f"v{VERSION}"
    )
    assert code == 0 and outputs.read_text(encoding="utf-8") == f"version={VERSION}\n"


def test_the_release_notes_are_the_version_s_changelog_section(tmp_path: Path) -> None:
    (tmp_path / "CHANGELOG.md").write_text(
        "# Changelog\n\n## [Unreleased]\n\n- later\n\n## [0.1.0] - 2026-12-07\n\n- first\n- second\n\n"
        "## [0.0.9]\n\n- older\n",
        encoding="utf-8",
    )
    # gh stands in for GitHub's CLI on the runner: it records what it was asked.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(f'#!/bin/sh\necho "$@" > "{tmp_path}/gh-args"\n', encoding="utf-8")
    (bin_dir / "gh").chmod(0o755)
    path = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    code, printed, _ = run_step(
        "github-release", "Create the release", tmp_path, OPS_VERSION=VERSION, PATH=path
    )
    assert code == 0, printed
    assert (tmp_path / "notes.md").read_text(encoding="utf-8") == "\n- first\n- second\n\n"
    args = (tmp_path / "gh-args").read_text(encoding="utf-8").split()
    assert args[:3] == ["release", "create", f"v{VERSION}"] and "--verify-tag" in args
    (tmp_path / "gh-args").unlink()
    code, printed, _ = run_step(
        "github-release", "Create the release", tmp_path, OPS_VERSION="0.2.0", PATH=path
    )
    assert code == 1 and "::error::CHANGELOG.md has no section for 0.2.0" in printed
    assert not (tmp_path / "gh-args").exists(), "no release without notes"


def test_publishing_is_trusted_and_gated() -> None:
    """PyPI receives the files by Trusted Publishing from the protected `pypi` environment only: no
    job holds a stored token, and a manual run publishes only when told to."""
    publish = RELEASE["jobs"]["publish"]
    assert publish["environment"]["name"] == "pypi"
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["if"] == "github.ref_type == 'tag' || inputs.dry-run == false"
    assert "secrets." not in (WORKFLOWS_DIR / "release.yml").read_text(encoding="utf-8")


def test_the_built_wheel_carries_what_the_command_needs_and_prints_the_package_s_version(
    tmp_path: Path,
) -> None:
    """What the smoke-test step does on the runner, as far as it can go offline: uv builds the wheel,
    which is unpacked alone into a folder (its dependencies are this environment's: installing them
    anew would need the registry); run from there, the command prints the version a tag vX.Y.Z must
    name, and validates the bundled playbook from the wheel's own data files."""
    uv = str(BIN_DIR / "uv")
    built = finished(
        [uv, "build", "--wheel", "--offline", "--out-dir", str(tmp_path / "dist")], cwd=REPO_ROOT
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("ops_actions-*.whl")
    target = tmp_path / "wheel"
    install = [uv, "pip", "install", "--offline", "--no-deps", "--quiet", "--python", sys.executable]
    installed = finished([*install, "--target", str(target), str(wheel)])
    assert installed.returncode == 0, installed.stderr
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = finished(
        [sys.executable, "-c", "import ops_actions; print(ops_actions.__file__)"], env=env, cwd=tmp_path
    )
    assert where.stdout.startswith(str(target)), "the command runs from the wheel, not the checkout"
    printed = finished([sys.executable, "-m", "ops_actions", "--version"], env=env, cwd=tmp_path)
    assert printed.stdout.strip() == f"ops-actions, version {VERSION}"
    validated = finished([sys.executable, "-m", "ops_actions", "playbook", "validate"], env=env, cwd=tmp_path)
    assert validated.returncode == 0 and "ops_actions/playbook.yaml: valid" in validated.stdout, (
        validated.stderr
    )
