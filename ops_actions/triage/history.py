"""The watch history: the local file that carries triage snapshots between runs with no open
incident, when the watch last looked at postmortems, and when each gated probe (a write canary with
``every_minutes``) last ran.

Plain JSON, written atomically (temp file + rename). A file that cannot be read or parsed, or
whose fields do not have their types and ranges (a snapshot's time, its signals' plain values, its
breach counts; nesting bounded by json_limits), is not fatal: triage starts fresh and says so,
because losing a trend beats not triaging.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

from ops_actions.incident.clock import is_time
from ops_actions.incident.triage_report import Snapshot
from ops_actions.text.json_limits import loads_bounded

HISTORY_VERSION: Final = 1
DEFAULT_KEEP: Final = 20


@dataclass
class WatchHistory:
    """Snapshots of earlier triages (oldest first), when the watch last looked at postmortems, and
    when each gated probe last ran (by probe id)."""

    snapshots: list[Snapshot] = field(default_factory=list)
    postmortems_checked_at: str | None = None
    probes_ran_at: dict[str, str] = field(default_factory=dict)


def load_history(path: Path) -> tuple[WatchHistory, str | None]:
    """The history kept in the file, and a warning when it had to start fresh."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return WatchHistory(), None
    except (OSError, UnicodeDecodeError) as error:
        return WatchHistory(), f"state file {path} unreadable ({type(error).__name__}); starting fresh"
    try:
        data = loads_bounded(text)
        if data.get("version") != HISTORY_VERSION or not isinstance(data["snapshots"], list):
            raise ValueError("version")
        checked = data.get("postmortems_checked_at")
        ran = data.get("probes_ran_at")
        return WatchHistory(
            snapshots=[_snapshot(item) for item in data["snapshots"]],
            postmortems_checked_at=checked if is_time(checked) else None,
            # A time that does not read is no record: the probe runs (the safe side).
            probes_ran_at={k: v for k, v in ran.items() if is_time(v)} if isinstance(ran, dict) else {},
        ), None
    except (ValueError, KeyError, TypeError, AttributeError):
        return WatchHistory(), f"state file {path} is corrupt; starting fresh"


# What a signal's value in the history may be: what history_value keeps of a reading.
_PLAIN: Final = (str, int, float, bool, type(None))


def _snapshot(item: Any) -> Snapshot:
    if not (
        isinstance(item, dict)
        and is_time(item.get("at"))
        and isinstance(item.get("signals"), dict)
        and all(isinstance(value, _PLAIN) for value in item["signals"].values())
        and isinstance(item.get("breaches"), dict)
        and all(type(count) is int and count >= 0 for count in item["breaches"].values())
    ):
        raise ValueError("snapshot")
    return Snapshot(at=item["at"], signals=item["signals"], breaches=item["breaches"])


def save_history(
    path: Path, history: WatchHistory, *, keep: int = DEFAULT_KEEP, redact: Callable[[str], str] = str
) -> None:
    """Keep the newest ``keep`` snapshots, replacing the file atomically; its text passes ``redact``
    (the workflow keeps the file in the Actions cache, which other workflow runs can restore)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "version": HISTORY_VERSION,
        "snapshots": [asdict(s) for s in history.snapshots[-keep:]],
        "postmortems_checked_at": history.postmortems_checked_at,
        "probes_ran_at": history.probes_ran_at,
    }
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(redact(json.dumps(data, indent=1)))
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
