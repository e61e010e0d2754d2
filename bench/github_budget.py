"""GitHub request budget per incident operation, counted by the emulator.

Run: .venv/bin/python bench/github_budget.py
Targets (issue 4): open incident <= 3 requests when labels exist, timeline comment <= 2,
"no incident, nothing to do" <= 1, unchanged with 2,000 closed issues in the repository.
Issue 6: the cost of following a remediation run, per minute of waiting, 304s apart.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

from ops_actions.adapters.config import GitHubConfig
from ops_actions.adapters.github_tracker import Tracker
from ops_actions.flows.incidents import Incidents, operation_key
from ops_actions.incident.state import label_specs, update_status
from ops_actions.playbook import load_playbook
from ops_actions.sandbox.github import GitHubEmulator

REPO = "octo-org/backend"
TOKEN = "bench-token-0123456789abcdef"
HEADERS = {"authorization": f"token {TOKEN}", "content-type": "application/json"}


def counted(emulator: GitHubEmulator, action: Callable[[], object]) -> str:
    """Run an action and describe the requests it cost."""
    emulator.reset_log()
    action()
    calls = [f"{r.method} {r.path.removeprefix('/repos/' + REPO)}" for r in emulator.requests]
    return f"{len(calls)} request(s): " + ", ".join(calls)


def measure(closed_issues: int) -> None:
    playbook = load_playbook(None)
    with GitHubEmulator(repo=REPO, token=TOKEN) as emulator:
        config = GitHubConfig(api_url=emulator.url, repository=REPO, token=TOKEN)
        tracker = Tracker.from_config(config)
        for spec in label_specs(playbook).values():  # the labels exist, as after the first incident
            body = json.dumps({"name": spec.name, "color": spec.color, "description": spec.description})
            emulator.handle("POST", f"/repos/{REPO}/labels", HEADERS, body.encode("utf-8"))
        for i in range(closed_issues):
            emulator.add_issue(
                title=f"[SEV-3] old incident {i}", labels=["incident", "sev-3"], state="closed"
            )
        incidents = Incidents(tracker, playbook, clock=lambda: datetime.now(UTC))
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
    import time

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
        tracker = Tracker.from_config(GitHubConfig(api_url=emulator.url, repository=REPO, token=TOKEN))
        incidents = Incidents(tracker, playbook, clock=lambda: datetime.now(UTC))
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


if __name__ == "__main__":
    for closed in (0, 2000):
        measure(closed)
    polling_cost()
