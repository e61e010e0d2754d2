"""The timeline memory: per incident issue, the comments the tool wrote and the time up to which its
comments were read, so that a reader lists only the comments updated since (GitHub's ``since=``).

It is a file the scheduled ``status-page remember`` job writes and the Actions cache carries to the
jobs that only restore it, so here it is data from outside: :func:`parse_memory` takes it apart
strictly (schema, repository, identity, types, times, the tool's form of every body, sizes) and
refuses anything else with a one-line reason, and the reader then reads in full as without it.
Everything here keeps GitHub's own times (``updated_at`` of issues and comments), never a runner's
clock, because ``since`` compares with GitHub's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Final, Protocol

from ops_actions.incident.clock import is_time, iso, parse_time
from ops_actions.text.markdown import in_tool_form

MEMORY_SCHEMA: Final = "ops-actions/timeline-memory/1"
# A file larger than this is refused unread (the tool's comments are capped at 65,536 characters
# each, and a window of incidents holds far less than this).
MAX_MEMORY_BYTES: Final = 64 * 1024 * 1024
MAX_COMMENT_CHARS: Final = 65_536
# Comments of one issue the memory follows; a longer timeline is read in full (as without memory).
MAX_COMMENTS_PER_ISSUE: Final = 100_000


class ListedComment(Protocol):
    """A comment as a listing gives it."""

    @property
    def id(self) -> int: ...
    @property
    def body(self) -> str: ...
    @property
    def author(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...


def is_tool_comment(comment: ListedComment, login: str) -> bool:
    """Whether the tool wrote the comment: its identity, and its form (a job token is
    github-actions[bot] in every workflow of the repository, not only in the tool's)."""
    return comment.author == login and in_tool_form(comment.body)


@dataclass(frozen=True)
class KnownComment:
    """A comment the tool wrote, in the tool's form."""

    id: int
    body: str
    created_at: str


@dataclass(frozen=True)
class IssueTimeline:
    """What is known of one issue's comments."""

    updated_at: str | None
    """The issue's ``updated_at`` when they were read: a listing that shows the same time (and the
    same comment count) says nothing changed, so nothing needs reading."""
    read_until: str | None
    """The newest ``updated_at`` of the comments read (None: none yet); the next read lists ``since`` it."""
    ids: tuple[int, ...] = ()
    """Every comment read, anyone's: when the issue's count differs from these, one was deleted."""
    own: tuple[KnownComment, ...] = ()
    """The tool's comments (its identity, its form), oldest first; repeats are left to the reader."""


@dataclass
class TimelineMemory:
    """The timelines of one repository's incident issues, as the tool's identity read them."""

    repository: str
    login: str
    watermark: str | None = None
    """The newest issue ``updated_at`` the remembering listed: the next one lists issues ``since`` it."""
    issues: dict[int, IssueTimeline] = field(default_factory=dict)


def merged(
    known: IssueTimeline | None, listed: Iterable[ListedComment], *, login: str, updated_at: datetime | None
) -> IssueTimeline:
    """``known`` with the comments of a listing added by id (a listed one replaces the known one: it
    was edited), the tool's comments among them kept when they are in the tool's form."""
    ids = set(known.ids) if known else set()
    own = {comment.id: comment for comment in known.own} if known else {}
    newest = known.read_until if known else None
    for comment in listed:
        ids.add(comment.id)
        own.pop(comment.id, None)
        if is_tool_comment(comment, login):
            own[comment.id] = KnownComment(comment.id, comment.body, iso(comment.created_at))
        stamp = iso(comment.updated_at)
        newest = stamp if newest is None or stamp > newest else newest
    return IssueTimeline(
        updated_at=iso(updated_at) if updated_at is not None else None,
        read_until=newest,
        ids=tuple(sorted(ids)),
        own=tuple(sorted(own.values(), key=lambda c: (c.created_at, c.id))),
    )


def without(timeline: IssueTimeline, comment_id: int) -> IssueTimeline:
    """The timeline after the tool deleted one of its comments (a repeat)."""
    return replace(
        timeline,
        ids=tuple(i for i in timeline.ids if i != comment_id),
        own=tuple(c for c in timeline.own if c.id != comment_id),
    )


def memory_json(memory: TimelineMemory) -> str:
    """The file's text (what :func:`parse_memory` reads back)."""
    return json.dumps(
        {
            "schema": MEMORY_SCHEMA,
            "repository": memory.repository,
            "login": memory.login,
            "watermark": memory.watermark,
            "issues": {
                str(number): {
                    "updated_at": timeline.updated_at,
                    "read_until": timeline.read_until,
                    "ids": list(timeline.ids),
                    "own": [{"id": c.id, "body": c.body, "created_at": c.created_at} for c in timeline.own],
                }
                for number, timeline in sorted(memory.issues.items())
            },
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


class MemoryRefused(ValueError):
    """The file is not a timeline memory this repository's tool wrote (the reason, one line)."""


def parse_memory(text: str, *, repository: str, login: str) -> TimelineMemory:
    """The memory in ``text``, for this repository and identity; :class:`MemoryRefused` otherwise."""
    if len(text) > MAX_MEMORY_BYTES:
        raise MemoryRefused(f"larger than {MAX_MEMORY_BYTES} characters")
    try:
        data = json.loads(text)
    except ValueError:
        raise MemoryRefused("not JSON") from None
    document = _object(data, "the file", {"schema", "repository", "login", "watermark", "issues"})
    if document["schema"] != MEMORY_SCHEMA:
        raise MemoryRefused(f"schema is not {MEMORY_SCHEMA}")
    if document["repository"] != repository:
        raise MemoryRefused(f"written for another repository, not {repository}")
    if document["login"] != login:
        raise MemoryRefused(f"written by another identity, not {login}")
    issues = document["issues"]
    if not isinstance(issues, dict):
        raise MemoryRefused("issues is not an object")
    return TimelineMemory(
        repository=repository,
        login=login,
        watermark=_time_or_none(document["watermark"], "watermark"),
        issues={_number(key): _timeline(key, value) for key, value in issues.items()},
    )


def _object(value: object, where: str, keys: set[str]) -> Mapping[str, Any]:
    if not isinstance(value, dict) or set(value) != keys:
        raise MemoryRefused(f"{where} does not have exactly the keys {', '.join(sorted(keys))}")
    return value


def _number(key: str) -> int:
    if not (key.isascii() and key.isdigit()) or key.startswith("0"):
        raise MemoryRefused(f"issue number {key[:20]!r} is not a number")
    return int(key)


def _time_or_none(value: object, where: str) -> str | None:
    if value is None:
        return None
    if not (isinstance(value, str) and is_time(value)):
        raise MemoryRefused(f"{where} is not a time")
    return iso(parse_time(value))  # one form, so that times compare as text


def _id(value: object, where: str) -> int:
    if type(value) is not int or value < 1:
        raise MemoryRefused(f"{where} holds an id that is not a positive number")
    return value


def _timeline(key: str, value: object) -> IssueTimeline:
    where = f"issue {key}"
    entry = _object(value, where, {"updated_at", "read_until", "ids", "own"})
    ids, own = entry["ids"], entry["own"]
    if not isinstance(ids, list) or not isinstance(own, list) or len(ids) > MAX_COMMENTS_PER_ISSUE:
        raise MemoryRefused(f"{where}: ids and own must be lists (ids at most {MAX_COMMENTS_PER_ISSUE})")
    known = tuple(_id(i, where) for i in ids)
    comments = tuple(_known_comment(where, item) for item in own)
    if not {c.id for c in comments} <= set(known):
        raise MemoryRefused(f"{where}: a comment of the tool's is not among its ids")
    return IssueTimeline(
        updated_at=_time_or_none(entry["updated_at"], f"{where}: updated_at"),
        read_until=_time_or_none(entry["read_until"], f"{where}: read_until"),
        ids=known,
        own=comments,
    )


def _known_comment(where: str, value: object) -> KnownComment:
    item = _object(value, f"{where}: a comment", {"id", "body", "created_at"})
    body = item["body"]
    if not isinstance(body, str) or len(body) > MAX_COMMENT_CHARS or not in_tool_form(body):
        raise MemoryRefused(f"{where}: a comment that is not in the tool's form")
    created = _time_or_none(item["created_at"], f"{where}: created_at")
    if created is None:
        raise MemoryRefused(f"{where}: a comment without created_at")
    return KnownComment(_id(item["id"], where), body, created)
