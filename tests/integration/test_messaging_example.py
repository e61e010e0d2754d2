"""The messaging-team example: health+json, /readyz text, X-API-Key and basic auth, over real HTTP."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import pytest

from ops_actions.sandbox.backend import SandboxBackend
from tests.support.fixtures.backend import ADMIN_TOKEN, MESSAGING_CREDENTIALS
from tests.support.fixtures.world import Triage
from tests.support.paths import MESSAGING_EXAMPLE
from tests.support.processes import finished
from tests.support.reports import Verdict, fired, probe, readings


@pytest.fixture
def triage(
    messaging_backend: SandboxBackend,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Triage:
    """A triage runner whose URL and both credentials come only from the env vars the example names."""
    environment = {
        "MESSAGING_URL": messaging_backend.url,
        "MESSAGING_API_KEY": ADMIN_TOKEN,
        "MESSAGING_ADMIN_CREDENTIALS": MESSAGING_CREDENTIALS,
    }
    return Triage.for_example(tmp_path, capsys, monkeypatch, MESSAGING_EXAMPLE, environment)


@pytest.mark.parametrize(
    ("scenario", "expected"),
    [
        ("healthy", Verdict(None, [], [])),
        (
            "db-down",
            Verdict("critical", ["database"], ["health-failing", "database-failing", "stats-unavailable"]),
        ),
        ("worker-stalled", Verdict("major", ["backlog"], ["worker-not-ready", "checks-warning"])),
        ("webhook-failing", Verdict("minor", ["providers"], ["receipts-failing"])),
        ("job-regression", Verdict("major", ["providers"], ["provider-failing", "checks-warning"])),
        ("unauthorized", Verdict("major", [], ["stats-unavailable"])),
        ("malformed", Verdict("major", [], ["health-unreadable", "stats-unavailable"])),
        ("flaky", Verdict(None, [], [])),
    ],
)
def test_each_scenario_gets_the_example_severity_and_branch(
    messaging_backend: SandboxBackend, triage: Triage, scenario: str, expected: Verdict
) -> None:
    """Each sandbox scenario maps to the example's own severity, branches and fired rules."""
    assert triage.verdict(messaging_backend, scenario) == expected


def test_a_healthy_service_reads_every_signal(triage: Triage) -> None:
    """Quoted keys, indexes, filters with length(), regex groups and the probe's own facts all read."""
    _, report, _ = triage()
    values = {name: s["value"] for name, s in readings(report).items()}
    assert all(s["status"] == "ok" for s in report["signals"]), report["signals"]
    assert values["health_http"] == 200
    assert (values["health_status"], values["db_check"], values["db_response_ms"]) == ("pass", "pass", 4)
    assert (values["failing_checks"], values["warning_checks"]) == (0, 0)
    assert (values["readyz_verdict"], values["readyz_failed_checks"]) == ("passed", 0)
    assert (values["db_ready"], values["worker_ready"]) == ("+", "+")
    assert (values["pending"], values["failed_last_hour"], values["webhook_failures"]) == (14, 0, 0)
    assert values["providers_degraded"] == 0
    assert 0 < values["stats_latency_ms"] < 1500
    assert [p["id"] for p in report["probes"]] == ["health", "readyz", "stats"], "unused prefetch dropped"


def test_a_failing_service_is_read_from_its_503_and_500(
    triage: Triage, messaging_backend: SandboxBackend
) -> None:
    """db-down: the 503 health document and the 500 check list are the answer, read once, not retried."""
    messaging_backend.set_scenario("db-down")
    code, report, text = triage("--fail-on", "major")
    assert code == 5
    values = {name: s["value"] for name, s in readings(report).items()}
    assert (values["health_http"], values["health_status"], values["db_check"]) == (503, "fail", "fail")
    assert values["failing_checks"] == 2
    assert (values["readyz_verdict"], values["readyz_failed_checks"], values["db_ready"]) == (
        "failed",
        1,
        "-",
    )
    assert values["worker_ready"] == "+"
    assert (probe(report, "health")["attempts"], probe(report, "health")["error"]) == (1, None)
    assert (probe(report, "readyz")["status_code"], probe(report, "readyz")["attempts"]) == (500, 1)
    assert probe(report, "stats")["attempts"] == 3, "a 503 without a readable body is retried"
    finding = next(d for d in report["diagnostics"] if d["step"] == "show-db-check")
    assert finding["value"][0]["output"] == "connection refused (pg-primary:5432)"
    assert "Severity: critical" in text


def test_a_4xx_health_answer_and_a_proxy_page_stay_unknown(
    triage: Triage, messaging_backend: SandboxBackend
) -> None:
    """A 401 on /health is no health document; a 502 JSON page on /readyz is no check list."""
    messaging_backend.add_fault("/health", "status", value=401)
    messaging_backend.add_fault("/readyz", "status", value=502, times=3)
    _, report, _ = triage()
    read = readings(report)
    assert read["health_http"]["value"] == 401
    assert read["health_status"]["status"] == "unknown"
    assert "HTTP 401 unauthorized" in read["health_status"]["reason"]
    assert read["db_ready"]["status"] == "unknown", "not '-': the page said nothing about postgres"
    assert "HTTP 502" in read["db_ready"]["reason"]
    assert fired(report) == ["health-unreadable"]


def test_the_backlog_trend_fires_after_its_consecutive_count(
    triage: Triage, messaging_backend: SandboxBackend
) -> None:
    """Pending deliveries grow by 150 per stats call: rising over 3 snapshots, twice in a row."""
    messaging_backend.set_scenario("worker-stalled")
    outcomes, pending = [], []
    for _ in range(4):
        _, report, _ = triage()
        outcomes.append(next(r["outcome"] for r in report["rules"] if r["id"] == "backlog-growing"))
        pending.append(readings(report)["pending"]["value"])
    assert pending == [400, 550, 700, 850]
    assert outcomes == ["unknown", "unknown", "pending", "fired"]
    finding = next(d for d in report["diagnostics"] if d["step"] == "show-readiness")
    assert "[-]delivery-worker failed: reason withheld" in finding["sample"]


def test_a_slow_stats_answer_is_a_delay(triage: Triage, messaging_backend: SandboxBackend) -> None:
    """The stats probe's own latency_ms is a signal: over 1.5 s fires the delay rule (SEV 'major')."""
    messaging_backend.set_scenario("slow", slow_delay_s=1.6)
    _, report, _ = triage()
    assert readings(report)["stats_latency_ms"]["value"] >= 1600
    assert fired(report) == ["delivery-delayed"]
    assert [b["id"] for b in report["branches"]] == ["backlog"]


def test_failed_deliveries_are_prefetched_and_grouped(
    triage: Triage, messaging_backend: SandboxBackend
) -> None:
    """The basic-auth diagnostic came with the first round and groups by a hyphenated key."""
    messaging_backend.set_scenario("job-regression")
    _, report, text = triage()
    finding = next(d for d in report["diagnostics"] if d["probe"] == "failed_deliveries")
    assert finding["count"] == 23
    assert finding["groups"][0] == {
        "key": {"provider": "smtp-relay", '"error-code"': "421-4.7.0"},
        "count": 19,
    }
    assert '"error-code"=421-4.7.0' in text
    sent = [r.path for r in messaging_backend.requests if r.path.startswith("/v1/admin/")]
    assert sent == ["/v1/admin/failed-deliveries?limit=50"], "fetched once"


def test_each_probe_authenticates_its_own_way(triage: Triage, messaging_backend: SandboxBackend) -> None:
    """The stats get X-API-Key, the admin API basic auth, the open endpoints nothing; no value is logged."""
    triage()
    by_path = {r.path: r for r in messaging_backend.requests}
    stats = by_path["/v1/stats"]
    assert (stats.api_key_present, stats.authorization_present) == (True, False)
    admin = by_path["/v1/admin/failed-deliveries?limit=50"]
    assert (admin.api_key_present, admin.authorization_present) == (False, True)
    for path in ("/health", "/readyz?verbose"):
        assert (by_path[path].api_key_present, by_path[path].authorization_present) == (False, False)
    assert by_path["/health"].headers["Accept"].startswith("application/health+json")
    assert by_path["/readyz?verbose"].headers["Accept"] == "text/plain"
    assert ADMIN_TOKEN not in repr(messaging_backend.requests)


def test_a_missing_or_malformed_credential_is_never_sent(
    triage: Triage, messaging_backend: SandboxBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without MESSAGING_ADMIN_CREDENTIALS, or with no ':', the diagnostic says why and nothing goes out."""
    messaging_backend.set_scenario("job-regression")
    monkeypatch.delenv("MESSAGING_ADMIN_CREDENTIALS")
    _, report, _ = triage()
    finding = next(d for d in report["diagnostics"] if d["probe"] == "failed_deliveries")
    assert finding["error"] == "no credential configured (set MESSAGING_ADMIN_CREDENTIALS)"
    monkeypatch.setenv("MESSAGING_ADMIN_CREDENTIALS", "just-a-password")
    _, report, _ = triage()
    finding = next(d for d in report["diagnostics"] if d["probe"] == "failed_deliveries")
    assert finding["error"] == "the credential in MESSAGING_ADMIN_CREDENTIALS is not user:password"
    assert not [r for r in messaging_backend.requests if r.path.startswith("/v1/admin/")]


def test_credentials_never_leak(messaging_backend: SandboxBackend, tmp_path: Path) -> None:
    """The API key, the basic credential and its base64 form reach no stdout, stderr, report or state."""
    secrets = [ADMIN_TOKEN, MESSAGING_CREDENTIALS, base64.b64encode(MESSAGING_CREDENTIALS.encode()).decode()]
    env = {
        "PATH": "",
        "SYSTEMROOT": "",
        "GITHUB_ACTIONS": "false",
        "MESSAGING_URL": messaging_backend.url,
        "MESSAGING_API_KEY": ADMIN_TOKEN,
        "MESSAGING_ADMIN_CREDENTIALS": MESSAGING_CREDENTIALS,
    }
    outputs = []
    for scenario in ("job-regression", "unauthorized", "malformed"):
        messaging_backend.set_scenario(scenario)
        result = finished(
            [
                *(
                    sys.executable,
                    "-m",
                    "ops_actions",
                    "triage",
                    "--playbook",
                    str(MESSAGING_EXAMPLE),
                    "--json",
                ),
                *("--report-dir", str(tmp_path / "r"), "--history-file", str(tmp_path / "s.json")),
            ],
            env=env,
        )
        assert result.returncode == 0, result.stderr
        outputs += [result.stdout, result.stderr]
    outputs += [p.read_text(encoding="utf-8") for p in (tmp_path / "r").glob("*.json")]
    outputs.append((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert len(outputs) == 10
    assert json.loads(outputs[0])["severity"] == "major"
    assert not [secret for secret in secrets for text in outputs if secret in text]
