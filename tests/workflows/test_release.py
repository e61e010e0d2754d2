"""The release workflow (.github/workflows/release.yml) runs under act, offline, up to the publish step.

The tag names the version: a matching tag builds the sdist and the wheel, installs the wheel alone in a
new environment (its dependencies from a local folder of wheels: ``tests/support/wheelhouse.py``),
where ``ops-actions --version`` prints the tag's version, attests both files and reaches the publish
step (the PyPI stub records what it would upload); a wrong tag stops before anything is built; a
manual dry run builds, smoke-tests and attests, and skips publishing and the GitHub release. The GitHub
release itself (``gh release create``) would reach GitHub: it is never run here
(tests/repo/test_release_workflow.py runs its script with ``gh`` stubbed).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.support.act_harness import PYTHON, ActRun, run_act
from tests.support.paths import REPO_ROOT
from tests.support.wheelhouse import build_wheelhouse

VERSION = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheelhouse(tmp_path_factory.mktemp("wheelhouse"))


def release(
    workspace: Path, scratch: Path, wheelhouse: Path, event: str, payload: dict[str, Any], job: str | None
) -> ActRun:
    """Run release.yml (``job`` and the jobs it needs); uv reaches no registry, only the wheelhouse."""
    return run_act(
        workspace,
        scratch,
        event=event,
        workflow="release.yml",
        payload=payload,
        env={
            "ACT_STUB_ARTIFACT_DIR": str(scratch / "artifacts"),
            "UV_NO_INDEX": "1",
            "UV_FIND_LINKS": str(wheelhouse),
            # The wheelhouse's compiled wheels are for the test environment's Python.
            "UV_PYTHON": str(PYTHON),
        },
        job=job,
    )


def test_a_version_tag_is_built_smoke_tested_attested_and_reaches_the_publish_step(
    act_workspace: Path, tmp_path: Path, wheelhouse: Path
) -> None:
    done = release(
        act_workspace, tmp_path, wheelhouse, "push", {"ref": f"refs/tags/v{VERSION}"}, job="publish"
    )
    assert done.returncode == 0, done.tail()
    assert f"ops-actions, version {VERSION}" in done.output, "the installed wheel prints the tag's version"
    files = {f"ops_actions-{VERSION}.tar.gz", f"ops_actions-{VERSION}-py3-none-any.whl"}
    artifacts = tmp_path / "artifacts"
    assert {path.name for path in (artifacts / "dist").iterdir()} == files
    attested = (artifacts / "attestations.txt").read_text(encoding="utf-8").splitlines()
    assert {line.split()[1].removeprefix("dist/") for line in attested} == files
    published = (artifacts / "published.txt").read_text(encoding="utf-8").split()
    assert set(published) == files, "the publish step receives the files the build job made"


def test_a_tag_that_is_not_the_version_builds_nothing(
    act_workspace: Path, tmp_path: Path, wheelhouse: Path
) -> None:
    done = release(act_workspace, tmp_path, wheelhouse, "push", {"ref": "refs/tags/v9.9.9"}, job="publish")
    assert done.returncode != 0
    assert f"tag v9.9.9 does not match the version in pyproject.toml (v{VERSION})" in done.output
    assert "Successfully built" not in done.output, "the version check comes before the build"
    assert not (tmp_path / "artifacts").exists(), "nothing was built, attested or published"


def test_a_manual_run_is_a_dry_run_that_publishes_nothing(
    act_workspace: Path, tmp_path: Path, wheelhouse: Path
) -> None:
    """Run workflow with the form as it opens: dry-run ticked (its default)."""
    payload = {"inputs": {}, "ref": "refs/heads/main"}
    done = release(act_workspace, tmp_path, wheelhouse, "workflow_dispatch", payload, job=None)
    assert done.returncode == 0, done.tail()
    assert f"ops-actions, version {VERSION}" in done.output
    artifacts = tmp_path / "artifacts"
    assert len((artifacts / "attestations.txt").read_text(encoding="utf-8").splitlines()) == 2
    assert not (artifacts / "published.txt").exists(), "a dry run skips the publish step"
    assert "pypi-publish stub" not in done.output
    assert "Run Main Create the release" not in done.output, "nor the GitHub release, which needs it"
