"""Playbooks of several services for tests, written to files: the bundled playbook with a
``services:`` block (``tests.support.playbooks.TWO_SERVICES`` unless another is given), and the many
services of the busy day."""

from __future__ import annotations

from pathlib import Path

from tests.support.playbooks import TWO_SERVICES, with_services

API, WORKER = "api", "worker"
# The worker of TWO_SERVICES names its own backend variables.
WORKER_URL_ENV = "WORKER_BACKEND_URL"
WORKER_TOKEN_ENV = "WORKER_BACKEND_ADMIN_TOKEN"
_WORKER_BACKEND = f"    backend: {{url_env: {WORKER_URL_ENV}, admin_token_env: {WORKER_TOKEN_ENV}}}\n"


def services_playbook(tmp_path: Path, services: str = TWO_SERVICES, name: str = "two-services.yaml") -> Path:
    """The bundled playbook with the ``services:`` block given, written to a file."""
    path = tmp_path / name
    path.write_text(with_services(services), encoding="utf-8")
    return path


def two_service_playbook(tmp_path: Path) -> Path:
    """The bundled playbook with the services api (Billing API) and worker (Job worker), in a file."""
    return services_playbook(tmp_path)


def service_id(index: int) -> str:
    """The id of the service at ``index`` in :func:`many_services` (``svc-01``, ``svc-02``, …)."""
    return f"svc-{index + 1:02d}"


def many_services(count: int, own_backend: int = 0) -> str:
    """A ``services:`` block of ``count`` services; the one at ``own_backend`` names its own backend
    (SVC_BACKEND_URL, SVC_BACKEND_ADMIN_TOKEN), the others inherit the playbook's."""
    lines = ["services:"]
    for index in range(count):
        lines += [f"  - id: {service_id(index)}", f"    name: Service {index + 1}"]
        if index == own_backend:
            lines.append("    backend: {url_env: SVC_BACKEND_URL, admin_token_env: SVC_BACKEND_ADMIN_TOKEN}")
    return "\n".join(lines) + "\n"


def two_services(tmp_path: Path) -> Path:
    """The two-service playbook with both services reading their backend from the same variables,
    OPS_BACKEND_URL and OPS_BACKEND_ADMIN_TOKEN, as one GitHub environment per service holds them."""
    assert _WORKER_BACKEND in TWO_SERVICES
    return services_playbook(tmp_path, TWO_SERVICES.replace(_WORKER_BACKEND, "", 1))


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
