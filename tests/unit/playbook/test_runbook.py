"""The runbook (ops_actions/playbook/runbook.py): its manual-triage section shows each probe's request."""

from __future__ import annotations

from ops_actions.playbook import load_playbook, parse_playbook
from ops_actions.playbook.runbook import render_runbook
from tests.support.fixtures.backend import ADMIN_TOKEN
from tests.support.paths import PLAYBOOK
from tests.support.playbooks import with_services
from tests.support.text import code_blocks, h2_section


def test_each_probe_is_shown_with_its_method_path_and_both_commands() -> None:
    playbook = load_playbook(PLAYBOOK)
    manual = h2_section(render_runbook(playbook), "Manual triage")
    for probe in playbook.probes:
        heading = f"### `{probe.id}`: {probe.method} `{probe.path}`"
        assert heading in manual
        own = manual.split(heading, 1)[1].split("\n### ", 1)[0]
        (curl,) = code_blocks(own, "sh")
        (powershell,) = code_blocks(own, "powershell")
        assert curl.endswith(f'"${{OPS_BACKEND_URL%/}}{probe.path}"')
        assert f"-Uri \"$($env:OPS_BACKEND_URL.TrimEnd('/')){probe.path}\"" in powershell
        assert f"-TimeoutSec {round(probe.timeout_s)}" in powershell
        if probe.auth.kind == "bearer":
            assert '-H "Authorization: Bearer $OPS_BACKEND_ADMIN_TOKEN"' in curl
            assert "'Authorization' = \"Bearer $env:OPS_BACKEND_ADMIN_TOKEN\"" in powershell
        else:
            assert "Authorization" not in curl + powershell
    assert ADMIN_TOKEN not in manual
    assert "`backend/reports/incident-triage-<UTC time>.json`" in manual


def test_the_runbook_lists_the_services_and_renders_one_service_s_own() -> None:
    whole = parse_playbook(with_services(), source="x.yaml")
    text = render_runbook(whole)
    assert "| `api` | Billing API | @octo-org/payments | nothing |" in text
    assert "| `worker` | Job worker | @octo-org/jobs | backend |" in text
    worker = render_runbook(whole.for_service("worker"))
    assert worker.startswith(f"# {whole.name}: Job worker\n") and "## Services" not in worker
