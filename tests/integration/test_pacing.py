"""Writes to GitHub are paced (GitHub's secondary limits), on a simulated clock: no test waits for it."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime

import pytest

from ops_actions.adapters.config import DEFAULT_WRITE_INTERVAL_S, GitHubConfig
from ops_actions.adapters.github_tracker import GitHubTracker
from ops_actions.cli import run
from ops_actions.flows.incidents import IncidentService
from ops_actions.flows.postmortems import Postmortems
from ops_actions.incident.postmortem import ACTION_LABEL
from ops_actions.playbook import load_playbook
from ops_actions.sandbox.github import Exchange, GitHubEmulator
from tests.support.fixtures.github import GITHUB_TOKEN, REPO

WRITES = frozenset({"POST", "PATCH", "PUT", "DELETE"})
ITEMS = "".join(f"- [ ] Preventive action {i} — @octocat — due 2026-12-{i:02d}\n" for i in range(1, 21))


class SimulatedClock:
    """A clock that moves only when the tracker sleeps; it notes when each request reached GitHub."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0
        self.slept: list[float] = []
        self.sent: list[tuple[float, str]] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def saw(self, exchange: Exchange) -> None:
        self.sent.append((self.now, exchange.method))


def test_a_20_item_sync_writes_at_most_once_a_second_and_reads_unpaced(
    github_emulator: GitHubEmulator,
) -> None:
    """A postmortem with 20 action items syncs with every write at least the default second after
    the one before (on the simulated clock), and no read waits."""
    clock = SimulatedClock()
    github_emulator.set_permission("octocat", "write")
    config = GitHubConfig(api_url=github_emulator.url, repository=REPO, token=GITHUB_TOKEN)
    assert config.write_interval_s == DEFAULT_WRITE_INTERVAL_S == 1.0
    tracker = GitHubTracker.from_config(config, sleep=clock.sleep, clock=lambda: clock.now)
    playbook = load_playbook(None)
    incidents = IncidentService(tracker, playbook, clock=lambda: datetime.now(UTC))
    postmortems = Postmortems(tracker=tracker, incidents=incidents, clock=lambda: datetime.now(UTC))
    number = incidents.open(
        key="checkout", title="Checkout failing", severity="SEV-2", impact="", summary="", operation="o"
    ).number
    _, filed = postmortems.resolve(number, "run-1:resolve", by=None, force_reason="a rehearsal")
    postmortem = filed.number
    body = github_emulator.issue(postmortem)["body"]
    github_emulator.handle(
        "PATCH",
        f"/repos/{REPO}/issues/{postmortem}",
        {"authorization": f"token {GITHUB_TOKEN}", "content-type": "application/json"},
        json.dumps(
            {"body": body.replace("\n- [ ] action — @owner — due YYYY-MM-DD\n", "\n" + ITEMS)}
        ).encode(),
    )
    github_emulator.add_listener(clock.saw)
    clock.slept.clear()
    postmortems.sync(postmortem)
    tracker.close()
    items = [i for i in github_emulator.issues() if ACTION_LABEL in {lb["name"] for lb in i["labels"]}]
    assert len(items) == 20
    writes = [at for at, method in clock.sent if method in WRITES]
    assert len(writes) >= 40, "each item: its issue, the postmortem saved, the sub-issue attached"
    gaps = [later - earlier for earlier, later in itertools.pairwise(writes)]
    assert min(gaps) >= 1.0
    assert sum(clock.slept) == pytest.approx(writes[-1] - clock.sent[0][0]), "only writes waited"
    assert len(clock.slept) == len(writes), "one pause per write, none per read"


def test_the_interval_is_configurable_and_checked(
    github_env: GitHubEmulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """OPS_GITHUB_WRITE_INTERVAL_S sets it (0: no pause); anything but a number of seconds is exit 2."""
    paced = GitHubConfig.from_environ({**env_of(github_env), "OPS_GITHUB_WRITE_INTERVAL_S": "2.5"})
    assert paced.write_interval_s == 2.5
    assert GitHubConfig.from_environ(env_of(github_env)).write_interval_s == 1.0
    for bad in ("-1", "soon", "inf"):
        monkeypatch.setenv("OPS_GITHUB_WRITE_INTERVAL_S", bad)
        assert run(["incident", "open", "--title", "Checkout failing"]) == 2
        assert "OPS_GITHUB_WRITE_INTERVAL_S must be a number of seconds" in capsys.readouterr().err
    assert github_env.issues() == []


def env_of(emulator: GitHubEmulator) -> dict[str, str]:
    return {"GITHUB_API_URL": emulator.url, "GITHUB_REPOSITORY": REPO, "GITHUB_TOKEN": GITHUB_TOKEN}
