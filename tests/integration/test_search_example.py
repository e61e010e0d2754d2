"""The search-team example playbook: valid, unlike the seed in every name, and triaged end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ops_actions.sandbox.backend import SandboxBackend
from tests.support.fixtures.backend import ADMIN_TOKEN
from tests.support.fixtures.world import Triage
from tests.support.paths import SEARCH_EXAMPLE
from tests.support.reports import Verdict, fired, outcome

SEARCH_SIGNALS = [
    "search_up",
    "cluster_status",
    "cluster_unassigned_shards",
    "indexer_running",
    "indexer.lag_seconds",
    "indexer.backlog",
    "indexer_commit_age_s",
    "index_errors_15m",
    "index_errors_24h",
]


@pytest.fixture
def triage(
    search_backend: SandboxBackend,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Triage:
    """A triage runner whose URL and token come only from the env vars the example names."""
    environment = {"SEARCH_API_URL": search_backend.url, "SEARCH_STATS_TOKEN": ADMIN_TOKEN}
    return Triage.for_example(tmp_path, capsys, monkeypatch, SEARCH_EXAMPLE, environment)


# -- the playbook itself ----------------------------------------------------------------------


# -- triage against the sandbox's search API --------------------------------------------------


@pytest.mark.parametrize(
    ("scenario", "expected"),
    [
        ("healthy", Verdict(None, [], [])),
        ("db-down", Verdict("P1", ["cluster-red"], ["search-down", "cluster-red"])),
        ("job-regression", Verdict("P2", ["errors"], ["index-errors-high", "index-errors-isolated"])),
        ("unauthorized", Verdict("P2", [], ["stats-unavailable"])),
        ("malformed", Verdict("P2", [], ["stats-unavailable"])),
        ("flaky", Verdict(None, [], [])),
        ("webhook-failing", Verdict(None, [], [])),
    ],
)
def test_each_scenario_gets_the_example_severity_and_branch(
    search_backend: SandboxBackend, triage: Triage, scenario: str, expected: Verdict
) -> None:
    """Each sandbox scenario maps to the example's own severity, branches and fired rules."""
    assert triage.verdict(search_backend, scenario) == expected


def test_cluster_red_fails_on_p1_and_shows_the_cluster(
    search_backend: SandboxBackend, triage: Triage
) -> None:
    """Cluster red exits 5 under --fail-on P2 and the branch fetches the stats' cluster block."""
    search_backend.set_scenario("db-down")
    code, report, text = triage("--fail-on", "P2")
    assert code == 5
    finding = next(d for d in report["diagnostics"] if d["step"] == "show-cluster-state")
    assert finding["value"] == {"status": "red", "nodes": 2, "unassigned_shards": 14}
    assert "Severity: P1" in text


def test_lag_growing_fires_after_its_consecutive_count(
    search_backend: SandboxBackend, triage: Triage
) -> None:
    """Growing lag needs 3 snapshots to be rising and 2 rising runs in a row: P2 only on the 4th run."""
    search_backend.set_scenario("worker-stalled")
    outcomes, severities, lags = [], [], []
    for _ in range(4):
        _, report, _ = triage()
        outcomes.append(outcome(report, "indexer-lag-rising"))
        severities.append(report["severity"])
        lags.append(next(s["value"] for s in report["signals"] if s["name"] == "indexer.lag_seconds"))
    assert lags == [120, 210, 300, 390]
    assert outcomes == ["unknown", "unknown", "pending", "fired"]
    assert severities == [None, None, None, "P2"]
    assert [b["id"] for b in report["branches"]] == ["lag"]
    finding = next(d for d in report["diagnostics"] if d["step"] == "show-indexer-state")
    assert finding["value"]["backlog"] == 1250
    history = json.loads(triage.state.read_text(encoding="utf-8"))["snapshots"]
    assert [snapshot["signals"]["indexer.lag_seconds"] for snapshot in history] == lags


def test_report_signals_carry_the_example_names(search_backend: SandboxBackend, triage: Triage) -> None:
    """A healthy report lists exactly the example's signals, all read, with the search API's values."""
    _, report, text = triage()
    signals = {s["name"]: s for s in report["signals"]}
    assert list(signals) == SEARCH_SIGNALS
    assert all(s["status"] == "ok" for s in signals.values())
    assert signals["cluster_status"]["value"] == "green"
    assert signals["search_up"]["value"] is True
    assert 0 <= signals["indexer_commit_age_s"]["value"] <= 60
    assert [p["id"] for p in report["probes"]] == ["healthz", "stats"]
    assert report["inputs"]["playbook"]["path"] == str(SEARCH_EXAMPLE)
    assert "db_ok" not in text and "ready_ok" not in text


def test_admin_token_comes_from_the_env_var_the_example_names(
    search_backend: SandboxBackend, triage: Triage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SEARCH_STATS_TOKEN authenticates the stats; the action's OPS_BACKEND_ADMIN_TOKEN is the fallback."""
    _, report, _ = triage()
    assert report["severity"] is None
    stats_calls = [r for r in search_backend.requests if r.path == "/internal/stats"]
    assert [r.authorization_present for r in stats_calls] == [True]
    monkeypatch.delenv("SEARCH_STATS_TOKEN")
    monkeypatch.delenv("OPS_BACKEND_ADMIN_TOKEN", raising=False)
    _, report, _ = triage()
    assert fired(report) == ["stats-unavailable"]
    stats = next(p for p in report["probes"] if p["id"] == "stats")
    assert stats["error"] == "no credential configured (set SEARCH_STATS_TOKEN)"
    assert len([r for r in search_backend.requests if r.path == "/internal/stats"]) == 1, "never sent"
    monkeypatch.setenv("OPS_BACKEND_ADMIN_TOKEN", ADMIN_TOKEN)
    _, report, _ = triage()
    assert report["severity"] is None, "the composite action passes its token input this way"


def test_index_errors_are_grouped_by_their_common_cause(
    search_backend: SandboxBackend, triage: Triage
) -> None:
    """The errors branch reads the nested data.errors list and groups it by index and error type."""
    search_backend.set_scenario("job-regression")
    _, report, text = triage()
    finding = next(d for d in report["diagnostics"] if d["probe"] == "index_errors")
    assert finding["count"] == 15
    assert finding["groups"][0] == {
        "key": {"index": "products-v7", "error_type": "mapper_parsing_exception"},
        "count": 12,
    }
    assert "/internal/index-errors?limit=50" in [r.path for r in search_backend.requests]
    assert "Diagnostic errors/list-index-errors: 15 item(s)" in text


def test_injected_faults_hit_the_search_paths(search_backend: SandboxBackend, triage: Triage) -> None:
    """Three 503s on /internal/stats exhaust the retries and leave the cluster state unknown."""
    search_backend.add_fault("/internal/stats", "status", value=503, times=3)
    _, report, _ = triage()
    stats = next(p for p in report["probes"] if p["id"] == "stats")
    assert (stats["attempts"], stats["status_code"]) == (3, 503)
    assert fired(report) == ["stats-unavailable"]
    assert search_backend.pending_faults() == []


def test_slow_stats_time_out_into_the_unknown_rule(
    search_backend: SandboxBackend, triage: Triage, tmp_path: Path
) -> None:
    """Stats slower than their timeout are unknown while /healthz still answers."""
    fast = tmp_path / "fast-search.yaml"
    fast.write_text(
        SEARCH_EXAMPLE.read_text(encoding="utf-8").replace("timeout_s: 6", "timeout_s: 0.3"), "utf-8"
    )
    triage.playbook = fast
    search_backend.set_scenario("slow", slow_delay_s=3.0)
    _, report, _ = triage()
    signals = {s["name"]: s for s in report["signals"]}
    assert signals["search_up"]["value"] is True
    assert "timed out after 0.3 s" in signals["cluster_status"]["reason"]
    assert fired(report) == ["stats-unavailable"]


# -- the sandbox's search API ----------------------------------------------------------------
