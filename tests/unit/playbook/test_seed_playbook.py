"""The bundled playbook encodes every section of the seed playbook."""

from __future__ import annotations

import json

import jsonschema
import pytest

from ops_actions.cli import run
from ops_actions.playbook import Playbook, bundled_playbook_text, load_playbook, schema
from ops_actions.playbook.model import Auth
from ops_actions.playbook.runbook import render_runbook
from ops_actions.text.template import placeholders
from tests.support.paths import REPO_ROOT
from tests.support.playbooks import signal_names

SEED_SIGNALS = (
    "ready_ok",
    "db_ok",
    "worker_running",
    "queue_depth.queued",
    "webhook_failed_last_hour",
    "jobs_failed_last_hour",
    "dead_letters_last_24h",
)


@pytest.fixture(scope="module")
def seed() -> Playbook:
    """The bundled playbook, loaded and validated."""
    return load_playbook(None)


@pytest.mark.seed(1, 3, 4)
def test_scope_names_the_seed_components(seed: Playbook) -> None:
    """The seed's title; scope lists auth, billing, jobs, worker and the Stripe webhook."""
    assert seed.name == "Incident Response Playbook (MVP)"
    assert seed.components == ("auth", "billing", "jobs", "worker", "stripe webhook")


@pytest.mark.seed(6)
def test_severities_and_policies(seed: Playbook) -> None:
    """SEV-1/2/3 exist in order with definitions; only SEV-1 demands an immediate status update."""
    assert [s.id for s in seed.severities] == ["SEV-1", "SEV-2", "SEV-3"]
    assert "payments" in seed.severity("SEV-1").definition
    assert "queue" in seed.severity("SEV-2").definition
    assert "revenue" in seed.severity("SEV-3").definition
    assert [s.policy.immediate_status_update for s in seed.severities] == [True, False, False]
    assert seed.statuses == ("investigating", "mitigating", "resolved")


@pytest.mark.seed(11, 12, 13, 15, 16)
def test_first_ten_minutes(seed: Playbook) -> None:
    """Confirm and open, run triage, check every seed signal, assign owner and severity, SEV-1 update."""
    steps = {step.id: step for step in seed.first_10_minutes}
    assert list(steps) == [
        "confirm-and-open",
        "run-triage",
        "check-signals",
        "assign-owner-and-severity",
        "sev1-status-update",
    ]
    assert steps["run-triage"].kind == "triage"
    assert seed.report_dir == "backend/reports", "the seed's backend/reports/incident-triage-*.json"
    assert "`backend/reports/incident-triage-<UTC time>.json`" in render_runbook(seed)
    assert set(SEED_SIGNALS) <= set(steps["check-signals"].signals)
    assert "worker_heartbeat_age_s" in steps["check-signals"].signals
    assert steps["sev1-status-update"].only_for == ("SEV-1",)


@pytest.mark.seed(14, 17, 18, 19, 20, 21, 22, 23)
def test_every_seed_signal_is_read_by_a_probe(seed: Playbook) -> None:
    """Each signal the seed names is read, with the admin token taken from an env var by name."""
    assert set(SEED_SIGNALS) | {"worker_heartbeat_age_s", "worker.recovered_last_summary"} <= set(
        signal_names(seed)
    )
    assert seed.admin_token_env == "OPS_BACKEND_ADMIN_TOKEN"
    assert seed.probe("ready").auth == Auth("none")
    assert seed.probe("metrics").path == "/api/ops/metrics"
    assert seed.probe("metrics").auth == Auth("bearer", env="OPS_BACKEND_ADMIN_TOKEN"), "auth: admin"
    assert seed.probe("failed_webhooks").path == "/api/ops/webhook-events?status=failed"
    assert [q.source for q in seed.probe("dead_letters").group_by] == ["reason", "provider", "input"]
    assert all(probe.timeout_s > 0 for probe in seed.probes)


@pytest.mark.seed(27, 28, 29, 31, 34, 35, 46)
def test_decision_tree_branches(seed: Playbook) -> None:
    """Branches A-D carry the seed's steps, kinds and parameters."""
    assert [b.id for b in seed.decision_tree] == ["A", "B", "C", "D"]
    a, b, c, d = seed.decision_tree
    assert a.condition.signals == {"webhook_failed_last_hour"}
    assert [s.kind for s in a.steps] == ["check", "fetch", "check"]
    assert "STRIPE_WEBHOOK_SECRET" in a.steps[0].text
    assert {"queue_depth.queued", "worker_running"} <= b.condition.signals
    assert [s.kind for s in b.steps] == ["check", "check", "fetch", "dispatch", "monitor"]
    assert dict(b.steps[1].expect_env) == {
        "MVP_WORKER_ENABLED": "true",
        "LEGACY_QUEUE_WORKER_ENABLED": "false",
    }
    assert str(b.steps[2].field) == "worker.recovered_last_summary"
    assert seed.workflows[b.steps[3].workflow or ""].name == "Backend Deploy"
    assert b.steps[4].minutes is not None
    assert (b.steps[4].minutes.min, b.steps[4].minutes.max) == (10, 15)
    assert {"jobs_failed_last_hour", "dead_letters_last_24h"} <= c.condition.signals
    assert [s.kind for s in c.steps] == ["fetch", "check", "dispatch", "hotfix-branch"]
    assert c.steps[2].workflow == "rollback"
    assert d.condition.signals == {"db_ok"}
    assert [s.kind for s in d.steps] == ["check", "check", "freeze-deploys"]


@pytest.mark.seed(45)
def test_rules_map_signals_to_severity_and_branches(seed: Playbook) -> None:
    """db_ok=false is SEV-1 in branch D; an unreachable ready probe is SEV-1; each branch has a rule."""
    rules = {rule.id: rule for rule in seed.rules}
    assert rules["database-down"].severity == "SEV-1"
    assert rules["database-down"].branch == "D"
    assert "ready_ok is unknown" in rules["backend-not-ready"].when.source
    assert rules["backend-not-ready"].severity == "SEV-1"
    assert {rule.branch for rule in seed.rules} >= {"A", "B", "C", "D"}
    assert rules["queue-growing"].consecutive == 2


@pytest.mark.seed(6, 9)
def test_the_seed_severity_map(seed: Playbook) -> None:
    """SEV-1: the canaries (payments, job creation), readiness, the database; SEV-2: isolated webhook
    or job errors and delays; SEV-3 by a person. Readiness and unreadable metrics are flap-controlled;
    webhooks and the payments canary are one cause, the backend's availability another."""
    rules = {rule.id: rule for rule in seed.rules}
    sev1 = {rule.id for rule in seed.rules if rule.severity == "SEV-1"}
    assert sev1 == {"backend-not-ready", "database-down", "payments-not-accepted", "job-creation-unavailable"}
    assert rules["job-failures-isolated"].severity == rules["webhooks-failing"].severity == "SEV-2"
    assert rules["ops-api-slow"].when.signals == {"ready_latency_ms", "metrics_latency_ms"}
    assert not any(rule.severity == "SEV-3" for rule in seed.rules)
    assert [c.id for c in seed.manual_checks if "SEV-3" in c.severities] == ["low-impact-no-revenue-lost"]
    assert seed.flap_control.rules == ("backend-not-ready", "ops-metrics-unavailable")
    assert (rules["backend-not-ready"].consecutive, rules["backend-not-ready"].alert_confirms) == (2, True)
    assert rules["webhooks-failing"].cause == rules["payments-not-accepted"].cause == "payments"
    assert {rules[r].cause for r in ("backend-not-ready", "database-down", "ops-metrics-unavailable")} == {
        "backend"
    }
    assert rules["worker-stopped"].cause == "B", "the default cause is the branch"
    assert seed.probe("jobs_canary").method == "POST" and seed.probe("jobs_canary").body
    assert (seed.severity_policy.raise_with_triage, seed.severity_policy.propose_lower_after_minutes) == (
        True,
        30,
    )


@pytest.mark.seed(49, 50)
def test_communication_template(seed: Playbook) -> None:
    """The status update template has the seed's fields in order."""
    assert placeholders(seed.communication_template) == [
        "severity",
        "timestamp",
        "title",
        "impact",
        "status",
        "next_update_minutes",
    ]


@pytest.mark.seed(52)
def test_resolution_checklist(seed: Playbook) -> None:
    """Metrics normal 15 min and Live Smoke are automatic; three manual checks; close and record."""
    items = {item.id: item for item in seed.resolution_checklist}
    assert items["metrics-normal"].minutes == 15
    assert items["metrics-normal"].automatic
    assert seed.workflows[items["live-smoke"].workflow or ""].name == "Backend Live Smoke"
    manual = [item for item in seed.resolution_checklist if item.verify == "manual"]
    assert len(manual) == 3
    assert not any(item.automatic for item in manual)
    assert items["close-and-record-timeline"].verify == "on-close"


@pytest.mark.seed(61, 62, 63, 64, 65)
def test_postmortem_template(seed: Playbook) -> None:
    """Due within 24 h; root cause, detection, escalation, preventive actions with owner and deadline."""
    assert seed.postmortem.due_hours == 24
    sections = {s.id: s for s in seed.postmortem.sections}
    # The seed's four sections, and the summary the status page publishes (step 5: customers).
    assert list(sections) == [
        "root-cause",
        "detection",
        "escalation",
        "customer-summary",
        "preventive-actions",
    ]
    assert "in time" in sections["detection"].prompt
    assert sections["preventive-actions"].action_items
    assert "@owner" in sections["preventive-actions"].prompt


def test_status_page_publishes_status_updates_the_resolution_and_the_customer_summary(seed: Playbook) -> None:
    """Seed step 5 (a SEV-1 status update to customers at once): the page shows what customers may read."""
    assert seed.status_page is not None
    assert seed.status_page.public_events == ("status", "resolved")
    assert seed.status_page.outage_severities == ("SEV-1",)
    assert seed.status_page.postmortem_section == "customer-summary"


def test_the_playbook_points_editors_at_the_schema() -> None:
    """The first line is a yaml-language-server comment naming the package's schema, relative to the
    repository root where this repository's playbook.yaml is."""
    first = bundled_playbook_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=ops_actions/playbook/schema.json"
    assert (REPO_ROOT / first.partition("$schema=")[2]).is_file()


def test_schema_command_prints_the_shipped_schema(capsys: pytest.CaptureFixture[str]) -> None:
    """`playbook schema` prints a valid JSON Schema equal to the shipped one."""
    assert run(["playbook", "schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == schema()
    jsonschema.Draft202012Validator.check_schema(printed)


@pytest.mark.seed(7, 9)
def test_render_is_a_runbook(seed: Playbook, capsys: pytest.CaptureFixture[str]) -> None:
    """The runbook has the severity table, decision tree, template, checklist and postmortem."""
    assert run(["playbook", "render"]) == 0
    markdown = capsys.readouterr().out
    assert markdown == render_runbook(seed)
    for heading in (
        "## Severities",
        "## First 10 minutes",
        "## Decision tree",
        "### A) Stripe webhooks failing",
        "### D) Database down",
        "## Communication template",
        "## Resolution checklist",
        "## Postmortem (within 24 h)",
    ):
        assert heading in markdown
    assert "| SEV-1 |" in markdown
    assert "- [ ] Backend Live Smoke passed. _(verified automatically)_" in markdown
    sev3 = next(line for line in markdown.splitlines() if line.startswith("| SEV-3 |"))
    assert "a person (the Open incident button, `/sev`); judge: _low-impact-no-revenue-lost_" in sev3
    assert "## How an open incident follows triage" in markdown
    assert (
        "- **Flap control**: `backend-not-ready`, `ops-metrics-unavailable` open an incident only after 2"
        in markdown
    )
    assert "## Judge by hand (triage cannot measure these)" in markdown
    assert "- **job-creation-most-users** (SEV-1): Is job creation unavailable for most users?" in markdown


def test_validate_accepts_the_bundled_playbook(capsys: pytest.CaptureFixture[str]) -> None:
    """The bundled playbook validates with exit 0."""
    assert run(["playbook", "validate"]) == 0
    assert "valid (6 probes" in capsys.readouterr().out
