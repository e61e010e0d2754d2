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
