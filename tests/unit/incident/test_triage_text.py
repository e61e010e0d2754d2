"""The triage's Markdown: the rows a fetch step got, bounded in the issue."""

from __future__ import annotations

from ops_actions.incident.triage_text import CELL_CHARS, SHOWN_ROWS, fetched_rows


def _finding(rows: int, value: str = "v") -> dict[str, object]:
    return {
        "branch": "C",
        "step": "list-dead-letters",
        "probe": "dead_letters",
        "count": rows,
        "columns": ["id", "reason"],
        "rows": [{"id": f"dl_{n:04d}", "reason": value} for n in range(1, rows + 1)],
    }


def test_the_issue_shows_twenty_rows_then_how_many_more() -> None:
    lines = fetched_rows(_finding(SHOWN_ROWS + 5))
    assert (
        lines[1]
        == "<details><summary>dead_letters: 25 row(s) fetched (branch C, step list-dead-letters)</summary>"
    )
    assert lines[-1] == "</details>"
    rows = [line for line in lines if line.startswith("| dl_")]
    assert [row.split(" | ")[0] for row in rows] == [f"| dl_{n:04d}" for n in range(1, SHOWN_ROWS + 1)]
    assert "and 5 more (the JSON report has every row)" in lines


def test_a_long_cell_is_cut_and_an_empty_list_shows_no_section() -> None:
    (row,) = [line for line in fetched_rows(_finding(1, "y" * 10_000)) if line.startswith("| dl_")]
    assert row == f"| dl_0001 | {'y' * CELL_CHARS}… |"
    assert fetched_rows(_finding(0)) == []
    assert fetched_rows({"branch": "C", "step": "s", "probe": "p", "count": 3}) == [], "a report of before"
