"""How triage reads answers: JMESPath queries, formats, auth styles, the answer's facts, prefetch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ops_actions.incident.triage_report import ProbeResult
from ops_actions.playbook import bundled_playbook_text, parse_playbook
from ops_actions.playbook.model import Probe
from ops_actions.sandbox.backend import SandboxBackend
from ops_actions.triage.engine import triage as run_triage
from ops_actions.triage.probes import run_probes
from tests.support.fixtures.backend import ADMIN_TOKEN
from tests.support.fixtures.world import Triage
from tests.support.reports import fired, readings

METRICS_SIGNALS = "      - {name: metrics_latency_ms, source: latency_ms}\n"
READY_SIGNALS = "      - name: ready_ok\n        source: status_ok\n"
RULES_END = "  - id: ops-metrics-unavailable\n"


def variant(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    """The bundled playbook with some text replaced (each original must occur once)."""
    text = bundled_playbook_text()
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "variant.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# -- queries ----------------------------------------------------------------------------------


def test_more_query_forms_read_the_metrics_over_http(
    backend: SandboxBackend, triage: Triage, tmp_path: Path
) -> None:
    """keys/values/sum, boolean logic, a missing field and a function given null: each read or explained."""
    extra = (
        "      - {name: worker_fields, field: 'length(keys(worker))', type: count}\n"
        "      - {name: queue_total, field: 'sum(values(queue_depth))', type: number}\n"
        "      - {name: worker_state, field: \"worker.running && 'up' || 'down'\", type: text}\n"
        "      - {name: backlog, field: queue_depth.backlog, type: count}\n"
        "      - {name: backlog_size, field: 'length(queue_depth.backlog)', type: count}\n"
    )
    _, report, _ = triage(playbook=variant(tmp_path, (METRICS_SIGNALS, METRICS_SIGNALS + extra)))
    read = readings(report)
    assert (read["worker_fields"]["value"], read["queue_total"]["value"]) == (3, 4)
    assert read["worker_state"]["value"] == "up"
    assert read["backlog"]["status"] == "unknown"
    assert read["backlog"]["reason"] == "probe metrics: field queue_depth.backlog finds nothing"
    assert read["backlog_size"]["status"] == "unknown"
    assert "query length(queue_depth.backlog): In function length()" in read["backlog_size"]["reason"]
    assert read["db_ok"]["value"] is True, "the dotted paths read as before"


# -- formats ----------------------------------------------------------------------------------


# -- auth styles ------------------------------------------------------------------------------


def test_a_bearer_token_from_another_variable(
    backend: SandboxBackend, triage: Triage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """auth: {kind: bearer, env: NAME} reads that variable only."""
    monkeypatch.delenv("OPS_BACKEND_ADMIN_TOKEN")
    monkeypatch.setenv("OPS_METRICS_TOKEN", ADMIN_TOKEN)
    path = variant(
        tmp_path,
        (
            "    path: /api/ops/metrics\n    auth: admin\n",
            "    path: /api/ops/metrics\n    auth: {kind: bearer, env: OPS_METRICS_TOKEN}\n",
        ),
    )
    _, report, _ = triage(playbook=path)
    assert readings(report)["db_ok"]["value"] is True


@pytest.mark.parametrize(
    ("auth", "sent"),
    [
        ("{kind: header, header: X-API-Key}", (False, True)),
        ("{kind: none}", (False, False)),
        ("none", (False, False)),
    ],
)
def test_the_wrong_auth_style_is_a_401_with_a_reason(
    backend: SandboxBackend, triage: Triage, tmp_path: Path, auth: str, sent: tuple[bool, bool]
) -> None:
    """The reference API wants a Bearer token: an X-API-Key header or no credential gets 401, explained."""
    path = variant(
        tmp_path,
        ("    path: /api/ops/metrics\n    auth: admin\n", f"    path: /api/ops/metrics\n    auth: {auth}\n"),
    )
    _, report, _ = triage(playbook=path)
    assert (
        readings(report)["db_ok"]["reason"]
        == "probe metrics: HTTP 401 unauthorized (check the probe's credential)"
    )
    metrics = [r for r in backend.requests if r.path == "/api/ops/metrics"][-1]
    assert (metrics.authorization_present, metrics.api_key_present) == sent


def test_a_credential_with_a_line_break_is_never_sent(
    backend: SandboxBackend, triage: Triage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A token that would smuggle a header is refused before any request."""
    monkeypatch.setenv("OPS_BACKEND_ADMIN_TOKEN", ADMIN_TOKEN + "\r\nX-Evil: 1")
    _, report, _ = triage()
    assert (
        readings(report)["db_ok"]["reason"]
        == "probe metrics: the credential in OPS_BACKEND_ADMIN_TOKEN holds a line break or NUL"
    )
    assert not [r for r in backend.requests if r.path.startswith("/api/ops/")]


# -- the answer's facts -----------------------------------------------------------------------


def test_status_code_and_latency_are_signals_and_rising_works_on_them(
    backend: SandboxBackend, triage: Triage, tmp_path: Path
) -> None:
    """A slowing /api/ready fires rising(latency, 3) on the third run; a 503 is a known status code."""
    facts = (
        READY_SIGNALS
        + "      - {name: ready_status, source: status_code}\n      - {name: ready_ms, source: latency_ms}\n"
    )
    rules = (
        "  - {id: ready-slowing, when: 'rising(ready_ms, 3)', severity: SEV-3, summary: Ready slows down.}\n"
        "  - {id: ready-5xx, when: ready_status >= 500, severity: SEV-2, summary: Ready answers 5xx.}\n"
    )
    path = variant(tmp_path, (READY_SIGNALS, facts), (RULES_END, rules + RULES_END))
    outcomes, latencies = [], []
    for delay in (0.05, 0.25, 0.5):
        backend.add_fault("/api/ready", "delay", value=delay)
        _, report, _ = triage(playbook=path)
        outcomes.append(next(r["outcome"] for r in report["rules"] if r["id"] == "ready-slowing"))
        latencies.append(readings(report)["ready_ms"]["value"])
    assert outcomes == ["unknown", "unknown", "fired"]
    assert latencies == sorted(latencies) and latencies[0] >= 50
    assert readings(report)["ready_status"]["value"] == 200
    backend.add_fault("/api/ready", "status", value=503, times=3)
    _, report, _ = triage(playbook=path)
    assert readings(report)["ready_status"]["value"] == 503
    assert "ready-5xx" in fired(report)
    backend.add_fault("/api/ready", "reset", times=3)
    _, report, _ = triage(playbook=path)
    assert readings(report)["ready_status"]["status"] == readings(report)["ready_ms"]["status"] == "unknown"


def test_the_seed_delay_rule_reads_the_metrics_latency(
    backend: SandboxBackend, triage: Triage, tmp_path: Path
) -> None:
    """ops-api-slow (the seed's SEV-2 'delays') fires on a slow metrics answer, not on a fast one."""
    path = variant(tmp_path, ("metrics_latency_ms > 3000", "metrics_latency_ms > 300"))
    _, report, _ = triage(playbook=path)
    assert report["severity"] is None
    backend.add_fault("/api/ops/metrics", "delay", value=0.4)
    _, report, _ = triage(playbook=path)
    assert (report["severity"], fired(report)) == ("SEV-2", ["ops-api-slow"])


# -- prefetch (one round trip) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefetch", "rounds"),
    [
        (True, [["ready", "metrics", "payments_canary", "jobs_canary", "failed_webhooks", "dead_letters"]]),
        (False, [["ready", "metrics", "payments_canary", "jobs_canary"], ["failed_webhooks"]]),
    ],
)
def test_prefetched_diagnostics_ride_in_the_first_round(
    backend: SandboxBackend, prefetch: bool, rounds: list[list[str]]
) -> None:
    """Branch A's list comes with the main probes when prefetched; an unused prefetch leaves the report."""
    text = bundled_playbook_text()
    if not prefetch:
        text = text.replace("    prefetch: true\n", "")
    playbook = parse_playbook(text, source="prefetch")
    backend.set_scenario("webhook-failing")
    batches: list[list[str]] = []

    def send(batch: Sequence[Probe]) -> list[ProbeResult]:
        batches.append([probe.id for probe in batch])
        credentials = {"OPS_BACKEND_ADMIN_TOKEN": ADMIN_TOKEN}
        return run_probes(
            batch, base_url=backend.url, credentials=credentials, concurrency=playbook.probe_concurrency
        )

    report = run_triage(
        playbook,
        send=send,
        clock=lambda: datetime.now(UTC),
        history=[],
        backend_url=backend.url,
        playbook_path="prefetch",
        playbook_sha256="0" * 64,
    )
    assert batches == rounds
    assert [r.probe_id for r in report.probes] == [
        "ready",
        "metrics",
        "payments_canary",
        "jobs_canary",
        "failed_webhooks",
    ]
    assert report.diagnostics[0]["count"] == 7


# -- how many at once -------------------------------------------------------------------------


def sleepers(count: int) -> str:
    """``count`` probes of the sandbox's sleep route, put before the bundled playbook's own."""
    return "".join(
        f"  - id: sleep{i}\n    path: /_sandbox/sleep?ms=500\n    signals:\n"
        f"      - {{name: sleep{i}_ok, source: status_ok}}\n"
        for i in range(count)
    )


@pytest.mark.parametrize(("setting", "most"), [("  max_concurrent_probes: 4\n", 4), ("", 16)])
def test_probes_run_at_most_the_playbooks_number_at_once(
    backend: SandboxBackend, triage: Triage, tmp_path: Path, setting: str, most: int
) -> None:
    """40 slow probes: never more in flight than triage.max_concurrent_probes (default 16); all answer."""
    playbook = variant(
        tmp_path,
        ("probes:\n", "probes:\n" + sleepers(40)),
        ("  report_dir: reports\n", "  report_dir: reports\n" + setting),
    )
    _, report, output = triage(playbook=playbook)
    read = readings(report)
    assert [read[f"sleep{i}_ok"]["value"] for i in range(40)] == [True] * 40, output
    assert 1 < backend.most_waiting <= most
    assert backend.waits.count(0.5) == 40
