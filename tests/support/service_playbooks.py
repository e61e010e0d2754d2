"""The two-service playbook several tests start from (tests/data/two-services.yaml: the seed playbook
with a Billing API and a Job worker)."""

from __future__ import annotations

from pathlib import Path

from tests.support.paths import REPO_ROOT

TWO_SERVICES = REPO_ROOT / "tests" / "data" / "two-services.yaml"
API, WORKER = "api", "worker"


def two_services(tmp_path: Path) -> Path:
    """The two-service playbook with both services reading their backend from the same variables,
    OPS_BACKEND_URL and OPS_BACKEND_ADMIN_TOKEN, as one GitHub environment per service holds them."""
    text = TWO_SERVICES.read_text(encoding="utf-8")
    worker_backend = (
        "    backend: {url_env: WORKER_BACKEND_URL, admin_token_env: WORKER_BACKEND_ADMIN_TOKEN}\n"
    )
    assert worker_backend in text
    path = tmp_path / "two-services.yaml"
    path.write_text(text.replace(worker_backend, "", 1), encoding="utf-8")
    return path


def _own_tree(components: str) -> str:
    """A service's own components, and its own decision tree over them: the branches the rules name
    (A to D), each one check (the seed's branches name components the service does not have)."""
    branches = "".join(
        f"      - {{id: {branch}, title: Branch {branch}, condition: db_ok == false, "
        f"components: [{components}], steps: [{{id: check-{branch.lower()}, kind: check, text: Check.}}]}}\n"
        for branch in "ABCD"
    )
    return f"    components: [{components}]\n    decision_tree:\n{branches}"


def split_services(tmp_path: Path) -> Path:
    """The two-service playbook with the components split: auth, billing and the Stripe webhook the
    API's, jobs and the worker the worker's (each with a decision tree over its own components)."""
    path = two_services(tmp_path)
    text = path.read_text(encoding="utf-8")
    api_owners = '    owners: {team: "@octo-org/payments"}\n'
    worker_owners = '    owners: {team: "@octo-org/jobs", channel_env: JOBS_SLACK_WEBHOOK_URL}\n'
    assert api_owners in text and worker_owners in text
    text = text.replace(api_owners, api_owners + _own_tree("auth, billing, stripe webhook"), 1)
    text = text.replace(worker_owners, worker_owners + _own_tree("jobs, worker"), 1)
    split = tmp_path / "split-services.yaml"
    split.write_text(text, encoding="utf-8")
    return split
