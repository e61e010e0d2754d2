"""docs/rehearsals.md stays true: its example scenario is one the tool accepts against the bundled
playbook, and its tables name every timeline change, expectation and shipped scenario there is."""

from __future__ import annotations

import re
from pathlib import Path

from ops_actions.playbook import bundled_playbook_text, parse_playbook
from ops_actions.rehearsal.scenario import read_scenario, scenario_schema
from tests.support.paths import DOCS, PACKAGE

TEXT = (DOCS / "rehearsals.md").read_text(encoding="utf-8")


def test_the_example_scenario_is_valid_against_the_bundled_playbook(tmp_path: Path) -> None:
    (example,) = re.findall(r"```yaml\n(.*?)```", TEXT, re.DOTALL)
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    scenario = read_scenario(path, parse_playbook(bundled_playbook_text(), source="playbook.yaml"))
    assert [step.kind for step in scenario.timeline][:3] == ["backend", "comment", "comment"]


def test_the_tables_name_every_change_expectation_and_shipped_scenario() -> None:
    definitions = scenario_schema()["$defs"]
    changes = {
        key for key in definitions["step"]["properties"] if key not in {"at", "by", "incident", "outcome"}
    }
    expectations = {
        key for key in definitions["expectation"]["properties"] if key not in {"name", "incident", "at"}
    }
    for key in changes | expectations:
        assert f"| `{key}" in TEXT, key
    for path in (PACKAGE / "scenarios").glob("*.yaml"):
        assert f"| `{path.name}` |" in TEXT, path.name
