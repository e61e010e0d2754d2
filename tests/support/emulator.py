"""Reading what the GitHub emulator holds: an issue's label names, the incidents on it."""

from __future__ import annotations

from typing import Any

from ops_actions.sandbox.github import GitHubEmulator


def labels_of(issue: dict[str, Any]) -> set[str]:
    """The names of an issue's labels."""
    return {label["name"] for label in issue["labels"]}


def incidents_on(
    emulator: GitHubEmulator, state: str = "open", label: str = "incident"
) -> list[dict[str, Any]]:
    """The emulator's issues in this state (open, closed or all) that carry the label."""
    return [issue for issue in emulator.issues(state=state) if label in labels_of(issue)]
