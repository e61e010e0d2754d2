"""A playbook of several services from the command line (ops_actions/cli/services.py and --service):
each incident labelled with its service and titled with its name, listed and deduplicated per
service, an incident's own label choosing the service of a command on it, and a command that must
know its service refused before it writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ops_actions.cli import run
from ops_actions.sandbox.github import GitHubEmulator
from tests.support.cli import error_line
from tests.support.playbooks import with_services


@pytest.fixture
def two_services(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "playbook.yaml"
    path.write_text(with_services(), encoding="utf-8")
    monkeypatch.setenv("OPS_PLAYBOOK", str(path))
    monkeypatch.chdir(tmp_path)
    return path


def labels_of(issue: dict[str, object]) -> set[str]:
    return {label["name"] for label in issue["labels"]}  # type: ignore[attr-defined, index]


def test_the_same_incident_in_two_services_is_two_incidents(
    two_services: Path, github_env: GitHubEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    for service in ("worker", "api", "worker"):
        assert (
            run(["incident", "open", "--service", service, "--title", "Queue stuck", "--severity", "2"]) == 0
        )
    issues = sorted(github_env.issues(), key=lambda issue: issue["number"])
    assert [issue["title"] for issue in issues] == [
        "[SEV-2] Job worker: Queue stuck",
        "[SEV-2] Billing API: Queue stuck",
    ]
    assert [labels_of(issue) & {"service:api", "service:worker"} for issue in issues] == [
        {"service:worker"},
        {"service:api"},
    ]
    assert "#1 is already open" in capsys.readouterr().out  # the worker's second opening found its own


def test_a_command_on_an_incident_works_on_the_incident_s_service(
    two_services: Path, github_env: GitHubEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["incident", "open", "--service", "worker", "--title", "Queue stuck", "--severity", "2"]) == 0
    (issue,) = github_env.issues()
    capsys.readouterr()
    assert run(["incident", "severity", str(issue["number"]), "1", "--reason", "jobs lost"]) == 0
    (updated,) = github_env.issues()
    assert updated["title"] == "[SEV-1] Job worker: Queue stuck"
    assert {"service:worker", "sev-1"} <= labels_of(updated)
    assert "\n**Service:** Job worker (`worker`) · **Severity:** SEV-2 → SEV-1 · " in updated["body"]


def test_a_command_that_must_know_its_service_is_refused_before_it_writes(
    two_services: Path, github_env: GitHubEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["incident", "open", "--title", "Queue stuck", "--severity", "2"]) == 2
    assert error_line(capsys) == (
        "ops-actions: error: the playbook has several services (api, worker): pass --service ID"
    )
    assert run(["incident", "open", "--service", "billing", "--title", "x", "--severity", "2"]) == 2
    assert "unknown service 'billing'" in error_line(capsys)
    assert github_env.issues() == []
    assert all(request.method == "GET" for request in github_env.requests)


def test_services_lists_one_entry_per_matrix_job(
    two_services: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["services", "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert [(e["id"], e["environment"], e["history_file"], e["cache_prefix"]) for e in entries] == [
        ("api", "ops-api", ".ops-actions-state.api.json", "ops-actions-state.api."),
        ("worker", "ops-worker", ".ops-actions-state.worker.json", "ops-actions-state.worker."),
    ]


def test_a_playbook_of_one_service_is_one_entry_with_no_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPS_PLAYBOOK", raising=False)
    assert run(["services", "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert (entry["id"], entry["history_file"], entry["cache_prefix"]) == (
        "",
        ".ops-actions-state.json",
        "ops-actions-state-",
    )
