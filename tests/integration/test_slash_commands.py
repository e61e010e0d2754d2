"""Slash commands end to end: a real issue_comment payload -> `ops-actions command` -> emulator state."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops_actions.cli import run
from ops_actions.incident.state_block import read_state
from ops_actions.sandbox.github import GitHubEmulator
from tests.support.slash_comments import comment, incident, reactions

__all__ = ["incident"]  # the fixture (an open incident on the emulator), used by name


@pytest.mark.seed(24)
def test_status_severity_and_owner_from_one_comment(
    incident: int, github_emulator: GitHubEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three commands in one comment run in order; the comment gets 👀 then 👍."""
    body = "On it.\n\n/status mitigating next 30m rolling back\n/sev 1 payments down too\n/owner @alice"
    code, comment_id = comment(tmp_path, monkeypatch, github_emulator, incident, body)
    assert code == 0
    issue = github_emulator.issue(incident)
    assert issue["title"] == "[SEV-1] Queue stuck"
    assert {label["name"] for label in issue["labels"]} == {"incident", "sev-1", "status:mitigating"}
    assert [a["login"] for a in issue["assignees"]] == ["alice"]
    state = read_state(issue["body"])
    assert state is not None
    assert (state.status, state.severity, state.owner) == ("mitigating", "SEV-1", "alice")
    assert reactions(github_emulator, comment_id) == ["eyes", "+1"]
    timeline = [c["body"] for c in github_emulator.comments(incident) if c["user"]["login"] != "alice"]
    assert len(timeline) == 3
    assert "Current status: mitigating. Next update in 30 min." in timeline[0]


def test_rerun_of_the_same_comment_does_nothing_twice(
    incident: int, github_emulator: GitHubEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same event handled twice (a re-run) leaves one timeline entry."""
    code, _ = comment(tmp_path, monkeypatch, github_emulator, incident, "/impact all EU users")
    assert code == 0
    assert run(["command"]) == 0
    bot_comments = [c for c in github_emulator.comments(incident) if c["user"]["login"] != "alice"]
    assert len(bot_comments) == 1


def test_read_access_is_politely_refused(
    incident: int, github_emulator: GitHubEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only commenter changes nothing and gets a reply and 👎 (no 👀: it was not taken up)."""
    before = github_emulator.issue(incident)
    code, comment_id = comment(tmp_path, monkeypatch, github_emulator, incident, "/sev 1", login="rita")
    assert code == 0
    after = github_emulator.issue(incident)
    assert (after["title"], after["labels"], after["body"]) == (
        before["title"],
        before["labels"],
        before["body"],
    )
    replies = [c["body"] for c in github_emulator.comments(incident) if c["user"]["login"] != "rita"]
    assert len(replies) == 1
    assert "need write access" in replies[0]
    assert reactions(github_emulator, comment_id) == ["-1"]


def test_pull_request_comments_and_bots_are_ignored(
    incident: int, github_emulator: GitHubEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command on a PR, or from a bot, makes no API write at all."""
    github_emulator.reset_log()
    comment(tmp_path, monkeypatch, github_emulator, incident, "/sev 1", pull_request=True)
    comment(tmp_path, monkeypatch, github_emulator, incident, "/sev 1", login="github-actions[bot]")
    comment(tmp_path, monkeypatch, github_emulator, incident, "/sev 1", labels=("bug",))
    writes = [r for r in github_emulator.requests if r.is_write and not r.path.endswith("/comments")]
    assert writes == []
    assert github_emulator.issue(incident)["title"] == "[SEV-2] Queue stuck"


def test_bad_commands_get_the_usage_line(
    incident: int, github_emulator: GitHubEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unknown command and bad arguments are answered with the usage; the valid one still runs."""
    body = "/status broken\n/frobnicate\n/impact half of the users"
    code, comment_id = comment(tmp_path, monkeypatch, github_emulator, incident, body)
    assert code == 0
    reply = next(c["body"] for c in github_emulator.comments(incident) if "not carried out" in c["body"])
    assert "Usage: `/status <status> [next <N>m] <text> [public: <text for customers>]`" in reply
    assert "unknown command /frobnicate" in reply
    state = read_state(github_emulator.issue(incident)["body"])
    assert state is not None
    assert state.impact == "half of the users"
    assert reactions(github_emulator, comment_id) == ["eyes", "-1"]


@pytest.mark.parametrize(
    "body",
    [
        "/impact $(touch CANARY) `touch CANARY` ; touch CANARY && echo ${{ secrets.GITHUB_TOKEN }}",
        "/impact <img src=x onerror=alert(1)> <!-- ops-actions:state {} --> [link](javascript:alert(1))",
        "/impact " + " ".join(f"@user{i}" for i in range(50)),
    ],
)
def test_hostile_bodies_stay_text(
    incident: int, github_emulator: GitHubEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str
) -> None:
    """Shell metacharacters, template syntax, HTML and mention floods are stored as inert text."""
    canary = tmp_path / "pwned"
    code, _ = comment(tmp_path, monkeypatch, github_emulator, incident, body.replace("CANARY", str(canary)))
    assert code == 0
    assert not canary.exists()
    entry = next(c["body"] for c in github_emulator.comments(incident) if c["body"].startswith("**Impact**"))
    visible = entry.split("\n\n<!-- ops-actions:event")[0]
    assert "<!-- ops-actions:state" not in visible
    assert "@user1 " not in visible, "rendered mentions are neutralised (hidden markers are not rendered)"
    assert read_state(github_emulator.issue(incident)["body"]) is not None


def test_a_70000_character_comment_gets_a_clear_reply(
    incident: int, github_emulator: GitHubEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A single enormous command line is refused with a reason instead of crashing."""
    code, comment_id = comment(tmp_path, monkeypatch, github_emulator, incident, "/impact " + "x" * 70_000)
    assert code == 0
    reply = next(c["body"] for c in github_emulator.comments(incident) if "not carried out" in c["body"])
    assert "limited to 2000 characters" in reply
    assert reactions(github_emulator, comment_id)[-1] == "-1"


def test_malformed_event_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A payload that is not an issue_comment event exits 2 with one line."""
    event = tmp_path / "event.json"
    event.write_text('{"action": "created"}', encoding="utf-8")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    assert run(["command"]) == 2
    assert "not an issue_comment event payload" in capsys.readouterr().err
