"""The Mermaid checker runs the real mermaid parser: it accepts valid diagrams and rejects broken ones."""

from __future__ import annotations

import pytest

from tests.support.mermaid_check import mermaid_errors

TIMELINE = """\
timeline
    title Incident 12 - Database down
    section Detection
        10-00 UTC : detected by scheduled triage
        10-02 UTC : opened as SEV-1
    section Response
        10-05 UTC : owner octocat
    section Recovery
        10-40 UTC : resolved"""

XYCHART = """\
xychart-beta
    title "Key signals over triage snapshots"
    x-axis ["10:00", "10:10", "10:20"]
    y-axis "count" 0 --> 120
    line [40, 65, 90]
    line [0, 7, 7]"""

PIE = """\
pie title Incidents by severity
    "SEV-1" : 3
    "SEV-2" : 5
    "SEV-3" : 1"""

BROKEN_TIMELINE = "timeline\n    title x\n  section\n   : : :"
BROKEN_XYCHART = "xychart-beta\n  line [1, two]"
BROKEN_PIE = 'pie title Incidents by severity\n    "SEV-1" : three'


@pytest.mark.parametrize("diagram", [TIMELINE, XYCHART, PIE], ids=["timeline", "xychart", "pie"])
def test_valid_diagrams_parse(diagram: str) -> None:
    """Each valid example diagram type parses with no error."""
    assert mermaid_errors([diagram]) == [None]


@pytest.mark.parametrize(
    ("diagram", "expected"),
    [
        (BROKEN_TIMELINE, "Parse error on line 4"),
        (BROKEN_XYCHART, "Expecting 'NUMBER_WITH_DECIMAL', got 'ALPHA'"),
        (BROKEN_PIE, "NUMBER_PIE"),
    ],
    ids=["timeline", "xychart", "pie"],
)
def test_broken_diagrams_report_the_parser_message(diagram: str, expected: str) -> None:
    """A broken diagram of each type is rejected with mermaid's own parse error message."""
    [error] = mermaid_errors([diagram])
    assert error is not None
    assert expected in error


def test_unknown_diagram_type_is_rejected() -> None:
    """Text that names no Mermaid diagram type is rejected rather than silently accepted."""
    [error] = mermaid_errors(["not-a-diagram\n    foo"])
    assert error is not None
    assert "No diagram type detected" in error


def test_results_line_up_with_a_mixed_batch() -> None:
    """One batch of valid and broken diagrams returns one result per diagram, in input order."""
    errors = mermaid_errors([TIMELINE, BROKEN_XYCHART, PIE, BROKEN_TIMELINE, XYCHART, BROKEN_PIE])
    assert [error is None for error in errors] == [True, False, True, False, True, False]


def test_empty_batch_needs_no_node_run() -> None:
    """An empty list of diagrams gives an empty list of results."""
    assert mermaid_errors([]) == []
