"""The incident issue's body (ops_actions/incident/issue_body.py): the generated header refreshed in place."""

from __future__ import annotations

from datetime import UTC, datetime

from ops_actions.incident.issue_body import refreshed_body
from ops_actions.incident.state_block import state_marker
from ops_actions.playbook import load_playbook
from ops_actions.playbook.runbook import checklist_line
from ops_actions.text.markdown import GENERATED_START
from tests.support.incident_states import opened
from tests.support.paths import PLAYBOOK
from tests.support.playbooks import MANUAL_CHECK
from tests.support.text import generated_header


def test_a_first_release_body_gets_the_header_in_place_of_its_stale_parts() -> None:
    """An incident opened before the header existed: its one-time header, summary, impact and
    checklist are replaced by the generated block; its steps, ticks and links stay."""
    playbook = load_playbook(PLAYBOOK)
    now = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    state = opened(playbook, impact="Jobs delayed", now=now)
    state.status = "mitigating"
    state.checks = {"manual-signup-login": {"by": "alice", "at": "2026-11-27T10:05:00Z", "via": "/check"}}
    # The old body's checklist, a box ticked in it that no one recorded (nobody knows who ticked it).
    items = [checklist_line(item, checked="webhook" in item.text) for item in playbook.resolution_checklist]
    old = "\n".join(
        [
            "**Severity:** SEV-2 · **Status:** investigating · **Opened:** 2026-11-27T10:00:00Z",
            "",
            "> SEV-2: Degradation.",
            "",
            "### Summary",
            "",
            "_No summary yet._",
            "",
            "### Impact",
            "",
            "_Under assessment._",
            "",
            "### First 10 minutes",
            "",
            "- [x] Confirm the alert and open an incident.",
            "",
            "### Resolution checklist",
            "",
            *items,
            "",
            "### Links",
            "",
            "- Workflow run: https://github.com/octo-org/backend/actions/runs/1",
            "",
            state_marker(state),
        ]
    )
    body = refreshed_body(playbook, state, old, now)
    assert body.startswith(GENERATED_START)
    visible = body.split("<!-- ops-actions:state ", 1)[0]
    assert "investigating" not in visible and "_Under assessment._" not in visible
    assert "Jobs delayed" in generated_header(body) and "**Status:** mitigating" in generated_header(body)
    assert body.count(
        "### Resolution checklist"
    ) == 1 and f"- [x] {MANUAL_CHECK} _(ticked by alice" in generated_header(body)
    assert "- [ ] Manual check: a checkout webhook was processed." in generated_header(body), (
        "unrecorded: not counted"
    )
    assert "- [x] Confirm the alert and open an incident." in body
    assert "- Workflow run: https://github.com/octo-org/backend/actions/runs/1" in body
    assert refreshed_body(playbook, state, body, now) == body, "a second save changes nothing"
    assert body.rstrip().rsplit(chr(10), 1)[-1].startswith("<!-- ops-actions:state "), "the block ends it"
