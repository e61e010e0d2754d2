"""The search-team example playbook: valid, unlike the seed in every name, and triaged end to end."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ops_actions.cli import run
from ops_actions.playbook import Playbook, load_playbook
from ops_actions.sandbox.backend import SandboxBackend, serve
from tests.support.fixtures.backend import ADMIN_TOKEN
from tests.support.fixtures.world import Triage
from tests.support.paths import BUNDLED_PLAYBOOK, PACKAGE, SEARCH_EXAMPLE
from tests.support.playbooks import signal_names
from tests.support.reports import fired, outcome

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


@pytest.fixture(scope="module")
def example() -> Playbook:
    """The search-team example, loaded and validated."""
    return load_playbook(SEARCH_EXAMPLE)


@pytest.fixture(scope="module")
def seed() -> Playbook:
    """The bundled (seed) playbook."""
    return load_playbook(BUNDLED_PLAYBOOK)


@pytest.fixture
def search_backend() -> Iterator[SandboxBackend]:
    """A started sandbox playing the search API, healthy, on a free port."""
    with SandboxBackend(api="search", admin_token=ADMIN_TOKEN) as server:
        yield server


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


def test_example_validates_with_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    """`ops-actions playbook validate` accepts the example and counts its probes, rules and branches."""
    assert run(["playbook", "validate", str(SEARCH_EXAMPLE)]) == 0
    assert "valid (3 probes, 10 rules, 3 branches)" in capsys.readouterr().out


def test_example_points_editors_at_the_package_schema() -> None:
    """The first line's $schema path, taken relative to the example, is the package's schema file."""
    first = SEARCH_EXAMPLE.read_text(encoding="utf-8").splitlines()[0]
    prefix = "# yaml-language-server: $schema="
    assert first.startswith(prefix)
    target = (SEARCH_EXAMPLE.parent / first.removeprefix(prefix)).resolve()
    assert target == PACKAGE / "playbook" / "schema.json"


def test_example_shares_no_names_with_the_seed(example: Playbook, seed: Playbook) -> None:
    """Severities, labels, signals, probe paths, rules, branches, workflows and env vars all differ."""

    def disjoint(ours: object, theirs: object) -> None:
        assert isinstance(ours, set | frozenset) and isinstance(theirs, set | frozenset)
        assert ours and theirs and not ours & theirs, ours & theirs

    disjoint({s.id for s in example.severities}, {s.id for s in seed.severities})
    disjoint({s.label for s in example.severities}, {s.label for s in seed.severities})
    disjoint(set(signal_names(example)), set(signal_names(seed)))
    disjoint({p.path for p in example.probes}, {p.path for p in seed.probes})
    disjoint({p.id for p in example.probes}, {p.id for p in seed.probes})
    disjoint({r.id for r in example.rules}, {r.id for r in seed.rules})
    disjoint({b.id for b in example.decision_tree}, {b.id for b in seed.decision_tree})
    disjoint({b.title for b in example.decision_tree}, {b.title for b in seed.decision_tree})
    disjoint({w.file for w in example.workflows.values()}, {w.file for w in seed.workflows.values()})
    disjoint({c.id for c in example.resolution_checklist}, {c.id for c in seed.resolution_checklist})
    disjoint({s.id for s in example.postmortem.sections}, {s.id for s in seed.postmortem.sections})
    assert set(example.workflows) == set(seed.workflows) == {"deploy", "rollback", "smoke"}
    assert (example.url_env, example.admin_token_env) == ("SEARCH_API_URL", "SEARCH_STATS_TOKEN")
    assert {example.url_env, example.admin_token_env}.isdisjoint({seed.url_env, seed.admin_token_env})
    assert example.statuses != seed.statuses
    assert example.communication_template != seed.communication_template
    assert len(example.severities) != len(seed.severities)


def test_example_uses_the_whole_condition_language(example: Playbook) -> None:
    """The example has an `is unknown` rule, a consecutive `rising(...)` rule and a text comparison."""
    sources = {rule.id: rule.when.source for rule in example.rules}
    assert "is unknown" in sources["stats-unavailable"]
    trend = next(rule for rule in example.rules if rule.id == "indexer-lag-rising")
    assert trend.when.rising == frozenset({"indexer.lag_seconds"})
    assert trend.consecutive == 2
    assert sources["cluster-red"] == 'cluster_status == "red"'
    assert str(example.probe("index_errors").list_field) == "data.errors"


# -- triage against the sandbox's search API --------------------------------------------------


@pytest.mark.parametrize(
    ("scenario", "severity", "branches", "rules"),
    [
        ("healthy", None, [], []),
        ("db-down", "P1", ["cluster-red"], ["search-down", "cluster-red"]),
        ("job-regression", "P2", ["errors"], ["index-errors-high", "index-errors-isolated"]),
        ("unauthorized", "P2", [], ["stats-unavailable"]),
        ("malformed", "P2", [], ["stats-unavailable"]),
        ("flaky", None, [], []),
        ("webhook-failing", None, [], []),
    ],
)
def test_each_scenario_gets_the_example_severity_and_branch(
    search_backend: SandboxBackend,
    triage: Triage,
    scenario: str,
    severity: str | None,
    branches: list[str],
    rules: list[str],
) -> None:
    """Each sandbox scenario maps to the example's own severity, branches and fired rules."""
    search_backend.set_scenario(scenario)
    code, report, _ = triage()
    assert code == 0
    assert report["severity"] == severity
    assert [b["id"] for b in report["branches"]] == branches
    assert fired(report) == rules


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


def test_search_api_serves_only_its_own_routes(search_backend: SandboxBackend) -> None:
    """The search flavour answers /healthz and /internal/* behind the admin token, not /api/*."""
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with httpx.Client(base_url=search_backend.url, timeout=5.0) as http:
        assert http.get("/healthz").json() == {"status": "green"}
        assert http.get("/internal/stats").status_code == 401
        assert http.get("/internal/stats", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert http.get("/internal/stats", headers=auth).json()["cluster"]["status"] == "green"
        assert http.get("/internal/nope").status_code == 401
        assert http.get("/internal/nope", headers=auth).status_code == 404
        assert http.post("/internal/stats", headers=auth).status_code == 405
        assert http.get("/internal/index-errors?limit=0", headers=auth).status_code == 400
        assert http.get("/api/ready").status_code == 404
        assert http.get("/api/ops/metrics", headers=auth).status_code == 404
    assert search_backend.api == "search"


def test_reference_api_is_unchanged_by_default(backend: SandboxBackend) -> None:
    """Without api=..., the sandbox plays the reference API and knows nothing of /healthz."""
    assert backend.api == "reference"
    with httpx.Client(base_url=backend.url, timeout=5.0) as http:
        assert http.get("/healthz").status_code == 404
        assert http.get("/internal/stats").status_code == 404
        assert http.get("/api/ready").status_code == 200


def test_unknown_api_is_rejected() -> None:
    """An API name outside APIS is a ValueError naming it."""
    with pytest.raises(ValueError, match="elastic"):
        SandboxBackend(api="elastic", admin_token=ADMIN_TOKEN)


def test_serve_plays_the_search_api() -> None:
    """serve(api="search") serves the search flavour in the chosen scenario until interrupted."""
    seen: dict[str, Any] = {}

    def on_ready(url: str) -> None:
        with httpx.Client(timeout=5.0) as http:
            response = http.get(f"{url}/healthz")
        seen["answer"] = (response.status_code, response.json())
        raise KeyboardInterrupt

    serve(
        host="127.0.0.1", port=0, scenario="db-down", admin_token=ADMIN_TOKEN, on_ready=on_ready, api="search"
    )
    assert seen["answer"] == (503, {"status": "red"})
