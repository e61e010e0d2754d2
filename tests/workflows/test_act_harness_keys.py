"""The act harness runs workflows as written: one with a job key act cannot read is refused by name,
never run with the key quietly removed."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops_actions.scaffold import render_workflow, workflow_templates
from tests.support.act_harness import ActCannotRun, keys_act_cannot_run, run_act
from tests.support.paths import REPO_ROOT


def test_a_workflow_with_a_key_act_cannot_read_is_refused_by_name(tmp_path: Path) -> None:
    workflow = tmp_path / "incident-status-page.yml"
    workflow.write_text(
        render_workflow(workflow_templates()["incident-status-page.yml"], "./"), encoding="utf-8"
    )
    with pytest.raises(ActCannotRun, match=r"incident-status-page\.yml: job key build\.cache-mode"):
        run_act(tmp_path, tmp_path, event="workflow_dispatch", workflow=workflow, payload={})
    assert not (tmp_path / "act-cache").exists()  # act never started


def test_the_workspace_runs_the_ghes_rendering_as_written(act_workspace: Path) -> None:
    """What act runs is what ``init --target ghes`` writes, and act can read all of it."""
    for name, template in workflow_templates().items():
        path = act_workspace / ".github" / "workflows" / name
        assert path.read_text(encoding="utf-8") == render_workflow(template, "./", "ghes"), name
        assert keys_act_cannot_run(path) == [], name
    assert keys_act_cannot_run(REPO_ROOT / ".github" / "workflows" / "incident-triage.yml") == [
        "status-page.cache-mode"
    ]
