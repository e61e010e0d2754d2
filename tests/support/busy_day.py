"""A simulated busy day over one repository, counted at the GitHub emulator, and the in-process
workflow runs it is made of (:func:`cli_requests`).

The day: the scheduled watch every 10 minutes; the status page's schedule at :23 of every hour (its
build, which reads the timeline memory the cache holds, and its remember job, which writes it); an
outage at 10:00 that the watch opens, 20 slash commands on it until its /resolve at 10:58, a war
room of people commenting on it meanwhile, the postmortem's 10 action items synced at 11:05, and
the page built again in every run that changes the incident (each such run publishes it). Before
the day, yesterday's incident closed with a long timeline of people's comments, and the memory the
schedule left. Every run gets a fresh job token: all of them share the repository's 1,000
requests an hour, as GITHUB_TOKENs do (the emulator's ``job-rate-limit`` rule refuses the next one).

The same day over a playbook of 20 services in the repository (:data:`SERVICES_DAY`, issue 28): each
service's watch every 10 minutes, with its own history, as the triage matrix runs them (one workflow
run, a job per service); the outage is the first service's (its backend of its own), the others
share a healthy one; the page is built once by a run whose jobs changed an incident.

``bench/performance.py`` runs the full days (:data:`FULL_DAY`, :data:`SERVICES_DAY`); the integration
test runs shorter ones (:data:`TEST_DAY`, :data:`SERVICES_TEST_DAY`).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ops_actions.sandbox.backend import SandboxBackend
from ops_actions.sandbox.github import RULES, GitHubEmulator, RecordedRequest
from tests.support.events import comment_event
from tests.support.services import many_services, service_id, services_playbook

REPO = "octo-org/backend"
ADMIN = "bench-admin-token-0123456789"
DAY = datetime(2026, 11, 27, tzinfo=UTC)
HOURLY_BUDGET = 1_000
"""Requests an hour a repository's GITHUB_TOKENs share."""
OUTAGE = (DAY + timedelta(hours=10), DAY + timedelta(hours=10, minutes=16))
"""The backend's database is down from 10:00; the rollback at 10:16 ends it."""
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


@dataclass(frozen=True)
class DayPlan:
    """What a simulated day holds."""

    hours: range
    """The hours simulated (every run of each)."""
    yesterday_comments: int
    """People's comments on yesterday's incident, closed before the day."""
    war_room_comments: int
    """People's comments on the outage's incident between 10:00 and its resolve."""
    remembered: bool = True
    """The status page's remember job runs and the other runs read its memory; without it (the tool
    before the memory) the day is counted past the budget instead of refused there."""
    services: int = 0
    """The services the playbook declares (0: none, the seed's one service)."""

    def describe(self) -> str:
        services = f"{self.services} services, the outage in one; " if self.services else ""
        return (
            f"{self.hours.start:02d}:00-{self.hours.stop:02d}:00; {services}yesterday's incident closed with "
            f"{self.yesterday_comments:,} people's comments; {self.war_room_comments:,} more on the outage's"
        )


FULL_DAY = DayPlan(hours=range(24), yesterday_comments=5_000, war_room_comments=1_000)
# The test keeps the outage's hour and one hour either side, with every run of them and both long
# timelines as they are.
TEST_DAY = DayPlan(hours=range(9, 12), yesterday_comments=5_000, war_room_comments=1_000)
SERVICES_DAY = replace(FULL_DAY, services=20)
# Twenty services' watches make each hour long to run: the test keeps the outage's hour and the
# postmortem's.
SERVICES_TEST_DAY = replace(TEST_DAY, hours=range(10, 12), services=20)
PUBLISHED = "status page, in the runs that change an incident"
WATCH = "the watch, every 10 minutes"
OTHER_WATCHES = "the other services' watches, every 10 minutes"


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
        "OPS_GITHUB_WRITE_INTERVAL_S": "0",  # the counts are of requests; pacing only adds time
        **env,
    }
    before = len(emulator.requests)
    out = io.StringIO()
    with environment(values), contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = run(args)
    if code != 0:
        raise RuntimeError(f"ops-actions {' '.join(args)} exited {code}: {out.getvalue()[-500:]}")
    return [request for request in emulator.requests[before:] if request.status != 304]


@dataclass(frozen=True)
class DayCounts:
    """What a simulated day cost."""

    per_hour: dict[int, int]
    by_source: dict[str, int]
    incident_state: str
    action_items: int
    incident_labels: tuple[str, ...]
    """The labels of the day's incident."""
    watches: int
    """The watch jobs that ran (one per service each tick)."""
    jobs_by_source: dict[str, int]
    free_per_hour: dict[int, int]
    """The requests of each hour GitHub does not count against the limit (GET /rate_limit)."""

    @property
    def busiest(self) -> tuple[int, int]:
        """The busiest hour and its requests."""
        return max(self.per_hour.items(), key=lambda pair: pair[1])


class SimulatedDay:
    """The day's workflow runs, in-process, on one simulated clock, each with a fresh job token."""

    def __init__(
        self,
        emulator: GitHubEmulator,
        backend: SandboxBackend,
        clock: list[datetime],
        scratch: Path,
        settings: dict[str, str],
        services: int,
    ) -> None:
        self.emulator, self.backend, self.clock, self.scratch = emulator, backend, clock, scratch
        self.settings = settings
        """The environment of every run: the playbook, the backends (the outage's is ``backend``)."""
        self.services = tuple(service_id(index) for index in range(services))
        self.memory = scratch / "timelines.json"
        self.remembered = True
        self.per_hour: Counter[int] = Counter()
        self.by_source: Counter[str] = Counter()
        self.runs = iter(range(8_000_001, 9_000_000))
        self.incident = 0
        self.published = 0
        self.chatter: list[datetime] = []
        self.watches = 0
        self.jobs_by_source: Counter[str] = Counter()
        self.free_per_hour: Counter[int] = Counter()

    def job(self, at: datetime, source: str, *args: str, run_id: str = "", **env: str) -> bool:
        """One job at ``at`` (of the workflow run ``run_id``, else a run of its own): its requests are
        counted in that hour. Whether its output asks for the page to be published."""
        self.clock[0] = at
        self.people_comment(at)
        job_id = str(next(self.runs))
        output = self.scratch / f"output-{job_id}"
        sent = cli_requests(
            self.emulator,
            list(args),
            GITHUB_RUN_ID=run_id or job_id,
            GITHUB_ACTOR="mona",
            GITHUB_OUTPUT=str(output),
            OPS_ACTIONS_NOW=at.isoformat(),
            **{**self.settings, **env},
        )
        self.per_hour[at.hour] += len(sent)
        self.by_source[source] += len(sent)
        self.jobs_by_source[source] += 1
        self.free_per_hour[at.hour] += sum(1 for request in sent if request.path == "/rate_limit")
        return output.exists() and "status-page<<" in output.read_text(encoding="utf-8")

    def workflow(self, at: datetime, source: str, *args: str, **env: str) -> None:
        """A workflow run of one job; the status-page output starts its publishing job, which builds
        the page (same run) from the memory the cache holds."""
        if self.job(at, source, *args, **env):
            self.build(at, PUBLISHED)

    def build(self, at: datetime, source: str) -> None:
        self.published += 1
        site = str(self.scratch / f"site-{self.published}")
        self.workflow(at, source, "status-page", "build", "--out", site, **self.restored())

    def restored(self) -> dict[str, str]:
        """What a run that restores the timeline memory from the cache is given."""
        return {"OPS_TIMELINE_MEMORY": str(self.memory)} if self.remembered else {}

    def remember(self, at: datetime) -> None:
        if not self.remembered:
            return
        self.workflow(
            at, "status page's remember job, hourly", "status-page", "remember", "--memory", str(self.memory)
        )

    def people_comment(self, now: datetime) -> None:
        """The war room's comments due by ``now``, on the open incident."""
        while self.chatter and self.chatter[0] <= now and self.incident:
            at = self.chatter.pop(0)
            self.emulator.add_comment(
                self.incident, body="Seeing it too on our side.", user="hubot", created_at=at
            )

    def tick(self, at: datetime) -> None:
        """The scheduled triage run: the watch, or a job per service (the matrix, in one workflow
        run), each with its own history and reports; the page built once if any job asks."""
        self.backend.set_scenario("db-down" if OUTAGE[0] <= at < OUTAGE[1] else "healthy")
        run_id = str(next(self.runs))
        asked = False
        for service in self.services or ("",):
            where = f".{service}" if service else ""
            state = [
                "--history-file",
                str(self.scratch / f"state{where}.json"),
                "--report-dir",
                str(self.scratch / f"reports{where}"),
            ]
            chosen = ["--service", service] if service else []
            source = OTHER_WATCHES if service and service != self.services[0] else WATCH
            asked = self.job(at, source, "watch", *chosen, *state, run_id=run_id) or asked
            self.watches += 1
        if asked:
            self.build(at, PUBLISHED)
        self.incident = self.incident or next(
            (
                issue["number"]
                for issue in self.emulator.issues(state="open")
                if any(label["name"] == "incident" for label in issue["labels"])
            ),
            0,
        )

    def command(self, at: datetime, body: str) -> None:
        self.backend.set_scenario("healthy" if at >= OUTAGE[1] else "db-down")
        self.clock[0] = at
        self.people_comment(at)
        event = comment_event(self.emulator, self.scratch, self.incident, body, "mona")
        self.workflow(
            at,
            "slash commands",
            "command",
            GITHUB_EVENT_PATH=str(event),
            **self.restored(),
        )

    def sync_postmortem(self, at: datetime) -> None:
        """The owner writes 10 action items into the postmortem; the edit's run syncs them."""
        postmortem = max(
            (issue for issue in self.emulator.issues() if issue["title"].startswith("Postmortem")),
            key=lambda issue: int(issue["number"]),
        )  # the outage's: yesterday's incident has one too
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
        self.workflow(
            at,
            "postmortem sync (10 items)",
            "postmortem",
            "sync",
            GITHUB_EVENT_PATH=str(event),
            **self.restored(),
        )


def yesterday(emulator: GitHubEmulator, clock: list[datetime], comments: int, **settings: str) -> None:
    """Yesterday's incident, opened and resolved by the tool, with ``comments`` people's comments (of
    the first service, on a playbook of services)."""
    clock[0] = DAY - timedelta(hours=20)
    opened = ["incident", "open", "--title", "Jobs slow for one customer", "--severity", "3"]
    if "OPS_PLAYBOOK" in settings:
        opened += ["--service", service_id(0)]
    cli_requests(emulator, opened, OPS_ACTIONS_NOW=clock[0].isoformat(), **settings)
    number = max(issue["number"] for issue in emulator.issues())
    for index in range(comments):
        at = clock[0] + timedelta(seconds=5 * index)
        emulator.add_comment(number, body=f"still slow for account {index}", user="hubot", created_at=at)
    clock[0] = DAY - timedelta(hours=2)
    resolved = ["incident", "resolve", str(number), "--force", "--reason", "the customer confirmed"]
    cli_requests(emulator, resolved, OPS_ACTIONS_NOW=clock[0].isoformat(), **settings)


def run_day(plan: DayPlan, scratch: Path) -> DayCounts:
    """Simulate the day ``plan`` describes on a fresh emulator and backend; what each hour cost."""
    scratch.mkdir(parents=True, exist_ok=True)
    clock = [DAY - timedelta(days=1)]
    rules = [rule for rule in RULES if plan.remembered or rule != "job-rate-limit"]
    with (
        GitHubEmulator(repo=REPO, token=ADMIN, clock=lambda: clock[0], rules=rules) as emulator,
        SandboxBackend(admin_token=ADMIN, scenario="healthy", clock=emulator.now) as backend,
        SandboxBackend(admin_token=ADMIN, scenario="healthy", clock=emulator.now) as healthy,
    ):
        settings = {"OPS_BACKEND_URL": backend.url, "OPS_BACKEND_ADMIN_TOKEN": ADMIN}
        if plan.services:  # the first service's backend is the outage's; the others share one
            playbook = services_playbook(scratch, many_services(plan.services))
            settings.update(
                OPS_PLAYBOOK=str(playbook),
                OPS_BACKEND_URL=healthy.url,
                SVC_BACKEND_URL=backend.url,
                SVC_BACKEND_ADMIN_TOKEN=ADMIN,
            )
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
        yesterday(emulator, clock, plan.yesterday_comments, **settings)
        day = SimulatedDay(emulator, backend, clock, scratch, settings, plan.services)
        day.remembered = plan.remembered
        start = DAY + timedelta(hours=plan.hours.start)
        day.remember(start - timedelta(minutes=37))  # the schedule's last run before the day
        for counter in (day.per_hour, day.by_source, day.jobs_by_source, day.free_per_hour):
            counter.clear()
        war_room = (OUTAGE[0] + timedelta(minutes=1), DAY + timedelta(hours=10, minutes=57))
        step = (war_room[1] - war_room[0]) / max(plan.war_room_comments, 1)
        day.chatter = [war_room[0] + step * index for index in range(plan.war_room_comments)]
        commands = {OUTAGE[0] + timedelta(minutes=1 + 2 * i): body for i, body in enumerate(COMMANDS[:-1])}
        commands[DAY + timedelta(hours=10, minutes=58)] = COMMANDS[-1]
        ticks = {DAY + timedelta(minutes=10 * i) for i in range(144)}
        hourly = {DAY + timedelta(hours=h, minutes=23) for h in range(24)}
        sync = DAY + timedelta(hours=11, minutes=5)
        for at in sorted(ticks | hourly | set(commands) | {sync}):
            if at.hour not in plan.hours:
                continue
            if at in ticks:
                day.tick(at)
            elif at in hourly:
                day.build(at, "status page, hourly")
                day.remember(at)
            elif at == sync:
                day.sync_postmortem(at)
            else:
                day.command(at, commands[at])
        items = [i for i in emulator.issues() if i["title"].startswith("Action:")]
        incident: dict[str, Any] = (
            emulator.issue(day.incident) if day.incident else {"state": "none", "labels": []}
        )
    return DayCounts(
        per_hour={hour: day.per_hour[hour] for hour in plan.hours},
        by_source=dict(day.by_source),
        incident_state=incident["state"],
        action_items=len(items),
        incident_labels=tuple(sorted(label["name"] for label in incident["labels"])),
        watches=day.watches,
        jobs_by_source=dict(day.jobs_by_source),
        free_per_hour={hour: day.free_per_hour[hour] for hour in plan.hours},
    )
