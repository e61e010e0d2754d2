"""An issue to open once: what the tracker sends, and how a retry finds that it already exists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class NewIssue:
    """An issue's title, body, labels and assignees; after an ambiguous failure, the open issue
    with the labels ``find_labels`` that the tool wrote and whose body holds ``marker`` is this one."""

    title: str
    body: str
    labels: Sequence[str]
    marker: str
    find_labels: Sequence[str]
    assignees: Sequence[str] = ()
