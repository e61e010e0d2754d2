"""A playbook of two services for tests: the bundled one with a ``services:`` list, Billing API
(``api``) and Job worker (``worker``), each inheriting the playbook's components."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from ops_actions.playbook.reading import bundled_playbook_text

SERVICES: Final = """
services:
  - id: api
    name: Billing API
    owners: {team: "@octo-org/payments"}
  - id: worker
    name: Job worker
    backend: {url_env: WORKER_BACKEND_URL, admin_token_env: WORKER_BACKEND_ADMIN_TOKEN}
    owners: {team: "@octo-org/jobs"}
"""


def two_service_playbook(tmp_path: Path) -> Path:
    """The two-service playbook, written to a file."""
    text = bundled_playbook_text()
    scope = "  components: [auth, billing, jobs, worker, stripe webhook]\n"
    assert scope in text
    path = tmp_path / "two-services.yaml"
    path.write_text(text.replace(scope, scope + SERVICES, 1), encoding="utf-8")
    return path
