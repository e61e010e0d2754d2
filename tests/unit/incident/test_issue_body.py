"""The incident issue's body (ops_actions/incident/issue_body.py): the generated header refreshed in
place, and what the tool merges into the part people edit."""

from __future__ import annotations

from datetime import UTC, datetime

from ops_actions.incident.issue_body import merged_body, refreshed_body
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


def test_a_joined_branch_and_the_tool_s_ticks_are_written_once_whatever_people_did_since() -> None:
    """D joins: its section goes before the first 10 minutes and the freeze box is ticked; a second
    merge changes nothing; a section deleted or renamed by hand, or a box cleared, stays so."""
    playbook = load_playbook(PLAYBOOK)
    state = opened(playbook, now=datetime(2026, 11, 27, 10, 0, tzinfo=UTC))
    body = (
        "Notes by hand.\n\n### First 10 minutes\n\n- [ ] Confirm the alert and open an incident. _[open]_\n"
    )
    state.branches = ["D"]
    state.freeze = {"since": "2026-11-27T10:00:00Z", "reason": "branch D"}
    merged, written = merged_body(playbook, state, body)
    assert merged.startswith("Notes by hand.\n\n### Branch D: Database down\n\n- [ ] Treat it as SEV-1.")
    assert merged.index("### Branch D") < merged.index("### First 10 minutes")
    assert "- [x] Hold deploys until the database is stable. _[freeze-deploys]_" in merged
    assert "- [x] Confirm the alert and open an incident." in merged
    assert written == ["branch:D", "tick:first-10/confirm-and-open", "tick:D/freeze-deploys"]
    state.body_written = written
    assert merged_body(playbook, state, merged) == (merged, written), "once: nothing more to write"
    renamed = merged.replace("### Branch D: Database down", "### D: the database (Render)")
    cleared = renamed.replace("- [x] Confirm the alert", "- [ ] Confirm the alert")
    assert merged_body(playbook, state, cleared) == (cleared, written), "people's edits stand"
