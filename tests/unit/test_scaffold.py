"""Each workflow init writes is valid on the GitHub it targets: no job key that server does not know
(a server refuses such a workflow as a whole: GHES would start none of the five with ``cache-mode:``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ops_actions.errors import OpsError
from ops_actions.playbook import parse_playbook
from ops_actions.scaffold import (
    ENVIRONMENT_KEYS,
    GITHUB_TARGETS,
    JOB_KEYS,
    SECRETS,
    SERVICE_SECRETS,
    github_target,
    plan,
    reference_link,
    render_workflow,
    secrets_to_set,
    unsupported_job_keys,
    workflow_templates,
)

REF = "octo-org/ops-actions@0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize("github", GITHUB_TARGETS)
def test_no_scaffolded_workflow_carries_a_job_key_its_target_does_not_accept(
    github: str, tmp_path: Path
) -> None:
    workflows = [item for item in plan(tmp_path, REF, github=github) if item.path.parent.name == "workflows"]
    assert len(workflows) == len(workflow_templates())
    for item in workflows:
        assert unsupported_job_keys(item.content, github) == [], item.path.name


def test_the_github_com_workflows_would_be_refused_by_ghes() -> None:
    """What the check catches: the github.com rendering holds cache-mode in six workflows."""
    refused = {
        name: unsupported_job_keys(render_workflow(template, REF), "ghes")
        for name, template in workflow_templates().items()
    }
    assert {name: keys for name, keys in refused.items() if keys} == {
        "incident-alert.yml": ["status-page.cache-mode"],
        "incident-commands.yml": ["command.cache-mode", "status-page.cache-mode"],
        "incident-open.yml": ["status-page.cache-mode"],
        "incident-postmortem.yml": ["postmortem.cache-mode"],
        "incident-status-page.yml": ["build.cache-mode"],
        "incident-triage.yml": ["status-page.cache-mode"],
    }


def test_the_ghes_rendering_differs_only_by_the_keys_ghes_lacks() -> None:
    """Only cache-mode (a job key) and deployment (an environment key) are left out for GHES."""
    dropped = (JOB_KEYS["github.com"] - JOB_KEYS["ghes"]) | (
        ENVIRONMENT_KEYS["github.com"] - ENVIRONMENT_KEYS["ghes"]
    )
    assert dropped == {"cache-mode", "deployment"}
    for name, template in workflow_templates().items():
        public = render_workflow(template, REF).splitlines()
        server = render_workflow(template, REF, "ghes").splitlines()
        removed = [line for line in public if line not in server]
        assert all(line.strip().split(":")[0] in dropped for line in removed), name
        assert len(public) - len(server) == len(removed), name


@pytest.mark.parametrize(
    ("api_url", "target"),
    [
        ("", "github.com"),
        ("https://api.github.com", "github.com"),
        ("https://api.github.com/", "github.com"),
        ("https://github.example.com/api/v3", "ghes"),
        ("http://127.0.0.1:8080", "ghes"),
    ],
)
def test_the_target_follows_the_api_url(api_url: str, target: str) -> None:
    assert github_target(api_url) == target


def test_an_unknown_target_is_a_one_line_refusal(tmp_path: Path) -> None:
    with pytest.raises(OpsError, match=r"--target 'gitlab': give one of github.com, ghes"):
        plan(tmp_path, REF, github="gitlab")


@pytest.mark.parametrize("github", GITHUB_TARGETS)
def test_init_lists_exactly_the_secrets_and_variables_the_workflows_read(github: str, tmp_path: Path) -> None:
    """What init tells the team to set is what the workflows it writes read, no more, no less
    (GITHUB_TOKEN is the run's own)."""
    read: set[tuple[str, str]] = set()
    for item in plan(tmp_path, REF, github=github):
        if item.path.suffix == ".yml":
            read |= {("secret", name) for name in re.findall(r"\bsecrets\.(\w+)", item.content)}
            read |= {("variable", name) for name in re.findall(r"\bvars\.(\w+)", item.content)}
    assert {(kind, name) for kind, name, _ in SECRETS} == read - {("secret", "GITHUB_TOKEN")}


@pytest.mark.parametrize("github", GITHUB_TARGETS)
def test_a_playbook_of_services_lists_each_services_backend_in_its_own_environment(
    github: str, tmp_path: Path
) -> None:
    """Each service's environment holds the backend URL and token the workflows read (the same names in
    each); the webhooks and the remediation app stay the repository's; together they are still
    exactly what the workflows read."""
    planned = plan(tmp_path, REF, github=github, services=[("api", "Billing API"), ("worker", None)])
    services = parse_playbook(planned[0].content, source="playbook.yaml").services
    to_set = secrets_to_set(services)
    by_place: dict[str, set[str]] = {}
    for where, _, name, _ in to_set:
        by_place.setdefault(where, set()).add(name)
    remediation_app = {"OPS_REMEDIATION_CLIENT_ID", "OPS_REMEDIATION_APP_KEY", "OPS_REMEDIATION_REPOSITORIES"}
    subscriber = {"OPS_SUBSCRIBER_WEBHOOK_URL", "OPS_SUBSCRIBER_WEBHOOK_SECRET"}
    assert by_place == {
        "repository": {"OPS_SLACK_WEBHOOK_URL", "OPS_STATUS_WEBHOOK_URL", *subscriber, *remediation_app},
        "environment ops-api": set(SERVICE_SECRETS),
        "environment ops-worker": set(SERVICE_SECRETS),
    }
    assert {(kind, name) for _, kind, name, _ in to_set} == {(kind, name) for kind, name, _ in SECRETS}
    assert [(where, name) for where, _, name, _ in secrets_to_set(())] == [
        ("repository", name) for _, name, _ in SECRETS
    ]


def test_the_playbook_reference_link_follows_the_server_the_workflows_run_on() -> None:
    """github.com by default; the GITHUB_SERVER_URL given (a GHES host) when there is one; no link
    for GHES without it, whose host init does not know, nor for a local action."""
    sha = "0123456789abcdef0123456789abcdef01234567"
    ref = f"octo-org/ops-actions@{sha}"
    assert (
        reference_link(ref, "github.com")
        == f"https://github.com/octo-org/ops-actions/blob/{sha}/docs/playbook.md"
    )
    ghes = reference_link(ref, "ghes", "https://github.example.com/")
    assert ghes == f"https://github.example.com/octo-org/ops-actions/blob/{sha}/docs/playbook.md"
    assert reference_link(ref, "ghes") is None
    assert reference_link("./", "github.com", "https://github.example.com") is None
