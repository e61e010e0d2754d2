"""Response-time figures (ops_actions/incident/figures.py) against a fixture computed by hand."""

from __future__ import annotations

from datetime import timedelta

from ops_actions.incident.clock import duration, iso
from ops_actions.incident.figures import IncidentRecord, build_report
from ops_actions.playbook import load_playbook
from tests.support.incident_states import opened
from tests.support.report_records import NOW, fixture_records

# Worked out by hand from the table above (see the comments for the sorted values).
EXPECTED = {
    "incidents": {
        "total": 20,
        "open": 3,
        "by_severity": {"SEV-1": 5, "SEV-2": 10, "SEV-3": 5},
        "by_component": {
            "auth": 3,
            "billing": 5,
            "jobs": 7,
            "stripe webhook": 2,
            "unspecified": 2,
            "worker": 4,
        },
        "false_alarms": 0,
    },
    "minutes_to": {
        # 1 2 3 4 5 6 7 8 9 [10] 11 12 14 15 18 20 25 [30] 40 -> median 10, p90 rank 18 = 30
        "acknowledge": {"count": 19, "median": 10.0, "p90": 30.0},
        # 5 10 12 15 20 20 22 25 [28] 30 33 35 40 45 50 [60] 80 -> median 28, p90 rank 16 = 60
        "mitigate": {"count": 17, "median": 28.0, "p90": 60.0},
        # 15 30 40 45 60 70 75 80 [85] 90 95 100 120 200 240 [300] 400 -> median 85, p90 rank 16 = 300
        "resolve": {"count": 17, "median": 85.0, "p90": 300.0},
    },
    "postmortems": {
        "expected": 17,
        "created": 13,
        "missing": 4,
        "completed_on_time": 9,
        "completed_late": 2,
        "open": 2,
    },
    # a..g; the template's example line is not an item; c and e are overdue, f is due today
    "action_items": {"total": 7, "done": 2, "open": 5, "overdue": 2},
}


def test_report_figures_match_the_hand_computed_fixture() -> None:
    """Counts, medians, nearest-rank p90s, postmortem punctuality and action items, exactly."""
    playbook = load_playbook(None)
    incidents, postmortems = fixture_records(playbook)
    figures = build_report(playbook, incidents, postmortems, since=NOW - timedelta(days=90), now=NOW)
    for section, expected in EXPECTED.items():
        assert figures[section] == expected, section


def test_a_duration_counts_the_minutes_the_postmortem_shows() -> None:
    """Mitigated 15 min 59 s after the opening: the figures count 15, as the postmortem's "15 min"."""
    playbook = load_playbook(None)
    state = opened(playbook, now=NOW - timedelta(hours=1))
    state.mitigated_at = iso(NOW - timedelta(hours=1) + timedelta(minutes=15, seconds=59))
    figures = build_report(playbook, [IncidentRecord(1, state)], [], since=NOW - timedelta(days=1), now=NOW)
    assert figures["minutes_to"]["mitigate"]["median"] == 15
    assert duration(state.opened_at, state.mitigated_at) == "15 min"
