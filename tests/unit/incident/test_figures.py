"""Response-time figures (ops_actions/incident/figures.py) against a fixture computed by hand."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from ops_actions.incident.clock import duration, iso
from ops_actions.incident.figures import IncidentRecord, build_report, report_markdown
from ops_actions.playbook import Playbook, load_playbook
from tests.support.incident_states import opened
from tests.support.report_records import NOW, fixture_records
from tests.support.services import two_service_playbook

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
        "planned": 0,
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


def _record(
    playbook: Playbook, number: int, service: str | None, severity: str, ack: int, resolve: int | None
) -> IncidentRecord:
    start = NOW - timedelta(days=1)
    state = opened(playbook, severity=severity, now=start)
    state.acknowledged_at = iso(start + timedelta(minutes=ack))
    state.resolved_at = iso(start + timedelta(minutes=resolve)) if resolve is not None else None
    return IncidentRecord(number, state, service)


def test_figures_by_service_and_severity_count_the_incidents_of_no_service_apart(tmp_path: Path) -> None:
    """Worked out by hand; an unknown service's label (a service since removed) is no service."""
    playbook = load_playbook(two_service_playbook(tmp_path))
    records = [
        _record(playbook, 1, "api", "SEV-1", 5, 60),
        _record(playbook, 2, "api", "SEV-1", 15, 120),
        _record(playbook, 3, "api", "SEV-2", 10, None),
        _record(playbook, 4, "worker", "SEV-2", 20, 30),
        _record(playbook, 5, None, "SEV-3", 1, 10),
        _record(playbook, 6, "gone", "SEV-3", 3, 20),
    ]
    figures = build_report(playbook, records, [], since=NOW - timedelta(days=90), now=NOW, grouped=True)
    api, worker, other = figures["by_service"]
    assert (api["service"], api["name"], api["incidents"], api["open"]) == ("api", "Billing API", 3, 1)
    # acknowledge 5 [10] 15: p90 rank 3; resolve 60 120: median 90, p90 rank 2
    assert api["minutes_to"]["acknowledge"] == {"count": 3, "median": 10.0, "p90": 15.0}
    assert api["minutes_to"]["resolve"] == {"count": 2, "median": 90.0, "p90": 120.0}
    sev1 = api["by_severity"]["SEV-1"]
    assert sev1["incidents"] == 2 and sev1["minutes_to"]["acknowledge"] == {
        "count": 2,
        "median": 10.0,
        "p90": 15.0,
    }
    sev2 = api["by_severity"]["SEV-2"]
    assert sev2["open"] == 1 and sev2["minutes_to"]["resolve"]["count"] == 0
    assert api["by_severity"]["SEV-3"]["incidents"] == 0
    assert (worker["incidents"], worker["minutes_to"]["resolve"]["median"]) == (1, 30.0)
    assert (other["service"], other["name"], other["incidents"]) == (None, "No service", 2)
    assert other["minutes_to"]["resolve"] == {"count": 2, "median": 15.0, "p90": 20.0}
    assert figures["incidents"]["total"] == 6, "the whole report still counts every incident"

    markdown = report_markdown(figures)
    assert "| Billing API | all | 3 | 1 | 10 min / 15 min | – / – | 90 min / 120 min |" in markdown
    assert "| Billing API | SEV-1 | 2 | 0 | 10 min / 15 min | – / – | 90 min / 120 min |" in markdown
    assert "| Billing API | SEV-3 |" not in markdown, "a severity it never had has no row"
    assert "| No service | all | 2 | 0 | 2 min / 3 min | – / – | 15 min / 20 min |" in markdown
    assert "| Service |" not in report_markdown(build_report(playbook, records, [], since=NOW, now=NOW))


def test_on_a_services_view_the_figures_by_service_are_its_own(tmp_path: Path) -> None:
    view = load_playbook(two_service_playbook(tmp_path)).for_service("worker")
    records = [_record(view, 1, "worker", "SEV-2", 20, 30)]
    figures = build_report(view, records, [], since=NOW - timedelta(days=90), now=NOW, grouped=True)
    assert [group["service"] for group in figures["by_service"]] == ["worker"]
