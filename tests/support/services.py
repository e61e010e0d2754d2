"""Playbooks of several services for tests: the bundled playbook with a ``services:`` list, and the
environment one service's watch runs with in the matrix job (``--service``, its own history)."""

from __future__ import annotations

from pathlib import Path

from ops_actions.playbook.reading import bundled_playbook_text

# The two services of the examples: the API inherits the playbook's backend, the worker
# names its own (WORKER_BACKEND_URL, WORKER_BACKEND_ADMIN_TOKEN) and its team's channel.
TWO_SERVICES = """
services:
  - id: api
    name: Billing API
    owners: {team: "@octo-org/payments"}
  - id: worker
    name: Job worker
    backend: {url_env: WORKER_BACKEND_URL, admin_token_env: WORKER_BACKEND_ADMIN_TOKEN}
    owners: {team: "@octo-org/jobs", channel_env: JOBS_SLACK_WEBHOOK_URL}
"""
WORKER_URL_ENV = "WORKER_BACKEND_URL"
WORKER_TOKEN_ENV = "WORKER_BACKEND_ADMIN_TOKEN"


def with_services(tmp_path: Path, services: str, name: str = "services-playbook.yaml") -> Path:
    """The bundled playbook with the ``services:`` block given placed after its scope, written to a file."""
    text = bundled_playbook_text()
    anchor = "\nseverities:\n"
    assert anchor in text
    path = tmp_path / name
    path.write_text(text.replace(anchor, f"\n{services.strip()}\n{anchor}", 1), encoding="utf-8")
    return path


def two_services_playbook(tmp_path: Path) -> Path:
    """The bundled playbook with the services api (Billing API) and worker (Job worker)."""
    return with_services(tmp_path, TWO_SERVICES, "two-services.yaml")


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
