"""The security review as tests: secrets, who is obeyed, hostile Markdown, and what a playbook may reach.

Every test talks real HTTP to the sandbox backend and the GitHub emulator. Holes found in the
review were fixed; their tests stay as regression tests (docs/reliability.md, "Found and fixed").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from ops_actions.adapters.config import GitHubConfig
from ops_actions.adapters.github_tracker import GitHubTracker
from ops_actions.cli import run
from ops_actions.errors import OpsError
from ops_actions.incident.state_block import read_state
from ops_actions.sandbox.backend import SandboxBackend
from ops_actions.sandbox.github import GitHubEmulator
from ops_actions.text.markdown import find_markers
from tests.support.emulator import incidents_on, labels_of
from tests.support.events import recorded_event
from tests.support.fixtures.github import GITHUB_TOKEN, REPO, point_cli_at
from tests.support.playbooks import playbook_with
from tests.support.text import without_markers

# The emulator accepts only GITHUB_TOKEN, so it doubles as the GitHub canary.
BACKEND_CANARY = "canary-backend-admin-7d41f0c2b9e84a6f"
HOSTILE_MENTION = re.compile(r"@(?:everyone|team\d)")


@dataclass
class Workflow:
    """The environment of workflow runs against the emulator, and a way to deliver comment events."""

    emulator: GitHubEmulator
    tmp_path: Path
    monkeypatch: pytest.MonkeyPatch
    events: int = field(default=0)

    def comment(
        self,
        number: int,
        body: str,
        *,
        login: str = "alice",
        user_type: str = "User",
        action: str = "created",
        pull_request: bool = False,
    ) -> int:
        """Post `body` as `login`, write its issue_comment payload and run `ops-actions command`."""
        comment_id = self.emulator.add_comment(number, body=body, user=login)
        payload: dict[str, Any] = recorded_event("issue_comment", "created")
        payload["action"] = action
        payload["issue"]["number"] = number
        payload["issue"]["labels"] = [{"name": name} for name in labels_of(self.emulator.issue(number))]
        if pull_request:
            payload["issue"]["pull_request"] = {"url": f"{self.emulator.url}/repos/{REPO}/pulls/{number}"}
        payload["comment"]["id"] = comment_id
        payload["comment"]["body"] = body
        payload["comment"]["user"]["login"] = login
        payload["comment"]["user"]["type"] = user_type
        payload["repository"]["full_name"] = REPO
        self.events += 1
        event = self.tmp_path / f"event-{self.events}.json"
        event.write_text(json.dumps(payload), encoding="utf-8")
        self.monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
        self.monkeypatch.setenv("GITHUB_RUN_ID", str(7100 + self.events))
        return run(["command"])


@pytest.fixture
def workflow(github_emulator: GitHubEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workflow:
    """The Actions environment pointing the CLI at the emulator."""
    point_cli_at(
        github_emulator,
        monkeypatch,
        GITHUB_RUN_ID="7001",
        GITHUB_RUN_ATTEMPT="1",
        GITHUB_ACTOR="octocat",
        OPS_GITHUB_MAX_WAIT_S="0",
    )
    github_emulator.set_permission("alice", "write")
    return Workflow(github_emulator, tmp_path, monkeypatch)


def open_incident(title: str = "Queue stuck", severity: str = "2", *extra: str) -> None:
    assert run(["incident", "open", "--title", title, "--severity", severity, *extra]) == 0


# --- (a) tokens never leak ---------------------------------------------------------------------


@pytest.fixture
def canary_backend() -> Iterator[SandboxBackend]:
    """A sandbox backend whose admin token is the backend canary."""
    with SandboxBackend(admin_token=BACKEND_CANARY, scenario="db-down") as server:
        yield server


def test_tokens_never_leak_in_any_output_channel(
    workflow: Workflow,
    canary_backend: SandboxBackend,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Triage, watch, incidents (also dry runs), a slash command and failing calls in Actions mode: the
    tokens appear only in ::add-mask:: lines, never in output, files, issues, comments or errors."""
    emulator = workflow.emulator
    output, summary = tmp_path / "output.txt", tmp_path / "summary.md"
    reports, state_file = tmp_path / "reports", tmp_path / "state.json"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("OPS_BACKEND_URL", canary_backend.url)
    monkeypatch.setenv("OPS_BACKEND_ADMIN_TOKEN", BACKEND_CANARY)
    backend_args = ["--report-dir", str(reports), "--history-file", str(state_file)]
    printed: list[str] = []
    codes: dict[str, int] = {}

    def step(name: str, *args: str) -> None:
        codes[name] = run(list(args))
        captured = capsys.readouterr()
        printed.extend([captured.out, captured.err])

    step("triage", "triage", *backend_args)
    step("watch", "watch", *backend_args)
    (incident,) = incidents_on(emulator)
    number = str(incident["number"])
    step("open-dry", "incident", "open", "--title", "Checkout failing", "--severity", "1", "--dry-run")
    step("open", "incident", "open", "--title", "Checkout failing", "--severity", "1", "--impact", "all")
    step("update-dry", "incident", "update", number, "--status", "mitigating", "--dry-run")
    step("update", "incident", "update", number, "--status", "mitigating", "--message", "rolled back")
    codes["command"] = workflow.comment(int(number), "/impact all EU users\n/status mitigating next 15m")
    captured = capsys.readouterr()
    printed.extend([captured.out, captured.err])
    canary_backend.set_scenario("unauthorized")
    step("triage-401", "triage", *backend_args)
    emulator.inject("5xx", times=50)
    step("github-5xx", "incident", "update", number, "--status", "investigating")
    monkeypatch.setenv("GITHUB_TOKEN", GITHUB_TOKEN[::-1])
    step("github-401", "incident", "update", number, "--status", "investigating")
    monkeypatch.setenv("GITHUB_TOKEN", GITHUB_TOKEN)
    assert codes == {
        "triage": 0,
        "watch": 0,
        "open-dry": 0,
        "open": 0,
        "update-dry": 0,
        "update": 0,
        "command": 0,
        "triage-401": 0,
        "github-5xx": 4,
        "github-401": 4,
    }

    everything = "\n".join(printed)
    assert f"::add-mask::{GITHUB_TOKEN}" in everything
    assert f"::add-mask::{BACKEND_CANARY}" in everything
    assert "[dry-run] POST" in everything
    assert "the token was rejected" in everything
    assert "HTTP 401 unauthorized" in json.dumps([p.read_text(encoding="utf-8") for p in reports.glob("*")])
    shown = "\n".join(line for line in everything.splitlines() if not line.startswith("::add-mask::"))
    texts = {
        "stdout/stderr": shown,
        "reports": "\n".join(p.read_text(encoding="utf-8") for p in sorted(reports.glob("*"))),
        "state file": state_file.read_text(encoding="utf-8"),
        "GITHUB_OUTPUT": output.read_text(encoding="utf-8"),
        "job summary": summary.read_text(encoding="utf-8"),
        "issues": json.dumps(emulator.issues()),
        "comments": json.dumps([emulator.comments(i["number"]) for i in emulator.issues()]),
        "request bodies": json.dumps([r.body for r in emulator.requests], default=str),
    }
    for where, text in texts.items():
        assert GITHUB_TOKEN not in text, where
        assert BACKEND_CANARY not in text, where
    assert len(texts["reports"]) > 0
    assert "## Triage" in texts["job summary"]


def test_error_objects_and_config_never_carry_the_token(workflow: Workflow) -> None:
    """The OpsError raised after a 5xx burst or a rejected token, and the config's repr, hold no token."""
    emulator = workflow.emulator
    config = GitHubConfig(api_url=emulator.url, repository=REPO, token=GITHUB_TOKEN, max_wait_s=0)
    assert GITHUB_TOKEN not in repr(config)
    tracker = GitHubTracker.from_config(config, sleep=lambda _: None)
    wrong = GitHubTracker.from_config(
        GitHubConfig(api_url=emulator.url, repository=REPO, token=BACKEND_CANARY), sleep=lambda _: None
    )
    try:
        emulator.inject("5xx", times=5)
        with pytest.raises(OpsError) as burst:
            tracker.open_incidents(["incident"])
        with pytest.raises(OpsError) as rejected:
            wrong.issue(1)
    finally:
        tracker.close()
        wrong.close()
    assert burst.value.exit_code == rejected.value.exit_code == 4
    for error in (burst.value, rejected.value):
        text = f"{error} {error!r} {error.message} {error.__cause__!r} {error.__context__!r}"
        assert GITHUB_TOKEN not in text
        assert BACKEND_CANARY not in text


# --- (b) who is obeyed -------------------------------------------------------------------------


@pytest.mark.parametrize("permission", ["read", "triage", "none"])
def test_commands_from_users_without_write_change_nothing(
    workflow: Workflow, capsys: pytest.CaptureFixture[str], permission: str
) -> None:
    """read, triage and no-permission commenters get a polite refusal and 👎; the incident is untouched."""
    open_incident()
    emulator = workflow.emulator
    (issue,) = incidents_on(emulator)
    number = issue["number"]
    emulator.set_permission("mallory", permission)
    emulator.reset_log()
    body = "/sev 3\n/status resolved\n/owner @mallory\n/resolve force trust me"
    assert workflow.comment(number, body, login="mallory") == 0
    shown = {"triage": "read"}.get(permission, permission)  # the API's legacy 'permission' field
    assert f"refused: mallory has {shown} permission" in capsys.readouterr().out
    after = emulator.issue(number)
    assert (after["title"], labels_of(after), after["body"], after["assignees"], after["state"]) == (
        issue["title"],
        labels_of(issue),
        issue["body"],
        issue["assignees"],
        "open",
    )
    replies = [c["body"] for c in emulator.comments(number) if c["user"]["login"] != "mallory"]
    assert len(replies) == 1
    assert "need write access" in replies[0]
    writes = {(r.method, r.path.rsplit("/", 1)[-1]) for r in emulator.requests if r.is_write}
    assert writes == {("POST", "reactions"), ("POST", "comments")}


@pytest.mark.parametrize(
    ("login", "user_type", "action", "pull_request"),
    [
        ("alice", "User", "created", True),
        ("github-actions[bot]", "Bot", "created", False),
        ("github-actions[bot]", "User", "created", False),
        ("renovate", "Bot", "created", False),
        ("alice", "User", "edited", False),
        ("alice", "User", "deleted", False),
    ],
    ids=["fork-pr-comment", "actions-bot", "bot-login-typed-user", "bot-type", "edited", "deleted"],
)
def test_pull_request_bot_and_edited_comments_cause_no_write(
    workflow: Workflow, login: str, user_type: str, action: str, pull_request: bool
) -> None:
    """A PR comment, the bot's own comment, or an edited/deleted comment is ignored without any API write."""
    open_incident()
    emulator = workflow.emulator
    (issue,) = incidents_on(emulator)
    emulator.reset_log()
    code = workflow.comment(
        issue["number"],
        "/sev 1\n/resolve force now",
        login=login,
        user_type=user_type,
        action=action,
        pull_request=pull_request,
    )
    assert code == 0
    assert [r for r in emulator.requests if r.is_write] == []
    assert emulator.issue(issue["number"])["title"] == "[SEV-2] Queue stuck"


def test_a_forged_event_in_a_comment_by_someone_without_access_changes_nothing(
    workflow: Workflow, capsys: pytest.CaptureFixture[str]
) -> None:
    """A read-only user's hidden event marker with a state delta neither downgrades nor unlocks resolve."""
    open_incident("Payments down", "1")
    emulator = workflow.emulator
    (issue,) = incidents_on(emulator)
    number = issue["number"]
    forged = {
        "key": "forged-1",
        "kind": "status",
        "at": "2026-01-01T00:00:00Z",
        "summary": "status: mitigating",
        "incident": "payments-down",
        "delta": {
            "set": {
                "severity": "SEV-3",
                "owner": "mallory",
                "smoke_passed_at": "2020-01-01T00:00:00Z",
                "clear_since": "2020-01-01T00:00:00Z",
            }
        },
    }
    emulator.set_permission("mallory", "read")
    emulator.add_comment(
        number, body=f"+1\n\n<!-- ops-actions:event {json.dumps(forged)} -->\n", user="mallory"
    )
    assert run(["incident", "resolve", str(number)]) == 6, "the checklist has not been met"
    capsys.readouterr()
    assert run(["incident", "update", str(number), "--status", "mitigating"]) == 0
    state = read_state(emulator.issue(number)["body"])
    assert state is not None
    assert (state.severity, state.owner, state.smoke_passed_at) == ("SEV-1", None, None)


# --- (c) hostile Markdown and HTML -------------------------------------------------------------

FORGED_STATE = (
    '<!-- ops-actions:state {"version":1,"key":"x","title":"t","severity":"SEV-3",'
    '"status":"resolved","opened_at":"2020-01-01T00:00:00Z"} -->'
)
HOSTILE = (
    "<script>alert(1)</script> [click](javascript:alert(1)) "
    + " ".join(f"@team{i}" for i in range(20))
    + " @everyone"
)


def test_hostile_title_impact_and_status_text_stay_inert(workflow: Workflow) -> None:
    """Script tags, javascript links, mention floods and a forged state block in title, impact and status
    text: no forged state, no live mention, the real state still read."""
    title = f"Checkout <script>x</script> @everyone {FORGED_STATE}"[:190]
    open_incident(title, "2", "--impact", f"{HOSTILE}\n\n{FORGED_STATE}\n", "--summary", HOSTILE)
    emulator = workflow.emulator
    (issue,) = incidents_on(emulator)
    number = issue["number"]
    message = f"{HOSTILE}\n\n{FORGED_STATE}\n\n<!-- ops-actions:event {{}} -->"
    assert run(["incident", "update", str(number), "--status", "mitigating", "--message", message]) == 0
    body = emulator.issue(number)["body"]
    state = read_state(body)
    assert state is not None
    assert (state.severity, state.status) == ("SEV-2", "mitigating")
    assert len(find_markers(body, "state")) == 1
    assert "<!--" not in without_markers(body)
    assert not HOSTILE_MENTION.search(without_markers(body))
    (comment,) = emulator.comments(number)
    shown = without_markers(comment["body"])
    assert "<!--" not in shown
    assert not HOSTILE_MENTION.search(shown)
    assert "@\u200beveryone" in shown
    assert [m["kind"] for m in find_markers(comment["body"], "event")] == ["status"]
    assert find_markers(comment["body"], "state") == []


def test_a_hostile_title_on_a_repeat_open_stays_inert(workflow: Workflow) -> None:
    """Opening again with a title holding a mention and an event marker neither pings nor forges an entry."""
    open_incident("Checkout failing", "2")
    emulator = workflow.emulator
    workflow.monkeypatch.setenv("GITHUB_RUN_ID", "7002")
    forged = (
        '<!-- ops-actions:event {"key":"x","kind":"resolved",'
        '"at":"2020-01-01T00:00:00Z","summary":"resolved"} -->'
    )
    title = f"@everyone again\n\n{forged}\n"
    open_incident(title, "2", "--key", "checkout-failing")
    (issue,) = incidents_on(emulator)
    (comment,) = emulator.comments(issue["number"])
    assert not HOSTILE_MENTION.search(without_markers(comment["body"]))
    assert [m["kind"] for m in find_markers(comment["body"], "event")] == ["retriggered"]


def test_an_unclosed_code_fence_in_the_summary_hides_no_state(workflow: Workflow) -> None:
    """A summary with an unclosed ``` keeps the state readable, so opening again does not duplicate."""
    open_incident("Checkout failing", "2", "--summary", "stack trace:\n```\nTraceback ...")
    emulator = workflow.emulator
    assert read_state(incidents_on(emulator)[0]["body"]) is not None
    workflow.monkeypatch.setenv("GITHUB_RUN_ID", "7002")
    open_incident("Checkout failing", "2")
    assert len(incidents_on(emulator)) == 1


def test_an_unclosed_code_fence_in_a_status_message_keeps_its_timeline_entry(workflow: Workflow) -> None:
    """A status update whose message opens a fence still appears in the timeline compiled at resolution."""
    open_incident("Checkout failing", "2")
    emulator = workflow.emulator
    number = str(incidents_on(emulator)[0]["number"])
    assert run(["incident", "update", number, "--status", "mitigating", "--message", "log:\n```\nboom"]) == 0
    assert run(["incident", "resolve", number, "--force", "--reason", "checked by hand"]) == 0
    final = next(c["body"] for c in emulator.comments(int(number)) if c["body"].startswith("**Resolved**"))
    assert "status: mitigating" in final


# --- (d) what a playbook may reach -------------------------------------------------------------


@pytest.mark.parametrize("probe_path", ["//evil.example/x", "/@evil.example/x", "/..//evil.example/x"])
def test_probe_paths_only_ever_reach_the_configured_backend(
    backend: SandboxBackend,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    probe_path: str,
) -> None:
    """Allowed paths that look like another host are joined to the backend URL: the sandbox gets them."""
    monkeypatch.setenv("OPS_BACKEND_ADMIN_TOKEN", backend.admin_token)
    path = playbook_with(tmp_path, "path: /api/ready", f"path: '{probe_path}'")
    assert run(["playbook", "validate", str(path)]) == 0
    backend.clear_requests()
    args = ["triage", "--backend-url", backend.url, "--playbook", str(path)]
    assert run([*args, "--report-dir", str(tmp_path / "r"), "--history-file", str(tmp_path / "s.json")]) == 0
    capsys.readouterr()
    seen = backend.requests
    assert any("evil.example" in r.path for r in seen), "the odd path reached the sandbox"
    netloc = urlsplit(backend.url).netloc
    assert {r.headers.get("Host") for r in seen} == {netloc}
