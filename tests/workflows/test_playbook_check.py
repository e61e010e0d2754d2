"""playbook-check.yml under act, on a pull request that changes the playbook: its rehearsal is
played, the incidents the watch made are replayed against the base branch's playbook, the table
in the job summary."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import ops_actions
from ops_actions.incident.clock import iso
from ops_actions.playbook.reading import bundled_playbook_text
from tests.support.act_harness import run_act
from tests.support.fixtures.github import GITHUB_TOKEN, REPO
from tests.support.fixtures.world import START, World

SCENARIOS = Path(ops_actions.__file__).parent / "scenarios"

WEBHOOKS_SEV_1 = (
    "    severity: SEV-2\n    branch: A\n    cause: payments",
    "    severity: SEV-1\n    branch: A\n    cause: payments",
)


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def test_a_pull_request_changing_a_rule_shows_the_incident_it_changes_in_the_summary(
    world: World, act_workspace: Path, tmp_path: Path
) -> None:
    """A fork's pull request raises the webhook rule to SEV-1 and adds a rehearsal: the check
    validates the playbook, plays the rehearsal, and its summary's replay table says the webhook
    incident opens at SEV-1 and the outage is unchanged; the read-only job writes nothing to GitHub."""
    world.backend.set_scenario("webhook-failing")
    assert world.watch(0) == 0
    world.backend.set_scenario("healthy")
    assert world.watch(10) == 0
    world.backend.set_scenario("db-down")
    assert world.watch(60) == 0
    numbers = {issue["title"]: issue["number"] for issue in world.issues()}
    webhooks, outage = numbers["[SEV-2] Stripe webhooks failing"], numbers["[SEV-1] Database down"]

    # The pull request's checkout: the base branch as origin/main, the playbook changed on top.
    workspace = tmp_path / "pull-request"
    shutil.copytree(act_workspace, workspace, symlinks=True)
    _git(workspace, "update-ref", "refs/remotes/origin/main", "HEAD")
    old, new = WEBHOOKS_SEV_1
    (workspace / "playbook.yaml").write_text(bundled_playbook_text().replace(old, new, 1), encoding="utf-8")
    (workspace / "rehearsals").mkdir()
    shutil.copy(SCENARIOS / "branch-d-database-down.yaml", workspace / "rehearsals")
    _git(workspace, "add", "rehearsals")
    _git(workspace, "commit", "--quiet", "--all", "--message", "webhooks are SEV-1")

    payload = {
        "action": "synchronize",
        "number": 7,
        "pull_request": {
            "number": 7,
            "base": {"ref": "main", "repo": {"full_name": REPO}},
            "head": {"ref": "webhooks-sev-1", "repo": {"full_name": "someone/backend", "fork": True}},
        },
        "repository": {"full_name": REPO},
    }
    world.emulator.reset_log()
    done = run_act(
        workspace,
        tmp_path,
        event="pull_request",
        workflow="playbook-check.yml",
        payload=payload,
        env={
            "GITHUB_API_URL": world.emulator.url,
            "GITHUB_REPOSITORY": REPO,
            "OPS_ACTIONS_NOW": iso(START.replace(day=28)),
        },
        secrets={"GITHUB_TOKEN": GITHUB_TOKEN},
    )
    assert done.returncode == 0, done.tail()
    assert GITHUB_TOKEN not in done.output
    assert "| playbook.yaml: valid (" in done.output, done.tail()
    # The game day in rehearsals/ is played on the pull request's playbook, before the replay.
    assert "1 of 1 scenarios passed." in done.output, done.tail()
    assert not [request for request in world.emulator.requests if request.is_write]
    # act shows each step's job summary after "⚙  Summary - ".
    table = done.output[done.output.rindex("Summary - Playbook: playbook.yaml") :]
    assert "## Replay: playbook.yaml against origin/main:playbook.yaml" in table
    assert (
        f"| #{webhooks} | 2026-11-27T10:00:00Z | SEV-2 at 10:00 → SEV-1 at 10:00 (webhooks-failing) |"
        in table
    )
    assert f"| #{outage} | 2026-11-27T11:00:00Z | unchanged |" in table
