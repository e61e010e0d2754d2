"""One-shot faults: the next requests to a path broken at the transport level, whatever the API.

A fault is added for an exact path (query ignored) and a number of requests; faults on one path
apply in the order they were added. The HTTP handler (:mod:`.http_server`) acts them out:
``status`` answers that code, ``reset`` drops the connection with a TCP reset, ``delay`` waits and
then answers normally, ``huge-body`` streams :data:`HUGE_BODY_BYTES`, ``non-utf8`` and
``invalid-json`` send bodies that cannot be read, ``slow-drip`` sends the answer a byte at a time.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

FAULT_KINDS: tuple[str, ...] = (
    "status",
    "reset",
    "delay",
    "huge-body",
    "non-utf8",
    "invalid-json",
    "slow-drip",
)
HUGE_BODY_BYTES: Final = 50 * 1024 * 1024
NON_UTF8_BODY: Final = b'{"db_ok": "\xff\xfe"}'

# What a fault does when it was added without a value.
_FAULT_DEFAULT_VALUES: Final[Mapping[str, float | int]] = {"status": 500, "delay": 1.0, "slow-drip": 0.1}


def check_delay(seconds: float, what: str) -> float:
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise ValueError(f"{what} must be a non-negative number of seconds, got {seconds!r}")
    return float(seconds)


def _fault_value(kind: str, value: float | int | None) -> float | int | None:
    """Validate a fault's value and fill in its default; raise ValueError when it makes no sense."""
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault kind {kind!r}; expected one of: {', '.join(FAULT_KINDS)}")
    if kind not in _FAULT_DEFAULT_VALUES:
        return None
    if value is None:
        return _FAULT_DEFAULT_VALUES[kind]
    if kind == "status":
        if isinstance(value, bool) or not isinstance(value, int) or not 200 <= value <= 599:
            raise ValueError(f"a status fault needs an HTTP status code from 200 to 599, got {value!r}")
        return value
    return check_delay(value, f"the value of a {kind} fault")


@dataclass
class Fault:
    kind: str
    remaining: int
    value: float | int | None


class FaultTable:
    """The pending faults by path; safe to use from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: dict[str, deque[Fault]] = {}

    def add(self, path: str, kind: str, *, times: int = 1, value: float | int | None = None) -> None:
        """Break the next ``times`` requests to exactly ``path`` with ``kind``; ValueError when invalid."""
        value = _fault_value(kind, value)
        if not path.startswith("/"):
            raise ValueError(f"a fault path must start with '/', got {path!r}")
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ValueError(f"times must be a positive integer, got {times!r}")
        with self._lock:
            self._faults.setdefault(urlsplit(path).path, deque()).append(Fault(kind, times, value))

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def pending(self) -> list[dict[str, object]]:
        with self._lock:
            return [
                {"path": path, "kind": fault.kind, "times": fault.remaining, "value": fault.value}
                for path, faults in self._faults.items()
                for fault in faults
            ]

    def take(self, path: str) -> Fault | None:
        """The fault the next request to ``path`` meets, counted as used; None when there is none."""
        with self._lock:
            faults = self._faults.get(path)
            if not faults:
                return None
            fault = faults[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                faults.popleft()
                if not faults:
                    del self._faults[path]
            return fault
