"""Rehearsal scenarios (ops_actions/rehearsal/scenario.py): the schema takes every scenario the package
ships, names exactly what the sandbox can play, and a malformed scenario is one positioned line, exit 2,
before anything is started."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from ops_actions.errors import ExitCode, OpsError
from ops_actions.playbook import bundled_playbook_text, parse_playbook
from ops_actions.rehearsal.scenario import read_scenario, scenario_files, scenario_schema
from ops_actions.sandbox.backend.faults import FAULT_KINDS
from ops_actions.sandbox.catalog import SCENARIOS
from tests.support.paths import PACKAGE

SHIPPED = sorted((PACKAGE / "scenarios").glob("*.yaml"))
PLAYBOOK = parse_playbook(bundled_playbook_text(), source="playbook.yaml")
GOOD = """\
name: a small rehearsal
minutes: 20
timeline:
  - {at: 5, backend: db-down}
expect:
  - incidents: 1
"""


def test_the_package_ships_the_seeds_four_branches_a_flap_and_a_failed_deploy() -> None:
    assert [path.stem for path in SHIPPED] == [
        "branch-a-webhooks-failing",
        "branch-b-worker-stalled",
        "branch-c-job-regression",
        "branch-d-database-down",
        "failed-deploy",
        "flapping-backend",
    ]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.stem)
def test_the_schema_accepts_every_shipped_scenario(path: Path) -> None:
    """The file validates against the shipped schema as an editor reads it, and against the bundled
    playbook (every workflow, checklist item, target, branch and signal it names is there)."""
    jsonschema.Draft202012Validator(scenario_schema()).validate(
        yaml.safe_load(path.read_text(encoding="utf-8"))
    )
    scenario = read_scenario(path, PLAYBOOK)
    assert scenario.expect and scenario.timeline
    assert path.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../rehearsal/scenario.schema.json\n"
    )


def test_the_schema_names_exactly_what_the_sandbox_plays() -> None:
    step = scenario_schema()["$defs"]["step"]["properties"]
    assert step["backend"]["enum"] == list(SCENARIOS)
    assert step["fault"]["properties"]["kind"]["enum"] == list(FAULT_KINDS)


BROKEN = [
    ("", "1:1: the playbook is empty"),
    ("name: x\nminutes: 5\ntimeline: [\n", "YAML syntax error"),
    (GOOD.replace("minutes: 20", "minutes: 0"), "2:10: 0 is less than the minimum of 1 (at minutes)"),
    (
        GOOD + "  - incidentz: 1\n",
        "7:5: unknown key 'incidentz'; did you mean 'incident'? (at expect.1.incidentz)",
    ),
    (GOOD + "  - {severity: SEV-1}\n", "'at' is a dependency of 'severity' (at expect.1)"),
    (
        GOOD + "  - {incidents: 1, says: x}\n",
        "an expectation needs exactly one of: incidents, severity with at",
    ),
    (
        GOOD.replace("backend: db-down", "comment: /resolve"),
        "'by' is a dependency of 'comment' (at timeline.0)",
    ),
    (
        GOOD.replace("backend: db-down}", "backend: db-down, comment: /sev 1, by: alice}"),
        "4:5: a timeline entry needs exactly one of: backend, signals",
    ),
    (GOOD.replace("backend: db-down", "backend: on-fire"), "4:22: 'on-fire' is not one of"),
    (
        GOOD + "  - {severity: SEV-9, at: 5}\n",
        "7:16: unknown severity 'SEV-9'; the playbook has SEV-1, SEV-2, SEV-3",
    ),
    (GOOD + "  - branches: [E]\n", "the playbook has no branch 'E' (at expect.1.branches)"),
    (GOOD + "  - dispatches: {workflow: restart, count: 1}\n", "the playbook has no workflow 'restart'"),
    (
        GOOD + "  - notifications: {target: pager, count: 1}\n",
        "the playbook has no notification target 'pager'",
    ),
    (
        GOOD.replace("backend: db-down", "by: alice, tick: live-smoke"),
        "'live-smoke' is not a manual item of the resolution checklist",
    ),
    (GOOD.replace("backend: db-down", "workflow: restart, outcome: failure"), "the playbook has no workflow"),
    (
        GOOD.replace("backend: db-down", "signals: {ready_ok: false}"),
        "'ready_ok' is not a signal the playbook reads from a JSON field (at timeline.0.signals.ready_ok)",
    ),
    (GOOD + "service: api\n", "the playbook has no service 'api'"),
    (GOOD.replace("at: 5", "at: 25"), "4:10: minute 25 is after the end (minutes: 20) (at timeline.0.at)"),
    (GOOD + "  - {open: true, at: 21}\n", "minute 21 is after the end (minutes: 20) (at expect.1.at)"),
]


@pytest.mark.parametrize(("text", "reason"), BROKEN, ids=[reason[:40] for _, reason in BROKEN])
def test_a_malformed_scenario_is_one_positioned_line_exit_2(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(OpsError) as raised:
        read_scenario(path, PLAYBOOK)
    assert raised.value.exit_code == ExitCode.USAGE
    message = raised.value.message
    assert "\n" not in message
    assert re.match(rf"^{re.escape(str(path))}(:\d+:\d+)?: ", message), message
    assert reason in message


def test_a_folder_is_its_scenario_files_in_order_and_a_missing_path_is_refused(tmp_path: Path) -> None:
    for name in ("b.yaml", "a.yml", "notes.md"):
        (tmp_path / name).write_text(GOOD, encoding="utf-8")
    assert scenario_files([tmp_path, tmp_path / "b.yaml"]) == [
        tmp_path / "a.yml",
        tmp_path / "b.yaml",
        tmp_path / "b.yaml",
    ]
    for missing, reason in (
        (tmp_path / "gone.yaml", "no such scenario file"),
        (tmp_path / "empty", "no scenario"),
    ):
        if missing.suffix == "":
            missing.mkdir()
        with pytest.raises(OpsError, match=reason) as raised:
            scenario_files([missing])
        assert raised.value.exit_code == ExitCode.USAGE


def test_expectations_without_a_name_get_one_that_says_what_they_check(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(
        GOOD
        + "  - {severity: 1, at: 10, incident: 1}\n  - {incidents: 0, at: 4}\n"
        + "  - {resolution: [refused, accepted]}\n"
        + "  - {open: true, at: 20, incident: 2}\n  - {says: flap, name: the watch says flap}\n",
        encoding="utf-8",
    )
    assert [e.name for e in read_scenario(path, PLAYBOOK).expect] == [
        "1 incident opened",
        "incident 1 is SEV-1 at minute 10",
        "0 incidents opened by minute 4",
        "/resolve on incident 1: refused then accepted",
        "incident 2 open at minute 20",
        "the watch says flap",
    ]
