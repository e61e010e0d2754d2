"""Recorded webhook payloads (tests/data/github-webhooks, from @octokit/webhooks-examples)."""

from __future__ import annotations

import copy
import json
from typing import Any

from tests.support.paths import ALERTS_DATA, WEBHOOKS


def recorded_event(name: str, action: str) -> dict[str, Any]:
    """A copy of a recorded webhook payload (@octokit/webhooks-examples) with this action."""
    payloads = json.loads((WEBHOOKS / f"{name}.json").read_text(encoding="utf-8"))
    return copy.deepcopy(next(p for p in payloads if p["action"] == action))


def recorded_alert(name: str) -> dict[str, Any]:
    """A recorded alert payload of tests/data/alerts (Alertmanager, Grafana, ours)."""
    return json.loads((ALERTS_DATA / name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]
