"""GitHub request budget per incident operation, counted by the emulator.

Run: .venv/bin/python bench/github_budget.py
Targets (issue 4): open incident <= 3 requests when labels exist, timeline comment <= 2,
"no incident, nothing to do" <= 1, unchanged with 2,000 closed issues in the repository.
Issue 6: the cost of following a remediation run, per minute of waiting, 304s apart.
Issue 14: a simulated day (144 scheduled ticks, one incident with 20 slash commands, a postmortem
with 10 action items, the status page's builds) as a share of a GITHUB_TOKEN's 1,000 requests
per hour, in the busiest hour.
Issue 18: cost flat in history, with 0, 2,000 and 20,000 closed issues beside 200 resolved
incidents, their postmortems and 50 open incidents: `report` <= 6 requests plus its list pages,
`postmortem create` <= 6, the reminder tick <= 2 reads, opening an incident while 50 are open
(each with a comment the tool has not seen) <= 5. Every command counts its one GET /user, which
names the identity whose markers count (a job token gets 403 there: github-actions[bot]).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ops_actions.adapters.config import GitHubConfig
from ops_actions.adapters.github_tracker import GitHubTracker
from ops_actions.flows.incidents import IncidentService, operation_key
from ops_actions.incident.labels import label_specs
from ops_actions.incident.transitions import update_status
from ops_actions.playbook import load_playbook
from ops_actions.sandbox.backend import SandboxBackend
from ops_actions.sandbox.github import GitHubEmulator, RecordedRequest

REPO = "octo-org/backend"
TOKEN = "bench-token-0123456789abcdef"
HEADERS = {"authorization": f"token {TOKEN}", "content-type": "application/json"}


def counted(emulator: GitHubEmulator, action: Callable[[], object]) -> str:
    """Run an action and describe the requests it cost."""
    emulator.reset_log()
    action()
    return described(emulator.requests)


def measure(closed_issues: int) -> None:
    playbook = load_playbook(None)
    with GitHubEmulator(repo=REPO, token=TOKEN) as emulator:
        config = GitHubConfig(api_url=emulator.url, repository=REPO, token=TOKEN, write_interval_s=0)
        tracker = GitHubTracker.from_config(config)
        for spec in label_specs(playbook).values():  # the labels exist, as after the first incident
            body = json.dumps({"name": spec.name, "color": spec.color, "description": spec.description})
            emulator.handle("POST", f"/repos/{REPO}/labels", HEADERS, body.encode("utf-8"))
        for i in range(closed_issues):
            emulator.add_issue(
                title=f"[SEV-3] old incident {i}", labels=["incident", "sev-3"], state="closed"
            )
        incidents = IncidentService(tracker, playbook, clock=lambda: datetime.now(UTC))
        print(f"-- repository with {closed_issues} closed incident issues --")
        print("no incident, nothing to do:", counted(emulator, lambda: incidents.find_open("checkout")))
        opened = []

        def open_incident() -> None:
            opened.append(
                incidents.open(
                    key="checkout",
                    title="Checkout failing",
                    severity="SEV-2",
                    impact="EU",
                    summary="",
                    operation=operation_key("1", "open", "checkout"),
                )
            )

        print("open incident (labels exist):", counted(emulator, open_incident))
        number = opened[0].number
        print(
            "timeline comment (read incident, comment, save state):",
            counted(
                emulator,
                lambda: incidents.apply(
                    number,
                    "run-2:status",
                    lambda s: update_status(
                        playbook,
                        s,
                        status="mitigating",
                        next_minutes=30,
                        message="",
                        now=datetime.now(UTC),
                        by=None,
                        key="run-2:status",
                    ),
                ),
            ),
        )
        ((issue, state),) = incidents.find_open("checkout")
        print(
            "timeline comment on an incident already listed (the watch's path):",
            counted(
                emulator,
                lambda: incidents.apply_to(
                    issue,
                    state,
                    "run-3:status",
                    lambda s: update_status(
                        playbook,
                        s,
                        status="mitigating",
                        next_minutes=15,
                        message="",
                        now=datetime.now(UTC),
                        by=None,
                        key="run-3:status",
                    ),
                ),
            ),
        )
        print(
            "re-run of an applied update:",
            counted(
                emulator,
                lambda: incidents.apply(
                    number, "run-2:status", lambda s: (_ for _ in ()).throw(AssertionError)
                ),
            ),
        )
        tracker.close()


def polling_cost(poll_seconds: float = 2.0, run_seconds: float = 12.0) -> None:
    """Requests per minute while ``remediate --wait`` follows a run, with 304s counted apart."""
    from ops_actions.flows.remediation import Remediator

    playbook = load_playbook(None)
    with GitHubEmulator(repo=REPO, token=TOKEN) as emulator:
        emulator.add_workflow(
            "backend-deploy.yml",
            "Backend Deploy",
            inputs=("ref", "incident"),
            queued_s=2.0,
            in_progress_s=run_seconds - 2.0,
        )
        tracker = GitHubTracker.from_config(
            GitHubConfig(api_url=emulator.url, repository=REPO, token=TOKEN, write_interval_s=0)
        )
        incidents = IncidentService(tracker, playbook, clock=lambda: datetime.now(UTC))
        remediator = Remediator(
            tracker=tracker, incidents=incidents, clock=lambda: datetime.now(UTC), say=lambda _: None
        )
        dispatched = remediator.dispatch("deploy", incident=None, ref=None, key="bench", by=None)
        emulator.reset_log()
        started = time.monotonic()
        followed = remediator.follow(dispatched, incident=None, timeout_s=120, poll_s=poll_seconds)
        minutes = (time.monotonic() - started) / 60
        fresh = [r for r in emulator.requests if r.status == 200]
        not_modified = [r for r in emulator.requests if r.status == 304]
        print(f"-- following a {run_seconds:.0f} s run, polling every {poll_seconds:g} s --")
        print(
            f"{len(emulator.requests)} request(s) in {minutes * 60:.1f} s: {len(fresh)} answered 200, "
            f"{len(not_modified)} answered 304 (not counted against the rate limit)"
        )
        print(
            f"= {len(emulator.requests) / minutes:.1f} requests per minute of waiting "
            f"({len(fresh) / minutes:.1f}/min that cost rate limit); conclusion {followed.conclusion}"
        )
        print(
            f"at the playbook's {playbook.remediation.poll_seconds} s interval: "
            f"{60 / playbook.remediation.poll_seconds:.0f} requests per minute"
        )
        tracker.close()


WINDOW = timedelta(days=80)
"""How far back the seeded history reaches (``report --since 90d`` reads all of it)."""


class History:
    """One repository whose history grows: 200 resolved incidents with their postmortems (51 still
    open), 50 open incidents that each have a comment by a person the tool has not seen yet, and
    then closed issues labelled ``incident``, each with a person's comment, all inside the window.

    The incidents, their timelines and postmortems are written by the tool's own flows (on a clock
    that spreads them over the window); the closed issues through the emulator's Python API.
    """

    def __init__(self, emulator: GitHubEmulator, clock: list[datetime]) -> None:
        from ops_actions.flows.postmortems import Postmortems

        self.emulator, self.clock = emulator, clock
        self.playbook = load_playbook(None)
        token = emulator.mint_job_token({"issues": "write"})
        config = GitHubConfig(api_url=emulator.url, repository=REPO, token=token, write_interval_s=0)
        self.tracker = GitHubTracker.from_config(config)
        self.incidents = IncidentService(self.tracker, self.playbook, clock=lambda: clock[0])
        self.postmortems = Postmortems(tracker=self.tracker, incidents=self.incidents, clock=lambda: clock[0])
        self.closed = 0
        self.spare: list[int] = []  # resolved incidents without a postmortem, one per stage

    def open(self, key: str, severity: str, impact: str = "") -> int:
        """Open an incident the way a workflow run does; its number."""
        opened = self.incidents.open(
            key=key, title=key, severity=severity, impact=impact, summary="", operation=f"seed:{key}"
        )
        return opened.number

    def incident(self, i: int) -> int:
        """Open incident ``i``, acknowledge and mitigate it, resolve it; its number."""
        number = self.open(f"incident-{i}", "SEV-2", "Card payments in the EU")
        self.clock[0] += timedelta(minutes=5)
        key = f"seed-{i}:status"
        self.incidents.apply(
            number,
            key,
            lambda s: update_status(
                self.playbook,
                s,
                status="mitigating",
                next_minutes=30,
                message="failing over",
                now=self.clock[0],
                by=None,
                key=key,
            ),
        )
        self.clock[0] += timedelta(minutes=40)
        self.incidents.resolve(number, f"seed-{i}:resolve", by=None, force_reason="seeded by the benchmark")
        return number

    def seed(self) -> None:
        start = self.clock[0]
        for i in range(203):
            self.clock[0] = start + WINDOW * (i / 210)
            number = self.incident(i)
            if i < 200:
                postmortem = self.postmortems.create(number).number
                if i < 149:
                    self.tracker.edit_issue(postmortem, state="closed", state_reason="completed")
            else:
                self.spare.append(number)
            self.emulator.add_comment(number, body="Thanks, all: the EU is fine again.", user="mona")
        self.clock[0] = datetime.now(UTC)
        for i in range(50):
            number = self.open(f"open-{i}", "SEV-3")
            self.emulator.add_comment(number, body="Still seeing this on our side.", user="mona")
        self.cli(["postmortem", "remind"])  # today's reminders are out: the next ticks only look

    def grow(self, closed: int) -> None:
        """Closed issues up to ``closed``, labelled ``incident``, spread over the window."""
        now = datetime.now(UTC)
        for i in range(self.closed, closed):
            at = now - WINDOW * ((i % 997) / 1000)
            number = self.emulator.add_issue(
                title=f"[SEV-3] Old incident {i}", labels=["incident", "sev-3"], state="closed", created_at=at
            )
            self.emulator.add_comment(number, body="Closed: a duplicate.", user="mona", created_at=at)
        self.closed = closed

    def cli(self, args: list[str]) -> list[RecordedRequest]:
        return cli_requests(self.emulator, args, OPS_ACTIONS_NOW=self.clock[0].isoformat())

    def measure(self) -> None:
        listed = len(self.emulator.issues())
        print(f"-- history: {self.closed} closed issues besides 253 incidents and 200 postmortems --")
        started = time.perf_counter()
        report = self.cli(["report", "--since", "90d", "--json"])
        took = time.perf_counter() - started
        pages = sum(1 for r in report if r.path.endswith("/issues"))
        print(f"report over {listed} issues ({pages} list pages, {took:.1f} s):", described(report))
        number = self.spare.pop()
        print("postmortem create (a new one):", described(self.cli(["postmortem", "create", str(number)])))
        print("postmortem create (again):", described(self.cli(["postmortem", "create", str(number)])))
        pending = sum(1 for i in self.emulator.issues(state="open") if i["title"].startswith("Postmortem"))
        reminded = described(self.cli(["postmortem", "remind"]))
        print(f"reminder tick ({pending} open postmortems; the one just created is overdue):", reminded)
        opened = self.cli(
            ["incident", "open", "--title", f"Checkout failing {self.closed}", "--severity", "2"]
        )
        print("open an incident while 50 are open, each with a new comment:", described(opened))
        (new,) = [
            i for i in self.emulator.issues(state="open") if i["title"].endswith(f"failing {self.closed}")
        ]
        self.tracker.edit_issue(new["number"], state="closed", state_reason="completed")  # 50 again


def history_costs() -> None:
    clock = [datetime.now(UTC) - WINDOW]  # the emulator's hourly rate-limit windows start there
    with GitHubEmulator(repo=REPO, token=TOKEN, clock=lambda: clock[0]) as emulator:
        history = History(emulator, clock)
        history.seed()
        for closed in (0, 2_000, 20_000):
            history.grow(closed)
            history.measure()
        history.tracker.close()


DAY = datetime(2026, 11, 27, tzinfo=UTC)
ADMIN = "bench-admin-token-0123456789"
COMMANDS = (
    "/owner @mona",
    "/status investigating next 30m looking at the database",
    "/sev 1 checkout and jobs down",
    "/impact All card payments and job creation",
    "/help",
    "/status mitigating next 15m failing over",
    "/deploy",
    "/rollback",
    "/status mitigating next 15m rollback running",
    "/impact Card payments in the EU only",
    "/sev 2 only the EU is affected",
    "/status mitigating next 15m recovering",
    "/smoke",
    "/impact No customer impact left",
    "/status mitigating next 30m watching the queue",
    # The resolution checklist's manual items, checked by hand before /resolve.
    "/check manual-signup-login\n/check manual-checkout-webhook\n/check manual-job-succeeded",
    "/sev 2 confirmed",
    "/status mitigating next 30m all clear so far",
    "/postmortem",
    "/resolve",
)
ITEMS = "".join(f"- [ ] Preventive action {i} — @mona — due 2026-12-{i + 1:02d}\n" for i in range(1, 11))


@contextlib.contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for in-process CLI runs, and put the old values back."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def cli_requests(emulator: GitHubEmulator, args: list[str], **env: str) -> list[RecordedRequest]:
    """Run one CLI command in-process, as a workflow run with a fresh job token would, and return
    the requests it sent (what the rate limit counts: a 304 to a conditional request costs nothing)."""
    from ops_actions.cli import run

    values = {
        "GITHUB_API_URL": emulator.url,
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_TOKEN": emulator.mint_job_token({"actions": "write", "issues": "write"}),
        "OPS_GITHUB_WRITE_INTERVAL_S": "0",  # the benchmark counts requests; pacing only adds time
        **env,
    }
    before = len(emulator.requests)
    out = io.StringIO()
    with environment(values), contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = run(args)
    if code != 0:
        raise RuntimeError(f"ops-actions {' '.join(args)} exited {code}: {out.getvalue()[-500:]}")
    return [request for request in emulator.requests[before:] if request.status != 304]


def described(requests: Sequence[RecordedRequest]) -> str:
    """``N request(s) (R reads): GET /issues ×3, GET /user``: what was sent, in order, grouped."""
    calls = Counter(f"{r.method} {r.path.removeprefix('/repos/' + REPO)}" for r in requests)
    parts = [call if times == 1 else f"{call} ×{times}" for call, times in calls.items()]
    reads = sum(1 for r in requests if r.method == "GET")
    return f"{len(requests)} request(s) ({reads} reads): " + ", ".join(parts)


class SimulatedDay:
    """The day's workflow runs, in-process, on one simulated clock, each with a fresh job token."""

    def __init__(
        self, emulator: GitHubEmulator, backend: SandboxBackend, clock: list[datetime], scratch: Path
    ):
        self.emulator, self.backend, self.clock, self.scratch = emulator, backend, clock, scratch
        self.per_hour: Counter[int] = Counter()
        self.by_source: Counter[str] = Counter()
        self.runs = iter(range(8_000_001, 9_000_000))
        self.incident = 0
        self.published = 0

    def job(self, at: datetime, source: str, *args: str, **env: str) -> None:
        """One workflow run at ``at``: its requests are counted in that hour."""
        self.clock[0] = at
        run_id = str(next(self.runs))
        output = self.scratch / f"output-{run_id}"
        spent = len(
            cli_requests(
                self.emulator,
                list(args),
                GITHUB_RUN_ID=run_id,
                GITHUB_ACTOR="mona",
                GITHUB_OUTPUT=str(output),
                OPS_ACTIONS_NOW=at.isoformat(),
                OPS_BACKEND_URL=self.backend.url,
                OPS_BACKEND_ADMIN_TOKEN=ADMIN,
                **env,
            )
        )
        self.per_hour[at.hour] += spent
        self.by_source[source] += spent
        # The status-page output starts the run's publishing job, which builds the page (same run).
        if "status-page<<" in output.read_text(encoding="utf-8") if output.exists() else False:
            self.published += 1
            site = str(self.scratch / f"site-{self.published}")
            self.job(
                at, "status page published by the runs that change it", "status-page", "build", "--out", site
            )

    def tick(self, at: datetime) -> None:
        outage = DAY + timedelta(hours=10) <= at < DAY + timedelta(hours=10, minutes=16)
        self.backend.set_scenario("db-down" if outage else "healthy")  # the rollback ends it
        state = [
            "--history-file",
            str(self.scratch / "state.json"),
            "--report-dir",
            str(self.scratch / "reports"),
        ]
        self.job(at, "scheduled ticks (144)", "watch", *state)
        self.incident = self.incident or next((i["number"] for i in self.emulator.issues(state="open")), 0)

    def command(self, at: datetime, body: str) -> None:
        self.backend.set_scenario("healthy" if at >= DAY + timedelta(hours=10, minutes=16) else "db-down")
        comment_id = self.emulator.add_comment(self.incident, body=body, user="mona")
        payload = {
            "action": "created",
            "issue": {"number": self.incident, "labels": [{"name": "incident"}]},
            "comment": {"id": comment_id, "body": body, "user": {"login": "mona", "type": "User"}},
        }
        event = self.scratch / f"comment-{comment_id}.json"
        event.write_text(json.dumps(payload), encoding="utf-8")
        self.job(at, "slash commands (20)", "command", GITHUB_EVENT_PATH=str(event))

    def sync_postmortem(self, at: datetime) -> None:
        """The owner writes 10 action items into the postmortem; the edit's run syncs them."""
        (postmortem,) = [i for i in self.emulator.issues() if i["title"].startswith("Postmortem")]
        self.clock[0] = at
        edited = postmortem["body"].replace("\n- [ ] action — @owner — due YYYY-MM-DD\n", "\n" + ITEMS, 1)
        self.emulator.handle(
            "PATCH",
            f"/repos/{REPO}/issues/{postmortem['number']}",
            {
                "authorization": f"token {self.emulator.user_token('mona')}",
                "content-type": "application/json",
            },
            json.dumps({"body": edited}).encode(),
        )
        event = self.scratch / "edited.json"
        event.write_text(json.dumps({"action": "edited", "issue": postmortem}), encoding="utf-8")
        self.job(at, "postmortem sync (10 items)", "postmortem", "sync", GITHUB_EVENT_PATH=str(event))


def simulated_day() -> None:
    """144 ticks, an outage at 10:00 with 20 commands, the postmortem's 10 items synced at 11:05, and
    the status page's builds (hourly, and in each run that changes the incident)."""
    clock = [DAY]
    with (
        GitHubEmulator(repo=REPO, token=TOKEN, clock=lambda: clock[0]) as emulator,
        SandboxBackend(admin_token=ADMIN, scenario="healthy", clock=emulator.now) as backend,
        tempfile.TemporaryDirectory() as scratch,
    ):
        emulator.set_permission("mona", "write")
        for file, name, inputs in (
            (
                "backend-deploy.yml",
                "Backend Deploy",
                ("ref", "incident", "override_freeze_reason", "operation"),
            ),
            ("backend-rollback.yml", "Backend Rollback", ("sha", "incident", "operation")),
            ("backend-live-smoke.yml", "Backend Live Smoke", ("incident", "operation")),
        ):
            emulator.add_workflow(file, name, inputs=inputs, queued_s=10, in_progress_s=120)
        for sha, hours in (("1" * 40, 30), ("2" * 40, 6)):
            emulator.add_run(
                "backend-deploy.yml",
                head_sha=sha,
                conclusion="success",
                created_at=DAY - timedelta(hours=hours),
            )
        day = SimulatedDay(emulator, backend, clock, Path(scratch))
        commands = {
            DAY + timedelta(hours=10, minutes=1 + 2 * i): body for i, body in enumerate(COMMANDS[:-1])
        }
        commands[DAY + timedelta(hours=10, minutes=58)] = COMMANDS[-1]
        ticks = {DAY + timedelta(minutes=10 * i) for i in range(144)}
        hourly = {DAY + timedelta(hours=h, minutes=23) for h in range(24)}  # the status page's own cron
        for at in sorted(ticks | hourly | set(commands)):
            if at in ticks:
                day.tick(at)
            elif at in hourly:
                site = str(day.scratch / f"site-hourly-{at.hour}")
                day.job(at, "status page, hourly (24)", "status-page", "build", "--out", site)
            else:
                day.command(at, commands[at])
        day.sync_postmortem(DAY + timedelta(hours=11, minutes=5))
        items = [i for i in emulator.issues() if i["title"].startswith("Action:")]
        closed = emulator.issue(day.incident)["state"]
    per_hour = day.per_hour
    busiest, peak = max(per_hour.items(), key=lambda pair: pair[1])
    print(
        "-- a simulated day: 144 ticks, one incident with 20 commands, a postmortem with 10 items, "
        "the status page built hourly and in the runs that change the incident --"
    )
    print(f"incident #{day.incident} {closed}; {len(items)} action items synced")
    for source, count in day.by_source.items():
        print(f"  {source}: {count} requests")
    print(f"the day: {sum(per_hour.values())} requests; a quiet hour (6 ticks): {per_hour[3]} requests")
    print(
        f"busiest hour {busiest:02d}:00-{busiest + 1:02d}:00: {peak} requests = {peak / 10:.1f}% "
        "of a GITHUB_TOKEN's 1,000 requests per hour per repository"
    )


if __name__ == "__main__":
    for closed in (0, 2_000, 20_000):
        measure(closed)
    history_costs()
    polling_cost()
    simulated_day()
