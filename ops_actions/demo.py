"""The offline demo: a whole incident, played on the embedded sandbox backend and GitHub emulator.

Healthy triage, an outage, the scheduled watch opening the incident, a responder's slash
commands, a redeploy dispatched and followed, recovery, fifteen simulated minutes of normal
metrics, Backend Live Smoke, resolution, and the postmortem with its action items. The same
library the CLI uses does the work; only the clock is simulated. At the end the issues are
written as Markdown files under the output folder, the triage reports in its playbook's
``triage.report_dir``.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from ops_actions.adapters.config import GitHubConfig
from ops_actions.adapters.github_tracker import GitHubTracker
from ops_actions.flows.incidents import IncidentService
from ops_actions.flows.postmortems import Postmortems
from ops_actions.flows.remediation import Remediator
from ops_actions.flows.slash_commands import CommentEvent, SlashCommands
from ops_actions.flows.status_page import build_site, write_site
from ops_actions.flows.watch import reconcile
from ops_actions.incident.resolution_gate import manual_items
from ops_actions.incident.triage_report import snapshot_of
from ops_actions.incident.triage_text import triage_text
from ops_actions.playbook import Playbook
from ops_actions.sandbox.backend import SandboxBackend
from ops_actions.sandbox.github import GitHubEmulator
from ops_actions.triage.engine import triage
from ops_actions.triage.history import WatchHistory
from ops_actions.triage.probes import run_probes
from ops_actions.triage.report_file import write_report

DEMO_TOKEN = "demo-admin-token-not-a-secret"  # noqa: S105 - the sandbox's own token, guards nothing
DEMO_GITHUB_TOKEN = "demo-github-token-not-a-secret"  # noqa: S105 - the emulator's, guards nothing
REPO = "octo-org/backend"
START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
GOOD_SHA = "a1" * 20  # the release before the bad one: what a rollback goes back to
BAD_SHA = "b2" * 20


@dataclass(frozen=True)
class Story:
    """What the responder does about one failure, and what the postmortem and the page say after."""

    status: str
    """Her status update while she mitigates."""
    remedy: str
    """The comment that carries the fix (slash commands), or empty when the fix is outside GitHub."""
    narration: str
    actions: tuple[str, str]
    """Two preventive actions, as people write them: `text — @owner — due YYYY-MM-DD`."""
    summary: str
    """The postmortem's summary for customers (the status page shows it)."""
    rollback_with_hotfix: bool = False
    """The remedy asks the rollback for a hotfix branch: the rollback run's hotfix-branch job opens it."""
    impact: str = ""
    """Who is affected, as she states it (a SEV-1 is not resolved without one)."""


# What the responder tells customers in every story (the story's status text is the team's).
DEMO_PUBLIC_UPDATE: Final = "We found the cause and are applying a fix."

REDEPLOY = Story(
    status="Redeploying the backend",
    remedy="/deploy",
    narration="She redeploys with /deploy (the run link goes on the timeline at once).",
    actions=(
        "Alert on the worker heartbeat age — @alice — due 2026-12-04",
        "Add a runbook for stalled queues — @bob — due 2026-12-11",
    ),
    summary="Jobs were delayed for about half an hour while the job worker was stuck. We redeployed it, "
    "checked that queued jobs ran, and now alert sooner when the worker stops.",
)
STORIES = {
    "worker-stalled": REDEPLOY,
    "worker-flags-wrong": Story(
        status="Turning the legacy queue worker off, then redeploying",
        remedy="/deploy",
        narration="Triage shows LEGACY_QUEUE_WORKER_ENABLED=true where the playbook expects false: she "
        "sets it back and redeploys with /deploy.",
        actions=(
            "Refuse to start with both queue workers enabled — @alice — due 2026-12-04",
            "Review feature-flag changes before each release — @bob — due 2026-12-11",
        ),
        summary="Jobs were delayed while an old queue worker was switched on by mistake. We switched it "
        "off, redeployed, and the backend now refuses to start with both workers enabled.",
    ),
    "db-down": Story(
        status="The database is down; deploys are frozen until it is stable",
        impact="Every payment and every new job fails",
        remedy="/deploy",
        narration="She tries /deploy anyway: branch D froze deploys, so the freeze refuses it. "
        "The database provider restores the database instead.",
        actions=(
            "Alert when the database stops accepting connections — @alice — due 2026-12-04",
            "Rehearse the database failover with the provider — @bob — due 2026-12-11",
        ),
        summary="Payments and new jobs failed for about ten minutes while our database was down. Our "
        "provider restored it; we held every deploy until it was stable and will rehearse failover.",
    ),
    "job-regression": Story(
        status="Rolling back the last release",
        remedy="/rollback --hotfix",
        narration="Dead letters point at the last release: she rolls it back, and asks the rollback for a "
        "hotfix branch for the fix.",
        actions=(
            "Add a regression test for the failing job input — @alice — due 2026-12-04",
            "Canary new releases on a share of the jobs — @bob — due 2026-12-11",
        ),
        summary="Some jobs failed for about half an hour after a release. We rolled the release back; the "
        "fix ships from a hotfix branch with a test for the case.",
        rollback_with_hotfix=True,
    ),
    "webhook-failing": Story(
        status="Rotating STRIPE_WEBHOOK_SECRET, then replaying the failed events",
        remedy="/deploy",
        narration="The webhook secret was stale: she rotates it and redeploys with /deploy to load it.",
        actions=(
            "Check STRIPE_WEBHOOK_SECRET when the backend starts — @alice — due 2026-12-04",
            "Alert on the first failed Stripe webhook — @bob — due 2026-12-11",
        ),
        summary="Payment confirmations were delayed for about half an hour. We fixed the webhook "
        "configuration and replayed every delayed event; no payment was lost or charged twice.",
    ),
    "job-failed-once": Story(
        status="One job failed; finding out whether it is isolated",
        remedy="",
        narration="A single job failed on a provider timeout: she retries it by hand (nothing to deploy).",
        actions=(
            "Retry provider timeouts once before a job fails — @alice — due 2026-12-04",
            "Alert on the provider's timeout rate — @bob — due 2026-12-11",
        ),
        summary="One job failed on a provider timeout and was retried; nothing else was affected.",
    ),
    "payments-down": Story(
        status="The payments canary fails; redeploying the payments service",
        impact="Every card payment is refused",
        remedy="/deploy",
        narration="Payments are refused for everyone (SEV-1): she redeploys with /deploy.",
        actions=(
            "Page on the first failed payments canary — @alice — due 2026-12-04",
            "Keep the last good payments release warm for a fast rollback — @bob — due 2026-12-11",
        ),
        summary="Payments were refused for about ten minutes. We redeployed the payments service; no "
        "payment was charged twice.",
    ),
    "jobs-down": Story(
        status="Job creation fails; redeploying the jobs API",
        impact="No user can create a job",
        remedy="/deploy",
        narration="No one can create jobs (SEV-1): she redeploys the jobs API with /deploy.",
        actions=(
            "Create a synthetic job after every deploy — @alice — due 2026-12-04",
            "Add a health check for the jobs API's queue connection — @bob — due 2026-12-11",
        ),
        summary="New jobs could not be created for about ten minutes. We redeployed the service that "
        "accepts them; jobs already queued were not lost.",
    ),
    "slow": Story(
        status="The ops metrics time out; restarting the API",
        remedy="/deploy",
        narration="The metrics time out under load: she restarts the API with /deploy.",
        actions=(
            "Find the slow query behind /api/ops/metrics — @alice — due 2026-12-04",
            "Alert on the metrics endpoint's latency — @bob — due 2026-12-11",
        ),
        summary="Our service was slow for about half an hour. We restarted it and are fixing the slow "
        "query behind it.",
    ),
    "flaky": Story(
        status="One instance answers 502; replacing it",
        remedy="/deploy",
        narration="One instance answers 502 now and then: a redeploy with /deploy replaces it.",
        actions=(
            "Replace instances that fail health checks automatically — @alice — due 2026-12-04",
            "Alert on the rate of 502 answers — @bob — due 2026-12-11",
        ),
        summary="Some requests failed and were retried for about half an hour. We replaced the faulty "
        "server and now replace such servers automatically.",
    ),
    "malformed": Story(
        status="The metrics endpoint answers broken JSON since the proxy change; reverting it",
        remedy="/deploy",
        narration="A proxy change breaks the metrics' JSON: she redeploys the previous configuration.",
        actions=(
            "Add a contract test for /api/ops/metrics — @alice — due 2026-12-04",
            "Review proxy changes like code changes — @bob — due 2026-12-11",
        ),
        summary="Our monitoring could not read the service's health for about half an hour; customers "
        "were not affected. We reverted the configuration change that caused it.",
    ),
    "unauthorized": Story(
        status="The admin token was rotated without updating the secret; updating it",
        remedy="",
        narration="The admin token was rotated but OPS_BACKEND_ADMIN_TOKEN still holds the old one: she "
        "updates the repository secret (nothing to deploy).",
        actions=(
            "Rotate the admin token with a script that updates the secret — @alice — due 2026-12-04",
            "Alert when triage gets a 401 — @bob — due 2026-12-11",
        ),
        summary="Our monitoring could not read the service's health for about half an hour; customers "
        "were not affected. A credential had been changed in one place only.",
    ),
    "hostile": Story(
        status="A provider's error text carries markup; the issue shows it inert. Rolling back",
        remedy="/rollback",
        narration="Webhooks and jobs fail with hostile text from a provider (shown inert): she rolls "
        "back the last release with /rollback.",
        actions=(
            "Strip markup from provider error messages at the source — @alice — due 2026-12-04",
            "Test the release against hostile provider answers — @bob — due 2026-12-11",
        ),
        summary="Some payments and jobs failed for about half an hour after a release. We rolled it back.",
    ),
}


@dataclass
class Stage:
    """What the demo built: the local servers, the library objects and a simulated clock."""

    backend: SandboxBackend
    emulator: GitHubEmulator
    incidents: IncidentService
    commands: SlashCommands
    postmortems: Postmortems
    playbook: Playbook
    output: Path
    tracker: GitHubTracker

    @property
    def now(self) -> datetime:
        return self.emulator.now()


class Demo:
    """Plays the story step by step, narrating."""

    def __init__(
        self,
        stage: Stage,
        *,
        playbook_path: str,
        playbook_sha256: str,
        say: Callable[[str], None],
        pause: float,
    ) -> None:
        self.stage = stage
        self.playbook_path = playbook_path
        self.playbook_sha256 = playbook_sha256
        self.say = say
        self.pause = pause
        self.history = WatchHistory()
        self.runs = itertools.count(1)

    def narrate(self, text: str) -> None:
        narrate(self.say, text, self.pause)

    def at(self, minutes: int) -> None:
        """Move the simulated clock (the backend's and the tool's) to START + minutes."""
        target = START + timedelta(minutes=minutes)
        self.stage.emulator.advance(max((target - self.stage.now).total_seconds(), 0))

    def watch(self, minutes: int, *, show: bool = True) -> None:
        """One scheduled tick: triage, then reconcile with GitHub."""
        self.at(minutes)
        stage = self.stage
        report = triage(
            stage.playbook,
            send=lambda batch: run_probes(
                batch,
                base_url=stage.backend.url,
                credentials={stage.playbook.admin_token_env: DEMO_TOKEN},
                concurrency=stage.playbook.probe_concurrency,
            ),
            clock=stage.emulator.now,
            history=self.history.snapshots,
            backend_url=stage.backend.url,
            playbook_path=self.playbook_path,
            playbook_sha256=self.playbook_sha256,
        )
        path = write_report(report, stage.output / stage.playbook.report_dir, now=stage.now)
        lines = reconcile(
            stage.incidents,
            stage.playbook,
            report,
            history=self.history.snapshots,
            now=stage.now,
            run_id=str(next(self.runs)),
            links=[],
            playbook_sha256=self.playbook_sha256,
            remediator=stage.commands.remediator,
        )
        self.history.snapshots.append(snapshot_of(report))
        self.say(f"[{stage.now:%H:%M} UTC] scheduled triage")
        if show:
            self.say(triage_text(stage.playbook, report, str(path)))
        for line in lines:
            self.say(f"  watch: {line}")

    def hotfix_job(self, minutes: int, number: int) -> None:
        """Backend Rollback's hotfix-branch job, after the rollback that asked for it succeeded: it opens
        the branch at the SHA rolled back to (`ops-actions hotfix-branch`)."""
        self.at(minutes)
        rollback = self.stage.playbook.workflows["rollback"].file
        (asked,) = [
            dispatch["inputs"]
            for dispatch in self.stage.emulator.workflow_dispatches()
            if dispatch["workflow"] == rollback and dispatch["inputs"].get("hotfix_branch") == "true"
        ]
        line = self.stage.commands.remediator.open_hotfix_branch(number, asked["sha"])
        self.say(f"[{self.stage.now:%H:%M} UTC] Backend Rollback's hotfix-branch job: {line}")

    def comment(self, minutes: int, number: int, body: str, login: str) -> None:
        """A responder comments on the incident; the commands workflow handles it."""
        self.at(minutes)
        comment_id = self.stage.emulator.add_comment(number, body=body, user=login)
        self.say(f"[{self.stage.now:%H:%M} UTC] @{login} comments: " + " | ".join(body.splitlines()))
        event = CommentEvent("created", number, ("incident",), False, comment_id, body, login, False)
        for line in self.stage.commands.handle(event):
            self.say(f"  command: {line}")


def narrate(say: Callable[[str], None], text: str, pause: float) -> None:
    """A step of the story, said, then a pause for the reader (none with --fast)."""
    say(f"\n== {text}")
    time.sleep(pause)


@contextmanager
def staged(playbook: Playbook, output: Path) -> Iterator[Stage]:
    """The sandbox backend and the GitHub emulator on free local ports, wired to the library.

    One simulated clock: the emulator's (it starts at START and moves with ``advance``); the
    backend's heartbeats and the tool's timestamps read it too.
    """
    with (
        emulated_github(playbook) as (emulator, tracker),
        SandboxBackend(admin_token=DEMO_TOKEN, clock=emulator.now) as backend,
    ):
        yield wired(backend, emulator, tracker, playbook, output)


@contextmanager
def emulated_github(playbook: Playbook) -> Iterator[tuple[GitHubEmulator, GitHubTracker]]:
    """The GitHub emulator with the playbook's remediation workflows, two releases of the backend and a
    responder (alice), and the tracker the library reaches it with."""
    emulator = GitHubEmulator(repo=REPO, token=DEMO_GITHUB_TOKEN, clock=lambda: START)
    with emulator:
        for role in REMEDIATION_INPUTS.keys() & playbook.workflows.keys():
            script_workflow(emulator, playbook, role, "success")
        emulator.set_permission("alice", "write")
        # Two releases, the newer one live: what a rollback goes back from and to.
        for sha, hours in ((GOOD_SHA, 26), (BAD_SHA, 2)):
            emulator.add_run(
                playbook.workflows["deploy"].file,
                head_sha=sha,
                conclusion="success",
                created_at=START - timedelta(hours=hours),
            )
        emulator.set_branch_sha("main", BAD_SHA)
        tracker = GitHubTracker.from_config(
            # The local emulator has no secondary rate limits: no pause between writes.
            GitHubConfig(api_url=emulator.url, repository=REPO, token=DEMO_GITHUB_TOKEN, write_interval_s=0)
        )
        try:
            yield emulator, tracker
        finally:
            tracker.close()


# The inputs of the example remediation workflows, by role (what a dispatch may send them).
REMEDIATION_INPUTS = {
    "deploy": ("ref", "incident", "override_freeze_reason"),
    "rollback": ("sha", "incident", "hotfix_branch"),
    "smoke": ("incident",),
}


def script_workflow(emulator: GitHubEmulator, playbook: Playbook, role: str, outcome: str) -> None:
    """Declare the playbook's ``role`` workflow on the emulator; its runs from now on end in ``outcome``
    after 30 s queued and 2 min in progress."""
    workflow = playbook.workflows[role]
    emulator.add_workflow(
        workflow.file,
        workflow.name,
        inputs=REMEDIATION_INPUTS.get(role, ()),
        outcome=outcome,
        queued_s=30,
        in_progress_s=120,
    )


def wired(
    backend: SandboxBackend,
    emulator: GitHubEmulator,
    tracker: GitHubTracker,
    playbook: Playbook,
    output: Path,
) -> Stage:
    """The library's objects for ``playbook`` (one service's view, or the playbook of one), on the
    emulator's clock."""
    incidents = IncidentService(tracker, playbook, clock=emulator.now)
    remediator = Remediator(tracker=tracker, incidents=incidents, clock=emulator.now, say=lambda _: None)
    postmortems = Postmortems(tracker=tracker, incidents=incidents, clock=emulator.now)
    commands = SlashCommands(
        tracker=tracker, incidents=incidents, remediator=remediator, postmortems=postmortems
    )
    return Stage(backend, emulator, incidents, commands, postmortems, playbook, output, tracker)


def run_demo(
    playbook: Playbook,
    *,
    playbook_path: str,
    playbook_sha256: str,
    scenario: str,
    output: Path,
    say: Callable[[str], None],
    fast: bool,
) -> list[Path]:
    """Play the whole incident and write the issues as Markdown; returns the files written."""
    output.mkdir(parents=True, exist_ok=True)
    with staged(playbook, output) as stage:
        demo = Demo(
            stage,
            playbook_path=playbook_path,
            playbook_sha256=playbook_sha256,
            say=say,
            pause=0.0 if fast else 0.6,
        )
        demo.narrate("All is well: the scheduled triage finds nothing.")
        demo.watch(0)
        stage.backend.set_scenario(scenario)
        demo.narrate(f"The backend starts failing (sandbox scenario '{scenario}'). The next scheduled tick:")
        demo.watch(10)
        number = _open_incident(demo)
        story = STORIES[scenario]
        demo.narrate(
            "A responder takes it and says what is going on, in the issue's comments (customers read "
            "only the words after public:):"
        )
        stated = f"\n/impact {story.impact}" if story.impact else ""
        status = f"/status mitigating next 15m {story.status} public: {DEMO_PUBLIC_UPDATE}"
        demo.comment(14, number, f"/owner @alice\n{status}{stated}", "alice")
        demo.narrate(story.narration)
        if story.remedy:
            demo.comment(16, number, story.remedy, "alice")
        if story.rollback_with_hotfix:
            # The rollback run takes 2.5 min (queued, then in progress); its hotfix-branch job follows.
            demo.hotfix_job(19, number)
        stage.backend.set_scenario("healthy")
        demo.narrate("The backend recovers. The next tick records it and follows any run to its end.")
        demo.watch(20, show=False)
        demo.narrate(
            "Metrics stay normal; after 15 minutes the watch says so, and the monitoring window closes."
        )
        demo.watch(30, show=False)
        demo.watch(36, show=False)
        demo.narrate("Resolving now would be refused: Backend Live Smoke has not passed. She runs it:")
        demo.comment(37, number, "/smoke", "alice")
        demo.watch(42, show=False)
        demo.narrate("Both automatic checklist items hold; she does the manual checks and ticks them.")
        checks = "\n".join(f"/check {item.id}" for item in manual_items(playbook))
        if checks:
            demo.comment(43, number, checks, "alice")
        demo.narrate("The whole checklist holds; she resolves the incident.")
        demo.comment(44, number, "/resolve", "alice")
        demo.narrate(
            "The postmortem workflow runs as the issue closes; people add action items and sync them."
        )
        result = stage.postmortems.create(number)
        _add_actions(stage, result.number, story)
        synced = stage.postmortems.sync(result.number)
        for line in result.lines + synced.lines:
            say(f"  postmortem: {line}")
        files = write_issues(stage)
        demo.narrate("The status page customers read is built from the same issues.")
        site = output / "site"
        write_site(
            site,
            build_site(stage.incidents, stage.tracker, repository=REPO, now=stage.now, last_checked_at=None),
        )
    reports = output / playbook.report_dir
    say(f"\nWrote {len(files)} issues as Markdown to {output}/ and the triage reports to {reports}/")
    for path in files:
        say(f"  {path}")
    say(f"The status page: open {site / 'index.html'} in a browser.")
    return files


def _open_incident(demo: Demo) -> int:
    """The incident the watch opened, or one a responder opens when triage sees nothing (flaky)."""
    issues = demo.stage.emulator.issues(state="open")
    if issues:
        return int(issues[0]["number"])
    demo.narrate(
        "No rule has fired yet (retries got through, or flap control waits for a second failed "
        "triage); a responder opens the incident."
    )
    outcome = demo.stage.incidents.open(
        key="demo",
        title="Intermittent 502s from the API",
        severity="SEV-3",
        impact="Some requests retried",
        summary="Reported by a customer; triage recovers through retries.",
        operation="demo-open",
        detected_by={"how": "button", "by": "alice"},
    )
    demo.say(f"  {outcome.message}")
    return outcome.number


def _add_actions(stage: Stage, number: int, story: Story) -> None:
    """A person writes the preventive actions and the summary for customers into the postmortem."""
    issue = stage.emulator.issue(number)
    actions = "".join(f"- [ ] {action}\n" for action in story.actions)
    body = issue["body"].replace("\n- [ ] action — @owner — due YYYY-MM-DD\n", "\n" + actions)
    summary = next((s for s in stage.playbook.postmortem.sections if s.id == "customer-summary"), None)
    if summary is not None:
        body = body.replace(f"_{summary.prompt}_", story.summary)
    stage.emulator.handle(
        "PATCH",
        f"/repos/{REPO}/issues/{number}",
        {"authorization": f"token {DEMO_GITHUB_TOKEN}", "content-type": "application/json"},
        json.dumps({"body": body}).encode("utf-8"),
    )


def write_issues(stage: Stage) -> list[Path]:
    """Each issue as a Markdown file a person can open: title, labels, state, body, comments."""
    files = []
    for issue in stage.emulator.issues(state="all"):
        labels = ", ".join(label["name"] for label in issue["labels"])
        lines = [
            f"# #{issue['number']} {issue['title']}",
            "",
            f"- State: {issue['state']}"
            + (f" ({issue['state_reason']})" if issue.get("state_reason") else ""),
            f"- Labels: {labels}",
            f"- Assignees: {', '.join(a['login'] for a in issue['assignees']) or '-'}",
            "",
            issue["body"] or "",
            "",
            "## Comments",
        ]
        for comment in stage.emulator.comments(issue["number"]):
            lines += ["", f"### {comment['user']['login']} at {comment['created_at']}", "", comment["body"]]
        path = stage.output / f"issue-{issue['number']}.md"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        files.append(path)
    return files
