"""GitHub request budget per incident operation, counted by the emulator.

Run: .venv/bin/python bench/github_budget.py
Targets (issue 4): open incident <= 3 requests when labels exist, timeline comment <= 2,
"no incident, nothing to do" <= 1, unchanged with 2,000 closed issues in the repository.
Issue 6: the cost of following a remediation run, per minute of waiting, 304s apart.
Issue 14's simulated day, hour by hour against a GITHUB_TOKEN's 1,000 requests an hour, is
tests/support/busy_day.py, printed by ``python -m bench.performance`` (issue 27), as is the same
day over 20 services in one repository (issue 28).
Issue 18: cost flat in history, with 0, 2,000 and 20,000 closed issues beside 200 resolved
incidents, their postmortems and 50 open incidents: `report` <= 6 requests plus its list pages,
`postmortem create` <= 6, the reminder tick <= 2 reads, opening an incident while 50 are open
(each with a comment the tool has not seen) <= 5. Every command counts its one GET /user, which
names the identity whose markers count (a job token gets 403 there: github-actions[bot]).
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: tests.support

from ops_actions.adapters.config import GitHubConfig
from ops_actions.adapters.github_tracker import GitHubTracker
from ops_actions.flows.incidents import IncidentService
from ops_actions.incident.labels import label_specs
from ops_actions.incident.operation_keys import operation_key
from ops_actions.incident.transitions import update_status
from ops_actions.playbook import load_playbook
from ops_actions.sandbox.github import GitHubEmulator, RecordedRequest
from tests.support.busy_day import REPO, cli_requests

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


def described(requests: Sequence[RecordedRequest]) -> str:
    """``N request(s) (R reads): GET /issues ×3, GET /user``: what was sent, in order, grouped."""
    calls = Counter(f"{r.method} {r.path.removeprefix('/repos/' + REPO)}" for r in requests)
    parts = [call if times == 1 else f"{call} ×{times}" for call, times in calls.items()]
    reads = sum(1 for r in requests if r.method == "GET")
    return f"{len(requests)} request(s) ({reads} reads): " + ", ".join(parts)


if __name__ == "__main__":
    for closed in (0, 2_000, 20_000):
        measure(closed)
    history_costs()
    polling_cost()
    print("(a simulated busy day: python -m bench.performance)")
