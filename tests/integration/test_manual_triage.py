"""The rendered runbook is usable by hand: each probe with its method and path, and commands that a
responder pastes (curl here, run against the sandbox backend; PowerShell's Invoke-RestMethod the same
request), and the report folder the playbook names."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ops_actions.cli import run
from ops_actions.playbook import bundled_playbook_text, load_playbook
from ops_actions.playbook.runbook import render_runbook
from ops_actions.sandbox.backend import SandboxBackend
from tests.support.fixtures.backend import ADMIN_TOKEN
from tests.support.paths import MESSAGING_EXAMPLE, PLAYBOOK
from tests.support.text import code_blocks, h2_section

needs_curl = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")


def paste(command: str, env: dict[str, str]) -> tuple[int, str]:
    """Run a pasted command in a POSIX shell; the HTTP status and the answer's body."""
    result = subprocess.run(
        ["sh", "-c", command],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
        env={"PATH": os.environ["PATH"], **env},
    )
    body, _, last = result.stdout.rstrip("\n").rpartition("\n")
    match = re.fullmatch(r"HTTP (\d{3}) in [0-9.]+ s", last)
    assert match, result.stdout
    return int(match.group(1)), body


@needs_curl
def test_the_curl_commands_read_what_triage_reads(
    backend: SandboxBackend, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Pasted as they are, against the sandbox backend (the URL with a trailing slash, as people copy it):
    each answers with the status triage got from the same probe (a POST canary included)."""
    backend.set_scenario("db-down")
    playbook = load_playbook(PLAYBOOK)
    manual = h2_section(render_runbook(playbook), "Manual triage")
    env = {"OPS_BACKEND_URL": backend.url + "/", "OPS_BACKEND_ADMIN_TOKEN": ADMIN_TOKEN}
    setup, *commands = code_blocks(manual, "sh")
    assert setup == "export OPS_BACKEND_URL=... OPS_BACKEND_ADMIN_TOKEN=..."
    assert len(commands) == len(playbook.probes)
    pasted = {probe.id: paste(command, env) for probe, command in zip(playbook.probes, commands, strict=True)}
    capsys.readouterr()
    folders = ["--report-dir", str(tmp_path), "--history-file", str(tmp_path / "s.json")]
    run(["triage", "--json", "--backend-url", backend.url, "--backend-admin-token", ADMIN_TOKEN, *folders])
    triaged = {probe["id"]: probe["status_code"] for probe in json.loads(capsys.readouterr().out)["probes"]}
    assert triaged["ready"] == 503, "not ready: the status shows"
    for probe_id, status in triaged.items():
        assert pasted[probe_id][0] == status, probe_id
    assert json.loads(pasted["metrics"][1])["db_ok"] is False, "db-down, as triage reads it"
    assert paste(commands[1], {**env, "OPS_BACKEND_ADMIN_TOKEN": "wrong"})[0] == 401


@needs_curl
def test_header_and_basic_credentials_work_by_hand() -> None:
    """The messaging example's X-API-Key and basic-auth probes, pasted with the playbook's variables."""
    manual = h2_section(render_runbook(load_playbook(MESSAGING_EXAMPLE)), "Manual triage")
    commands = code_blocks(manual, "sh")[1:]
    assert any('-H "X-API-Key: $MESSAGING_API_KEY"' in c for c in commands)
    assert any('-u "$MESSAGING_ADMIN_CREDENTIALS"' in c for c in commands)
    powershell = "\n".join(code_blocks(manual, "powershell"))
    assert "'X-API-Key' = \"$env:MESSAGING_API_KEY\"" in powershell
    assert (
        "[Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($env:MESSAGING_ADMIN_CREDENTIALS))"
        in powershell
    )
    with SandboxBackend(api="messaging", admin_token=ADMIN_TOKEN) as server:
        env = {
            "MESSAGING_URL": server.url,
            "MESSAGING_API_KEY": ADMIN_TOKEN,
            "MESSAGING_ADMIN_CREDENTIALS": f"ops-triage:{ADMIN_TOKEN}",
        }
        statuses = [paste(command, env)[0] for command in commands]
        assert statuses == [200] * len(commands)
        assert paste(commands[-1], {**env, "MESSAGING_ADMIN_CREDENTIALS": "ops-triage:wrong"})[0] == 401


def test_the_report_folder_comes_from_the_playbook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: SandboxBackend
) -> None:
    """`triage.report_dir` moves the reports, and the runbook says where they are."""
    text = bundled_playbook_text().replace("  report_dir: backend/reports\n", "  report_dir: out/triage\n")
    playbook = tmp_path / "playbook.yaml"
    playbook.write_text(text, encoding="utf-8")
    assert "`out/triage/incident-triage-<UTC time>.json`" in h2_section(
        render_runbook(load_playbook(playbook)), "Manual triage"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPS_BACKEND_ADMIN_TOKEN", ADMIN_TOKEN)
    assert run(["triage", "--backend-url", backend.url]) == 0
    assert len(list((tmp_path / "out" / "triage").glob("incident-triage-*.json"))) == 1
    assert not (tmp_path / "backend").exists()
    broken = text.replace("report_dir: out/triage", "report_dir: ../elsewhere")
    playbook.write_text(broken, encoding="utf-8")
    assert run(["playbook", "validate"]) == 2
