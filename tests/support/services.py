"""A playbook of two services for tests, written to a file: the bundled one with the services of
``tests.support.playbooks.TWO_SERVICES`` (Billing API ``api``, Job worker ``worker``)."""

from __future__ import annotations

from pathlib import Path

from tests.support.playbooks import with_services


def two_service_playbook(tmp_path: Path) -> Path:
    """The two-service playbook, written to a file."""
    path = tmp_path / "two-services.yaml"
    path.write_text(with_services(), encoding="utf-8")
    return path
