"""Keeping the schedules of a quiet repository running.

GitHub disables the scheduled workflows of a public repository after 60 days without repository
activity, and says so only on the Actions tab; an incidents repository is quiet between outages, so
the triage every 10 minutes and the hourly status page would stop with nobody told. A check costs
two reads (the repository's last push, the workflows' states), through the tracker. From
``WARN_AFTER_DAYS`` of quiet, or as soon as one of the tool's workflows is disabled for inactivity,
it enables each of the tool's scheduled workflows (``PUT .../enable``: GitHub documents that it sets
the state to active; the widely used keep-alive actions rely on it restarting the 60-day count) and
opens one issue that says what is at risk and what a person can do, once, not on every run. A
workflow disabled by hand (``disabled_manually``) is a person's decision and stays off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from ops_actions.flows.tracker_protocols import ScheduleTracker
from ops_actions.incident.new_issue import NewIssue
from ops_actions.text.markdown import encode_marker

INACTIVITY_LIMIT_DAYS: Final = 60
"""GitHub's limit: a public repository's schedules are disabled after this many days without activity."""
WARN_AFTER_DAYS: Final = 45
"""Quiet days from which the check acts: two weeks of runs before GitHub's limit, for a failed or
refused enable to reach a person through the warning issue."""
WARNING_LABEL: Final = "ops-actions:schedules"
WARNING_TITLE: Final = "Scheduled incident workflows at risk: no repository activity"
_KEPT_STATES: Final = frozenset({"active", "disabled_inactivity"})


@dataclass(frozen=True)
class ScheduleCheck:
    """What one check found and did."""

    quiet_days: int
    disabled: tuple[str, ...] = ()
    """The tool's workflows GitHub had disabled for inactivity."""
    enabled: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()
    """Workflows the token could not enable (no ``actions: write``)."""
    warning_issue: int | None = None

    @property
    def at_risk(self) -> bool:
        return self.quiet_days >= WARN_AFTER_DAYS or bool(self.disabled)

    def lines(self) -> list[str]:
        """What the job summary says (nothing while the schedules are safe)."""
        if not self.at_risk:
            return []
        lines = [
            f"warning: no repository activity for {self.quiet_days} days; GitHub disables scheduled "
            f"workflows after {INACTIVITY_LIMIT_DAYS}"
        ]
        if self.disabled:
            lines.append(f"warning: GitHub had disabled {', '.join(self.disabled)} for inactivity")
        if self.enabled:
            lines.append(f"enabled again: {', '.join(self.enabled)}")
        if self.refused:
            lines.append(
                f"warning: could not enable {', '.join(self.refused)}: the job needs `actions: write`"
            )
        if self.warning_issue is not None:
            lines.append(f"the team is told in issue #{self.warning_issue}")
        return lines


def _warning_body(quiet_days: int, workflows: Sequence[str]) -> str:
    listed = "\n".join(f"- `{name}`" for name in workflows)
    return (
        f"This repository has had no activity for {quiet_days} days. GitHub disables the scheduled "
        f"workflows of a public repository after {INACTIVITY_LIMIT_DAYS} days without activity, and "
        "these workflows of the incident tool run on a schedule:\n\n"
        f"{listed}\n\n"
        "ops-actions enables them again on each check from now on. If the Actions tab shows one as "
        "disabled all the same, enable it there (or `gh workflow enable <file>`); a push to the "
        "default branch restarts GitHub's count. Close this issue once that is done."
    )


def keep_schedules_alive(
    tracker: ScheduleTracker, *, workflows: Sequence[str], now: datetime
) -> ScheduleCheck:
    """Check the tool's scheduled ``workflows`` (file names) and keep them running (module docstring)."""
    quiet_days = max(0, (now - tracker.last_activity()).days)
    states = tracker.workflow_states()
    disabled = tuple(name for name in workflows if states.get(name) == "disabled_inactivity")
    if quiet_days < WARN_AFTER_DAYS and not disabled:
        return ScheduleCheck(quiet_days)
    enabled: list[str] = []
    refused: list[str] = []
    for name in workflows:
        if states.get(name) in _KEPT_STATES:
            (enabled if tracker.enable_workflow(name) else refused).append(name)
    warnings = tracker.open_incidents([WARNING_LABEL])
    if warnings:
        issue = warnings[0].number
    else:
        # The marker lets a retried create find the issue it already opened instead of a second one.
        marker = encode_marker("schedules-warning", {"label": WARNING_LABEL})
        body = f"{_warning_body(quiet_days, workflows)}\n\n{marker}\n"
        warning = NewIssue(WARNING_TITLE, body, [WARNING_LABEL], marker=marker, find_labels=[WARNING_LABEL])
        issue = tracker.create_issue(warning).number
    return ScheduleCheck(quiet_days, disabled, tuple(enabled), tuple(refused), issue)
