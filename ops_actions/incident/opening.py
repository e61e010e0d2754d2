"""What an incident holds as it opens, beyond its title and severity: the components, alerts and
causes it is opened for, what fired, its branches and the freeze they ask for, and the opening
marker its body carries (which a rebuilt state reads back)."""

from __future__ import annotations

from collections.abc import Sequence

from ops_actions.errors import OpsError
from ops_actions.incident.causes import view_of
from ops_actions.incident.remediation_state import freeze_reason, freezing_branches
from ops_actions.incident.state import IncidentState
from ops_actions.incident.triage_report import TriageReport
from ops_actions.playbook.model import Playbook
from ops_actions.text.markdown import encode_marker


def fill_opening(
    playbook: Playbook,
    state: IncidentState,
    *,
    report: TriageReport | None,
    components: Sequence[str],
    alerts: dict[str, str] | None,
    causes: Sequence[str],
    related: Sequence[int],
    runner_view: str | None,
) -> None:
    """Fill a new incident's state with what it opens for; OpsError for a component the playbook's
    scope does not name (before anything is written)."""
    unknown = sorted(set(components) - set(playbook.components))
    if unknown:
        known = ", ".join(playbook.components)
        raise OpsError(f"unknown component(s) {', '.join(unknown)}; the playbook's scope has {known}")
    found = {c for branch in report.branches for c in branch.components} if report else set()
    state.components = sorted(found | set(components))
    state.alerts = dict(alerts or {})
    state.causes = list(causes)
    state.related = list(related)
    state.runner_view = runner_view
    if report:  # what fired for its causes (all, when none is given), and their branches' steps
        held = list(causes) or [rule.cause for rule in playbook.rules]
        state.fired_rules = [o.id for o in view_of(playbook, report.rules, held).fired]
        state.branches = [b.id for b in report.branches]
    freezing = freezing_branches(playbook, state.branches)
    if freezing:
        state.freeze = {"since": state.opened_at, "reason": freeze_reason(playbook, freezing)}


def opening_marker(operation: str, state: IncidentState) -> str:
    """The opening's event marker: what a state rebuilt from the timeline starts from (the runner's
    view too, so a lost block still holds customers back)."""
    return encode_marker(
        "event",
        {
            "key": operation,
            "kind": "opened",
            "at": state.opened_at,
            "summary": "opened",
            "incident": state.key,
            **({"delta": {"set": {"runner_view": state.runner_view}}} if state.runner_view else {}),
        },
    )
