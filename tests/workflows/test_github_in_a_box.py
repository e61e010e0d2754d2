"""GitHub in a box (tests/support/github_in_a_box.py) reads a workflow's on: and its crons as GitHub does."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support.github_in_a_box import WORKFLOWS_DIR, Workflow, cron_matches


def test_github_token_events_start_only_dispatches() -> None:
    """The workflows' on: as GitHub reads them: a GITHUB_TOKEN's comment or close starts nothing, a
    person's does; a dispatch starts the workflow it names, whoever sent it; the cron fires every 10 min."""
    workflows = {path.name: Workflow.load(path) for path in WORKFLOWS_DIR.glob("*.yml")}

    def started(
        event: str, action: str | None, *, github_token: bool, workflow: str | None = None
    ) -> set[str]:
        record = {"event": event, "action": action, "github_token": github_token, "workflow": workflow}
        return {name for name, w in workflows.items() if w.started_by(record)}

    assert started("issue_comment", "created", github_token=False) == {"incident-commands.yml"}
    assert started("issue_comment", "created", github_token=True) == set()
    assert started("issues", "closed", github_token=False) == {"incident-postmortem.yml"}
    assert started("issues", "closed", github_token=True) == set()
    assert started("issues", "edited", github_token=False) == {
        "incident-checklist.yml",
        "incident-postmortem.yml",
    }
    assert started("issues", "edited", github_token=True) == set(), "the tool's own redraws never loop"
    # A person's new issue may be a maintenance request (the job's `if:` looks at its label); the
    # tool's own new issues (incidents, windows, postmortems) start nothing.
    assert started("issues", "opened", github_token=False) == {"incident-commands.yml"}
    assert started("issues", "opened", github_token=True) == set()
    assert started("workflow_dispatch", None, github_token=True, workflow="backend-rollback.yml") == {
        "backend-rollback.yml"
    }
    assert started("repository_dispatch", "ops-alert", github_token=True) == {"incident-alert.yml"}
    assert started("repository_dispatch", "other", github_token=False) == set()
    assert workflows["incident-triage.yml"].crons() == ["*/10 * * * *"]
    assert cron_matches("*/10 * * * *", datetime(2026, 11, 27, 10, 20, tzinfo=UTC))
    assert not cron_matches("*/10 * * * *", datetime(2026, 11, 27, 10, 25, tzinfo=UTC))
