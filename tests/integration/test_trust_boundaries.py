"""The trust boundaries, attacked through the real entry point: `ops-actions action` (as the composite
action runs it: OPS_COMMAND, OPS_ARGS, GITHUB_EVENT_PATH with a real webhook payload, inside Actions)
over the GitHub emulator and the sandbox backend.

One test per finding of the attack on the boundaries (docs/security.md links each claim here):
one production change per command, state only the tool's identity can write, nothing from outside
reaching a runner command, a public page or a Markdown structure raw, and bounded, consistent state.
"""

from __future__ import annotations

import json
import re
import shlex
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from ops_actions.cli import run
from ops_actions.incident.state import IncidentState
from ops_actions.incident.state_block import read_state
from ops_actions.playbook import bundled_playbook_text
from ops_actions.sandbox.github import GitHubEmulator
from ops_actions.text.markdown import find_markers
from tests.support.cli import together
from tests.support.emulator import labels_of
from tests.support.events import recorded_event
from tests.support.fixtures.backend import ADMIN_TOKEN
from tests.support.fixtures.github import GITHUB_TOKEN, REPO
from tests.support.fixtures.receiver import Receiver
from tests.support.fixtures.world import World
from tests.support.paths import ALERTS_DATA, WORKFLOWS_DIR
from tests.support.polling import eventually
from tests.support.text import without_markers

ROLES = {
    "deploy": "backend-deploy.yml",
    "rollback": "backend-rollback.yml",
    "smoke": "backend-live-smoke.yml",
}
GOOD, BAD = "a" * 40, "b" * 40
BOT = "github-actions[bot]"
LIVE_MENTION = re.compile(r"@(?:everyone|octo-org/everyone)")
# A runner command in a printed line: `::` at its start after white space, or `##[` anywhere.
COMMAND_START = re.compile(r"^\s*::")
OWN_ANNOTATION = re.compile(r"^::(?:error|warning|notice)(?: [^:]*)?::")


class Action(World):
    """The world, plus `ops-actions action` steps inside Actions, with real event payloads."""

    def __init__(self, world: World, capsys: pytest.CaptureFixture[str]) -> None:
        super().__init__(world.tmp_path, world.monkeypatch, world.emulator, world.backend, world.clock)
        self.capsys = capsys
        self.minute = 0
        self.summary = self.tmp_path / "summary.md"
        self.printed: list[str] = []
        for name, value in {
            "GITHUB_ACTIONS": "true",
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "GITHUB_OUTPUT": str(self.tmp_path / "output.txt"),
            "OPS_GITHUB_MAX_WAIT_S": "5",
        }.items():
            self.monkeypatch.setenv(name, value)
        self.emulator.set_permission("alice", "write")
        self.emulator.set_permission("mallory", "read")

    def action(
        self,
        command: str,
        *args: str,
        event: Path | None = None,
        env: dict[str, str] | None = None,
        run_id: str | None = None,
        attempt: str = "1",
    ) -> tuple[int, list[str]]:
        """One step running the composite action, a minute after the last: a new workflow run, or
        ``run_id`` again (with ``attempt`` 2: GitHub's "Re-run jobs")."""
        self.minute += 1
        self.at(self.minute)
        settings = {"OPS_COMMAND": command, "OPS_ARGS": shlex.join(args), "GITHUB_RUN_ATTEMPT": attempt}
        if run_id is not None:
            settings["GITHUB_RUN_ID"] = run_id
        if event is not None:
            settings["GITHUB_EVENT_PATH"] = str(event)
        for name, value in {**settings, **(env or {})}.items():
            self.monkeypatch.setenv(name, value)
        code = run(["action"])
        captured = self.capsys.readouterr()
        lines = (captured.out + captured.err).splitlines()
        self.printed += lines
        return code, lines

    def open(self, title: str = "Queue stuck", severity: str = "2", *args: str) -> int:
        """`incident open` as incident-open.yml runs it (the title from the environment)."""
        code, lines = self.action(
            "incident open", "--severity", severity, *args, env={"OPS_INCIDENT_TITLE": title}
        )
        assert code == 0, lines
        return next(int(found[1]) for line in lines if (found := re.search(rf"/{REPO}/issues/(\d+)$", line)))

    def comment(self, number: int, body: str, *, login: str = "alice") -> Path:
        """A real comment on the emulator and its issue_comment payload (the recorded example, retargeted)."""
        comment_id = self.emulator.add_comment(number, body=body, user=login)
        payload: dict[str, Any] = recorded_event("issue_comment", "created")
        payload["issue"]["number"] = number
        payload["issue"]["labels"] = [{"name": name} for name in labels_of(self.emulator.issue(number))]
        payload["issue"].pop("pull_request", None)
        payload["comment"].update(id=comment_id, body=body)
        payload["comment"]["user"].update(login=login, type="Bot" if login.endswith("[bot]") else "User")
        payload["repository"]["full_name"] = REPO
        path = self.tmp_path / f"comment-{comment_id}.json"
        path.write_text(json.dumps(payload), encoding="utf-8")
        return path

    def backend_args(self) -> tuple[str, ...]:
        return (
            "--history-file",
            str(self.tmp_path / "s.json"),
            "--report-dir",
            str(self.tmp_path / "reports"),
        )

    def tool_texts(self) -> list[str]:
        """Every issue body and comment the tool wrote."""
        texts = []
        for issue in self.emulator.issues():
            if issue["user"]["login"] == BOT:
                texts.append(issue["body"] or "")
            texts += [c["body"] for c in self.emulator.comments(issue["number"]) if c["user"]["login"] == BOT]
        return texts

    def state(self, number: int) -> IncidentState:
        state = read_state(self.emulator.issue(number)["body"])
        assert state is not None
        return state


@pytest.fixture
def actions(world: World, capsys: pytest.CaptureFixture[str]) -> Action:
    return Action(world, capsys)


def declare_backend_workflows(emulator: GitHubEmulator) -> None:
    """The three example workflows as this repository has them (inputs and run-name read from the
    files), and two earlier successful deploys to roll back between."""
    for file in ROLES.values():
        spec = yaml.safe_load((WORKFLOWS_DIR / file).read_text(encoding="utf-8"))
        inputs = spec[True]["workflow_dispatch"]["inputs"]  # YAML reads the key `on` as True
        emulator.add_workflow(
            file,
            spec["name"],
            inputs=tuple(inputs),
            run_name=spec["run-name"],
            queued_s=0.1,
            in_progress_s=0.3,
        )
    for sha, hours in ((GOOD, 3), (BAD, 1)):
        created = datetime.now(UTC) - timedelta(hours=hours)
        emulator.add_run("backend-deploy.yml", head_sha=sha, conclusion="success", created_at=created)
    emulator.set_branch_sha("main", BAD)


def dispatches(emulator: GitHubEmulator, role: str) -> list[dict[str, Any]]:
    return [d for d in emulator.workflow_dispatches() if d["workflow"] == ROLES[role]]


# --- one production change per command ------------------------------------------------------------


@pytest.mark.parametrize("repeat", ["re-run", "repeated-delivery"])
@pytest.mark.parametrize("role", sorted(ROLES))
def test_a_rerun_or_a_repeated_delivery_never_dispatches_twice(
    actions: Action, role: str, repeat: str
) -> None:
    """The same /deploy, /rollback or /smoke event handled twice ("Re-run jobs", or GitHub delivering the
    webhook again: a new run) dispatches once; the second says "already dispatched: <run link>"."""
    declare_backend_workflows(actions.emulator)
    number = actions.open()
    event = actions.comment(number, f"/{role}")
    code, _ = actions.action("command", event=event, run_id="7101")
    assert code == 0
    again = {"run_id": "7101", "attempt": "2"} if repeat == "re-run" else {"run_id": "7102"}
    code, lines = actions.action("command", event=event, **again)
    assert code == 0
    (sent,) = dispatches(actions.emulator, role)
    assert sent["inputs"]["operation"] in {
        run["display_title"].split()[-1] for run in actions.emulator.runs()
    }
    url = f"{actions.emulator.url}/{REPO}/actions/runs/{sent['run_id']}"
    assert f"/{role}: already dispatched: {url}" in lines
    recorded = [c for c in actions.timeline(number) if "dispatched" in c and "ops-actions:event" in c]
    assert len(recorded) == 1


def test_a_dispatch_the_first_attempt_could_not_record_is_found_by_its_key(actions: Action) -> None:
    """The first attempt dispatches, then GitHub refuses every comment (the run is on no timeline); the
    re-run finds the run by the operation key in its title and records it instead of deploying again."""
    declare_backend_workflows(actions.emulator)
    number = actions.open()
    event = actions.comment(number, "/deploy")
    actions.emulator.inject("5xx", times=2, method="POST", path_contains=f"/issues/{number}/comments")
    code, _ = actions.action("command", event=event, run_id="7201", env={"OPS_GITHUB_MAX_WAIT_S": "0"})
    assert code == 4
    assert len(dispatches(actions.emulator, "deploy")) == 1
    assert not any("dispatched" in c for c in actions.timeline(number))
    code, lines = actions.action("command", event=event, run_id="7201", attempt="2")
    assert code == 0
    (sent,) = dispatches(actions.emulator, "deploy")
    url = f"{actions.emulator.url}/{REPO}/actions/runs/{sent['run_id']}"
    assert f"/deploy: already dispatched: {url}" in lines
    assert [run["id"] for run in actions.state(number).runs] == [sent["run_id"]]


def test_a_run_someone_else_dispatched_with_the_commands_key_never_passes_for_the_tools(
    actions: Action,
) -> None:
    """The operation key of `/deploy` comes from the comment's id, which anyone sees: a writer who
    dispatches Backend Deploy with that key (and a ref of their own) before the commands workflow
    runs makes no "already dispatched": only runs whose actor is the tool's identity count."""
    declare_backend_workflows(actions.emulator)
    number = actions.open()
    event = actions.comment(number, "/deploy")
    key = f"comment-{json.loads(event.read_text(encoding='utf-8'))['comment']['id']}-0"
    actions.emulator.set_permission("mallory", "write")
    forged = httpx.post(
        f"{actions.emulator.url}/repos/{REPO}/actions/workflows/{ROLES['deploy']}/dispatches",
        headers={"authorization": f"token {actions.emulator.user_token('mallory')}"},
        json={"ref": "main", "inputs": {"incident": str(number), "operation": key, "ref": "evil"}},
    )
    assert forged.status_code in (200, 204)
    (theirs,) = [run for run in actions.emulator.runs() if run["actor"]["login"] == "mallory"]
    assert key in theirs["display_title"].split()
    code, lines = actions.action("command", event=event)
    assert code == 0
    assert not any("already dispatched" in line for line in lines), lines
    ours = [d for d in dispatches(actions.emulator, "deploy") if d["inputs"].get("ref") != "evil"]
    assert len(ours) == 1
    assert [run["id"] for run in actions.state(number).runs] == [ours[0]["run_id"]]
    assert theirs["id"] not in {run["id"] for run in actions.state(number).runs}


# --- only the tool writes state -------------------------------------------------------------------


def test_backend_text_can_neither_forge_a_marker_nor_ping_nor_hide_the_state(actions: Action) -> None:
    """Dead letters whose reason holds a forged event marker between lone CRs and whose provider opens a
    fence, mentions a team and carries raw HTML: the body the watch opens and its next snapshot comment
    show it all as text, so no fence hides the state block, and a later read downgrades nothing, sets
    no owner and forges no passed smoke."""
    actions.backend.set_scenario("hostile")
    assert actions.action("watch", *actions.backend_args())[0] == 0
    (issue,) = actions.issues(state="open")
    number = issue["number"]
    assert len(find_markers(issue["body"], "state")) == 1, "no fence hid the block"
    opened = actions.state(number)
    assert actions.action("watch", *actions.backend_args())[0] == 0
    assert any("Triage snapshot" in c and "provider timeout" in c for c in actions.timeline(number))
    code, _ = actions.action("command", event=actions.comment(number, "/status mitigating looking"))
    assert code == 0
    state = actions.state(number)
    assert (state.severity, state.owner, state.smoke_passed_at) == (opened.severity, None, None)
    keys = {m["key"] for text in actions.tool_texts() for m in find_markers(text, "event")}
    assert "forged-backend" not in keys
    for text in actions.tool_texts():
        shown = without_markers(text)
        assert "<!--" not in shown and "<img" not in shown
        assert not LIVE_MENTION.search(shown)
    code, lines = actions.action("incident resolve", str(number))
    assert code == 6, lines


def test_an_alert_link_cannot_carry_markdown_and_its_fields_stay_text(actions: Action) -> None:
    """A link with a line break (a forged marker after it) is refused before anything is written; the
    title and source of an accepted alert reach the timeline as text."""
    number = actions.open("Checkout returns 502", "2")
    delta = {"set": {"severity": "SEV-3"}}
    forged = (
        f"<!-- ops-actions:event {json.dumps({'key': 'forged-link', 'kind': 'status', 'delta': delta})} -->"
    )
    payload = {"title": "Checkout returns 502", "dedupe_key": "k", "link": f"https://x.example/a\n{forged}"}
    dispatch = actions.tmp_path / "dispatch.json"
    dispatch.write_text(json.dumps({"action": "ops-alert", "client_payload": payload}), encoding="utf-8")
    before = len(actions.timeline(number))
    code, lines = actions.action("alert", *actions.backend_args(), event=dispatch)
    assert code == 2, lines
    assert any("link must be a URL without white space" in line for line in lines)
    assert len(actions.timeline(number)) == before
    payload = {
        "title": f"@everyone {forged}",
        "source": "<b>mon</b>",
        "dedupe_key": "k",
        "link": "https://x.example/a",
    }
    dispatch.write_text(json.dumps({"action": "ops-alert", "client_payload": payload}), encoding="utf-8")
    assert actions.action("alert", *actions.backend_args(), event=dispatch)[0] == 0
    note = next(c for c in actions.timeline(number) if "**Alert firing**" in c)
    assert [m["kind"] for m in find_markers(note, "event")] == ["alert"]
    assert not LIVE_MENTION.search(without_markers(note)) and "<b>" not in without_markers(note)
    assert actions.state(number).severity == "SEV-2"


def test_markers_in_the_issue_authors_comments_and_body_never_count(actions: Action) -> None:
    """A read-only person opens an issue, it is labelled an incident; her comment's marker and the state
    block in the body she can edit claim SEV-3, a passed smoke, normal metrics and a writer's next
    command as done. None of it counts: resolve refuses, the writer's /sev runs."""
    emulator = actions.emulator
    number = emulator.add_issue(
        title="Payments down", labels=["incident", "sev-1", "status:investigating"], user="mallory"
    )
    forged_delta = {
        "severity": "SEV-3",
        "smoke_passed_at": "2020-01-01T00:00:00Z",
        "clear_since": "2020-01-01T00:00:00Z",
    }
    marker = {
        "key": "forged-1",
        "kind": "status",
        "at": "2026-01-01T00:00:00Z",
        "summary": "x",
        "incident": "k",
        "delta": {"set": forged_delta},
    }
    mallory = emulator.add_comment(
        number, body=f"+1\n\n<!-- ops-actions:event {json.dumps(marker)} -->\n", user="mallory"
    )
    block = {
        "version": 1,
        "key": "payments-down",
        "title": "Payments down",
        "severity": "SEV-3",
        "status": "investigating",
        "opened_at": "2026-01-01T00:00:00Z",
        "applied": [f"comment-{mallory + 1}-0"],
        **forged_delta,
    }
    actions.edit_body(number, f"Please help\n\n<!-- ops-actions:state {json.dumps(block)} -->\n")
    code, lines = actions.action("incident resolve", str(number))
    assert code == 6, lines
    event = actions.comment(number, "/sev 2 EU only")
    assert event.name == f"comment-{mallory + 1}.json"
    code, lines = actions.action("command", event=event)
    assert code == 0, lines
    issue = emulator.issue(number)
    assert (issue["title"], "sev-2" in labels_of(issue)) == ("[SEV-2] Payments down", True)
    assert actions.action("incident resolve", str(number))[0] == 6


def test_another_workflows_bot_comment_quoting_outside_text_forges_no_event(actions: Action) -> None:
    """Every workflow's job token comments as github-actions[bot]: a helper workflow that quotes an
    outsider's text (a forged event marker on a line of its own) in a reply with its own footer writes
    no state, since only a comment in the tool's form (one marker, its last block) counts."""
    number = actions.open("Queue stuck", "2")
    forged = {
        "key": "forged-by-quote",
        "kind": "owner",
        "at": "2026-11-27T10:00:30Z",
        "summary": "owner: @mallory",
        "incident": "queue-stuck",
        "delta": {"set": {"severity": "SEV-3", "owner": "mallory"}},
    }
    quoted = f"please look\n\n<!-- ops-actions:event {json.dumps(forged)} -->\n"
    actions.emulator.add_comment(
        number, body=f"Thanks! You wrote:\n\n{quoted}\n---\n_Automated reply._\n", user=BOT
    )
    code, _ = actions.action("command", event=actions.comment(number, "/status investigating looking"))
    assert code == 0
    state = actions.state(number)
    assert (state.severity, state.owner) == ("SEV-2", None)
    assert not state.has_applied("forged-by-quote")
    assert actions.emulator.issue(number)["title"] == "[SEV-2] Queue stuck"


def test_a_github_app_token_acts_as_the_configured_bot_login(actions: Action) -> None:
    """Another app's installation token (GET /user: 403) acts as OPS_GITHUB_LOGIN: its own state block
    and markers count, so a re-run of an update changes nothing."""
    actions.emulator.actor = "ops-bot[bot]"
    settings = {"OPS_GITHUB_LOGIN": "ops-bot[bot]"}
    code, lines = actions.action(
        "incident open", "--severity", "2", env={**settings, "OPS_INCIDENT_TITLE": "Queue"}
    )
    assert code == 0, lines
    (issue,) = actions.issues(state="open")
    update = ("incident update", str(issue["number"]), "--status", "mitigating")
    assert actions.action(*update, env=settings, run_id="7401")[0] == 0
    code, lines = actions.action(*update, env=settings, run_id="7401", attempt="2")
    assert code == 0
    assert any("already done" in line for line in lines), lines
    assert len(actions.timeline(issue["number"])) == 1


def test_a_marker_someone_else_pasted_never_passes_for_the_tools_write(actions: Action) -> None:
    """After a 502 on the tool's comment, the tracker looks for the write's marker before sending again:
    a reader who pasted the next command's key in a comment does not make it believe the entry landed."""
    number = actions.open("Queue stuck", "2")
    pasted = actions.emulator.add_comment(number, body="guess", user="mallory")
    actions.emulator.handle(
        "PATCH",
        f"/repos/{REPO}/issues/comments/{pasted}",
        {"authorization": f"token {GITHUB_TOKEN}", "content-type": "application/json"},
        json.dumps({"body": f'I know your next key: "comment-{pasted + 1}-0"'}).encode(),
    )
    event = actions.comment(number, "/impact All EU checkouts")
    actions.emulator.inject("5xx", times=1, method="POST", path_contains=f"/issues/{number}/comments")
    assert actions.action("command", event=event)[0] == 0
    entries = [c for c in actions.emulator.comments(number) if c["body"].startswith("**Impact**")]
    assert [c["user"]["login"] for c in entries] == [BOT]


def test_a_plausible_hand_edit_of_the_state_block_is_rebuilt_not_wedged(actions: Action) -> None:
    """A writer puts the label instead of the id (`"severity": "sev-2"`) and an empty history entry in
    the block: commands still run, and the watch's deploy freeze gets its label, so the guard holds."""
    number = actions.open("Database errors", "2")
    body = actions.emulator.issue(number)["body"]
    edited = body.replace('"severity":"SEV-2"', '"severity":"sev-2"').replace(
        '"severity_history":[{', '"severity_history":[{},{'
    )
    assert edited != body
    actions.edit_body(number, edited)
    code, lines = actions.action("command", event=actions.comment(number, "/status mitigating failing over"))
    assert code == 0, lines
    assert actions.state(number).status == "mitigating"
    actions.backend.set_scenario("db-down")
    assert actions.action("watch", *actions.backend_args())[0] == 0
    assert "deploy-freeze" in labels_of(actions.emulator.issue(number))
    code, lines = actions.action("guard")
    assert code == 6, lines


def test_a_hand_rewritten_body_keeps_the_incident_findable(actions: Action) -> None:
    """A person replaces the whole body: the incident keeps its dedupe key (from the title, or from the
    tool's timeline entries for a key of its own), so opening it again updates it."""
    first = actions.open("Checkout failing", "2")
    actions.edit_body(first, "We are on it; see the war room.")
    second = actions.open("Queue stuck", "2", "--key", "queue-42")
    assert actions.action("incident update", str(second), "--status", "mitigating")[0] == 0
    actions.edit_body(second, "Rewritten by hand.")
    assert actions.open("Checkout failing", "2") == first
    assert actions.open("Queue stuck again", "2", "--key", "queue-42") == second
    assert len(actions.issues(state="open")) == 2


# --- nothing external reaches the runner raw ------------------------------------------------------


def test_no_outside_text_reaches_the_runner_as_a_workflow_command(actions: Action) -> None:
    """Alert fields, an Alertmanager summary, backend diagnostics, the guard's override reason and a
    dry run's bodies all carry workflow commands; every line printed is scanned: only the tool's own
    masks and annotations start with `::`, and `##[` appears nowhere."""
    actions.backend.set_scenario("hostile")
    assert actions.action("triage", *actions.backend_args())[0] == 0
    ours = {"title": "Checkout\r::add-mask::checkout", "source": "##[set-output name=x]1", "dedupe_key": "c"}
    manager = json.loads((ALERTS_DATA / "alertmanager-grouped.json").read_text(encoding="utf-8"))
    manager["commonAnnotations"]["summary"] = "Queue ::stop-commands::pwned\n::error::forged ##[error]x"
    for name, payload in (("ours", ours), ("alertmanager", manager)):
        path = actions.tmp_path / f"{name}.json"
        path.write_text(json.dumps({"action": "ops-alert", "client_payload": payload}), encoding="utf-8")
        assert actions.action("alert", *actions.backend_args(), event=path)[0] == 0
    actions.backend.set_scenario("db-down")
    assert actions.action("watch", *actions.backend_args())[0] == 0
    code, _ = actions.action("guard", env={"OPS_FREEZE_OVERRIDE_REASON": "hotfix\n::stop-commands::pwned"})
    assert code == 0
    hostile_summary = "x\n    ::set-env name=A::1\n##[add-path]/tmp"
    dry = {"OPS_DRY_RUN": "true", "OPS_VERBOSE": "true", "OPS_INCIDENT_SUMMARY": hostile_summary}
    assert (
        actions.action("incident open", "--key", "dry", env={**dry, "OPS_INCIDENT_TITLE": "::warning::t"})[0]
        == 0
    )
    masks = {f"::add-mask::{GITHUB_TOKEN}", f"::add-mask::{ADMIN_TOKEN}"}
    assert masks <= set(actions.printed)
    assert any("set-env" in line for line in actions.printed), "the dry run printed the body"
    for line in actions.printed:
        assert "##[" not in line, line
        if COMMAND_START.match(line):
            assert line in masks or OWN_ANNOTATION.match(line), line


def test_secrets_reflected_by_the_backend_or_github_are_redacted_everywhere(actions: Action) -> None:
    """The backend echoes its Authorization header into dead letters; GitHub answers an error whose
    message holds the token. Neither token shows up in stdout, stderr, annotations, the summary, the
    outputs, the reports, the state file, an issue or a comment (the masks aside)."""
    number = actions.open("Jobs failing", "2")
    actions.backend.set_scenario("hostile")
    assert actions.action("watch", *actions.backend_args())[0] == 0
    assert any("Bearer ***" in c for c in actions.timeline(number)), "the echo reached the snapshot, redacted"
    actions.emulator.inject(
        "422", method="POST", path_contains="/comments", message=f"body echoes {GITHUB_TOKEN}"
    )
    code, lines = actions.action("incident update", str(number), "--status", "mitigating")
    assert code == 4
    assert any("body echoes ***" in line for line in lines if line.startswith("::error::")), lines
    files = [actions.summary, actions.tmp_path / "output.txt", actions.tmp_path / "s.json"]
    files += sorted((actions.tmp_path / "reports").glob("*.json"))
    published = {
        "printed": "\n".join(line for line in actions.printed if not line.startswith("::add-mask::")),
        "files": "\n".join(path.read_text(encoding="utf-8") for path in files),
        "github": json.dumps(
            [
                actions.emulator.issues(),
                *(actions.emulator.comments(i["number"]) for i in actions.emulator.issues()),
            ]
        ),
    }
    assert "body echoes ***" in published["files"], "the summary has the error, redacted"
    for where, text in published.items():
        assert GITHUB_TOKEN not in text, where
        assert ADMIN_TOKEN not in text, where


def test_slack_gets_the_title_escaped_by_slacks_rules(actions: Action) -> None:
    """A title holding `<!channel>` and a disguised link reaches Slack as text: `&lt;!channel&gt;`."""
    receiver = Receiver()
    try:
        actions.monkeypatch.setenv("OPS_SLACK_WEBHOOK_URL", f"{receiver.url}/slack")
        actions.open("<!channel> pay now <https://phish.example|your bank> & more", "1", "--impact", "<@U1>")
    finally:
        receiver.close()
    (text,) = [body["text"] for path, body in receiver.received if path == "/slack"]
    assert "<!channel>" not in text and "<https://phish" not in text and "<@U1>" not in text
    assert "&lt;!channel&gt; pay now &lt;https://phish.example|your bank&gt; &amp; more" in text


# --- bounded, consistent state --------------------------------------------------------------------


def test_the_state_block_stays_under_githubs_limit_whatever_the_text(actions: Action) -> None:
    """Four /sev with 1,990-emoji reasons in one comment (each emoji once cost 12 characters of the
    block): every save lands, the block stays small and the incident can still be resolved."""
    number = actions.open("Queue stuck", "2")
    reason = "🔥" * 1990
    body = "\n".join(f"/sev {level} {reason}" for level in (1, 2, 3, 1)) + "\n/resolve force all clear"
    code, lines = actions.action("command", event=actions.comment(number, body))
    assert code == 0, lines
    issue = actions.emulator.issue(number)
    assert issue["state"] == "closed"
    assert len(issue["body"]) <= 65_536
    (block,) = [line for line in issue["body"].splitlines() if line.startswith("<!-- ops-actions:state ")]
    assert len(block) < 32_000
    assert all(len(entry.get("reason", "")) <= 500 for entry in actions.state(number).severity_history)


def test_two_conflicting_commands_at_once_end_with_title_label_and_timeline_agreeing(actions: Action) -> None:
    """/sev 1 and /sev 3 from two people at once, the first save landing last: title, label, block and
    the timeline's last severity entry name the same severity."""
    number = actions.open("Queue stuck", "2")
    actions.emulator.set_permission("bob", "write")
    events = [
        actions.comment(number, "/sev 1 all down", login="alice"),
        actions.comment(number, "/sev 3 fine", login="bob"),
    ]
    comments = f"/issues/{number}/comments"
    actions.emulator.inject("slow", times=1, method="POST", path_contains=comments, delay_s=0.05)
    actions.emulator.inject("slow", times=1, method="POST", path_contains=comments, delay_s=0.8)
    actions.emulator.inject("slow", times=1, method="PATCH", path_contains=f"/issues/{number}", delay_s=1.5)
    results = together(
        [
            (
                ["action"],
                {
                    "OPS_COMMAND": "command",
                    "OPS_ARGS": "",
                    "GITHUB_EVENT_PATH": str(event),
                    "GITHUB_RUN_ID": str(900 + i),
                },
            )
            for i, event in enumerate(events)
        ]
    )
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    issue = actions.emulator.issue(number)
    severities = [
        m["summary"].rsplit(" ", 1)[-1]
        for c in actions.timeline(number)
        for m in find_markers(c, "event")
        if m["kind"] == "severity"
    ]
    last = severities[-1]
    assert issue["title"] == f"[{last}] Queue stuck"
    assert {label for label in labels_of(issue) if label.startswith("sev-")} == {last.lower()}
    assert actions.state(number).severity == last


def test_writes_github_carries_out_late_are_settled_on_the_next_read(actions: Action) -> None:
    """GitHub carries out a comment and an issue create after the client gave up and sent them again:
    the next read (the run's own re-read after its save, when the comment landed by then) deletes the
    duplicate comment, and the next run closes the duplicate incident."""
    number = actions.open("Queue stuck", "2")
    comments = f"/issues/{number}/comments"
    actions.emulator.inject("late-write", method="POST", path_contains=comments, delay_s=0.3)
    actions.emulator.reset_log()
    assert actions.action("incident update", str(number), "--status", "mitigating")[0] == 0
    posts = [r for r in actions.emulator.requests if r.method == "POST" and r.path.endswith(comments)]
    deletes = [r for r in actions.emulator.requests if r.method == "DELETE"]
    assert (len(posts), len(deletes)) == (2, 1), "sent twice, both landed, one deleted"
    assert len([c for c in actions.timeline(number) if "status: mitigating" in c]) == 1
    # Later than the resend (after 1 to 2 s) and the run's own look for a rival: only the next read sees it.
    actions.emulator.inject("late-write", method="POST", path_contains="/issues", delay_s=2.5)
    first = actions.open("Checkout failing", "2")
    eventually(lambda: len(actions.issues(state="open")) == 3, "the late issue create")
    assert actions.open("Checkout failing", "2") == first
    duplicate = max(issue["number"] for issue in actions.emulator.issues())
    assert actions.emulator.issue(duplicate)["state"] == "closed"
    assert len(actions.issues(state="open")) == 2


def test_a_rerun_after_a_failed_save_repairs_title_and_assignee_too(actions: Action) -> None:
    """Every save of the first attempt fails after its comment landed; the re-run sees the entries only
    in the replayed comments and brings the title, the labels and the assignee in line, not just the block."""
    number = actions.open("Queue stuck", "2")
    actions.emulator.set_permission("octocat", "write")  # GitHub assigns collaborators (and participants)
    event = actions.comment(number, "/sev 1 payments too\n/owner @octocat")
    actions.emulator.inject("5xx", times=2, method="PATCH", path_contains=f"/issues/{number}")
    code, _ = actions.action("command", event=event, run_id="7301", env={"OPS_GITHUB_MAX_WAIT_S": "0"})
    assert code == 0
    assert actions.emulator.issue(number)["title"] == "[SEV-2] Queue stuck"
    assert actions.action("command", event=event, run_id="7301", attempt="2")[0] == 0
    issue = actions.emulator.issue(number)
    assert issue["title"] == "[SEV-1] Queue stuck"
    assert "sev-1" in labels_of(issue)
    assert [user["login"] for user in issue["assignees"]] == ["octocat"]


# --- the commands job -----------------------------------------------------------------------------


def test_an_outsider_gets_one_reply_per_issue_and_no_write_after(actions: Action) -> None:
    """Three commands from a read-only person: one reply and 👎 for the first, then no write at all."""
    number = actions.open("Queue stuck", "2")
    assert actions.action("command", event=actions.comment(number, "/sev 1", login="mallory"))[0] == 0
    for body in ("/resolve force now", "/status resolved done"):
        event = actions.comment(number, body, login="mallory")
        actions.emulator.reset_log()
        code, lines = actions.action("command", event=event)
        assert code == 0
        assert "refused: mallory has read permission (told before; no reply)" in lines
        assert [r for r in actions.emulator.requests if r.is_write] == []
        assert len(actions.emulator.requests) <= 3, [r.path for r in actions.emulator.requests]
    replies = [c for c in actions.timeline(number) if "need write access" in c]
    assert len(replies) == 1
    assert actions.emulator.issue(number)["title"] == "[SEV-2] Queue stuck"


def test_a_command_in_a_collapsed_details_section_never_runs(actions: Action) -> None:
    """What a reader does not see does not run: `/sev 1` inside `<details>` is no command."""
    number = actions.open("Queue stuck", "2")
    body = "<details><summary>log</summary>\n\n/sev 1\n\n</details>\n\nlooking"
    code, lines = actions.action("command", event=actions.comment(number, body))
    assert code == 0
    assert "ignored: no slash command in the comment" in lines
    assert actions.emulator.issue(number)["title"] == "[SEV-2] Queue stuck"


def test_under_a_personal_token_the_tool_never_obeys_its_own_comment(actions: Action) -> None:
    """With a user's token the tool's comments are a user's, and its workflow starts on them: a status
    message with a `/sev 3` line is delivered back as a command and ignored."""
    actions.emulator.actor = "octocat"
    actions.emulator.set_permission("octocat", "admin")
    number = actions.open("Queue stuck", "1")
    assert (
        actions.action(
            "incident update", str(number), "--status", "mitigating", "--message", "ok\n/sev 3 all good"
        )[0]
        == 0
    )
    (own,) = [c for c in actions.emulator.comments(number) if "Status update" in c["body"]]
    assert own["user"]["login"] == "octocat"
    event = actions.comment(number, "placeholder", login="octocat")
    payload = json.loads(event.read_text(encoding="utf-8"))
    payload["comment"].update(id=own["id"], body=own["body"])
    event.write_text(json.dumps(payload), encoding="utf-8")
    code, lines = actions.action("command", event=event)
    assert code == 0
    assert "ignored: a comment the tool wrote itself" in lines
    assert actions.emulator.issue(number)["title"] == "[SEV-1] Queue stuck"


# --- validation and resilience --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "url"),
    [
        ("OPS_BACKEND_URL", "http://[::1"),
        ("GITHUB_API_URL", "http://127.0.0.1:99999"),
        ("OPS_SLACK_WEBHOOK_URL", "https://hooks.example/a b"),
    ],
)
def test_an_invalid_url_is_a_usage_error_before_any_write(actions: Action, variable: str, url: str) -> None:
    """A URL that cannot be used (bad IPv6 host, port out of range, white space) exits 2 with one line,
    before the first write."""
    actions.emulator.reset_log()
    code, lines = actions.action("watch", *actions.backend_args(), env={variable: url})
    assert code == 2, lines
    assert any("is not a valid URL" in line for line in lines)
    assert url not in "\n".join(lines)
    assert [r for r in actions.emulator.requests if r.is_write] == []


def test_one_unreadable_incident_is_reported_and_the_watch_goes_on(actions: Action) -> None:
    """The oldest open incident cannot be read (its comments answer 404): the watch says so and follows
    the next one."""
    unreadable = actions.emulator.add_issue(title="Old one", labels=["incident", "sev-3"], user="alice")
    actions.emulator.add_comment(unreadable, body="Any news?", user="alice")  # so its timeline is read
    number = actions.open("Queue stuck", "2")
    actions.emulator.inject("404", times=20, method="GET", path_contains=f"/issues/{unreadable}/comments")
    actions.backend.set_scenario("webhook-failing")
    code, lines = actions.action("watch", *actions.backend_args())
    assert code == 0, lines
    assert any(line.startswith(f"warning: #{unreadable} could not be read") for line in lines)
    assert any("Triage snapshot" in c for c in actions.timeline(number))


def test_reports_keep_the_shown_columns_of_backend_items_and_hashes_of_the_rest(actions: Action) -> None:
    """The hostile backend's items reach the report artifact as counts, the groups the playbook asks
    for, the rows of the columns its probes show (redacted) and SHA-256 hashes, never whole items: a
    field no probe shows stays out. A probe with `show: []` keeps no row; `samples: true` keeps its
    raw items."""
    actions.backend.set_scenario("hostile")
    assert actions.action("triage", *actions.backend_args())[0] == 0
    (report,) = (actions.tmp_path / "reports").glob("*.json")
    text = report.read_text(encoding="utf-8")
    assert "dl_0001" in text and "evt_1Sbx" in text, "the ids the playbook shows"
    assert '"status": "failed"' not in text, "a field no probe shows"
    finding = next(d for d in json.loads(text)["diagnostics"] if d["probe"] == "dead_letters")
    assert "sample" not in finding and len(finding["sample_sha256"]) == 10
    playbook = actions.tmp_path / "samples.yaml"
    marked = "  - id: dead_letters\n"
    shown = "    show: [id, type, error, received_at]\n"
    assert marked in bundled_playbook_text() and shown in bundled_playbook_text()
    playbook.write_text(
        bundled_playbook_text()
        .replace(marked, marked + "    samples: true\n")
        .replace(shown, "    show: []\n"),
        encoding="utf-8",
    )
    report.unlink()
    assert actions.action("triage", *actions.backend_args(), env={"OPS_PLAYBOOK": str(playbook)})[0] == 0
    (report,) = (actions.tmp_path / "reports").glob("*.json")
    assert "dl_0001" in report.read_text(encoding="utf-8")
    assert "evt_1Sbx" not in report.read_text(encoding="utf-8"), "the other probe keeps hashes alone"
