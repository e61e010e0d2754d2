"""Playbooks of several services for tests, written to files: the bundled playbook with a
``services:`` block (``tests.support.playbooks.TWO_SERVICES`` unless another is given), and the many
services of the busy day."""

from __future__ import annotations

from pathlib import Path

from tests.support.playbooks import TWO_SERVICES, with_services

# The worker of TWO_SERVICES names its own backend variables.
WORKER_URL_ENV = "WORKER_BACKEND_URL"
WORKER_TOKEN_ENV = "WORKER_BACKEND_ADMIN_TOKEN"


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
