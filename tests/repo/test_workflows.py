"""Static checks of the workflows and the composite actions: linters, schemas and house rules.

The linters are the ones `make lint` runs (actionlint with shellcheck, zizmor offline,
check-jsonschema with GitHub's vendored schemas); the house rules are what review would check by
hand: pinned actions, no expressions inside scripts, least privilege, commands never cancelled.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from ops_actions.scaffold import packaged_templates, render_workflow, workflow_templates
from tests.support.act_harness import pinned_shas, read_pins
from tests.support.paths import BIN_DIR, PROJECT_WORKFLOWS, REPO_ROOT, WORKFLOWS_DIR
from tests.support.processes import finished

WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))
ACTION = REPO_ROOT / "action.yml"
STUB_ACTIONS = sorted((REPO_ROOT / "tests" / "act-stubs").rglob("action.yml"))
ACTIONS = [ACTION, *STUB_ACTIONS]
EXPECTED_WORKFLOWS = {
    "incident-open.yml",
    "incident-alert.yml",
    "incident-triage.yml",
    "incident-commands.yml",
    "incident-checklist.yml",
    "incident-postmortem.yml",
    "incident-status-page.yml",
    "incident-schedules.yml",
    "playbook-check.yml",
    "backend-deploy.yml",
    "backend-rollback.yml",
    "backend-live-smoke.yml",
    *PROJECT_WORKFLOWS,
}
CHECKOUT = "actions/checkout"
# The action's webhook inputs, by the variable the CLI reads (the seed playbook's notify targets).
WEBHOOK_INPUTS = {
    "OPS_SLACK_WEBHOOK_URL": "slack-webhook-url",
    "OPS_STATUS_WEBHOOK_URL": "status-webhook-url",
}
# The action commands that can open an incident or change its status or severity (announced events).
ANNOUNCING_COMMANDS = frozenset({"watch", "alert", "incident open", "command"})
_USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>[^\s#]+)\s*(?:#\s*(?P<comment>.*))?$")


# What the commands job hands the CLI of the remediation app's token (cli/root.py reads them).
REMEDIATION_ENV = ("OPS_REMEDIATION_TOKEN", "OPS_REMEDIATION_LOGIN")
# The seed's status_page.subscribers: each step that may announce a change gets them by env.
SUBSCRIBER_ENV = ("OPS_SUBSCRIBER_WEBHOOK_URL", "OPS_SUBSCRIBER_WEBHOOK_SECRET")


def rel(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT))


def tool(name: str) -> str:
    """A linter installed beside this Python (the project's venv); never skipped when missing."""
    path = BIN_DIR / name
    assert path.is_file(), f"{name} is not installed in {BIN_DIR.name}/ (it comes with the test extras)"
    return str(path)


def check(*command: str) -> subprocess.CompletedProcess[str]:
    """Run a linter from the repository root, with the venv's tools first on PATH."""
    environ = {**os.environ, "PATH": f"{BIN_DIR}{os.pathsep}{os.environ.get('PATH', '')}"}
    return finished(command, cwd=REPO_ROOT, env=environ)


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), rel(path)
    return data


def steps_of(path: Path) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(job id or 'runs', steps) for a workflow or a composite action."""
    data = load(path)
    if "jobs" in data:
        for job_id, job in data["jobs"].items():
            yield job_id, job.get("steps", [])
    else:
        yield "runs", data["runs"].get("steps", [])


def test_the_expected_workflows_exist() -> None:
    """The incident workflows, the three example targets and CI are all there."""
    assert {path.name for path in WORKFLOWS} == EXPECTED_WORKFLOWS


# --- linters --------------------------------------------------------------------------------


def test_actionlint_with_shellcheck() -> None:
    """actionlint (shellcheck on every run: script, expression and context checks; it also reads
    action.yml through the workflows' `uses: ./`)."""
    done = check(tool("actionlint"), "-shellcheck", tool("shellcheck"), *map(rel, WORKFLOWS))
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("path", ACTIONS, ids=rel)
def test_composite_action_scripts_pass_shellcheck(path: Path) -> None:
    """actionlint does not look inside composite actions' steps: shellcheck their scripts here."""
    shellcheck = tool("shellcheck")
    for _, steps in steps_of(path):
        for step in steps:
            if "run" not in step:
                continue
            assert step.get("shell") == "bash", f"{rel(path)}: composite steps need shell: bash"
            done = finished([shellcheck, "--shell=bash", "-"], input=step["run"])
            assert done.returncode == 0, (
                f"{rel(path)} step {step.get('name', step.get('id'))}:\n{done.stdout}"
            )


def test_zizmor_offline_has_no_findings() -> None:
    """zizmor over the whole repository; the few inline ignores carry their reasons."""
    done = check(tool("zizmor"), "--offline", ".")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout, done.stdout


def test_workflows_match_githubs_schema() -> None:
    """check-jsonschema accepts every workflow against GitHub's workflow schema."""
    done = check(
        tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(rel, WORKFLOWS)
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_actions_match_githubs_schema() -> None:
    """check-jsonschema accepts the composite action and the act stubs against GitHub's action schema."""
    done = check(tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions", *map(rel, ACTIONS))
    assert done.returncode == 0, done.stdout + done.stderr


# --- house rules ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", [*WORKFLOWS, *ACTIONS], ids=rel)
def test_remote_actions_are_pinned_to_known_shas(path: Path) -> None:
    """Every remote `uses:` names a SHA from actions-pins.md, with that SHA's version as comment."""
    pins, versions = pinned_shas(), {pin.sha: pin.version for pin in read_pins()}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = _USES_LINE.match(line)
        if not match or match["ref"].startswith(("./", "docker://")):
            continue
        where = f"{rel(path)}:{number}"
        action, _, ref = match["ref"].partition("@")
        repo = "/".join(action.split("/")[:2])
        assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{where}: {match['ref']} is not pinned to a full SHA"
        assert ref in pins.get(repo, set()), f"{where}: {ref} is not a pin of {repo} in actions-pins.md"
        assert (match["comment"] or "").split()[:1] == [versions[ref]], f"{where}: comment the version"


@pytest.mark.parametrize("path", [*WORKFLOWS, *ACTIONS], ids=rel)
def test_no_expression_inside_a_script(path: Path) -> None:
    """Inputs and event data reach scripts through env: only, never as ${{ }} inside run:."""
    for job, steps in steps_of(path):
        for step in steps:
            assert "${{" not in step.get("run", ""), f"{rel(path)} {job}: {step.get('name')}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=rel)
def test_least_privilege_and_commands_never_cancelled(path: Path) -> None:
    """No permissions at the top, each job names its own; concurrency groups that never cancel.

    A workflow that other runs call (``workflow_call``) puts its group on the job that must not run
    twice at once: a workflow-level group would be the caller's run's, not one for all callers.
    """
    workflow = load(path)
    assert workflow.get("permissions") == {}, "top-level permissions: {}"
    concurrency = workflow.get("concurrency")
    if "workflow_call" in workflow[True]:  # PyYAML reads `on:` as True
        assert concurrency is None
        grouped = [job["concurrency"] for job in workflow["jobs"].values() if "concurrency" in job]
        assert grouped, "a called workflow groups the job that must not run twice at once"
    elif path.name == "incident-triage.yml":  # one group per service: on the matrix job
        assert concurrency is None and workflow["jobs"]["watch"]["concurrency"]["group"]
    else:
        assert isinstance(concurrency, dict), "a top-level concurrency: block"
        assert concurrency.get("group"), "a concurrency group"
        assert concurrency.get("cancel-in-progress") is False
    for job_id, job in workflow["jobs"].items():
        assert isinstance(job.get("permissions"), dict), f"job {job_id} declares its permissions"
        assert "write-all" not in str(job["permissions"]) and "read-all" not in str(job["permissions"])
        if "uses" in job:  # a call of a reusable workflow runs on that workflow's runners
            assert "runs-on" not in job, job_id
        else:
            assert job.get("runs-on") == "ubuntu-latest", job_id
        assert "concurrency" not in job or job["concurrency"].get("cancel-in-progress") is False


@pytest.mark.parametrize("path", WORKFLOWS, ids=rel)
def test_checkout_keeps_no_credentials_and_comes_before_the_local_action(path: Path) -> None:
    """Checkout drops its credentials and precedes every 'uses: ./'."""
    for job_id, steps in steps_of(path):
        checked_out = False
        for step in steps:
            uses = step.get("uses", "")
            if uses.startswith(CHECKOUT + "@"):
                assert step.get("with", {}).get("persist-credentials") is False, job_id
                checked_out = True
            if uses == "./":
                assert checked_out, f"job {job_id}: uses: ./ needs the checkout before it"


def test_comment_commands_queue_one_group_per_comment() -> None:
    """A group per comment (a group per issue would drop a queued command); the job runs for any
    comment that may hold a command line, not only one starting with '/'."""
    workflow = load(REPO_ROOT / ".github" / "workflows" / "incident-commands.yml")
    assert "github.event.comment.id" in workflow["concurrency"]["group"]
    condition = " ".join(workflow["jobs"]["command"]["if"].split())
    for clause in (
        "contains(github.event.issue.labels.*.name, 'incident')",
        "!github.event.issue.pull_request",
        "github.event.comment.user.type != 'Bot'",
        "contains(github.event.comment.body, '/')",
    ):
        assert clause in condition


def test_status_page_builds_with_read_access_and_only_its_deploy_job_may_deploy() -> None:
    """The build job reads issues; the deploy job, after it, holds exactly what deploy-pages needs
    (pages: write, id-token: write) in the github-pages environment, one deployment at a time; the
    runs that change incidents call it, and dispatch and schedule start it."""
    workflow = load(REPO_ROOT / ".github" / "workflows" / "incident-status-page.yml")
    assert set(workflow[True]) == {"workflow_call", "workflow_dispatch", "schedule"}
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert build["permissions"] == {"contents": "read", "issues": "read"}
    assert build["cache-mode"] == "read"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["concurrency"] == {"group": "incident-status-page", "cancel-in-progress": False}
    assert [step["uses"].split("@")[0] for step in deploy["steps"]] == ["actions/deploy-pages"]
    assert build["steps"][-1]["uses"].startswith("actions/upload-pages-artifact@")
    assert build["steps"][-1]["with"]["path"] == "site/"


def test_only_the_pages_own_schedule_remembers_timelines_and_every_other_job_only_restores_them() -> None:
    """The timeline memory is written by one job, with read access, on the page's schedule or a
    person's dispatch and never in a call (there the github context is the caller's, and the
    ``called`` input keeps its default, true);
    every other job that restores it holds ``cache-mode: read`` and hands it to the CLI."""
    memory = ".ops-actions-timelines.json"
    remember = load(REPO_ROOT / ".github" / "workflows" / "incident-status-page.yml")["jobs"]["remember"]
    assert remember["permissions"] == {"contents": "read", "issues": "read"}
    assert "cache-mode" not in remember
    condition = " ".join(remember["if"].split())
    assert "github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'" in condition
    assert condition.endswith("&& !inputs.called")
    called = load(REPO_ROOT / ".github" / "workflows" / "incident-status-page.yml")[True]["workflow_call"]
    assert called["inputs"]["called"] == {
        "description": called["inputs"]["called"]["description"],
        "type": "boolean",
        "default": True,
    }
    restore, run_step, save = remember["steps"][1:]
    assert run_step["with"] == {"command": "status-page remember", "args": f"--memory {memory}"}
    assert save["uses"].startswith("actions/cache/save@") and save["with"]["path"] == memory
    assert save["with"]["key"] == "ops-actions-timelines-${{ github.run_id }}-${{ github.run_attempt }}"
    assert restore["with"]["restore-keys"] == "ops-actions-timelines-"
    restoring = set()
    for path in WORKFLOWS:
        for job_id, job in load(path).get("jobs", {}).items():
            steps = job.get("steps", [])
            saves = [s for s in steps if s.get("uses", "").startswith("actions/cache/save@")]
            if any(s["with"]["path"] == memory for s in saves):
                assert (path.name, job_id) == ("incident-status-page.yml", "remember")
                continue
            if any(s.get("with", {}).get("path") == memory for s in steps):
                assert job.get("cache-mode") == "read", (path.name, job_id)
                tool = [s for s in steps if s.get("uses") == "./"]
                assert all(
                    s["env"]["OPS_TIMELINE_MEMORY"] == memory
                    and set(s["env"]) <= {"OPS_TIMELINE_MEMORY", *REMEDIATION_ENV, *SUBSCRIBER_ENV}
                    for s in tool
                ), (path.name, job_id)
                restoring.add((path.name, job_id))
    assert restoring == {
        ("incident-status-page.yml", "build"),
        ("incident-commands.yml", "command"),
        ("incident-postmortem.yml", "postmortem"),
    }


CHANGING_JOBS = {
    "incident-open.yml": ("open", "open", None),
    "incident-triage.yml": ("summary", "status", "read"),
    "incident-alert.yml": ("alert", "take", "read"),
    "incident-commands.yml": ("command", "apply", "write"),
}
"""Workflow -> (the job that says whether incidents changed, its action step's id, the actions permission
it needs). The triage's is the summary after the matrix: a matrix job's output is the last job's."""


@pytest.mark.parametrize("name", sorted(CHANGING_JOBS))
def test_runs_that_change_incidents_publish_the_page_in_the_same_run(name: str) -> None:
    """The changing job (the triage: the summary after its matrix) says so through the action's
    status-page output; a job of the same run calls the page's workflow with exactly the permissions
    its jobs need. No dispatch, so no actions: write for it (the commands job needs it for /deploy;
    triage and alert only read runs)."""
    workflow = load(REPO_ROOT / ".github" / "workflows" / name)
    changing, step_id, actions = CHANGING_JOBS[name]
    job = workflow["jobs"][changing]
    assert job["outputs"] == {"status-page": f"${{{{ steps.{step_id}.outputs.status-page }}}}"}
    assert next(s for s in job["steps"] if s.get("id") == step_id)["uses"] == "./"
    assert job["permissions"].get("actions") == actions
    called = load(REPO_ROOT / ".github" / "workflows" / "incident-status-page.yml")["jobs"]
    needed: dict[str, str] = {}
    for called_job in called.values():
        needed.update(called_job["permissions"])
    publish = workflow["jobs"]["status-page"]
    assert publish["uses"] == "./.github/workflows/incident-status-page.yml"
    assert publish["needs"] == changing
    assert publish["if"] == f"needs.{changing}.outputs.status-page == 'true'"
    assert publish["permissions"] == needed
    assert publish["cache-mode"] == "read"


def test_action_masks_tokens_first_and_exposes_the_cli_outputs() -> None:
    """The action masks tokens before anything else, hands the service to the CLI as OPS_SERVICE
    through env: only, and exposes the CLI's seven outputs."""
    action = load(ACTION)
    assert action["runs"]["using"] == "composite"
    inputs = action["inputs"]
    assert inputs["command"]["required"] is True
    assert inputs["github-token"]["default"] == "${{ github.token }}"
    secret_inputs = ("github-token", "backend-admin-token", *WEBHOOK_INPUTS.values())
    for name in ("args", "playbook", "service", "backend-url", *secret_inputs[1:]):
        assert inputs[name]["default"] == "", name
    assert inputs["dry-run"]["default"] == "false"
    first, *rest = action["runs"]["steps"]
    assert "::add-mask::" in first["run"]
    assert set(first["env"].values()) == {f"${{{{ inputs.{name} }}}}" for name in secret_inputs}
    assert all(f'"${name}"' in first["run"] for name in first["env"]), "each one masked"
    (runner,) = [step for step in rest if step.get("id") == "run"]
    assert runner["run"].strip() == '"$GITHUB_ACTION_PATH/.venv/bin/ops-actions" action'
    assert runner["env"] == {
        "OPS_COMMAND": "${{ inputs.command }}",
        "OPS_ARGS": "${{ inputs.args }}",
        "OPS_DRY_RUN": "${{ inputs.dry-run }}",
        "OPS_PLAYBOOK": "${{ inputs.playbook }}",
        "OPS_SERVICE": "${{ inputs.service }}",
        "GITHUB_TOKEN": "${{ inputs.github-token }}",
        "OPS_BACKEND_URL": "${{ inputs.backend-url }}",
        "OPS_BACKEND_ADMIN_TOKEN": "${{ inputs.backend-admin-token }}",
        **{variable: f"${{{{ inputs.{name} }}}}" for variable, name in WEBHOOK_INPUTS.items()},
    }
    outputs = {name: spec["value"] for name, spec in action["outputs"].items()}
    assert outputs == {
        name: f"${{{{ steps.run.outputs.{name} }}}}"
        for name in (
            "severity",
            "incident-number",
            "incident-url",
            "report-path",
            "status-page",
            "services",
            "service",
        )
    }


def test_this_repositorys_workflows_are_the_templates_rendered_for_itself() -> None:
    """What init installs is exactly what runs here (but for the action reference): they cannot drift."""
    templates = workflow_templates()
    workflows = {p.name for p in (REPO_ROOT / ".github" / "workflows").glob("*.yml")} - PROJECT_WORKFLOWS
    assert set(templates) == workflows
    for name, template in templates.items():
        assert (REPO_ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8") == render_workflow(
            template, "./"
        ), name


def test_the_commands_job_never_receives_the_backend_admin_token() -> None:
    """incident-commands.yml, which any commenter can start, hands the action no backend secret: only
    the webhooks its announcements go to."""
    text = (WORKFLOWS_DIR / "incident-commands.yml").read_text(encoding="utf-8")
    assert "OPS_BACKEND_ADMIN_TOKEN" not in text and "backend-admin-token" not in text
    assert set(re.findall(r"secrets\.(\w+)", text)) == {
        *WEBHOOK_INPUTS,
        *SUBSCRIBER_ENV,
        "OPS_REMEDIATION_APP_KEY",
    }


def test_every_step_that_may_announce_a_change_gets_the_subscribers_secrets_by_env() -> None:
    """Where the notify webhooks go to the action, the subscribers' URL and signing key go to the CLI
    through the step's env: (the playbook names the variables), straight from the secrets."""
    announcing = []
    for path in WORKFLOWS:
        for job_id, job in load(path).get("jobs", {}).items():
            for step in job.get("steps", []):
                if "status-webhook-url" in step.get("with", {}):
                    announcing.append((path.name, job_id))
                    env = step.get("env", {})
                    assert {name: env.get(name) for name in SUBSCRIBER_ENV} == {
                        name: f"${{{{ secrets.{name} }}}}" for name in SUBSCRIBER_ENV
                    }, (path.name, job_id)
    assert len(announcing) == 4, announcing


@pytest.mark.parametrize(
    ("workflow", "job_id", "level"),
    [("incident-commands.yml", "command", "write"), ("incident-triage.yml", "watch", "read")],
)
def test_the_remediation_token_is_an_app_token_made_for_the_job_and_handed_to_the_cli_by_env(
    workflow: str, job_id: str, level: str
) -> None:
    """The app's key goes only to actions/create-github-app-token (pinned), which asks for actions
    alone (write where commands dispatch, read where the watch only follows runs); the CLI gets the
    token and the app's login through env: (docs/services.md)."""
    job = load(WORKFLOWS_DIR / workflow)["jobs"][job_id]
    (app,) = [s for s in job["steps"] if "OPS_REMEDIATION_APP_KEY" in str(s)]
    assert app["uses"].startswith("actions/create-github-app-token@")
    assert app["if"] == "vars.OPS_REMEDIATION_CLIENT_ID != ''"
    assert {k for k in app["with"] if k.startswith("permission-")} == {"permission-actions"}
    assert app["with"]["permission-actions"] == level
    (tool,) = [s for s in job["steps"] if s.get("uses") == "./"]
    assert tool["env"]["OPS_REMEDIATION_TOKEN"] == f"${{{{ steps.{app['id']}.outputs.token }}}}"
    assert set(REMEDIATION_ENV) <= set(tool["env"])


def _action_steps(workflow: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The steps of a workflow that run this action (``uses: ./``)."""
    for job in workflow["jobs"].values():
        yield from (step for step in job.get("steps", []) if step.get("uses") == "./")


@pytest.mark.parametrize("name", sorted(workflow_templates()))
def test_every_step_whose_command_can_announce_gets_both_webhooks(name: str) -> None:
    """A step that opens an incident or changes its status or severity (watch, alert, incident open,
    the slash commands) passes both webhook secrets; no other step gets them (not the alert's route)."""
    workflow = load(WORKFLOWS_DIR / name)
    for step in _action_steps(workflow):
        given = {step["with"][key] for key in WEBHOOK_INPUTS.values() if key in step["with"]}
        command = step["with"]["command"]
        is_body_edit = name == "incident-checklist.yml"  # counts boxes: announces nothing
        is_route = step["with"].get("args") == "--route"  # finds the alert's service: writes nothing
        if command in ANNOUNCING_COMMANDS and not is_body_edit and not is_route:
            assert given == {f"${{{{ secrets.{variable} }}}}" for variable in WEBHOOK_INPUTS}, (name, command)
        else:
            assert given == set(), (name, command)


def test_the_scheduled_triage_runs_one_job_per_service() -> None:
    """The watch is a matrix over `ops-actions services --json`: no job stops another, each service has
    its own group, history, cache, artifact and environment (the one-service entry keeps what an
    installation always had), and the summary after it runs whatever the services' results."""
    from ops_actions.cli.services import ONE_SERVICE_CACHE_PREFIX
    from ops_actions.incident.service_states import PAGE_MARK_STEP, WATCH_JOB_NAME

    jobs = load(WORKFLOWS_DIR / "incident-triage.yml")["jobs"]
    listing = next(s for s in jobs["services"]["steps"] if s.get("id") == "list")
    assert listing["with"] == {"command": "services", "args": "--json"}
    assert jobs["services"]["outputs"] == {"services": "${{ steps.list.outputs.services }}"}
    watch = jobs["watch"]
    assert watch["needs"] == "services"
    assert watch["name"] == WATCH_JOB_NAME + " ${{ matrix.service.id }}"
    assert watch["strategy"] == {
        "fail-fast": False,
        "matrix": {"service": "${{ fromJSON(needs.services.outputs.services) }}"},
    }
    assert watch["environment"] == {"name": "${{ matrix.service.environment }}", "deployment": False}
    assert watch["concurrency"] == {
        "group": "${{ matrix.service.id && format('incident-triage-{0}', matrix.service.id) "
        "|| 'incident-triage' }}",
        "cancel-in-progress": False,
    }
    steps = {step["name"]: step for step in watch["steps"]}
    assert steps["Triage and reconcile with GitHub"]["with"]["service"] == "${{ matrix.service.id }}"
    key = "${{ matrix.service.cache_prefix }}${{ github.run_id }}-${{ github.run_attempt }}"
    for name in ("Restore the triage state", "Save the triage state"):
        assert steps[name]["with"]["path"] == "${{ matrix.service.history_file }}"
        assert steps[name]["with"]["key"] == key
    assert steps["Restore the triage state"]["with"]["restore-keys"] == "${{ matrix.service.cache_prefix }}"
    assert ONE_SERVICE_CACHE_PREFIX == "ops-actions-state-", "the prefix installations saved under"
    assert "matrix.service.id" in steps["Upload the triage reports"]["with"]["name"]
    assert steps[PAGE_MARK_STEP]["if"] == "steps.watch.outputs.status-page == 'true'"
    summary = jobs["summary"]
    assert summary["needs"] == "watch" and summary["if"] == "always()"
    assert next(s for s in summary["steps"] if s.get("id") == "status")["with"] == {
        "command": "services",
        "args": "--status",
    }
    assert summary["permissions"] == {"actions": "read", "contents": "read", "issues": "read"}


def test_the_alert_runs_with_its_services_environment() -> None:
    """The alert workflow first finds the alert's service (no secret, no write), then takes it in that
    service's environment, with its history and cache, as the scheduled triage's job of that service."""
    jobs = load(WORKFLOWS_DIR / "incident-alert.yml")["jobs"]
    (route,) = [s for s in jobs["route"]["steps"] if s.get("id") == "route"]
    assert route["with"] == {"command": "alert", "args": "--route"}
    assert jobs["route"]["permissions"] == {"contents": "read"}
    entry = "fromJSON(needs.route.outputs.service)"
    alert = jobs["alert"]
    assert alert["needs"] == "route"
    assert alert["environment"] == {"name": f"${{{{ {entry}.environment }}}}", "deployment": False}
    steps = {step["name"]: step for step in alert["steps"]}
    assert steps["Take the alert"]["with"]["service"] == f"${{{{ {entry}.id }}}}"
    for name in ("Restore the triage state", "Save the triage state"):
        assert steps[name]["with"]["path"] == f"${{{{ {entry}.history_file }}}}"
        assert steps[name]["with"]["key"].startswith(f"${{{{ {entry}.cache_prefix }}}}")


def test_the_playbook_check_runs_on_pull_requests_with_a_read_only_token() -> None:
    """playbook-check.yml runs on ``pull_request`` (a fork's gets a read-only token; never
    ``pull_request_target``, which would run the pull request's code with a write token), its one
    job reads the code and the issues only, and the base branch reaches the CLI through ``env:``."""
    workflow = load(WORKFLOWS_DIR / "playbook-check.yml")
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert set(triggers) == {"pull_request"}
    assert triggers["pull_request"]["paths"][0] == "playbook.yaml"
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read", "issues": "read"}
    steps = {step["name"]: step for step in job["steps"]}
    replay = steps["Replay the incidents of the last 90 days against the base branch's playbook"]
    assert replay["with"] == {"command": "replay", "args": "--since 90d"}
    assert replay["env"] == {"OPS_REPLAY_BASE": "origin/${{ github.base_ref }}"}
    assert steps["Validate the playbook"]["with"] == {"command": "playbook validate"}


def test_the_maintenance_form_is_the_packaged_one_and_the_commands_workflow_takes_it() -> None:
    """.github/ISSUE_TEMPLATE holds the issue forms `init` writes, unchanged; the maintenance form
    labels its issues maintenance-request, asks for what `/maintenance start` reads (its labels are
    the headings the CLI reads back), and the commands workflow runs on the issue it opens."""
    forms = packaged_templates("issue_forms")
    folder = REPO_ROOT / ".github" / "ISSUE_TEMPLATE"
    assert {path.name: path.read_text(encoding="utf-8") for path in folder.glob("*.yml")} == forms
    form = yaml.safe_load(forms["maintenance.yml"])
    assert form["labels"] == ["maintenance-request"]
    labels = [item["attributes"]["label"] for item in form["body"] if item["type"] != "markdown"]
    assert labels == ["Duration", "Components", "Reason", "Deploys"]
    workflow = load(REPO_ROOT / ".github" / "workflows" / "incident-commands.yml")
    assert workflow[True]["issues"] == {"types": ["opened"]}
    condition = " ".join(workflow["jobs"]["command"]["if"].split())
    assert "contains(github.event.issue.labels.*.name, 'maintenance-request')" in condition
