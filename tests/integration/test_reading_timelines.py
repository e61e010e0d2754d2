"""Reading timelines at the cost of what changed, counted at the GitHub emulator: the page build with
the timeline memory (``status-page remember`` writes it, ``OPS_TIMELINE_MEMORY`` hands it to the
other commands), a refused memory file, and long timelines read from the state block's cursor."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ops_actions.flows.budget import reserve
from ops_actions.incident.state_block import read_state
from ops_actions.incident.timeline import TimelineEvent
from tests.support.fixtures.github import GITHUB_TOKEN, REPO
from tests.support.fixtures.world import START, World

HISTORY = 2_000  # legacy issues: labelled incident by people, never touched by the tool
LIST_PAGE = 100


def seed_history(world: World) -> None:
    """HISTORY closed issues labelled ``incident`` within the page's 90 days, one in 40 with a comment."""
    for index in range(HISTORY):
        number = world.emulator.add_issue(
            title=f"Old outage {index}",
            labels=["incident"],
            state="closed",
            created_at=START - timedelta(days=30),
        )
        if index % 40 == 0:
            world.emulator.add_comment(number, body="restarted the worker", user="alice")


def real_incidents(world: World) -> list[int]:
    """Three incidents the tool opened: one resolved, two open with updates."""
    numbers = []
    for minute, title in enumerate(["Checkout failing", "Queue stuck", "Login slow"]):
        assert world.cli(minute, "incident", "open", "--title", title, "--severity", "2") == 0
        numbers.append(world.issues(state="open")[-1]["number"])
    for number in numbers:
        assert (
            world.cli(5, "incident", "update", str(number), "--status", "mitigating", "--public", "on it")
            == 0
        )
    assert world.cli(8, "incident", "resolve", str(numbers[0]), "--force", "--reason", "checked by hand") == 0
    return numbers


def earlier(world: World, number: int, body: str) -> None:
    """A person's comment from before the runs that follow (the emulator keeps GitHub's clock, the
    wall clock; GitHub's times are to the second, and people do not post 100 comments in one)."""
    world.emulator.add_comment(
        number, body=body, user="bob", created_at=datetime.now(UTC) - timedelta(hours=1)
    )


def remember(world: World, memory: Path, minutes: float) -> None:
    assert world.cli(minutes, "status-page", "remember", "--memory", str(memory)) == 0


def build(world: World, minutes: float, name: str = "site") -> dict[str, object]:
    out = world.tmp_path / name
    assert world.cli(minutes, "status-page", "build", "--out", str(out)) == 0
    document: dict[str, object] = json.loads((out / "status.json").read_text(encoding="utf-8"))
    document.pop("generated_at", None)
    return document


def counted(world: World) -> Counter[str]:
    """The requests since the log was reset, by kind: list pages, comment listings, the rest."""
    kinds: Counter[str] = Counter()
    for request in world.emulator.requests:
        if request.path == f"/repos/{REPO}/issues":
            kinds["issue list pages"] += 1
        elif request.method == "GET" and request.path.endswith("/comments"):
            kinds["comment listings"] += 1
        else:
            kinds[f"{request.method} {request.path}"] += 1
    return kinds


@pytest.fixture
def history(world: World) -> tuple[list[int], Path]:
    """The history and the real incidents on the emulator, remembered once; the memory's path set
    as the workflows set it."""
    seed_history(world)
    numbers = real_incidents(world)
    memory = world.tmp_path / "timelines.json"
    remember(world, memory, 20)
    world.monkeypatch.setenv("OPS_TIMELINE_MEMORY", str(memory))
    return numbers, memory


def test_a_page_rebuild_with_the_memory_costs_the_list_pages_and_one_listing_per_changed_incident(
    world: World, history: tuple[list[int], Path]
) -> None:
    numbers, _ = history
    world.emulator.reset_log()
    page = build(world, 30)
    issues_listed = HISTORY + len(numbers)
    # the window, the open incidents, the postmortems, the open ad hoc maintenance windows
    pages = -(-issues_listed // LIST_PAGE) + 3
    assert counted(world) == Counter({"issue list pages": pages, "GET /user": 1})

    world.emulator.add_comment(numbers[1], body="customers confirm it is better", user="alice")
    assert (
        world.cli(31, "incident", "update", str(numbers[1]), "--status", "mitigating", "--message", "fix out")
        == 0
    )
    world.emulator.reset_log()
    changed = build(world, 32, "site-2")
    assert counted(world) == Counter({"issue list pages": pages, "GET /user": 1, "comment listings": 1})
    assert changed != page  # the update the memory lacks is on the page

    world.monkeypatch.delenv("OPS_TIMELINE_MEMORY")
    assert build(world, 32, "site-full") == changed  # as a full read shows it


def test_a_forged_or_corrupt_memory_is_refused_with_one_warning_and_the_page_read_in_full(
    world: World, history: tuple[list[int], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    numbers, memory = history
    expected = build(world, 30, "site-expected")
    good = json.loads(memory.read_text(encoding="utf-8"))
    forged = json.loads(json.dumps(good))
    forged["issues"][str(numbers[1])]["own"][-1]["body"] = (
        "**All fixed**, nothing to see"  # not the tool's form
    )
    foreign = {**good, "repository": "someone/else"}
    for case, text in {
        "forged": json.dumps(forged),
        "foreign": json.dumps(foreign),
        "corrupt": memory.read_text(encoding="utf-8")[:-40],
    }.items():
        memory.write_text(text, encoding="utf-8")
        capsys.readouterr()
        world.emulator.reset_log()
        assert build(world, 30, f"site-{case}") == expected, case
        warnings = [line for line in capsys.readouterr().err.splitlines() if "timeline memory" in line]
        assert len(warnings) == 1 and "refused" in warnings[0], (case, warnings)
        assert counted(world)["comment listings"] == len(numbers) + HISTORY // 40, case  # read in full


def test_a_comment_the_memory_lacks_is_read(world: World, history: tuple[list[int], Path]) -> None:
    numbers, memory = history
    before = json.loads(memory.read_text(encoding="utf-8"))["issues"][str(numbers[2])]
    assert (
        world.cli(40, "incident", "update", str(numbers[2]), "--status", "mitigating", "--public", "deployed")
        == 0
    )
    page = build(world, 41)
    shown = json.dumps(page)
    assert "deployed" in shown
    assert json.loads(memory.read_text(encoding="utf-8"))["issues"][str(numbers[2])] == before, (
        "only remember writes"
    )


def test_legacy_issues_cost_one_read_once_and_a_listing_without_comments_none(
    world: World, history: tuple[list[int], Path]
) -> None:
    _, memory = history
    world.emulator.reset_log()
    remember(world, memory, 50)
    assert counted(world)["comment listings"] == 0  # nothing changed since
    held = json.loads(memory.read_text(encoding="utf-8"))["issues"]
    legacy = [entry for entry in held.values() if not entry["own"]]
    assert len(legacy) == HISTORY and sum(1 for e in legacy if e["ids"]) == HISTORY // 40


def long_incident(world: World, title: str, human_comments: int) -> int:
    """An incident the tool opened, ``human_comments`` people's comments, then a writer's /status
    (the command's read of the whole timeline, once)."""
    world.emulator.set_permission("alice", "write")
    assert world.cli(0, "incident", "open", "--title", title, "--severity", "2") == 0
    number = max(issue["number"] for issue in world.issues(state="open"))
    for index in range(human_comments):
        earlier(world, number, f"still failing for customer {index}")
    assert world.comment(10, number, "/status mitigating next 30m rolling back", "alice") == 0
    return number


def slash_then_resolve(world: World, title: str, human_comments: int, memory: Path) -> tuple[int, int]:
    """Requests of a /status and of a resolve on an incident with ``human_comments`` people's comments
    that were read once before (by the scheduled memory, and by the command before)."""
    number = long_incident(world, title, human_comments)
    remember(world, memory, 11)
    world.monkeypatch.setenv("OPS_TIMELINE_MEMORY", str(memory))
    world.emulator.add_comment(number, body="better now", user="bob")
    world.emulator.reset_log()
    assert world.comment(12, number, "/status mitigating next 45m fix deployed", "alice") == 0
    slash = len(world.emulator.requests)
    world.emulator.reset_log()
    assert world.cli(13, "incident", "resolve", str(number), "--force", "--reason", "checked by hand") == 0
    resolved = len(world.emulator.requests)
    assert world.emulator.issue(number)["state"] == "closed"
    world.monkeypatch.delenv("OPS_TIMELINE_MEMORY")
    return slash, resolved


def test_a_slash_command_and_a_resolve_cost_the_same_at_a_thousand_comments_as_at_ten(world: World) -> None:
    short = slash_then_resolve(world, "Checkout failing", 10, world.tmp_path / "short.json")
    long = slash_then_resolve(world, "Queue stuck", 1_000, world.tmp_path / "long.json")
    assert long[0] <= short[0] + 2 and long[1] <= short[1] + 2, (short, long)


def test_a_tool_authored_incident_needs_no_memory_for_a_long_timeline(world: World) -> None:
    """The state block's cursor: a command lists only the comments after the block's read, and a
    comment the tool posted that the block lacks (a save that failed) still counts."""
    number = long_incident(world, "Checkout failing", 1_000)
    state = read_state(world.incident()["body"])
    assert state is not None and state.comments_read_until is not None
    world.emulator.reset_log()
    assert world.comment(12, number, "/sev 1 payments down too", "alice") == 0
    assert counted(world)["comment listings"] == 1
    state = read_state(world.incident()["body"])
    assert state is not None and state.severity == "SEV-1"


def test_an_entry_the_block_lacks_after_its_cursor_is_replayed(world: World) -> None:
    """A timeline entry the tool posted whose save failed (posted here as the tool's identity, with no
    save after it) still counts for the next command, read from the cursor in one listing."""
    number = long_incident(world, "Checkout failing", 300)
    state = read_state(world.incident()["body"])
    assert state is not None
    entry = TimelineEvent(
        "unsaved-owner",
        "owner",
        "2026-11-27T10:11:00Z",
        "owner: @alice",
        "Owner: @alice",
        state.key,
        delta={"set": {"owner": "alice"}},
    )
    posted = world.emulator.handle(
        "POST",
        f"/repos/{REPO}/issues/{number}/comments",
        {"authorization": f"token {GITHUB_TOKEN}", "content-type": "application/json"},
        json.dumps({"body": entry.markdown()}).encode(),
    )
    assert posted is not None and posted[0] == 201
    world.emulator.reset_log()
    assert world.comment(12, number, "/sev 1 payments down too", "alice") == 0
    assert counted(world)["comment listings"] == 1
    state = read_state(world.incident()["body"])
    assert state is not None and (state.severity, state.owner) == ("SEV-1", "alice")


def updates_by_incident(page: dict[str, object]) -> dict[int, str]:
    incidents = page["incidents"]
    assert isinstance(incidents, list)
    return {incident["id"]: json.dumps(incident) for incident in incidents}


def test_a_comment_deleted_after_the_memory_is_gone_from_the_page(
    world: World, history: tuple[list[int], Path]
) -> None:
    """The issue's count no longer adds up with the memory's ids: that timeline is read in full."""
    numbers, _ = history
    resolved = numbers[0]
    assert "on it" in updates_by_incident(build(world, 30))[resolved]
    (update,) = [c for c in world.emulator.comments(resolved) if "on it" in c["body"]]
    deleted = world.emulator.handle(
        "DELETE",
        f"/repos/{REPO}/issues/comments/{update['id']}",
        {"authorization": f"token {GITHUB_TOKEN}"},
        b"",
    )
    assert deleted is not None and deleted[0] == 204
    world.emulator.reset_log()
    updates = updates_by_incident(build(world, 30, "site-2"))
    assert "on it" not in updates[resolved] and "on it" in updates[numbers[1]]
    assert counted(world)["comment listings"] == 2  # since=, then in full


def test_a_first_remember_over_more_issues_than_the_budget_goes_on_in_the_next_run(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """300 legacy issues with a comment each, and a budget 40 requests above the reserve: the first
    remember stops at the reserve, says so and keeps what it read, with the watermark where it was;
    the next hour's run reads only the rest, and a third reads no timeline at all. Each issue's
    comments are read once in all (before, the first run spent the budget and failed every time)."""
    for index in range(300):
        number = world.emulator.add_issue(
            title=f"Old outage {index}", labels=["incident"], state="closed", created_at=START
        )
        world.emulator.add_comment(number, body="restarted the worker", user="alice")
    memory = world.tmp_path / "timelines.json"
    reads = []
    for minutes, left in ((10, reserve(5000) + 40), (70, 5000), (130, 5000)):
        world.emulator.set_rate_remaining(left)
        world.emulator.reset_log()
        capsys.readouterr()
        remember(world, memory, minutes)
        reads.append(counted(world)["comment listings"])
        if minutes == 10:
            assert "GitHub budget low" in capsys.readouterr().out
            assert json.loads(memory.read_text(encoding="utf-8"))["watermark"] is None
    assert 0 < reads[0] < 300
    assert reads[0] + reads[1] == 300
    assert reads[2] == 0
