"""Reading timelines: the tool's own comments on an incident issue, at the cost of what changed.

A :class:`TimelineReader` keeps what it read of each issue (its ids, the tool's comments, and
``read_until``, the newest ``updated_at`` it listed) and reads again only what GitHub says is new:

- an issue whose listing says ``comments: 0`` is never read;
- one whose ``updated_at`` and comment count are those it read is not read again;
- one it knows is listed ``since=read_until`` (GitHub: comments updated at or after it), one
  request while fewer than 100 changed, and the listing is added by comment id;
- a count that does not add up (a comment was deleted) and an issue it does not know are read in
  full, as without it.

It starts from the timeline memory file when the CLI was given one (``OPS_TIMELINE_MEMORY``, or
``status-page remember --memory``): restored from the Actions cache, so parsed strictly
(:func:`ops_actions.incident.timeline_memory.parse_memory`); anything odd is refused with one
warning line and every timeline is read in full. Only :func:`remember`, run by the scheduled job
alone, writes the file. Within one process the reader is shared by every flow (resolve and the
postmortem it files read once).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from ops_actions.flows.budget import BudgetSource, below_reserve, skipped
from ops_actions.flows.tracker_protocols import IssueView, TimelineTracker
from ops_actions.incident.clock import iso, parse_time
from ops_actions.incident.operation_keys import marker_keys
from ops_actions.incident.timeline_memory import (
    MAX_MEMORY_BYTES,
    IssueTimeline,
    KnownComment,
    MemoryRefused,
    TimelineMemory,
    is_tool_comment,
    memory_json,
    merged,
    parse_memory,
    without,
)
from ops_actions.playbook.model import INCIDENT_LABEL


class TimelineReader:
    """The tool's comments per issue, read once and then from ``since=`` (see the module)."""

    def __init__(
        self,
        tracker: TimelineTracker,
        *,
        repository: str = "",
        memory_file: Path | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.tracker = tracker
        self.repository = repository
        self.memory_file = memory_file
        self.warn = warn
        self._memory: TimelineMemory | None = None

    @property
    def memory(self) -> TimelineMemory:
        """What is known, from the file on first use (an empty memory without one, or when refused)."""
        if self._memory is None:
            self._memory = self._load()
        return self._memory

    def _load(self) -> TimelineMemory:
        login = self.tracker.login()
        empty = TimelineMemory(self.repository, login)
        path = self.memory_file
        if path is None or not path.exists():
            return empty  # no cache yet, or a run without one: read in full, nothing to say
        try:
            if path.stat().st_size > MAX_MEMORY_BYTES:
                raise MemoryRefused(f"larger than {MAX_MEMORY_BYTES} bytes")
            return parse_memory(path.read_text(encoding="utf-8"), repository=self.repository, login=login)
        except (OSError, UnicodeDecodeError, MemoryRefused) as error:
            if self.warn is not None:
                reason = str(error) if isinstance(error, MemoryRefused) else type(error).__name__
                self.warn(f"timeline memory {path.name} refused ({reason}); reading timelines in full")
            return empty

    def tool_comments(self, number: int, issue: IssueView | None = None) -> list[KnownComment]:
        """The comments the tool wrote on issue #number (its identity, its form), oldest first.

        ``issue``: the issue as just read or listed, whose ``updated_at`` and comment count say
        whether anything changed since the last read (without it, a known issue is read ``since=``).
        """
        issues = self.memory.issues
        known = issues.get(number)
        if issue is not None and issue.comments == 0:
            issues[number] = IssueTimeline(iso(issue.updated_at), known.read_until if known else None)
            return []
        if known is not None and issue is not None and _unchanged(known, issue):
            return list(known.own)
        login = self.tracker.login()
        updated = issue.updated_at if issue is not None else None
        if known is not None and known.read_until is not None:
            since = self.tracker.comments(number, since=parse_time(known.read_until))
            timeline = merged(known, since, login=login, updated_at=updated)
            if issue is None or len(timeline.ids) == issue.comments:
                issues[number] = timeline
                return list(timeline.own)
            # A comment was deleted, or one came between reading the issue and its comments.
        issues[number] = timeline = merged(
            None, self.tracker.comments(number), login=login, updated_at=updated
        )
        return list(timeline.own)

    def own_bodies(
        self, number: int, issue: IssueView | None = None, *, delete: Callable[[int], None] | None = None
    ) -> list[str]:
        """The bodies of :meth:`tool_comments`, a comment that repeats the keys of an earlier one (a
        write GitHub carried out after the client had given up on it, then sent again) left out and,
        given ``delete``, deleted."""
        bodies: list[str] = []
        seen: set[str] = set()
        for comment in self.tool_comments(number, issue):
            keys = marker_keys(comment.body)
            if keys and keys <= seen:
                if delete is not None:
                    delete(comment.id)
                    self.forget(number, comment.id)
                continue
            seen |= keys
            bodies.append(comment.body)
        return bodies

    def after_cursor(self, issue: IssueView, cursor: str | None) -> tuple[list[str], str] | None:
        """The bodies of the tool's comments updated at or after a state block's ``cursor`` (its
        ``comments_read_until``), and the newest ``updated_at`` listed; one request however long the
        timeline. Not remembered: the older comments are not in it.

        None when the whole timeline is to be read instead: the block has no cursor, or one after the
        issue's last update (no read can have been later: a hand edit), or the reader knows the issue.
        """
        if cursor is None or parse_time(cursor) > issue.updated_at or self.read_until(issue.number):
            return None
        listed = self.tracker.comments(issue.number, since=parse_time(cursor))
        login = self.tracker.login()
        newest = max([cursor, *(iso(c.updated_at) for c in listed)])
        return [c.body for c in listed if is_tool_comment(c, login)], newest

    def read_until(self, number: int) -> str | None:
        known = self.memory.issues.get(number)
        return known.read_until if known else None

    def forget(self, number: int, comment_id: int) -> None:
        """The tool deleted one of its comments (a repeat)."""
        known = self.memory.issues.get(number)
        if known is not None:
            self.memory.issues[number] = without(known, comment_id)


def _unchanged(known: IssueTimeline, issue: IssueView) -> bool:
    return known.updated_at == iso(issue.updated_at) and len(known.ids) == issue.comments


def remember(
    reader: TimelineReader, out: Path, *, budget: BudgetSource | None = None, notes: list[str] | None = None
) -> tuple[int, int]:
    """Bring the memory up to date and write it to ``out``: the incident issues updated since its
    watermark (all of them the first time), and of each the comments updated since it was read.
    Returns how many issues were listed and how many the memory holds.

    The watermark is the newest ``updated_at`` listed (GitHub's clock, which ``since`` compares
    with), never the runner's clock. At the ``budget``'s reserve it stops reading, keeps what it read
    and leaves the watermark where it was (``notes`` gets the line): the next run lists the same
    issues again, and those it read cost nothing then. So a first run over more incident issues than
    an hour's budget fills the memory over several runs instead of failing midway every time.
    """
    memory = reader.memory
    since = parse_time(memory.watermark) if memory.watermark else None
    listed = 0
    newest = memory.watermark
    for issue in reader.tracker.issues([INCIDENT_LABEL], state="all", since=since):  # streamed, read once
        low = below_reserve(budget) if budget is not None else None
        if low is not None:
            newest = memory.watermark
            if notes is not None:
                notes.append(skipped(low, f"the timelines after {listed} issues (the next run goes on)"))
            break
        reader.tool_comments(issue.number, issue)
        listed += 1
        newest = max(newest or "", iso(issue.updated_at))
    memory.watermark = newest
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, staged = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(memory_json(memory))
    Path(staged).replace(out)
    return listed, len(memory.issues)
