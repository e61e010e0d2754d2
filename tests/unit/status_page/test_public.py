"""The public words of an incident (ops_actions/status_page/public.py): the title derived from its
components and level unless a writer set one, the "Investigating" entry at its start, and status
updates that say only the new status unless their writer gave public words."""

from __future__ import annotations

import pytest

from ops_actions.incident.state import IncidentState
from ops_actions.playbook import bundled_playbook_text, parse_playbook
from ops_actions.status_page.public import derived_title, public_incident
from ops_actions.text.markdown import encode_marker

PLAYBOOK = parse_playbook(bundled_playbook_text(), source="seed")


@pytest.mark.parametrize(
    ("level", "components", "title"),
    [
        ("outage", ("billing",), "Billing unavailable"),
        ("outage", ("billing", "jobs"), "Billing and jobs unavailable"),
        ("outage", (), "Service unavailable"),
        ("degraded", ("auth", "billing", "jobs"), "Degraded performance of auth, billing and jobs"),
        ("degraded", (), "Degraded performance"),
        ("maintenance", ("worker",), "Planned maintenance of worker"),
    ],
)
def test_the_derived_title_names_the_components_and_the_level(
    level: str, components: tuple[str, ...], title: str
) -> None:
    assert derived_title(level, components) == title


def _state(**fields: object) -> IncidentState:
    state = IncidentState(
        key="k",
        title="Branch A: webhook failures",
        severity="SEV-2",
        status="mitigating",
        opened_at="2026-11-27T10:00:00Z",
        impact="under assessment",
        components=["billing"],
        status_history=[{"at": "2026-11-27T10:05:00Z", "status": "mitigating"}],
    )
    for name, value in fields.items():
        setattr(state, name, value)
    return state


def _status_comment(**extra: str) -> str:
    marker = {"key": "s1", "kind": "status", "at": "2026-11-27T10:05:00Z", "summary": "status", **extra}
    return "**Status update**\n\n[SEV-2] Impact: under assessment\n\n" + encode_marker("event", marker)


def _shown(state: IncidentState, comments: list[str], *, planned: bool = False) -> tuple[str, list[str]]:
    incident = public_incident(
        PLAYBOOK,
        1,
        state,
        open_=True,
        closed_at=None,
        own_comments=comments,
        postmortem_body=None,
        planned=planned,
    )
    return incident.title, [update.markdown for update in incident.updates]


def test_the_internal_title_and_template_never_show_and_the_start_says_investigating() -> None:
    title, updates = _shown(_state(), [_status_comment()])
    assert title == "Degraded performance of billing"
    assert updates == [
        "We are investigating degraded performance of billing.",
        "Status changed to mitigating.",
    ]


def test_a_writers_public_title_and_words_are_what_customers_read() -> None:
    title, updates = _shown(
        _state(public_title="Card payments slow"), [_status_comment(public_text="Recovering.")]
    )
    assert title == "Card payments slow"
    assert updates[-1] == "Recovering."


def test_a_marker_of_an_older_version_with_the_template_shows_only_the_status() -> None:
    """Entries written before the words rule kept the template in ``public``: it is never read."""
    _, updates = _shown(_state(), [_status_comment(public="[SEV-2] Impact: under assessment")])
    assert updates[-1] == "Status changed to mitigating."


def test_a_planned_incident_reads_as_maintenance() -> None:
    title, updates = _shown(_state(components=["worker"]), [], planned=True)
    assert (title, updates) == (
        "Planned maintenance of worker",
        ["Planned maintenance of worker is under way."],
    )
