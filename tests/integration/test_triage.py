"""Triage over real HTTP against the sandbox backend: scenarios, bad behaviour, report, secrecy."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from ops_actions.cli import run
from ops_actions.sandbox.backend import SandboxBackend
from tests.support.fixtures.backend import ADMIN_TOKEN
from tests.support.fixtures.world import Triage
from tests.support.net import free_port
from tests.support.playbooks import SEED_CHECKS, fast_playbook
from tests.support.processes import finished
from tests.support.reports import Verdict, fired, signal


@pytest.mark.seed(7, 8, 18, 22, 28, 39, 44)
@pytest.mark.parametrize(
    ("scenario", "expected"),
    [
        ("healthy", Verdict(None, [], [])),
        ("db-down", Verdict("SEV-1", ["D"], ["database-down"])),
        ("worker-stalled", Verdict("SEV-2", ["B"], ["worker-heartbeat-stale"])),
        ("webhook-failing", Verdict("SEV-2", ["A"], ["webhooks-failing"])),
        ("job-regression", Verdict("SEV-2", ["C"], ["job-failures-high", "job-failures-isolated"])),
        ("job-failed-once", Verdict("SEV-2", ["C"], ["job-failures-isolated"])),
        ("payments-down", Verdict("SEV-1", [], ["payments-not-accepted"])),
        ("jobs-down", Verdict("SEV-1", [], ["job-creation-unavailable"])),
        ("malformed", Verdict(None, [], [])),
        ("unauthorized", Verdict(None, [], [])),
        ("flaky", Verdict(None, [], [])),
    ],
)
def test_each_scenario_gets_its_severity_and_branches(
    backend: SandboxBackend, triage: Triage, scenario: str, expected: Verdict
) -> None:
    """The sandbox's scenarios map to the playbook's severities and decision-tree branches; the
    canaries' failures are SEV-1, one failed job is SEV-2 (the seed's isolated job errors);
    unreadable metrics (flap control) wait for a second triage."""
    assert triage.verdict(backend, scenario) == expected


def test_slow_probe_times_out_into_unknown(backend: SandboxBackend, triage: Triage, tmp_path: Path) -> None:
    """A metrics probe slower than its timeout makes its signals unknown; the rest still decide."""
    backend.set_scenario("slow", slow_delay_s=3.0)
    code, report, _ = triage(playbook=fast_playbook(tmp_path))
    assert code == 0
    assert signal(report, "ready_ok")["value"] is True
    db_ok = signal(report, "db_ok")
    assert db_ok["status"] == "unknown"
    assert "timed out after 0.5 s" in db_ok["reason"]
    unavailable = next(r for r in report["rules"] if r["id"] == "ops-metrics-unavailable")
    assert unavailable["outcome"] == "pending", "flap control: one failed triage opens nothing"
    assert report["severity"] is None
    metrics = next(p for p in report["probes"] if p["id"] == "metrics")
    assert metrics["attempts"] == 1, "timeouts are not retried"


def test_flaky_backend_is_retried_to_an_answer(backend: SandboxBackend, triage: Triage) -> None:
    """502 then a reset then 200: bounded retries reach the answer on the third attempt; the POST
    canary is sent once (a proxy's 502 is no verdict on job creation)."""
    backend.set_scenario("flaky")
    _, report, _ = triage()
    attempts = {p["id"]: p["attempts"] for p in report["probes"]}
    assert attempts == {"ready": 3, "metrics": 3, "payments_canary": 3, "jobs_canary": 1}
    assert signal(report, "jobs_canary_status")["value"] == 502
    assert all(s["status"] == "ok" for s in report["signals"])
    assert report["severity"] is None


@pytest.mark.seed(8, 20, 33, 36)
def test_worker_stalled_queue_trend_fires_after_consecutive_breaches(
    backend: SandboxBackend, triage: Triage
) -> None:
    """The growing queue needs three snapshots to be 'rising' and two rising runs in a row to fire."""
    backend.set_scenario("worker-stalled")
    outcomes = []
    for _ in range(4):
        _, report, _ = triage()
        outcomes.append(next(r for r in report["rules"] if r["id"] == "queue-growing")["outcome"])
    assert outcomes == ["unknown", "unknown", "pending", "fired"]
    assert report["severity"] == "SEV-2"
    finding = next(d for d in report["diagnostics"] if d["step"] == "check-recovery-summary")
    assert finding["value"]["recovered"] == 0


@pytest.mark.seed(21, 30)
def test_webhook_branch_fetches_failed_events(backend: SandboxBackend, triage: Triage) -> None:
    """Branch A's diagnostic counts the failed webhook events; the report keeps their hashes, not the
    events themselves (the playbook does not ask for samples)."""
    backend.set_scenario("webhook-failing")
    _, report, text = triage()
    finding = next(d for d in report["diagnostics"] if d["probe"] == "failed_webhooks")
    assert finding["count"] == 7
    assert "sample" not in finding
    assert len(finding["sample_sha256"]) == 7
    assert "Diagnostic A/list-failed-webhooks: 7 item(s)" in text


@pytest.mark.seed(23, 40, 41)
def test_job_regression_groups_dead_letters_by_cause(backend: SandboxBackend, triage: Triage) -> None:
    """Branch C groups dead letters by reason, provider and input; the common cause comes first."""
    backend.set_scenario("job-regression")
    _, report, _ = triage()
    finding = next(d for d in report["diagnostics"] if d["probe"] == "dead_letters")
    assert finding["count"] == 15
    top = finding["groups"][0]
    assert top["count"] == 12
    assert top["key"] == {
        "reason": "provider timeout after 30s",
        "provider": "openai",
        "input": "pdf-summary",
    }


@pytest.mark.seed(13, 16)
def test_healthy_triage_prints_the_seed_checks(backend: SandboxBackend, triage: Triage) -> None:
    """The table lists the seed's checks in order with their values."""
    _, _, text = triage()
    names = [
        line.split()[0] for line in text.splitlines() if line.startswith("  ") and not line.startswith("  [")
    ]
    assert names[1:9] == list(SEED_CHECKS)
    assert "Severity: none (no rule fired)" in text


@pytest.mark.seed(14)
def test_unreachable_backend_exits_3_with_a_complete_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Connection refused everywhere: every signal unknown with a reason, exit code 3; SEV-1 on the
    second failed triage in a row (flap control), pending on the first."""
    monkeypatch.setenv("OPS_BACKEND_ADMIN_TOKEN", ADMIN_TOKEN)
    runner = Triage(tmp_path, capsys, f"http://127.0.0.1:{free_port()}")
    code, report, text = runner()
    assert code == 3
    assert report["backend_reachable"] is False
    assert all(s["status"] == "unknown" and s["reason"] for s in report["signals"])
    assert report["severity"] is None
    assert "pending backend-not-ready [SEV-1] (1/2 in a row)" in text
    assert "backend unreachable" in text
    assert "Traceback" not in text
    code, report, _ = runner()
    assert (code, report["severity"], fired(report)) == (
        3,
        "SEV-1",
        ["backend-not-ready", "ops-metrics-unavailable"],
    )


@pytest.mark.parametrize(
    ("kind", "value", "reason"),
    [
        ("huge-body", None, "larger than 1000000 bytes"),
        ("non-utf8", None, "not UTF-8"),
        ("invalid-json", None, "not valid JSON"),
        ("status", 401, "HTTP 401 unauthorized"),
    ],
)
def test_bad_answers_become_unknown_with_a_reason(
    backend: SandboxBackend, triage: Triage, kind: str, value: int | None, reason: str
) -> None:
    """A 50 MB body, undecodable bytes, broken JSON or a 401 leave the metrics signals unknown, explained."""
    backend.add_fault("/api/ops/metrics", kind, value=value)
    code, report, _ = triage()
    assert code == 0
    db_ok = signal(report, "db_ok")
    assert db_ok["status"] == "unknown"
    assert reason in db_ok["reason"]
    assert signal(report, "ready_ok")["value"] is True


def test_persistent_5xx_and_resets_are_retried_then_reported(backend: SandboxBackend, triage: Triage) -> None:
    """Three 503s exhaust the bounded retry; three resets likewise; each is reported, never raised."""
    backend.add_fault("/api/ops/metrics", "status", value=503, times=3)
    backend.add_fault("/api/ready", "reset", times=3)
    _, report, _ = triage()
    probes = {p["id"]: p for p in report["probes"]}
    assert probes["metrics"]["attempts"] == 3
    assert probes["metrics"]["status_code"] == 503
    assert probes["ready"]["attempts"] == 3
    assert probes["ready"]["error"] in {
        "connection closed without a complete answer",
        "connection reset while reading the answer",
    }
    assert signal(report, "ready_ok")["status"] == "unknown"
    assert [r["id"] for r in report["rules"] if r["outcome"] == "pending"] == [
        "backend-not-ready",
        "ops-metrics-unavailable",
    ]


def test_fail_on_sets_exit_code_5(backend: SandboxBackend, triage: Triage) -> None:
    """--fail-on SEV-2 exits 5 on SEV-1 and SEV-2, 0 on healthy; an unknown severity is a usage error."""
    backend.set_scenario("db-down")
    assert triage("--fail-on", "SEV-2")[0] == 5
    backend.set_scenario("healthy")
    assert triage("--fail-on", "SEV-2")[0] == 0
    assert run(["triage", "--backend-url", backend.url, "--fail-on", "SEV-9"]) == 2


def test_report_inputs_hide_credentials(backend: SandboxBackend, triage: Triage) -> None:
    """The report names the backend URL without user info or query, and the playbook by path and hash."""
    triage.url = backend.url.replace("http://", "http://user:secret-pass@") + "?key=abc"
    _, report, _ = triage()
    assert report["inputs"]["backend_url"] == backend.url
    assert report["inputs"]["playbook"]["path"] == "playbook.yaml", "this repository's own playbook"
    assert len(report["inputs"]["playbook"]["sha256"]) == 64


def test_corrupt_state_file_starts_fresh_with_a_warning(backend: SandboxBackend, triage: Triage) -> None:
    """A state file that is not JSON is replaced, with a warning, and triage still runs."""
    triage.state.write_text("{broken", encoding="utf-8")
    code, _, text = triage()
    assert code == 0
    assert "is corrupt; starting fresh" in text
    assert json.loads(triage.state.read_text(encoding="utf-8"))["version"] == 1


def test_the_old_state_file_flag_still_names_the_history_file(
    backend: SandboxBackend, triage: Triage, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--state-file, the name of --history-file before, still works (workflows written for it keep
    running); given both, --history-file wins; --help shows only the new name."""
    old = tmp_path / "old-name.json"
    args = ["triage", "--backend-url", backend.url, "--report-dir", str(tmp_path / "r")]
    assert run([*args, "--state-file", str(old)]) == 0
    assert len(json.loads(old.read_text(encoding="utf-8"))["snapshots"]) == 1
    code, _, _ = triage("--state-file", str(old))
    assert code == 0
    assert len(json.loads(triage.state.read_text(encoding="utf-8"))["snapshots"]) == 1
    assert len(json.loads(old.read_text(encoding="utf-8"))["snapshots"]) == 1, "--history-file won"
    for command in (["triage"], ["watch"], ["alert"], ["status-page", "build"]):
        capsys.readouterr()
        assert run([*command, "--help"]) == 0
        shown = capsys.readouterr().out
        assert "--history-file" in shown
        assert "--state-file" not in shown


def test_state_keeps_at_most_20_snapshots(backend: SandboxBackend, triage: Triage) -> None:
    """The state file is bounded."""
    for _ in range(22):
        triage()
    assert len(json.loads(triage.state.read_text(encoding="utf-8"))["snapshots"]) == 20


def test_missing_backend_url_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --backend-url or OPS_BACKEND_URL triage says what to set and exits 2."""
    monkeypatch.delenv("OPS_BACKEND_URL", raising=False)
    assert run(["triage"]) == 2
    assert "set OPS_BACKEND_URL" in capsys.readouterr().err


def test_admin_token_never_leaks(backend: SandboxBackend, tmp_path: Path) -> None:
    """The token appears in no report, stdout, stderr or state, whatever the scenario."""
    token = "leak-canary-token-5f1e2d3c4b5a69788"
    for scenario in ("healthy", "unauthorized", "malformed", "db-down"):
        with SandboxBackend(scenario=scenario, admin_token=token) as server:
            result = finished(
                [
                    *(sys.executable, "-m", "ops_actions", "triage", "--backend-url", server.url, "--json"),
                    *("--report-dir", str(tmp_path / "r"), "--history-file", str(tmp_path / "s.json")),
                    *("--backend-admin-token", token),
                ],
                env={"PATH": "", "GITHUB_ACTIONS": "false", "SYSTEMROOT": ""},
            )
            assert result.returncode == 0, result.stderr
            assert token not in result.stdout + result.stderr
    written = [p.read_text(encoding="utf-8") for p in (tmp_path / "r").glob("*.json")]
    assert len(written) == 4
    assert all(token not in text for text in written)
    assert token not in (tmp_path / "s.json").read_text(encoding="utf-8")


def test_a_second_round_of_probes_goes_over_the_first_rounds_connections(
    triage: Triage, backend: SandboxBackend, tmp_path: Path
) -> None:
    """Branch A fires without prefetch, so its diagnostic is fetched in a second round: over the
    command's one HTTP client, on a connection the first round left open (no new connection, no
    second TLS set-up), so the backend sees fewer connections than requests."""
    backend.set_scenario("webhook-failing")
    code, report, _ = triage()  # the seed prefetches no diagnostic list
    assert code == 0
    assert "A" in [branch["id"] for branch in report["branches"]]
    served = [request.path for request in backend.requests]
    assert "/api/ops/webhook-events?status=failed" in served
    assert backend.connections < len(served)
