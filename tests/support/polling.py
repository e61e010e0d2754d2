"""Waiting in a test for something another thread or a timer does, counted in polls, not timed."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

POLL_S = 0.05
# Two minutes of polls: far past what a loaded machine needs; only a thing that never happens reaches it.
POLLS = 2400


def eventually(check: Callable[[], bool], what: str, *, polls: int = POLLS) -> None:
    """Poll ``check()`` until it holds; after ``polls`` polls the test fails naming ``what``."""
    for _ in range(polls):
        if check():
            return
        time.sleep(POLL_S)
    pytest.fail(f"{what} never happened in {polls} polls", pytrace=False)
