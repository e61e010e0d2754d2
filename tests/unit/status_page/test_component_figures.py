"""The registry of component figures (ops_actions/status_page/component_figures.py) and the recipe
"a new status-page figure" of docs/development.md: a figure registered here, in the test only,
shows on the page and in status.json, and status.json still passes the schema the build checks."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import jsonschema
import pytest

from ops_actions.incident.clock import minutes_text
from ops_actions.playbook import Playbook, load_playbook
from ops_actions.status_page import component_figures
from ops_actions.status_page.component_figures import ComponentFigure
from ops_actions.status_page.model import ComponentView, build_page
from ops_actions.status_page.public import PublicIncident
from ops_actions.status_page.site import site_files
from ops_actions.status_page.status_json import status_schema

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def _longest_day(component: ComponentView) -> int:
    return max((day.minutes for day in component.days), default=0)


LONGEST_DAY = ComponentFigure(
    "longest_day_minutes",
    "The most minutes in incidents on one day of the history.",
    _longest_day,
    lambda minutes: f"longest day {minutes_text(minutes)}",
)


@pytest.fixture
def longest_day(monkeypatch: pytest.MonkeyPatch) -> Iterator[ComponentFigure]:
    """The recipe's one step, for the length of a test: one more entry in the registry."""
    monkeypatch.setattr(component_figures, "FIGURES", (*component_figures.FIGURES, LONGEST_DAY))
    yield LONGEST_DAY


def _site(playbook: Playbook) -> dict[str, str]:
    """The site with one incident on the first component: 45 minutes yesterday, resolved."""
    incident = PublicIncident(
        number=1,
        title="Queue stuck",
        severity="SEV-3",
        worst_severity="SEV-3",
        status="resolved",
        open=False,
        started_at="2026-11-27T10:00:00Z",
        ended_at="2026-11-27T10:45:00Z",
        components=(playbook.components[0],),
        updates=(),
        summary=None,
    )
    page = build_page(playbook, [incident], team="Acme", repository="acme/ops", now=NOW, last_checked_at=None)
    return site_files(playbook, page)


def _valid(document: dict[str, Any], schema: dict[str, Any]) -> bool:
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    return validator.is_valid(document)


def _shipped_schema() -> dict[str, Any]:
    """status.schema.json as a consumer reads it from the package, without the registry."""
    path = resources.files("ops_actions").joinpath("status_page/status.schema.json")
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_a_registered_figure_shows_on_the_page_and_in_status_json(longest_day: ComponentFigure) -> None:
    playbook = load_playbook(None)
    files = _site(playbook)
    summaries = re.findall(r'<p class="summary">([^<]*)</p>', files["index.html"])
    assert summaries[0] == "1 day with incidents, 45 min in all, longest day 45 min"
    assert summaries[1:] == ["No incidents"] * (len(playbook.components) - 1)
    status = json.loads(files["status.json"])
    first, *others = status["components"]
    figures = ["incident_days", "incident_minutes", "longest_day_minutes"]
    assert list(first) == ["name", "status", *figures, "days"], "after the others, before the days"
    assert (first["incident_days"], first["incident_minutes"], first["longest_day_minutes"]) == (1, 45, 45)
    assert all(other["longest_day_minutes"] == 0 for other in others)
    schema = status_schema()
    assert _valid(status, schema), "the build's check accepts the new figure"
    assert schema["properties"]["components"]["items"]["properties"][longest_day.key] == {
        "description": longest_day.description,
        "type": "integer",
        "minimum": 0,
    }
    del first["longest_day_minutes"]
    assert not _valid(status, schema), "and requires it"
    assert _valid(status, _shipped_schema()), "the shipped file alone needs no figure"


def test_the_schema_requires_each_registered_figure_and_no_other_key() -> None:
    status = json.loads(_site(load_playbook(None))["status.json"])
    schema = status_schema()
    assert _valid(status, schema)
    component = status["components"][0]
    for figure in component_figures.FIGURES:
        value = component.pop(figure.key)
        assert not _valid(status, schema), f"{figure.key} is required"
        component[figure.key] = value
    component["longest_day_minutes"] = 45
    assert not _valid(status, schema), "a figure nobody registered is refused"
    assert _valid(status, _shipped_schema()), "the file alone takes it as a count (newer builds may write it)"
    component["longest_day_minutes"] = "45 min"
    assert not _valid(status, _shipped_schema()), "a figure is a count"


def test_figure_keys_are_unique_and_leave_a_components_own_keys_alone() -> None:
    keys = [figure.key for figure in component_figures.FIGURES]
    assert len(keys) == len(set(keys))
    assert not {"name", "status", "days"} & set(keys)
