"""The timeline memory file: read back what was written, refuse anything else with one reason, and
merge listings by comment id."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from ops_actions.incident.timeline_memory import (
    IssueTimeline,
    KnownComment,
    MemoryRefused,
    TimelineMemory,
    memory_json,
    merged,
    parse_memory,
    without,
)
from ops_actions.text.markdown import encode_marker

REPO = "octo-org/backend"
BOT = "github-actions[bot]"


def tool_body(key: str, text: str = "Status: mitigating") -> str:
    return f"{text}\n\n{encode_marker('event', {'key': key, 'kind': 'status'})}\n"


@dataclass(frozen=True)
class Listed:
    id: int
    body: str
    author: str
    created_at: datetime
    updated_at: datetime


def at(minute: int) -> datetime:
    return datetime(2026, 11, 27, 10, minute, tzinfo=UTC)


def memory() -> TimelineMemory:
    own = (KnownComment(7, tool_body("a"), "2026-11-27T10:01:00Z"),)
    return TimelineMemory(
        REPO,
        BOT,
        "2026-11-27T10:05:00Z",
        {12: IssueTimeline("2026-11-27T10:05:00Z", "2026-11-27T10:02:00Z", (6, 7), own)},
    )


def test_what_is_written_reads_back() -> None:
    assert parse_memory(memory_json(memory()), repository=REPO, login=BOT) == memory()


def edited(change: Any) -> str:
    document = json.loads(memory_json(memory()))
    change(document)
    return json.dumps(document)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{", "not JSON"),
        (edited(lambda d: d.update(schema="ops-actions/timeline-memory/0")), "schema"),
        (edited(lambda d: d.update(repository="someone/else")), "another repository"),
        (edited(lambda d: d.update(login="mallory")), "another identity"),
        (edited(lambda d: d.update(extra=1)), "exactly the keys"),
        (edited(lambda d: d.update(watermark="yesterday")), "watermark is not a time"),
        (edited(lambda d: d["issues"].update({"012": d["issues"]["12"]})), "not a number"),
        (edited(lambda d: d["issues"]["12"].update(ids=[6, True])), "positive number"),
        (edited(lambda d: d["issues"]["12"].update(ids=[6, -7])), "positive number"),
        (edited(lambda d: d["issues"]["12"].update(ids=[6])), "not among its ids"),
        (edited(lambda d: d["issues"]["12"]["own"][0].update(body="**All fixed**")), "tool's form"),
        (edited(lambda d: d["issues"]["12"]["own"][0].update(body=7)), "tool's form"),
        (edited(lambda d: d["issues"]["12"]["own"][0].update(created_at=None)), "without created_at"),
        (edited(lambda d: d["issues"]["12"].update(read_until=3)), "read_until is not a time"),
        (json.dumps([]), "exactly the keys"),
    ],
)
def test_anything_else_is_refused_with_its_reason(text: str, reason: str) -> None:
    with pytest.raises(MemoryRefused, match=reason) as refused:
        parse_memory(text, repository=REPO, login=BOT)
    assert "\n" not in str(refused.value)


def test_times_are_kept_in_one_form_so_they_compare() -> None:
    text = edited(lambda d: d["issues"]["12"].update(read_until="2026-11-27T11:02:00+01:00"))
    assert parse_memory(text, repository=REPO, login=BOT).issues[12].read_until == "2026-11-27T10:02:00Z"


def test_a_listing_is_added_by_id_and_an_edit_replaces_what_was_known() -> None:
    known = memory().issues[12]
    listed = [
        Listed(7, "**edited by an admin**", BOT, at(1), at(4)),  # no longer the tool's form: dropped
        Listed(8, tool_body("b"), BOT, at(3), at(3)),
        Listed(9, tool_body("c"), "mallory", at(3), at(3)),  # not the tool's identity
    ]
    timeline = merged(known, listed, login=BOT, updated_at=at(5))
    assert timeline.ids == (6, 7, 8, 9)
    assert [c.id for c in timeline.own] == [8]
    assert (timeline.read_until, timeline.updated_at) == ("2026-11-27T10:04:00Z", "2026-11-27T10:05:00Z")
    assert merged(timeline, [], login=BOT, updated_at=None).read_until == "2026-11-27T10:04:00Z"
    assert without(timeline, 8) == IssueTimeline(timeline.updated_at, timeline.read_until, (6, 7, 9), ())
