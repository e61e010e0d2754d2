"""`ops-actions init` scaffolds a team's repository; what it writes passes validation and the linters."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from ops_actions.cli import run
from ops_actions.playbook import schema as playbook_schema
from ops_actions.scaffold import workflow_templates
from tests.support.paths import BIN_DIR
from tests.support.processes import finished

SHA = "0123456789abcdef0123456789abcdef01234567"
REF = f"octo-org/ops-actions@{SHA}"


def lint(cwd: Path, *command: str) -> subprocess.CompletedProcess[str]:
    """Run one of the venv's linters in ``cwd``."""
    environ = {**os.environ, "PATH": f"{BIN_DIR}{os.pathsep}{os.environ.get('PATH', '')}"}
    return finished([str(BIN_DIR / command[0]), *command[1:]], cwd=cwd, env=environ)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An empty git repository."""
    subprocess.run(["git", "init", "--quiet", str(tmp_path / "team")], check=True)
    return tmp_path / "team"


def test_init_on_an_empty_repository_passes_validation_and_the_linters(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Playbook, schema and workflows pinned to the SHA; validate, actionlint, zizmor and schemas pass."""
    assert run(["init", str(repo), "--action-ref", REF]) == 0
    out = capsys.readouterr().out
    assert "secret   OPS_BACKEND_ADMIN_TOKEN" in out
    assert "incident-commands.yml" in out and "actions: write" in out
    assert re.search(r"incident-schedules\.yml +actions: write, issues: write +daily: enables", out)
    assert "Switch GitHub Pages on: Settings → Pages → Build and deployment → Source: GitHub Actions" in out
    workflows = sorted((repo / ".github" / "workflows").glob("*.yml"))
    assert len(workflows) == 11
    status_page = (repo / ".github" / "workflows" / "incident-status-page.yml").read_text(encoding="utf-8")
    assert "command: status-page build" in status_page
    assert "actions/deploy-pages@" in status_page
    for workflow in workflows:
        text = workflow.read_text(encoding="utf-8")
        assert not re.search(r"uses: \./(\s|$)", text), "the action is pinned, never ./"
        assert "OPS_ACTIONS_ACTION" not in text
    assert f"uses: {REF} # ops-actions" in (repo / ".github" / "workflows" / "incident-triage.yml").read_text(
        encoding="utf-8"
    )
    assert (
        (repo / "playbook.yaml")
        .read_text(encoding="utf-8")
        .startswith("# yaml-language-server: $schema=.ops-actions/playbook.schema.json")
    )
    assert run(["playbook", "validate", str(repo / "playbook.yaml")]) == 0
    for command in (
        ("actionlint", "-shellcheck", str(BIN_DIR / "shellcheck")),
        ("zizmor", "--offline", "."),
        ("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *map(str, workflows)),
    ):
        done = lint(repo, *command)
        assert done.returncode == 0, f"{command[0]}:\n{done.stdout}\n{done.stderr}"


def test_init_refuses_to_overwrite_changed_files_without_force(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second run changes nothing; an edited workflow is kept unless --force (which shows the diff);
    an edited playbook is the team's: kept, with --force too, and said so."""
    assert run(["init", str(repo), "--action-ref", REF]) == 0
    capsys.readouterr()
    assert run(["init", str(repo), "--action-ref", REF]) == 0
    assert "written" not in capsys.readouterr().out.split("Still to set")[0]
    playbook = repo / "playbook.yaml"
    playbook.write_text(playbook.read_text(encoding="utf-8") + "\n# our edits\n", encoding="utf-8")
    assert run(["init", str(repo), "--action-ref", REF]) == 0
    assert f"kept  {playbook} (yours: changed, never overwritten" in capsys.readouterr().out
    triage = repo / ".github" / "workflows" / "incident-triage.yml"
    triage.write_text(triage.read_text(encoding="utf-8") + "# drifted\n", encoding="utf-8")
    assert run(["init", str(repo), "--action-ref", REF]) == 2
    assert "incident-triage.yml" in capsys.readouterr().err
    assert triage.read_text(encoding="utf-8").endswith("# drifted\n")
    assert run(["init", str(repo), "--action-ref", REF, "--force"]) == 0
    out = capsys.readouterr().out
    assert f"written  {triage}" in out and "\n-# drifted\n" in out, "the overwrite shows its diff"
    assert not triage.read_text(encoding="utf-8").endswith("# drifted\n")
    assert playbook.read_text(encoding="utf-8").endswith("# our edits\n"), "--force keeps the playbook"


def test_upgrade_moves_the_pin_and_refreshes_the_schema_only(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--upgrade rewrites the pin of the incident workflows there are (the team's edits stay), and the
    schema; the playbook and the example deploy workflows are untouched; the diff is printed."""
    assert run(["init", str(repo), "--action-ref", REF]) == 0
    workflows = repo / ".github" / "workflows"
    (workflows / "incident-status-page.yml").unlink()  # this team has no status page
    triage = workflows / "incident-triage.yml"
    triage.write_text(
        triage.read_text(encoding="utf-8").replace("*/10 * * * *", "*/5 * * * *"), encoding="utf-8"
    )
    deploy = workflows / "backend-deploy.yml"
    deploy.write_text(deploy.read_text(encoding="utf-8") + "# our real deploy\n", encoding="utf-8")
    (repo / "playbook.yaml").write_text("# ours\n", encoding="utf-8")
    schema = repo / ".ops-actions" / "playbook.schema.json"
    schema.write_text("{}\n", encoding="utf-8")
    before = {
        path: path.read_bytes() for path in repo.rglob("*") if path.is_file() and ".git" not in path.parts
    }
    capsys.readouterr()

    new = "89abcdef0123456789abcdef0123456789abcdef"
    assert run(["init", str(repo), "--upgrade", "--action-ref", f"octo-org/ops-actions@{new}"]) == 0
    out = capsys.readouterr().out
    changed = {path for path, data in before.items() if path.read_bytes() != data}
    incident = {workflows / name for name in workflow_templates() if name.startswith("incident-")}
    assert changed == (incident - {workflows / "incident-status-page.yml"}) | {schema}
    for path in changed - {schema}:
        assert path.read_bytes() == before[path].replace(SHA.encode(), new.encode()), path
        assert f"updated  {path}" in out
    assert "*/5 * * * *" in triage.read_text(encoding="utf-8"), "the team's edit stays"
    assert json.loads(schema.read_text(encoding="utf-8")) == playbook_schema()
    assert not (workflows / "incident-status-page.yml").exists(), "a deleted workflow is not added back"
    assert (
        f"-        uses: {REF} # ops-actions\n+        uses: octo-org/ops-actions@{new} # ops-actions\n"
        in out
    )
    assert f"kept  {deploy}: yours, kept; it still uses {REF}" in out
    assert out.count("differs from this version's template beyond the pin") == 1, "the cron edit"

    assert run(["init", str(repo), "--upgrade", "--action-ref", f"octo-org/ops-actions@{new}"]) == 0
    assert "updated" not in capsys.readouterr().out, "a second upgrade finds nothing to do"
    assert run(["init", str(repo), "--upgrade", "--force", "--action-ref", REF]) == 2
    assert run(["init", str(repo / "elsewhere"), "--upgrade", "--action-ref", REF]) == 2
    assert "nothing to upgrade" in capsys.readouterr().err


@pytest.mark.parametrize("ref", ["octo-org/ops-actions@v1", "ops-actions@" + SHA, "octo-org/ops-actions"])
def test_init_wants_a_pinned_commit(repo: Path, ref: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A tag or a malformed reference is refused with the form to use, and nothing is written."""
    assert run(["init", str(repo), "--action-ref", ref]) == 2
    err = capsys.readouterr().err
    assert "OWNER/NAME@SHA" in err or "full commit SHA" in err
    assert not (repo / "playbook.yaml").exists()
