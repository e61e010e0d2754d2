"""The figures the status page gives for each component over its history, pure, in one registry.

A figure is a count over a component's history (days with an incident, minutes in incidents, …).
Each :class:`ComponentFigure` in ``FIGURES`` names its key in ``status.json``, what it means (the
description of its property in the schema), how to count it from a :class:`ComponentView`, and the
phrase the page's history shows it with. ``status.json`` (:mod:`ops_actions.status_page.status_json`)
writes every figure of the registry, in its order, its schema requires each of them, and the page's
history line joins their phrases (:mod:`ops_actions.status_page.site`): a new figure is one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from ops_actions.incident.clock import minutes_text
from ops_actions.status_page.model import ComponentView


@dataclass(frozen=True)
class ComponentFigure:
    """One figure of every component: its ``status.json`` key, meaning, count and page phrase."""

    key: str
    description: str
    count: Callable[[ComponentView], int]
    phrase: Callable[[int], str]


def counted(number: int, thing: str) -> str:
    """``1 day``, ``3 days``: a number of things as people write it."""
    return f"{number} {thing}{'' if number == 1 else 's'}"


def _incident_days(component: ComponentView) -> int:
    return sum(1 for day in component.days if day.level != "operational")


def _incident_minutes(component: ComponentView) -> int:
    return sum(day.minutes for day in component.days)


FIGURES: Final = (
    ComponentFigure(
        "incident_days",
        "Days of the history with an incident.",
        _incident_days,
        lambda days: f"{counted(days, 'day')} with incidents",
    ),
    ComponentFigure(
        "incident_minutes",
        "Minutes in incidents over the history, overlaps counted once.",
        _incident_minutes,
        lambda minutes: f"{minutes_text(minutes)} in all",
    ),
)


def figure_values(component: ComponentView) -> dict[str, int]:
    """Each figure of the component by its ``status.json`` key, in registry order."""
    return {figure.key: figure.count(component) for figure in FIGURES}


def figure_phrases(component: ComponentView) -> list[str]:
    """Each figure of the component as the page's history line says it, in registry order."""
    return [figure.phrase(figure.count(component)) for figure in FIGURES]


def figure_properties() -> dict[str, dict[str, Any]]:
    """The JSON Schema property of each figure, by key: a count, with its meaning."""
    return {
        figure.key: {"description": figure.description, "type": "integer", "minimum": 0} for figure in FIGURES
    }
