"""Playbooks for tests: the bundled one varied, what a playbook reads, the header each command prints."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ops_actions.playbook import Playbook
from ops_actions.playbook.reading import bundled_playbook_text

# A manual item of the bundled playbook's resolution checklist.
MANUAL_CHECK = "Manual check: signup and login work."
# The seed's first-10-minutes checks, in its order ("ready_ok, db_ok, worker_running + heartbeat, …"):
# the triage table's rows and the names of its artifact.
SEED_CHECKS = (
    "ready_ok",
    "db_ok",
    "worker_running",
    "worker_heartbeat_age_s",
    "queue_depth.queued",
    "webhook_failed_last_hour",
    "jobs_failed_last_hour",
    "dead_letters_last_24h",
)


def fast_playbook(tmp_path: Path, timeout_s: float = 0.5) -> Path:
    """The bundled playbook with short probe timeouts, so timeout tests stay quick."""
    text = bundled_playbook_text()
    for original in ("timeout_s: 5", "timeout_s: 8"):
        text = text.replace(original, f"timeout_s: {timeout_s}")
    path = tmp_path / "fast-playbook.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def signal_names(playbook: Playbook) -> set[str]:
    """Every signal the playbook's probes read."""
    return {spec.name for probe in playbook.probes for spec in probe.signals}


def playbook_header(source: str, data: bytes) -> str:
    """The first line every command prints: which playbook it read, and its hash."""
    return f"playbook: {source}, sha256 {hashlib.sha256(data).hexdigest()[:12]}"


def playbook_with(tmp_path: Path, old: str, new: str) -> Path:
    """The bundled playbook with one text replaced, written to a file."""
    text = bundled_playbook_text()
    assert old in text
    path = tmp_path / "hostile-playbook.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


# Two services over the bundled playbook: the API inherits everything, the worker has its own
# backend variables and its team's channel.
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


def with_services(services: str = TWO_SERVICES, text: str | None = None) -> str:
    """The bundled playbook (or ``text``) with a ``services:`` list put after its scope."""
    text = bundled_playbook_text() if text is None else text
    at = text.index("\nseverities:")
    return f"{text[:at]}\n{services.rstrip()}\n{text[at:]}"
