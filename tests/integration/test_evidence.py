"""The evidence triage fetched reaches the issue and the report: the failed webhook events and the
dead letters as rows (redacted, escaped, bounded), the seed's names at the report's top level, and
the worker's flags checked where the backend shows them (issue 26, items 3 to 5).

Over the sandbox backend and the GitHub emulator, through the CLI.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from markdown_it import MarkdownIt

from ops_actions.playbook import bundled_playbook_text
from ops_actions.sandbox.backend.reference import HOSTILE_LONG_FIELD_CHARS
from ops_actions.triage.engine import ROW_VALUE_CHARS
from ops_actions.triage.report_file import report_schema
from tests.support.fixtures.backend import ADMIN_TOKEN
from tests.support.fixtures.world import World
from tests.support.playbooks import SEED_CHECKS

LIVE_MENTION = re.compile(r"@(?:everyone|octo-org/everyone)")


def _tables(markdown: str) -> list[list[int]]:
    """Each table a reader sees in the Markdown: how many cells each of its rows has."""
    tables: list[list[int]] = []
    for token in MarkdownIt("commonmark").enable("table").parse(markdown):
        if token.type == "table_open":
            tables.append([])
        elif token.type == "tr_open":
            tables[-1].append(0)
        elif token.type in {"th_open", "td_open"}:
            tables[-1][-1] += 1
    return tables


def _finding(report: dict[str, Any], probe: str) -> dict[str, Any]:
    (finding,) = [d for d in report["diagnostics"] if d["probe"] == probe]
    return dict(finding)


def _report(folder: Path) -> dict[str, Any]:
    (path,) = sorted(folder.glob("incident-triage-*.json"))
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.mark.seed(30, 40)
def test_fetched_rows_reach_the_issue_escaped_and_bounded_and_the_report_in_full(world: World) -> None:
    """A hostile backend's failed webhook events and dead letters (table pipes, backticks, a code fence,
    HTML, @mentions, its own admin token echoed, a 10 kB field): the issue shows every row in a
    collapsed section, one table cell per column whatever the text, nothing live, the token
    redacted, the long value cut; the report keeps every row, redacted, cut at ROW_VALUE_CHARS."""
    world.backend.set_scenario("hostile")
    assert world.watch(0) == 0
    body = world.incident()["body"]
    assert "<details><summary>failed_webhooks: 7 row(s) fetched (branch A, step list-failed-webhooks)" in body
    assert "<details><summary>dead_letters: 15 row(s) fetched (branch C, step list-dead-letters)" in body
    tables = _tables(body)
    assert [4] * 8 in tables, "a header and 7 events, 4 columns each, pipes and fences notwithstanding"
    assert [6] * 16 in tables, "a header and 15 dead letters, 6 columns each"
    assert "evt_1Sbx00000000000000000000" in body and "dl_0015" in body
    assert ADMIN_TOKEN not in body and "Bearer ***" in body
    assert "| bad signature \\| a \\| `table \\| row` \\`\\`\\`  &lt;!-- ops-actions:state" in body
    assert "<img" not in MarkdownIt("commonmark").enable("table").render(body)
    assert not LIVE_MENTION.search(body)
    assert "x" * 200 not in body, "the 10 kB field is cut in the issue"

    report = _report(world.tmp_path / "r")
    webhooks, letters = _finding(report, "failed_webhooks"), _finding(report, "dead_letters")
    assert webhooks["columns"] == ["id", "type", "error", "received_at"]
    assert letters["columns"] == ["id", "job_id", "reason", "provider", "input", "failed_at"]
    assert [row["id"] for row in letters["rows"]] == [f"dl_{n:04d}" for n in range(1, 16)]
    assert {row["input"] for row in letters["rows"]} == {"Bearer ***"}
    long_error = webhooks["rows"][0]["error"]
    assert len(long_error) < ROW_VALUE_CHARS + 40 < HOSTILE_LONG_FIELD_CHARS
    assert long_error.endswith(" characters)") and "cut, 10," in long_error
    assert ADMIN_TOKEN not in json.dumps(report)


@pytest.mark.seed(15)
def test_the_bundled_playbook_saves_the_seeds_artifact_with_its_names_at_the_top_level(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a playbook of its own, triage writes backend/reports/incident-triage-*.json (the seed's
    path), valid against the report's schema, with the seed's names at its top level beside the
    structured list, the same values; a report written before those keys opens an incident still."""
    monkeypatch.chdir(world.tmp_path)
    world.backend.set_scenario("worker-stalled")
    assert world.cli(0, "triage", "--history-file", "s.json") == 0
    (path,) = (world.tmp_path / "backend" / "reports").glob("incident-triage-*.json")
    assert not (world.tmp_path / "reports").exists()
    report = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(report, report_schema())
    structured = {signal["name"]: signal["value"] for signal in report["signals"]}
    for name in SEED_CHECKS:
        assert report[name] == structured[name], name
    assert (report["ready_ok"], report["db_ok"], report["worker_running"]) == (True, True, True)
    assert report["worker_heartbeat_age_s"] == 900 and report["queue_depth.queued"] == 40
    older = {key: value for key, value in report.items() if key not in structured}
    path.write_text(json.dumps(older), encoding="utf-8")
    assert world.cli(1, "incident", "open", "--title", "Queue stuck", "--from-report", str(path)) == 0
    assert "`worker_heartbeat_age_s` | `900`" in world.incident()["body"]


FLAGS_BOX = (
    "- [ ] Confirm the worker feature flags. (`MVP_WORKER_ENABLED=true`, "
    "`LEGACY_QUEUE_WORKER_ENABLED=false`; probe `metrics`)"
)


def _triage(world: World, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[str, dict[str, Any]]:
    """One triage through the CLI: what it printed, and the settings check of its report."""
    folder = world.tmp_path / "t"
    for old in folder.glob("*.json"):
        old.unlink()
    assert world.cli(0, "triage", "--report-dir", str(folder), "--history-file", "t.json", *extra) == 0
    printed = capsys.readouterr().out
    (check,) = [d for d in _report(folder)["diagnostics"] if d["step"] == "check-worker-flags"]
    return printed, check


@pytest.mark.seed(35)
def test_the_worker_flags_the_backend_shows_are_checked_and_a_wrong_one_is_flagged(
    world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Branch B: the reference backend shows `worker.flags`; with the legacy queue worker switched on,
    the terminal, the report and the issue name the flag, the value expected and the value seen,
    while the box stays a person's; with the flags right, both values are shown as expected."""
    monkeypatch.chdir(world.tmp_path)
    world.backend.set_scenario("worker-flags-wrong")
    printed, check = _triage(world, capsys)
    assert "  MISMATCH: LEGACY_QUEUE_WORKER_ENABLED is true, expected false" in printed
    assert check["seen"] == {"MVP_WORKER_ENABLED": "true", "LEGACY_QUEUE_WORKER_ENABLED": "true"}
    assert (check["mismatched"], check["unchecked"]) == (["LEGACY_QUEUE_WORKER_ENABLED"], [])
    assert world.watch(1) == 0
    body = world.incident()["body"]
    assert "  - ⚠️ **MISMATCH: LEGACY_QUEUE_WORKER_ENABLED is true, expected false**" in body
    assert "LEGACY_QUEUE_WORKER_ENABLED=true, expected false (metrics worker.flags)" in body
    assert FLAGS_BOX in body, "the person's box, unticked, with the values expected"

    world.backend.set_scenario("worker-stalled")
    printed, check = _triage(world, capsys)
    assert "MISMATCH" not in printed
    assert (
        "Diagnostic B/check-worker-flags: MVP_WORKER_ENABLED=true as expected; "
        "LEGACY_QUEUE_WORKER_ENABLED=false as expected (metrics worker.flags)"
    ) in printed
    assert check["mismatched"] == []


@pytest.mark.seed(35)
def test_flags_the_backend_does_not_show_stay_a_manual_check_with_the_values_expected(
    world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backend without the field the step names (absent: not shown, never an error): triage exits 0,
    says which values to confirm by hand, and the issue's box lists them, unticked."""
    monkeypatch.chdir(world.tmp_path)
    text = bundled_playbook_text()
    assert "        field: worker.flags\n" in text
    playbook = world.tmp_path / "playbook.yaml"
    playbook.write_text(text.replace("field: worker.flags\n", "field: worker.settings\n"), encoding="utf-8")
    world.backend.set_scenario("worker-stalled")
    printed, check = _triage(world, capsys)
    assert (
        "Diagnostic B/check-worker-flags: MVP_WORKER_ENABLED: not shown, check by hand that it is true; "
        "LEGACY_QUEUE_WORKER_ENABLED: not shown, check by hand that it is false "
        "(metrics worker.settings shows none)"
    ) in printed
    assert "error" not in check and check["unchecked"] == [
        "MVP_WORKER_ENABLED",
        "LEGACY_QUEUE_WORKER_ENABLED",
    ]
    assert world.watch(1) == 0
    body = world.incident()["body"]
    assert FLAGS_BOX in body and "MISMATCH" not in body
    assert "check by hand that it is false" in body
