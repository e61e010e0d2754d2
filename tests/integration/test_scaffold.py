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
    assert len(workflows) == 12
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
    header = (repo / "playbook.yaml").read_text(encoding="utf-8").splitlines()[1]
    assert header.endswith(f": https://github.com/octo-org/ops-actions/blob/{SHA}/docs/playbook.md")
    ignored = (repo / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert {"backend/reports/", ".ops-actions-state*.json", ".ops-actions-timelines.json"} <= set(ignored)
    dependabot = repo / ".github" / "dependabot.yml"
    assert "package-ecosystem: github-actions" in dependabot.read_text(encoding="utf-8")
    assert run(["playbook", "validate", str(repo / "playbook.yaml")]) == 0
    for command in (
        ("actionlint", "-shellcheck", str(BIN_DIR / "shellcheck")),
        ("zizmor", "--offline", "."),
        ("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *map(str, workflows)),
        ("check-jsonschema", "--builtin-schema", "vendor.dependabot", str(dependabot)),
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
    # The workflows that run the action: the incident workflows and the playbook check.
    pinned = {
        workflows / name
        for name in workflow_templates()
        if name.startswith("incident-") or name == "playbook-check.yml"
    }
    assert changed == (pinned - {workflows / "incident-status-page.yml"}) | {schema}
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


def test_init_with_services_writes_a_playbook_of_several_services_and_their_environments(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--service twice: the playbook declares both (each with its environment), validates, lists them
    for the matrix; init says what to set in each service's environment; the workflows are as without."""
    options = ["--service", "api=Billing API", "--service", "worker=Job worker"]
    assert run(["init", str(repo), "--action-ref", REF, *options]) == 0
    out = capsys.readouterr().out
    for environment in ("ops-api", "ops-worker"):
        assert (
            f"Still to set in the GitHub environment {environment} (Settings → Environments → New "
            "environment):\n  variable OPS_BACKEND_URL: "
        ) in out
    repository = out.split("Still to set in the repository's settings:\n")[1].split("\n\n")[0]
    assert "OPS_BACKEND" not in repository and "secret   OPS_SLACK_WEBHOOK_URL" in repository
    assert run(["playbook", "validate", str(repo / "playbook.yaml")]) == 0
    capsys.readouterr()
    assert run(["services", "--json", "--playbook", str(repo / "playbook.yaml")]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert [(e["id"], e["name"], e["environment"]) for e in entries] == [
        ("api", "Billing API", "ops-api"),
        ("worker", "Job worker", "ops-worker"),
    ]
    one = repo.parent / "one"
    assert run(["init", str(one), "--action-ref", REF]) == 0
    capsys.readouterr()
    for workflow in (repo / ".github" / "workflows").glob("*.yml"):
        assert workflow.read_bytes() == (one / ".github" / "workflows" / workflow.name).read_bytes()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--service", "api", "--service", "api"], "the playbook already has service 'api'"),
        (["--service", "Billing API"], "service id 'Billing API': use lower-case letters"),
    ],
)
def test_init_with_bad_services_writes_nothing(
    repo: Path, capsys: pytest.CaptureFixture[str], options: list[str], message: str
) -> None:
    assert run(["init", str(repo), "--action-ref", REF, *options]) == 2
    assert message in capsys.readouterr().err
    assert list(repo.iterdir()) == [repo / ".git"]


def test_add_service_inserts_one_entry_and_keeps_every_other_byte(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On a playbook of one service the first one added is its existing backend: the list is created and
    init says what the team must do (label the open incidents, move the secrets); a second one is added
    after it. Only playbook.yaml changes, and only by the inserted lines."""
    assert run(["init", str(repo), "--action-ref", REF]) == 0
    playbook = repo / "playbook.yaml"
    playbook.write_text(
        playbook.read_text(encoding="utf-8").replace("\nseverities:", "\n# our note\nseverities:", 1),
        encoding="utf-8",
    )
    before = {
        path: path.read_bytes() for path in repo.rglob("*") if path.is_file() and ".git" not in path.parts
    }
    capsys.readouterr()

    assert run(["init", str(repo), "--add-service", "api", "--name", "Billing API"]) == 0
    out = capsys.readouterr().out
    assert f"added  service api (Billing API) to {playbook}" in out
    assert "had no services: list, so api is its existing backend" in out
    assert "add the label service:api to each open incident" in out
    assert "into the environment ops-api" in out
    assert run(["init", str(repo), "--add-service", "worker", "--name", "Job worker"]) == 0
    out = capsys.readouterr().out
    assert "existing backend" not in out
    assert "Still to set in the GitHub environment ops-worker" in out and "+  - id: worker\n" in out

    after = {path: path.read_bytes() for path in before}
    assert {path for path in before if after[path] != before[path]} == {playbook}
    text = playbook.read_text(encoding="utf-8")
    added = [line for line in text.splitlines(True) if line not in before[playbook].decode().splitlines(True)]
    assert added == [
        "services:\n",
        "  - id: api\n",
        '    name: "Billing API"\n',
        "    environment: ops-api  # holds its OPS_BACKEND_URL and OPS_BACKEND_ADMIN_TOKEN\n",
        '    # owners: {team: "@octo-org/api-oncall"}  # who its escalations mention\n',
        "  - id: worker\n",
        '    name: "Job worker"\n',
        "    environment: ops-worker  # holds its OPS_BACKEND_URL and OPS_BACKEND_ADMIN_TOKEN\n",
        '    # owners: {team: "@octo-org/worker-oncall"}  # who its escalations mention\n',
    ]
    assert "\n# our note\nseverities:" in text
    assert run(["playbook", "validate", str(playbook)]) == 0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--add-service", "api"], "the playbook already has service 'api'; nothing written"),
        (["--add-service", "Api"], "service id 'Api': use lower-case letters"),
        (["--add-service", "search", "--name", "x" * 2001], "(at services.1.name)"),
        (["--add-service", "search", "--action-ref", REF], "--add-service changes playbook.yaml only"),
        (["--name", "Search"], "--name names the service of --add-service"),
    ],
)
def test_add_service_refuses_in_one_line_and_writes_nothing(
    repo: Path, capsys: pytest.CaptureFixture[str], options: list[str], message: str
) -> None:
    assert run(["init", str(repo), "--action-ref", REF, "--service", "api"]) == 0
    playbook = repo / "playbook.yaml"
    before = playbook.read_bytes()
    capsys.readouterr()
    assert run(["init", str(repo), *options]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert playbook.read_bytes() == before


def test_add_service_needs_a_playbook(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["init", str(repo), "--add-service", "api"]) == 2
    assert f"no {repo / 'playbook.yaml'}: run ops-actions init there first" in capsys.readouterr().err
    assert list(repo.iterdir()) == [repo / ".git"]


def test_init_writes_the_rehearsals_and_one_passes_in_the_scaffolded_repository(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """rehearsals/ holds every scenario the package ships, each pointing its editor at the schema copy in
    .ops-actions/; in the repository, `rehearse` reads its playbook.yaml; a playbook of services gets
    none (the scenarios rehearse the seed's one service)."""
    from ops_actions.rehearsal.scenario import scenario_schema
    from tests.support.paths import PACKAGE

    assert run(["init", str(repo), "--action-ref", REF]) == 0
    capsys.readouterr()
    written = sorted(path.name for path in (repo / "rehearsals").iterdir())
    assert written == sorted(path.name for path in (PACKAGE / "scenarios").glob("*.yaml"))
    assert json.loads((repo / ".ops-actions" / "scenario.schema.json").read_text(encoding="utf-8")) == (
        scenario_schema()
    )
    failed_deploy = repo / "rehearsals" / "failed-deploy.yaml"
    first = failed_deploy.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../.ops-actions/scenario.schema.json"
    monkeypatch.chdir(repo)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    assert run(["rehearse", "rehearsals/failed-deploy.yaml"]) == 0
    captured = capsys.readouterr()
    assert "playbook: playbook.yaml, sha256" in captured.err
    assert "1 of 1 scenarios passed" in captured.out
    services = repo.parent / "services"
    assert run(["init", str(services), "--action-ref", REF, "--service", "api", "--service", "worker"]) == 0
    assert not (services / "rehearsals").exists()
