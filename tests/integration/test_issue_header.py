"""The incident issue's header says what is the case now: re-rendered on every state change (severity
and its changes, status, owner, impact, next update due, the SEV-1 banner, runs, checklist ticks with
who gave them), while everything people wrote outside it stays."""

from __future__ import annotations

import pytest

from ops_actions.sandbox.github import GitHubEmulator
from ops_actions.text.markdown import GENERATED_END
from tests.support.cli import OPEN_CHECKOUT_SEV1
from tests.support.fixtures.world import World
from tests.support.playbooks import MANUAL_CHECK
from tests.support.text import generated_header

NOTES = "Notes from bob: the Stripe dashboard shows 400s since 09:58."


@pytest.mark.seed(24, 25)
def test_the_header_follows_every_change_and_keeps_what_people_wrote(
    world: World, github_emulator: GitHubEmulator
) -> None:
    github_emulator.set_permission("alice", "write")
    github_emulator.add_workflow(
        "backend-live-smoke.yml", "Backend Live Smoke", inputs=("incident",), queued_s=0.1, in_progress_s=0.2
    )
    assert world.cli(0, *OPEN_CHECKOUT_SEV1) == 0
    issue = world.incident()
    number = issue["number"]
    shown = generated_header(issue["body"])
    assert "**Severity:** SEV-1 · **Status:** investigating · **Owner:** none yet" in shown
    assert "> [!IMPORTANT]" in shown and "All card payments" in shown

    # A person writes below the header and ticks a first-10-minutes step; alice checks a manual item.
    edited = (
        issue["body"]
        .replace(
            "- [ ] Assign an owner and a severity (SEV-1/2/3).",
            "- [x] Assign an owner and a severity (SEV-1/2/3).",
        )
        .replace("### First 10 minutes", f"{NOTES}\n\n### First 10 minutes")
    )
    world.edit_body(number, edited)

    n = str(number)
    world.monkeypatch.setenv("GITHUB_ACTOR", "alice")
    assert world.cli(1, "incident", "check", n, "manual-signup-login") == 0
    assert world.cli(1, "incident", "severity", n, "2", "--reason", "EU only") == 0
    assert world.cli(2, "incident", "assign", n, "alice") == 0
    assert world.cli(3, "incident", "impact", n, "About 30% of checkouts in the EU") == 0
    assert (
        world.cli(
            4, "incident", "update", n, "--status", "mitigating", "--next", "20m", "--message", "Rolled back"
        )
        == 0
    )
    issue = world.incident()
    shown = generated_header(issue["body"])
    assert issue["title"] == "[SEV-2] Checkout failing"
    assert (
        "**Severity:** SEV-1 → SEV-2 · **Status:** mitigating · **Owner:** @\u200balice · "
        "**Opened:** 2026-11-27 10:00 UTC · **Next update due:** 2026-11-27 10:24 UTC"
    ) in shown
    assert "About 30% of checkouts in the EU" in shown and "All card payments" not in shown
    assert "[!IMPORTANT]" not in shown, "the SEV-1 update was posted, and it is SEV-2 now"
    assert f"- [x] {MANUAL_CHECK} _(ticked by alice, 2026-11-27T10:01:00Z)_" in shown, "the recorded tick"
    assert NOTES in issue["body"].split(GENERATED_END, 1)[1]
    assert "- [x] Assign an owner and a severity (SEV-1/2/3)." in issue["body"], "a person's tick stays"
    assert "- [x] Confirm the alert and open an incident. _[open]_" in issue["body"], "the tool opened it"
    assert (
        "- [x] Post a status update to customers and the internal channel at once. _[status-update]_"
        in issue["body"]
    ), "the SEV-1 update was posted: the tool ticks its box"

    assert world.cli(5, "remediate", "smoke", "--incident", n, "--wait", "--poll-seconds", "0.05") == 0
    shown = generated_header(world.incident()["body"])
    assert "### Remediation runs\n\n- Backend Live Smoke `main`: **success**, http" in shown
    assert "- [x] Backend Live Smoke passed." in shown

    assert world.cli(6, "incident", "resolve", n, "--force", "--reason", "checked by hand") == 0
    body = world.incident()["body"]
    shown = generated_header(body)
    assert "**Status:** resolved · " in shown and "**Resolved:** 2026-11-27 10:06 UTC" in shown
    assert "Next update due" not in shown and "investigating" not in body.split("### Status updates")[0]
    assert "- [x] Close the incident and record the timeline." in shown
    assert f"- [x] {MANUAL_CHECK} _(ticked by alice" in shown and NOTES in body
    assert body.count("### Resolution checklist") == 1
